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

import re
from dataclasses import dataclass

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

_TOKEN = re.compile(
    r"""(?P<neg>[-!])?
        (?:(?P<field>[A-Za-z_]+):(?!//))?
        (?:"(?P<quoted>[^"]*)"?|(?P<bare>\S*))""",
    re.VERBOSE,
)


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
class FleetFilter:
    """A parsed fleet filter; an empty one lets every appliance through."""

    text: str = ""
    terms: tuple[FleetTerm, ...] = ()
    errors: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> FleetFilter:
        terms: list[FleetTerm] = []
        errors: list[str] = []
        for match in _TOKEN.finditer(text):
            if not match.group(0).strip():
                continue
            negated = match.group("neg") is not None
            name = match.group("field")
            quoted = match.group("quoted")
            value = (quoted if quoted is not None else (match.group("bare") or "")).strip().lower()
            if name is None:
                if value:
                    terms.append(FleetTerm((), value, negated))
                continue
            cells = FIELDS.get(name.lower())
            if cells is None:
                if value:
                    errors.append(f"unknown field '{name}:' (fields: {', '.join(FIELDS)})")
                else:
                    terms.append(FleetTerm((), match.group(0).lstrip("-!").strip().lower(), negated))
                continue
            if value:  # "verdict:" alone: still being typed
                terms.append(FleetTerm(cells, value, negated))
        return cls(text=text, terms=tuple(terms), errors=tuple(errors))

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def error(self) -> str | None:
        return "; ".join(self.errors) if self.errors else None

    def matches(self, line: FleetLine) -> bool:
        return all(term.matches(line) for term in self.terms)
