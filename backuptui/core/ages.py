"""How long ago something happened, said one way everywhere: `24 s`, `5 min`, `26 h`, `3 d 08 h`
(and how long until something happens, in the same units: `in 20 h`).

The health verdict, `check` and the health panel say an age through these two functions, so one
moment never reads "(0 min ago)" in one place and "(24 s ago)" in another. The monitor's screen,
which stays open and repaints as the clock moves, says its ages in coarser steps (`refresh_span`):
how fresh the data is ("refreshed 20 s ago", "cached, 10 s old") and when the last backup ended
("last good backup 20 s ago" in the status line, "(20 s ago)" in the progress widget, the same
step in both). A text that changed every second would repaint the screen every second for a
figure nobody reads to the second.

Each way of saying an age has its `…_changes_in`: how long until the text reads differently, so
a screen can wake when it changes instead of once a second.
"""

from __future__ import annotations

import math
from datetime import timedelta

#: under a minute, the age of the data is said in steps of this many seconds ("just now" below it)
REFRESH_STEP = 10


def age_span(age: float | timedelta) -> str:
    """An age in the largest unit that fits: `24 s`, `5 min`, `26 h` (up to two days), `3 d 08 h`, `3 d`."""
    seconds = max(0, int(age.total_seconds() if isinstance(age, timedelta) else age))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    days, rest = divmod(seconds, 86400)
    return f"{days} d {rest // 3600:02d} h" if rest >= 3600 else f"{days} d"


def _seconds(age: float | timedelta) -> float:
    return age.total_seconds() if isinstance(age, timedelta) else float(age)


def _next_multiple(seconds: float, step: int) -> float:
    """How long from `seconds` until the next whole multiple of `step` (never 0)."""
    return (math.floor(seconds / step) + 1) * step - seconds


def age_span_changes_in(age: float | timedelta) -> float:
    """Seconds until `age_span(age)` (and `human_age`) reads differently: the next whole unit."""
    seconds = _seconds(age)
    if seconds < 60:
        return _next_multiple(seconds, 1)  # under 0 it says "0 s" until 1 s: waking early is harmless
    if seconds < 3600:
        return _next_multiple(seconds, 60)
    return _next_multiple(seconds, 3600)  # `26 h`, `3 d 08 h`, `3 d`: all change on the hour


def refresh_span(age: float | timedelta) -> str | None:
    """How old the data is, in coarse steps: None under 10 s (just now), `10 s` … `50 s`, then
    as `age_span` (`1 min`, `2 h`)."""
    seconds = max(0.0, _seconds(age))
    if seconds < REFRESH_STEP:
        return None
    if seconds < 60:
        return f"{int(seconds) // REFRESH_STEP * REFRESH_STEP} s"
    return age_span(seconds)


def refresh_age(age: float | timedelta) -> str:
    """`just now` under 10 s, then `10 s ago`, `20 s ago` … `50 s ago`, `1 min ago`, `2 h ago`."""
    span = refresh_span(age)
    return "just now" if span is None else f"{span} ago"


def refresh_changes_in(age: float | timedelta) -> float:
    """Seconds until `refresh_span(age)` (and `refresh_age`) reads differently."""
    seconds = _seconds(age)
    if seconds < 0:  # a moment ahead of our clock (the appliance's runs fast): "just now" until 10 s
        return REFRESH_STEP - seconds
    if seconds < 60:
        return _next_multiple(seconds, REFRESH_STEP)
    return age_span_changes_in(seconds)


def human_age(age: float | timedelta | None) -> str:
    """`just now`, `24 s ago`, `5 min ago`, `3 d 08 h ago`; `never` for None."""
    if age is None:
        return "never"
    seconds = age.total_seconds() if isinstance(age, timedelta) else age
    if seconds < 1:
        return "just now"
    return f"{age_span(seconds)} ago"


def human_wait(wait: float | timedelta) -> str:
    """How long until something happens, in the same units as an age: `in 5 min`, `in 20 h`, `now`."""
    seconds = wait.total_seconds() if isinstance(wait, timedelta) else wait
    if seconds < 1:
        return "now"
    return f"in {age_span(seconds)}"


def countdown_changes_in(wait: float) -> float:
    """Seconds until a countdown said in whole seconds rounded up (`in 5 s`) reads differently:
    at the next whole second it reaches (a wait of 4.3 s reads 5 until 4)."""
    if wait <= 0:
        return math.inf  # "now" stays until something else happens
    return wait - (math.ceil(wait) - 1)


def duration_changes_in(seconds: float) -> float:
    """Seconds until `duration_span(seconds)` reads differently, as `seconds` grows."""
    if seconds < 3600:
        return _next_multiple(max(seconds, -1.0), 1)
    if seconds < 86400:
        return _next_multiple(seconds, 60)
    return _next_multiple(seconds, 3600)


def duration_span(seconds: float) -> str:
    """A duration, two units at most, as the job list says it: `0s`, `45s`, `3m 05s`, `1h 02m`, `2d 03h`."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
