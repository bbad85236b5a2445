"""The words of a `/` filter, as the job list's and the fleet's filters both read them.

    eu "no space left"      free words; a quoted phrase is one word
    status:failed           a field term (`name:value`); `sftp://host` is text, not a field
    -status:ok  !lab        `-` or `!` negates any term

One tokenizer, so the two filters cannot drift apart in what a word, a quote or a sign is; what a
field means (and which fields there are) stays with each filter. `ParsedFilter` is what both say
about themselves once parsed.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""(?P<neg>[-!])?
        (?:(?P<field>[A-Za-z_]+):(?!//))?      # a field name, but not a URL scheme (sftp://...)
        (?:"(?P<quoted>[^"]*)"?|(?P<bare>\S*))""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class FilterWord:
    """One term as typed: free text (`field` None) or a field term with its value."""

    field: str | None  # the field name as typed; None for free text
    value: str  # as typed (not stripped or lower-cased): the quoted text, or the bare word
    negated: bool = False


def filter_words(text: str, fields: Container[str]) -> Iterator[FilterWord]:
    """The terms of `text`, in order; `fields` are the (lower-case) field names the filter knows.

    A name that is not a field and has no value (`tar:`) is text; a known field with no value
    (`status:`) is still being typed and left out; an unknown field with a value is yielded as
    a field term, for the filter to report.
    """
    for match in _TOKEN.finditer(text):
        if not match.group(0).strip():
            continue
        negated = match.group("neg") is not None
        name = match.group("field")
        quoted = match.group("quoted")
        value = quoted if quoted is not None else (match.group("bare") or "")
        if name is not None and not value.strip():
            if name.lower() in fields:
                continue  # still being typed ("status:")
            name, value = None, match.group(0).lstrip("-!")  # "tar:" is text, not a field
        if name is None:
            if value.strip():
                yield FilterWord(None, value, negated)
            continue
        yield FilterWord(name, value, negated)


class ParsedFilter:
    """Mixin for a parsed filter (a frozen dataclass with `terms` and `errors`): whether it lets
    everything through, and its problems in one line for the filter bar."""

    __slots__ = ()

    terms: tuple[object, ...]
    errors: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        """True when the filter lets everything through (nothing typed, or only bad terms)."""
        return not self.terms

    @property
    def error(self) -> str | None:
        """All problems in one line, or None."""
        return "; ".join(self.errors) if self.errors else None
