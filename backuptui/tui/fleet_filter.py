"""The fleet's `/` filter: words over what each appliance's row says, like the job list's filter.

    eu prod                 every word must appear somewhere in the row (case-insensitive)
    "password needed"       a quoted phrase is one word
    verdict:critical        field terms, on what that column says; values may be prefixes
    state:unreach  name:  host:  cause:
    -verdict:ok  !lab       `-` or `!` negates any term

Like the job list's, it never raises: an unknown field is left out of the matching and said in
`errors`, for the filter bar to show while the rest keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass

from backuptui.core.filter_words import ParsedFilter, filter_words
from backuptui.tui.widgets.fleet_table import FleetLine

#: field name (and aliases) -> the cells it searches
FIELDS: dict[str, tuple[str, ...]] = {
    "verdict": ("verdict",),
    "is": ("verdict",),
    "state": ("state",),
    "connection": ("state",),
    "name": ("name",),
    "host": ("host",),
    "cause": ("cause",),
}

PLACEHOLDER = "words, verdict:critical, state:unreachable, -verdict:ok, name:eu, cause:space …"


@dataclass(frozen=True, slots=True)
class FleetTerm:
    cells: tuple[str, ...]  # empty: every cell
    value: str  # lower-cased
    negated: bool = False

    def matches(self, line: FleetLine) -> bool:
        cells = self.cells or tuple(line.cells)
        found = any(self.value in _words(line, cell) for cell in cells)
        return found != self.negated


def _words(line: FleetLine, cell: str) -> str:
    text = line.cells.get(cell, "").lower()
    if cell == "verdict":
        return text.lstrip("✔▲✖? ")  # `verdict:crit` matches `✖ CRITICAL`
    return text


@dataclass(frozen=True, slots=True)
class FleetFilter(ParsedFilter):
    """A parsed fleet filter; an empty one lets every appliance through."""

    text: str = ""
    terms: tuple[FleetTerm, ...] = ()
    errors: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> FleetFilter:
        terms: list[FleetTerm] = []
        errors: list[str] = []
        for word in filter_words(text, FIELDS):
            value = word.value.strip().lower()
            if word.field is None:
                terms.append(FleetTerm((), value, word.negated))
                continue
            cells = FIELDS.get(word.field.lower())
            if cells is None:
                errors.append(f"unknown field '{word.field}:' (fields: {', '.join(FIELDS)})")
                continue
            terms.append(FleetTerm(cells, value, word.negated))
        return cls(text=text, terms=tuple(terms), errors=tuple(errors))

    def matches(self, line: FleetLine) -> bool:
        return all(term.matches(line) for term in self.terms)
