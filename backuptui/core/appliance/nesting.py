"""A limit on how deeply JSON from an appliance may nest.

A real record nests a handful of levels (a job, its messages, their arguments). Ten thousand
levels make the JSON decoder, and anything that walks the value, raise RecursionError; far fewer
already make a tree on screen useless. A record deeper than `MAX_NESTING` is refused with an
error that names it, and the other records of the same response still show.
"""

from __future__ import annotations

from typing import Any

#: objects and lists inside each other; a real record needs well under ten
MAX_NESTING = 64

TOO_DEEP = f"nested more than {MAX_NESTING} levels deep (objects and lists inside each other)"


def text_too_deep(text: str | bytes, start: int = 0, end: int | None = None) -> bool:
    """Does the JSON text (or its UTF-8 bytes) between `start` and `end` nest deeper than
    `MAX_NESTING`?

    Counting brackets is done in C and settles nearly every record; only a text with more
    brackets than the limit is walked character by character (strings skipped).
    """
    if not isinstance(text, str):
        if text.count(b"{", start, end) + text.count(b"[", start, end) <= MAX_NESTING:
            return False
        text = bytes(text[start:end]).decode("utf-8", "replace")
        start, end = 0, None
    end = len(text) if end is None else end
    if text.count("{", start, end) + text.count("[", start, end) <= MAX_NESTING:
        return False
    depth = 0
    pos = start
    while pos < end:
        char = text[pos]
        if char == '"':
            pos = string_end(text, pos, end)
            continue
        if char in "{[":
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif char in "}]":
            depth -= 1
        pos += 1
    return False


def value_end(text: str, pos: int) -> int:
    """The end of the JSON object or list that starts at `pos` (by its brackets, strings
    skipped), for stepping over a record the decoder could not take; raises ValueError when the
    text ends first."""
    depth = 0
    end = len(text)
    while pos < end:
        char = text[pos]
        if char == '"':
            pos = string_end(text, pos, end)
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    raise ValueError("the JSON text ends inside a value")


def value_too_deep(value: Any) -> bool:
    """Does a decoded JSON value nest deeper than `MAX_NESTING`? (No recursion of its own.)"""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_NESTING:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def string_end(text: str, pos: int, end: int) -> int:
    """The position after the JSON string that opens at `pos`."""
    pos += 1
    while True:
        quote = text.find('"', pos, end)
        if quote < 0:
            return end
        backslashes = 0
        while text[quote - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return quote + 1
        pos = quote + 1
