"""How long ago something happened, said one way everywhere: `24 s`, `5 min`, `26 h`, `3 d 08 h`
(and how long until something happens, in the same units: `in 20 h`).

The health verdict, `check`, the status line, the health panel and the progress widget all say
an age through these two functions, so one moment never reads "(0 min ago)" in one place and
"(24 s ago)" in another.
"""

from __future__ import annotations

from datetime import timedelta


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
