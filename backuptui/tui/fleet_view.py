"""From the fleet core's rows to what the fleet screen shows, and to the toasts it raises.

Pure functions: a `FleetRow` and the time become a `FleetEntry` (every column's text and tone,
the facts the orders sort by, the line under the table); two rows of one appliance become the
`Notice`s of what happened in between, each naming the appliance. Everything from the
appliance goes through `one_line`, so it is shown as inert text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import MappingProxyType

from backuptui.core.ages import age_span
from backuptui.core.appliance.failure_cause import CANCELED
from backuptui.core.appliance.models import JobStatus
from backuptui.core.watch.fleet_row import FleetRow, MemberState
from backuptui.core.watch.health import HealthLevel
from backuptui.tui.format import (
    CANCELED_LABEL,
    EMPTY,
    Tone,
    backup_age_tone,
    human_duration,
    local_time,
    one_line,
    short_local_time,
    status_label,
    status_tone,
)
from backuptui.tui.notices import Notice, Severity
from backuptui.tui.screens.fleet import FleetEntry
from backuptui.tui.widgets.fleet_table import FleetLine

#: the verdict as a symbol and a word, so it reads without colour (as the status line says it)
VERDICTS: dict[HealthLevel, tuple[str, Tone]] = {
    HealthLevel.OK: ("✔ OK", Tone.GOOD),
    HealthLevel.WARNING: ("▲ WARNING", Tone.WARNING),
    HealthLevel.CRITICAL: ("✖ CRITICAL", Tone.BAD),
    HealthLevel.UNKNOWN: ("? UNKNOWN", Tone.NEUTRAL),
}

_STATE_TONES: dict[MemberState, Tone] = {
    MemberState.LIVE: Tone.GOOD,
    MemberState.CONNECTING: Tone.ACTIVE,
    MemberState.STALE: Tone.WARNING,
    MemberState.PASSWORD_NEEDED: Tone.WARNING,
}

#: states in which the appliance answered (its data is fresh)
_ANSWERING = frozenset({MemberState.LIVE, MemberState.CONNECTING})
#: states whose name is the whole story in a narrow cause column (the line under the table says more)
_SAYS_IT_ALL = frozenset({MemberState.LOGIN_REFUSED, MemberState.PASSWORD_NEEDED, MemberState.NOT_AUTHORIZED})
_LOST = frozenset({MemberState.UNREACHABLE, MemberState.STALE, MemberState.ERROR})


def percent_of(row: FleetRow) -> str:
    return f"{int(row.progress * 100)}%" if row.progress is not None else ""


def progress_text(row: FleetRow) -> str:
    """A running job's progress and ETA: `47% ETA 3m 05s` (empty when nothing runs)."""
    if row.progress is None:
        return ""
    if row.eta is None:
        return percent_of(row)
    return f"{percent_of(row)} ETA {human_duration(row.eta)}"


def latest_text(row: FleetRow) -> str:
    if row.latest_canceled:
        return CANCELED_LABEL  # FAILED on the appliance; a user canceled it
    return status_label(row.latest_status) if row.latest_status is not None else EMPTY


def latest_with_progress(row: FleetRow) -> str:
    """The latest job's status, or a running job's progress in its place: `▶ 47% 3m 05s`."""
    if row.progress is None:
        return latest_text(row)
    eta = f" {human_duration(row.eta)}" if row.eta is not None else ""
    return f"▶ {percent_of(row)}{eta}"


def short_problem(row: FleetRow) -> str:
    """Why the appliance cannot be asked, in its first sentence and without the appliance's name
    in front (the row names it): `connection refused`, not `vcsa-dr: connection refused. Check …`."""
    text = one_line(row.problem or row.reason)
    for prefix in (f"{row.name}: ", f"{row.host}: "):
        if prefix.strip(": ") and text.startswith(prefix):
            text = text[len(prefix) :]
    first, dot, _ = text.partition(". ")
    return first if dot else text.rstrip(".")


def cause_text(row: FleetRow) -> str:
    """The most specific reason this row is not OK: why the appliance cannot be asked, the latest
    failure's own words, else the verdict's summary (empty for an OK row without failures)."""
    if row.state not in _ANSWERING and row.state is not MemberState.STALE:
        return short_problem(row)
    if row.latest_status == JobStatus.FAILED and row.failure_cause:
        return one_line(row.failure_cause)
    if row.level is not HealthLevel.OK:
        return one_line(row.reason)
    if row.failures_7d and row.failure_cause:
        return f"earlier failure: {one_line(row.failure_cause)}"
    return ""


def cause_with_state(row: FleetRow, now: datetime | None = None) -> str:
    """For a terminal too narrow for the connection column: a connection problem leads the cause
    (and `cached 12 min` a row from the local history)."""
    if now is not None and row.cached_at is not None and row.state is MemberState.CONNECTING:
        cause = cause_text(row)
        return f"{state_text(row, now)}: {cause}" if cause else state_text(row, now)
    if row.state in _ANSWERING:
        return cause_text(row)
    if row.state in _SAYS_IT_ALL:
        return str(row.state)
    cause = cause_text(row)
    state = str(row.state)
    if not cause or cause.casefold().startswith(state):
        return cause or state
    return f"{state}: {cause}"


def state_text(row: FleetRow, now: datetime) -> str:
    """The connection cell: the state, or `cached 12 min` while the row shows the local history's
    state of an appliance that has not answered yet (a failed poll says `stale`)."""
    if row.cached_at is not None and row.state is MemberState.CONNECTING:
        return f"cached {_cached_age(row.cached_at, now)}"
    return str(row.state)


def _cached_age(cached_at: datetime, now: datetime) -> str:
    """`<1 min` under a minute: the rows are redrawn once a minute, seconds would stand still."""
    age = now - cached_at
    return "<1 min" if age.total_seconds() < 60 else age_span(age)


def cached_detail(row: FleetRow, now: datetime) -> str | None:
    """`cached, 12 min old` for a row painted from the local history (None: live data)."""
    if row.cached_at is None:
        return None
    return f"cached, {_cached_age(row.cached_at, now)} old"


def age_text(row: FleetRow, now: datetime) -> str:
    """The age of the last good backup; `never` only when the appliance said so (`—` before it answered)."""
    age = row.last_success_age(now)
    if age is not None:
        return age_span(age)
    return "never" if row.polled_at is not None else EMPTY


def _detail(row: FleetRow, now: datetime) -> str:
    """The line under the table: what did not fit in the row, and the cause in full."""
    parts = [one_line(row.name)]
    if row.host:
        parts.append(one_line(row.host))
    parts.append(str(row.state))
    cached = cached_detail(row, now)
    if cached is not None:
        parts.append(cached)
    if row.latest_status is not None:
        started = local_time(row.latest_started, seconds=False)
        word = CANCELED if row.latest_canceled else one_line(str(row.latest_status))
        parts.append(f"latest job {word} {started}")
    if row.next_run is not None:
        parts.append(f"next run {local_time(row.next_run, seconds=False)}")
    text = " · ".join(parts)
    cause = one_line(row.problem) if row.problem and row.state not in _ANSWERING else cause_text(row)
    return f"{text}\n{cause}" if cause else text


def fleet_entry(row: FleetRow, now: datetime, since_last: tuple[str, str] | None = None) -> FleetEntry:
    """What the fleet screen shows of one row at `now` (ages move with it); `since_last`: the
    "since you last looked" marker (`since last: 1 failed`) and its headline, until dismissed."""
    verdict, verdict_tone = VERDICTS[row.level]
    age = row.last_success_age(now)
    age_seconds = age.total_seconds() if age is not None else None
    fails_tone = Tone.BAD if row.failures_24h else (Tone.WARNING if row.failures_7d else Tone.GOOD)
    cells = {
        "verdict": verdict,
        "name": one_line(row.name),
        "host": one_line(row.host) or EMPTY,
        "state": state_text(row, now),
        "age": age_text(row, now),
        "latest": latest_text(row),
        "latest_progress": latest_with_progress(row),
        "started": short_local_time(row.latest_started),
        "progress": progress_text(row),
        "fails": f"{row.failures_24h}/{row.failures_7d}" if row.polled_at is not None else EMPTY,
        "next": short_local_time(row.next_run),
        "cause": cause_text(row),
        "cause_state": cause_with_state(row, now),
    }
    if since_last is not None:
        for cell_id in ("cause", "cause_state"):
            cells[cell_id] = f"{since_last[0]} · {cells[cell_id]}" if cells[cell_id] else since_last[0]
    latest_tone = status_tone(row.latest_status) if row.latest_status is not None else Tone.NEUTRAL
    if row.latest_canceled:
        latest_tone = Tone.WARNING
    tones = {
        "verdict": verdict_tone,
        "state": _STATE_TONES.get(row.state, Tone.BAD),
        "age": backup_age_tone(age_seconds) if row.polled_at is not None else Tone.NEUTRAL,
        "latest": Tone.ACTIVE if row.progress is not None else latest_tone,
        "fails": fails_tone,
    }
    line = FleetLine(row.name, MappingProxyType(cells), MappingProxyType(tones))
    return FleetEntry(
        line,
        level=row.level.name,
        last_good_age=age_seconds,
        failures_24h=row.failures_24h,
        failures_7d=row.failures_7d,
        detail=_detail(row, now) + (f"\n{since_last[1]}" if since_last is not None else ""),
    )


def fleet_notices(before: FleetRow | None, after: FleetRow) -> list[Notice]:
    """What happened to one appliance between two of its rows, each toast naming it:
    `vcsa-eu: backup failed: <cause>`. The first data of an appliance is not news."""
    name = one_line(after.name)
    if before is None:
        return []
    notices: list[Notice] = []
    if before.state is MemberState.LIVE and after.state in _LOST:
        problem = short_problem(after) if after.problem else "no answer"
        notices.append(Notice(f"{name}: lost connection: {problem}", "Lost connection", "warning", 10))
    elif before.state in _LOST and after.state is MemberState.LIVE:
        notices.append(Notice(f"{name}: connection is back.", "Reconnected"))
    if after.state is MemberState.LOGIN_REFUSED and before.state is not MemberState.LOGIN_REFUSED:
        notices.append(refused_logins_notice([after]))
    if before.polled_at is None or after.latest_status is None:
        return notices  # no history before: what it holds is not news
    changed = (before.latest_status, before.latest_started) != (after.latest_status, after.latest_started)
    if changed and after.latest_canceled:
        cause = one_line(after.failure_cause or "canceled")
        notices.append(Notice(f"{name}: backup canceled: {cause}", "Backup canceled", "warning", 20))
    elif changed and after.latest_status == JobStatus.FAILED:
        cause = one_line(after.failure_cause or "no reason given")
        notices.append(Notice(f"{name}: backup failed: {cause}", "Backup failed", "error", 20))
    elif changed and after.latest_status == JobStatus.SUCCEEDED:
        notices.append(Notice(f"{name}: backup succeeded.", "Backup succeeded"))
    elif (
        changed and after.latest_status == JobStatus.RUNNING and before.latest_started != after.latest_started
    ):
        notices.append(Notice(f"{name}: a backup started.", "Backup started"))
    return notices


#: the title of the one toast that counts the appliances whose login is refused
LOGIN_REFUSED = "Login refused"
#: the refused appliances that toast names before "…"
REFUSED_NAMED = 5


def refused_logins_notice(refused: Sequence[FleetRow]) -> Notice:
    """One toast for every appliance whose login is refused now, so that a fleet's refusals,
    arriving poll after poll, do not stack: one names the appliance and why; more are counted,
    `Login refused by 16 appliances: a, b, c, d, e … — see their rows.`"""
    if len(refused) == 1:
        row = refused[0]
        said = f"{one_line(row.name)}: {short_problem(row)}"
        message = f"{said}. Not retried on its own: Enter on it to type the password."
        return Notice(message, LOGIN_REFUSED, "error", 15)
    names = ", ".join(one_line(row.name) for row in refused[:REFUSED_NAMED])
    more = " …" if len(refused) > REFUSED_NAMED else ""
    return Notice(
        f"Login refused by {len(refused)} appliances: {names}{more} — see their rows. "
        "Not retried on their own: Enter on one to type its password.",
        LOGIN_REFUSED,
        "error",
        15,
    )


#: more toasts than this at once (a fleet's first answers) become one that names them all
MAX_TOASTS = 3


def bundled(notices: list[Notice]) -> list[Notice]:
    """At most `MAX_TOASTS`: the first ones, then one toast that names the appliances of the rest
    (a hundred appliances answering at once must not bury the screen)."""
    if len(notices) <= MAX_TOASTS:
        return notices
    shown, rest = notices[: MAX_TOASTS - 1], notices[MAX_TOASTS - 1 :]
    names = [notice.message.split(": ", 1)[0] for notice in rest]
    severity: Severity = "error" if any(notice.severity == "error" for notice in rest) else "warning"
    text = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return [
        *shown,
        Notice(f"{len(rest)} more: {text}. The fleet shows why.", "More appliances", severity, 15),
    ]
