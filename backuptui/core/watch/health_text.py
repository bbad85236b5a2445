"""How the health verdict writes times, ages, thresholds and appliance text, and reads a threshold.

`check` names times in UTC and the TUI in the machine's zone (`format_when`); appliance text is
made fit for one status line (`one_line_problem`); `--warn-age 25h` and the like are read by
`parse_duration` and written back by `format_threshold`, so the two forms agree.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from backuptui.core.ages import age_span

_MAX_PROBLEM = 100


def format_utc(value: datetime) -> str:
    """`2026-11-27 02:00 UTC`: the form the check's status line uses."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_when(value: datetime, *, local: bool = False) -> str:
    """`format_utc`, or with `local` the machine's time zone, named: `2026-11-27 03:00 CET`
    (the TUI shows every time of a screen in one zone, the one its other times are in)."""
    if not local:
        return format_utc(value)
    shown = value.astimezone()
    return f"{shown:%Y-%m-%d %H:%M} {shown.tzname() or ''}".rstrip()


def format_age(age: timedelta) -> str:
    """`24 s`, `45 min`, `26 h`, `3 d 08 h` (`backuptui.core.ages`: one way to say an age)."""
    return age_span(age)


def format_threshold(value: timedelta) -> str:
    """`25h`, `90m`, `3d`: a duration in the form `--warn-age` takes."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def one_line_problem(text: str, limit: int = _MAX_PROBLEM) -> str:
    """Appliance text fit for one status line: whitespace collapsed, control characters and `|`
    (which starts perfdata in plugin output) replaced, cut at `limit` characters. Only the start
    of the text is read: a 50 MB message costs what a short one does."""
    text = text[: 8 * limit + 4096]  # room for whitespace that collapses
    cleaned = "".join(" " if (ord(ch) < 32 or ord(ch) == 127) else ch for ch in text)
    cleaned = " ".join(cleaned.split()).replace("|", "/")
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 3].rstrip() + "..."
    return cleaned


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNITS = {"": 3600, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """`25h`, `90m`, `3d`, `1.5h`, `3600s`; a bare number means hours. Raises ValueError with the reason."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration; write e.g. 25h, 90m, 3d or 3600s")
    seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if seconds <= 0:
        raise ValueError(f"{text!r}: a duration must be longer than zero")
    return timedelta(seconds=seconds)
