"""Very long appliance strings: cut in a decoded value before it is formatted, and found again in full.

A record may carry a 50 MB message. Everything that formats a value for the screen (`json.dumps`,
escaping, colouring, wrapping) costs time in its length, so the strings are cut first
(`cut_strings`); the cut ones are listed with where they sit (`long_strings`), so the full text
stays one key away in the drill-down, shown a page at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backuptui.tui.format import MAX_SHOWN


def more_characters(count: int) -> str:
    """What ends a cut string: `… 1,234 more characters`."""
    return f"… {count:,} more characters"


def cut_strings(value: Any, limit: int = MAX_SHOWN) -> Any:
    """`value` (decoded JSON) with every string longer than `limit` cut, ending in `… N more characters`."""
    if isinstance(value, str):
        return f"{value[:limit]}{more_characters(len(value) - limit)}" if len(value) > limit else value
    if isinstance(value, Mapping):
        return {key: cut_strings(item, limit) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [cut_strings(item, limit) for item in value]
    return value


def long_strings(value: Any, limit: int = MAX_SHOWN, path: str = "") -> list[tuple[str, str]]:
    """Every string in `value` longer than `limit`, with its path (`error.messages[0].default_message`)."""
    if isinstance(value, str):
        return [(path or "value", value)] if len(value) > limit else []
    found: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            found += long_strings(item, limit, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += long_strings(item, limit, f"{path}[{index}]")
    return found
