"""How values read on screen: human units, durations, ages, local times, status words, locations.

Pure functions over plain values (no Textual, no Rich), so the list, the detail pane, the status
line and the headless commands all say the same thing the same way. Every function accepts
`None` for "the appliance did not say" and answers `EMPTY` for it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from backuptui.core.ages import duration_span
from backuptui.core.ages import human_age as human_age  # one way to say an age, core and TUI
from backuptui.core.appliance.failure_cause import CANCELED, canceled_by_user
from backuptui.core.appliance.models import BackupJob, JobStatus
from backuptui.core.appliance.unreadable import UNREADABLE

#: shown where the appliance gave no value
EMPTY = "—"

_BYTE_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB")


def human_bytes(size: int | float | None) -> str:
    """Bytes in binary units with three significant digits: `0 B`, `812 B`, `1.50 GiB`, `734 MiB`."""
    if size is None:
        return EMPTY
    if size < 0:
        return f"{size:d} B" if isinstance(size, int) else f"{size:.0f} B"
    if size < 1024:
        return f"{size:.0f} B"
    value = float(size)
    for unit in _BYTE_UNITS:
        value /= 1024.0
        if value < 999.5 or unit == _BYTE_UNITS[-1]:
            if value < 9.995:
                return f"{value:.2f} {unit}"
            if value < 99.95:
                return f"{value:.1f} {unit}"
            return f"{value:.0f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def human_rate(bytes_per_second: float | None) -> str:
    """A transfer rate: `14.2 MiB/s`."""
    if bytes_per_second is None:
        return EMPTY
    return f"{human_bytes(bytes_per_second)}/s"


def human_duration(seconds: float | None) -> str:
    """A duration, two units at most: `0s`, `45s`, `3m 05s`, `1h 02m`, `2d 03h`."""
    if seconds is None:
        return EMPTY
    return duration_span(seconds)


def local_time(value: datetime | None, *, seconds: bool = True) -> str:
    """An aware datetime in the machine's local time zone: `2026-11-28 21:17:03`."""
    if value is None:
        return EMPTY
    local = value.astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def short_local_time(value: datetime | None) -> str:
    """Local month, day and time for narrow columns: `11-28 21:17` (the year is in the detail pane)."""
    if value is None:
        return EMPTY
    return value.astimezone().strftime("%m-%d %H:%M")


def local_time_with_zone(value: datetime | None) -> str:
    """Local time with its zone name, for the detail pane: `2026-11-28 21:17:03 UTC`."""
    if value is None:
        return EMPTY
    local = value.astimezone()
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".rstrip()


class Tone(StrEnum):
    """What a value means for the person watching; widgets map a tone to a colour."""

    GOOD = "good"
    BAD = "bad"
    ACTIVE = "active"
    WARNING = "warning"
    NEUTRAL = "neutral"


_STATUS_SYMBOLS: dict[str, tuple[str, Tone]] = {
    JobStatus.SUCCEEDED: ("✔", Tone.GOOD),
    JobStatus.FAILED: ("✖", Tone.BAD),
    JobStatus.RUNNING: ("▶", Tone.ACTIVE),
    JobStatus.PENDING: ("…", Tone.ACTIVE),
    JobStatus.BLOCKED: ("⏸", Tone.WARNING),
    UNREADABLE: ("", Tone.WARNING),  # the word alone: it says it, and fits an 11-cell column
}


def status_label(status: JobStatus | str) -> str:
    """Symbol and word, so the status reads without colour: `✔ SUCCEEDED`; unknown ones as they are."""
    symbol, _ = _STATUS_SYMBOLS.get(str(status), ("?", Tone.NEUTRAL))
    return f"{symbol} {one_line(str(status))}".lstrip()


def status_tone(status: JobStatus | str) -> Tone:
    return _STATUS_SYMBOLS.get(str(status), ("?", Tone.NEUTRAL))[1]


#: a job a user canceled: FAILED on the appliance, but no failure of it (`canceled_by_user`)
CANCELED_LABEL = f"⊘ {CANCELED}"


def job_status_label(job: BackupJob) -> str:
    """`status_label` of the job's status, or `⊘ CANCELED` for a job a user canceled (the
    appliance has no such status: it marks the job FAILED)."""
    return CANCELED_LABEL if canceled_by_user(job) else status_label(job.status)


def job_status_tone(job: BackupJob) -> Tone:
    """A canceled job is a warning (as the health verdict judges it), not a failure."""
    return Tone.WARNING if canceled_by_user(job) else status_tone(job.status)


def retry_phrase(retry_at: datetime | None, now: datetime) -> str | None:
    """`retrying in 12 s`, `retrying now`; None when no retry is scheduled (the status line and
    the list area say the countdown the same way)."""
    if retry_at is None:
        return None
    wait = math.ceil((retry_at - now).total_seconds())
    return f"retrying in {wait} s" if wait > 0 else "retrying now"


#: last successful backup age thresholds: within 1 day fine, over 1 day warning, 3+ days critical
BACKUP_AGE_WARNING = 86400.0
BACKUP_AGE_CRITICAL = 3 * 86400.0


def backup_age_tone(seconds: float | None) -> Tone:
    """Within a day is fine, over a day is a warning, three days or more (or never) is critical."""
    if seconds is None or seconds >= BACKUP_AGE_CRITICAL:
        return Tone.BAD
    if seconds > BACKUP_AGE_WARNING:
        return Tone.WARNING
    return Tone.GOOD


def percent_text(percent: float | None) -> str:
    """`47%`; whole numbers, floor so a running job never shows 100% before it ends."""
    if percent is None:
        return EMPTY
    return f"{int(max(0.0, min(100.0, percent)))}%"


# ---------------------------------------------------------------------------------------------
# Untrusted text

# Bidirectional overrides can reorder what is drawn around them (CVE-2021-42574 "trojan source").
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def _visible_control(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: ESC shows as ␛
    if code == 0x7F:
        return "␡"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


#: the most characters of one appliance string shown anywhere on screen; a longer one (a 50 MB
#: message) is cut before it is escaped, wrapped or measured, so it costs no more than this
MAX_SHOWN = 10_000


def _cut(text: str, limit: int | None) -> tuple[str, str]:
    """`text` cut to `limit` characters, and what says so (`… N more characters`, or "")."""
    if limit is None or len(text) <= limit:
        return text, ""
    return text[:limit], f"… {len(text) - limit:,} more characters"


def safe_text(text: str, *, keep_newlines: bool = True, limit: int | None = MAX_SHOWN) -> str:
    """Appliance text made harmless for a terminal: control characters (ESC, CSI, BEL, ...) and
    bidi overrides become visible symbols, so they can never restyle or reorder the screen.
    Longer than `limit` characters, it is cut, ending in `… N more characters`."""
    text, more = _cut(text, limit)
    out: list[str] = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char == "\t":
            out.append("    " if keep_newlines else " ")
        elif char in _BIDI or unicodedata.category(char) == "Cc":
            out.append(_visible_control(char))
        else:
            out.append(char)
    if more:
        out.append(more)
    return "".join(out)


_WHITESPACE_RUN = re.compile(r"[ \t\r\n]+")


def one_line(text: str, *, limit: int | None = MAX_SHOWN) -> str:
    """`safe_text` on a single line: line breaks and tabs collapse to one space; cut as there."""
    text, more = _cut(text, limit)
    line = safe_text(_WHITESPACE_RUN.sub(" ", text).strip(), keep_newlines=False, limit=None)
    return f"{line}{more}" if more else line


def ellipsize(text: str, width: int) -> str:
    """Cut `text` to `width` characters, ending in `…` when cut."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…"


def ellipsize_left(text: str, width: int) -> str:
    """Cut `text` to `width` characters from the left, starting with `…` when cut (keeps the tail)."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return "…" + text[len(text) - width + 1 :]


def shorten_location(location: str, width: int = 40) -> str:
    """A backup location that fits `width`: the host and as much of the path's tail as fits.

    `sftp://192.0.2.10/backups/vcsa01/vCenter/sn_vcsa01.example.com/S_8.0.2.00100_20240316-020004_`
    becomes `192.0.2.10/…/S_8.0.2.00100_20240316-020004_` (the tail names the backup folder, which is
    what tells two rows apart). Without a URL scheme the tail is kept.
    """
    location = one_line(location)
    if width <= 0:
        return ""
    try:
        parts = urlsplit(location)
    except ValueError:
        parts = None
    if not parts or not parts.scheme or not parts.netloc:
        return ellipsize_left(location, width)
    host = parts.hostname or parts.netloc.rpartition("@")[2]
    if parts.port:
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    full = f"{host}{path}"
    if len(full) <= width:
        return full
    prefix = f"{host}/…"
    segments = [s for s in path.split("/") if s]
    tail = ""
    for segment in reversed(segments):
        candidate = f"/{segment}{tail}"
        if len(prefix) + len(candidate) > width:
            break
        tail = candidate
    if tail:
        return prefix + tail
    # Not even the last folder fits beside the host: the folder name matters more than the host.
    last = "/" + segments[-1] if segments else path
    if len(host) + 1 + len(last) <= width:
        return f"{host}…{last}"
    if width - len(last) >= 3:
        return host[: width - len(last) - 1] + "…" + last  # the … says a part of the path is gone
    return ellipsize_left(last, width)
