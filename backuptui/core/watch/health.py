"""Is this appliance protected? What a health verdict says: its level, its reasons (each with a
stable code), its perfdata and the figures behind them; and the verdict when nothing could be asked.

The same verdict feeds `backuptui check` (Monitoring Plugins exit codes and perfdata), the TUI
status line and the health panel, so all three always agree. No Textual, no Rich, no I/O. How a
verdict is reached from the jobs, the schedules and a clock is `health_rules.evaluate_health`;
how it words times, ages and appliance text is `health_text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import IntEnum

from backuptui.core.appliance.models import BackupJob, RecordError, Schedule
from backuptui.core.watch.health_text import one_line_problem


class HealthLevel(IntEnum):
    """The verdict's level; the values are the Monitoring Plugins exit codes."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3

    @property
    def severity(self) -> int:
        """Ordering for "the worst of": OK < WARNING < UNKNOWN < CRITICAL (as Icinga ranks them)."""
        return {0: 0, 1: 1, 3: 2, 2: 3}[int(self)]


@dataclass(frozen=True, slots=True)
class HealthThresholds:
    """What counts as too old or too late. Ages are measured from the end of the last successful job."""

    warn_age: timedelta = timedelta(hours=25)
    crit_age: timedelta = timedelta(hours=72)
    #: a scheduled run is missed when no job started within this long after the scheduled time
    missed_window: timedelta = timedelta(hours=2)
    #: a job PENDING or BLOCKED for longer than this is a warning (it waits for something that
    #: may never come: another operation, a lock, a full disk)
    waiting_limit: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        if self.warn_age <= timedelta(0) or self.crit_age <= timedelta(0):
            raise ValueError("age thresholds must be positive")
        if self.warn_age > self.crit_age:
            raise ValueError("the warning age must not be longer than the critical age")
        if self.missed_window <= timedelta(0):
            raise ValueError("the missed-run window must be positive")
        if self.waiting_limit <= timedelta(0):
            raise ValueError("the waiting limit must be positive")


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason behind the verdict: its level, a stable code for programs, and a sentence for people."""

    level: HealthLevel
    code: str
    text: str


@dataclass(frozen=True, slots=True)
class PerfValue:
    """One performance-data value in the Monitoring Plugins form `label=value[UOM];warn;crit`."""

    label: str
    value: int | None  # None is written as `U` (undetermined)
    uom: str = ""
    warn: int | None = None
    crit: int | None = None

    def render(self) -> str:
        value = "U" if self.value is None else f"{self.value}{self.uom}"
        text = f"{self.label}={value}"
        if self.warn is not None or self.crit is not None:
            warn = "" if self.warn is None else str(self.warn)
            crit = "" if self.crit is None else str(self.crit)
            text += f";{warn};{crit}"
        return text


# Finding codes (stable: programs may match on them).
NOT_CONFIGURED = "not-configured"
LATEST_FAILED = "latest-failed"
LATEST_CANCELED = "latest-canceled"  # the latest job failed because a user canceled it
NO_SUCCESS = "no-success"
STALE = "stale"
SCHEDULE_DISABLED = "schedule-disabled"
NO_SCHEDULE = "no-schedule"
NOT_SCHEDULED = "not-scheduled"
MISSED_RUN = "missed-run"
RUN_DUE = "run-due"
RUNNING = "running"
WAITING = "waiting"
RECENT_FAILURES = "recent-failures"
UNREADABLE_RECORDS = "unreadable-records"
SCHEDULES_UNKNOWN = "schedules-unknown"
LAST_SUCCESS = "last-success"


@dataclass(frozen=True)
class HealthVerdict:
    """Everything the check, the status line and the health panel say about one appliance."""

    level: HealthLevel
    summary: str  # one line, for a pager or the status line
    reasons: tuple[Finding, ...]  # worst first
    perfdata: tuple[PerfValue, ...]
    checked_at: datetime
    thresholds: HealthThresholds
    timezone: tzinfo
    latest_finished: BackupJob | None = None
    last_success: BackupJob | None = None
    last_success_at: datetime | None = None
    running: BackupJob | None = None
    failures_24h: int = 0  # failed backups that ended in the window, cancels left out
    failures_7d: int = 0
    canceled_24h: int = 0  # backups a user canceled (FAILED on the appliance), counted apart
    canceled_7d: int = 0
    schedules: tuple[Schedule, ...] | None = None  # None: the schedules could not be read
    next_run: datetime | None = None  # the next time an enabled schedule names (aware UTC)
    missed_run: datetime | None = None  # the scheduled time that passed without a job (aware UTC)
    job_count: int = 0
    problems: tuple[RecordError, ...] = field(default=())

    @property
    def last_success_age(self) -> timedelta | None:
        if self.last_success_at is None:
            return None
        return max(timedelta(0), self.checked_at - self.last_success_at)

    def perfdata_text(self) -> str:
        return " ".join(value.render() for value in self.perfdata)


def unknown_verdict(
    reason: str, *, now: datetime, thresholds: HealthThresholds | None = None
) -> HealthVerdict:
    """The verdict when the appliance could not be asked (unreachable, login refused, bad answer)."""
    limits = thresholds or HealthThresholds()
    text = one_line_problem(reason, 300)
    return HealthVerdict(
        level=HealthLevel.UNKNOWN,
        summary=text,
        reasons=(Finding(HealthLevel.UNKNOWN, "unknown", text),),
        perfdata=(),
        checked_at=now.astimezone(UTC),
        thresholds=limits,
        timezone=UTC,
    )
