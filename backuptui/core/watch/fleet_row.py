"""One appliance of a fleet as one frozen row: what the fleet table, `status --all`, `check --all`
and the metrics show of it, computed from the member's snapshot and health verdict.

Rows compare equal when nothing a person would see changed (the verdict object, with its check
time, and the time of the last poll are carried along but not compared), so a fleet tells its
listeners only about rows that really changed. No Textual, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from backuptui.core.appliance.failure_cause import canceled_by_user, is_failure
from backuptui.core.appliance.models import BackupJob, JobStatus
from backuptui.core.counting import counted
from backuptui.core.watch.health import HealthLevel, HealthVerdict, unknown_verdict
from backuptui.core.watch.health_text import one_line_problem
from backuptui.core.watch.snapshot import FAILED_STATES, ConnectionState, Snapshot
from backuptui.core.watch.timing import job_started

__all__ = [
    "FleetRow",
    "MemberState",
    "counts_text",
    "member_row",
    "verdict_counts",
    "waiting_row",
    "worst_first",
]


class MemberState(StrEnum):
    """Where a fleet member stands, in the words the fleet table shows."""

    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"  # the last poll failed; the row shows the data of an earlier one
    UNREACHABLE = "unreachable"
    LOGIN_REFUSED = "login refused"  # never retried by itself: the user gives the password again
    NOT_AUTHORIZED = "not authorized"
    ERROR = "error"  # the appliance answered with an error or nonsense
    PASSWORD_NEEDED = "password needed"  # noqa: S105 - a state, not a password. No source gave a password: it waits for the user
    MISCONFIGURED = "misconfigured"  # the profile cannot work (its resolution failed)


_FAILED_STATE = {
    ConnectionState.UNREACHABLE: MemberState.UNREACHABLE,
    ConnectionState.AUTH_FAILED: MemberState.LOGIN_REFUSED,
    ConnectionState.NOT_AUTHORIZED: MemberState.NOT_AUTHORIZED,
    ConnectionState.ERROR: MemberState.ERROR,
}


@dataclass(frozen=True, slots=True)
class FleetRow:
    """One appliance at a glance. Times are aware UTC; `progress` is 0..1, `eta` seconds."""

    name: str
    host: str
    state: MemberState
    level: HealthLevel
    reason: str  # the verdict's one-line summary (or why there is no verdict)
    connection: ConnectionState = ConnectionState.CONNECTING
    last_success_at: datetime | None = None  # end of the last successful backup
    latest_status: JobStatus | None = None
    latest_canceled: bool = False  # the latest job is FAILED because a user canceled it
    latest_started: datetime | None = None
    progress: float | None = None  # of the newest running job
    eta: float | None = None  # seconds until that job is done, when the rate is known
    failures_24h: int = 0
    failures_7d: int = 0
    canceled_24h: int = 0  # backups a user canceled, counted apart from the failures
    canceled_7d: int = 0
    next_run: datetime | None = None
    failure_cause: str | None = None  # the most specific words of the latest failure (in 7 d)
    problem: str | None = None  # why the member is not live: the resolution's or the poll's error
    polled_at: datetime | None = field(default=None, compare=False)  # the last successful poll
    cached_at: datetime | None = None  # the data come from the local history, written then
    verdict: HealthVerdict | None = field(default=None, compare=False, repr=False)

    @property
    def password_needed(self) -> bool:
        return self.state is MemberState.PASSWORD_NEEDED

    @property
    def login_refused(self) -> bool:
        return self.state is MemberState.LOGIN_REFUSED

    @property
    def at_fault(self) -> bool:
        """Anything but OK: what `check --all` names."""
        return self.level is not HealthLevel.OK

    def last_success_age(self, now: datetime) -> timedelta | None:
        if self.last_success_at is None:
            return None
        return max(timedelta(0), now - self.last_success_at)


def waiting_row(
    name: str, host: str, state: MemberState, reason: str, *, now: datetime, problem: str | None = None
) -> FleetRow:
    """The row of a member that cannot poll yet: misconfigured, or waiting for a password."""
    return FleetRow(
        name=name,
        host=host,
        state=state,
        level=HealthLevel.UNKNOWN,
        reason=one_line_problem(reason, 300),
        problem=problem,
        verdict=unknown_verdict(reason, now=now),
    )


def member_row(
    name: str,
    host: str,
    snapshot: Snapshot,
    verdict: HealthVerdict,
    *,
    now: datetime,
    stale_after: float | None = None,
) -> FleetRow:
    """The row of a member that polls. `stale_after` (seconds): data older than this while the
    polls fail no longer counts, and the verdict becomes UNKNOWN (an appliance that has been
    unreachable for an hour is not OK because it was an hour ago)."""
    state = _state(snapshot)
    problem = snapshot.error.message if snapshot.error is not None else None
    last = snapshot.last_success
    age = (now - last).total_seconds() if last is not None else 0.0
    if snapshot.connection in FAILED_STATES and stale_after is not None and age > stale_after:
        reason = f"{state}: {problem or 'no answer'}"
        verdict = unknown_verdict(reason, now=now, thresholds=verdict.thresholds)
    latest = snapshot.latest_job
    running = snapshot.running[0] if snapshot.running else None
    transfer = snapshot.transfers.get(running.id) if running is not None else None
    percent = running.percent if running is not None else None
    # the cause of the newest failure, while it matters: the latest job failed (or was canceled:
    # its words say so), or one in 7 days failed (a cancel is no failure to name then)
    finished = snapshot.latest_finished_job
    if finished is not None and finished.status == JobStatus.FAILED:
        failed: BackupJob | None = finished
    elif verdict.failures_7d > 0:
        failed = next((job for job in snapshot.jobs if is_failure(job)), None)
    else:
        failed = None
    return FleetRow(
        name=name,
        host=host,
        state=state,
        level=verdict.level,
        reason=verdict.summary,
        connection=snapshot.connection,
        last_success_at=verdict.last_success_at,
        latest_status=latest.status if latest is not None else None,
        latest_canceled=latest is not None and canceled_by_user(latest),
        latest_started=job_started(latest) if latest is not None else None,
        progress=percent / 100.0 if percent is not None else None,
        eta=transfer.eta if transfer is not None else None,
        failures_24h=verdict.failures_24h,
        failures_7d=verdict.failures_7d,
        canceled_24h=verdict.canceled_24h,
        canceled_7d=verdict.canceled_7d,
        next_run=verdict.next_run,
        failure_cause=failed.problem if failed is not None else None,
        problem=problem,
        polled_at=snapshot.last_success,
        cached_at=snapshot.cached_at,
        verdict=verdict,
    )


def _state(snapshot: Snapshot) -> MemberState:
    if snapshot.connection is ConnectionState.LIVE:
        return MemberState.LIVE
    if snapshot.connection is ConnectionState.CONNECTING:
        return MemberState.CONNECTING
    if snapshot.connection is ConnectionState.AUTH_FAILED:
        return MemberState.LOGIN_REFUSED  # a refused login is said as such, data or not
    if snapshot.last_success is not None:
        return MemberState.STALE
    return _FAILED_STATE[snapshot.connection]


#: worst first: CRITICAL, UNKNOWN, WARNING, OK
_RANK = {HealthLevel.CRITICAL: 0, HealthLevel.UNKNOWN: 1, HealthLevel.WARNING: 2, HealthLevel.OK: 3}


def worst_first(rows: Iterable[FleetRow]) -> list[FleetRow]:
    """CRITICAL, UNKNOWN, WARNING, OK, then by name (case-insensitive, then exact)."""
    return sorted(rows, key=lambda row: (_RANK[row.level], row.name.casefold(), row.name))


def verdict_counts(rows: Iterable[FleetRow]) -> Mapping[HealthLevel, int]:
    """How many rows have each level (every level present, zero included)."""
    counts = Counter(row.level for row in rows)
    return {level: counts.get(level, 0) for level in HealthLevel}


def counts_text(rows: Iterable[FleetRow]) -> str:
    """`12 appliances: 9 OK, 1 WARNING, 2 CRITICAL` (levels without appliances left out)."""
    rows = list(rows)
    counts = verdict_counts(rows)
    order = (HealthLevel.OK, HealthLevel.WARNING, HealthLevel.CRITICAL, HealthLevel.UNKNOWN)
    parts = [f"{counts[level]} {level.name}" for level in order if counts[level]]
    head = counted(len(rows), "appliance")
    return f"{head}: {', '.join(parts)}" if parts else head
