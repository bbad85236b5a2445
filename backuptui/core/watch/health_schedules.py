"""Did the schedules run? The schedule side of the health verdict: none, disabled, naming no time,
a scheduled run missed (no job started within `missed_window` of the time the recurrence names, in
the appliance's time zone: the API gives no "last scheduled run"), or one due and not started yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from backuptui.core.appliance.models import BackupJob, Schedule
from backuptui.core.watch.health import (
    MISSED_RUN,
    NO_SCHEDULE,
    NOT_SCHEDULED,
    RUN_DUE,
    SCHEDULE_DISABLED,
    SCHEDULES_UNKNOWN,
    Finding,
    HealthLevel,
    HealthThresholds,
)
from backuptui.core.watch.health_text import one_line_problem
from backuptui.core.watch.timing import job_finished, job_started, next_run, previous_run

__all__ = ["ScheduleChecks", "check_schedules"]


@dataclass(frozen=True, slots=True)
class ScheduleChecks:
    """What the schedules say: their findings (in the order found), the next run an enabled one
    names and the latest scheduled run that passed without a job (aware UTC, or None)."""

    findings: tuple[Finding, ...]
    next_run: datetime | None
    missed_run: datetime | None


def check_schedules(
    schedules: Sequence[Schedule] | None,
    history: Sequence[BackupJob],
    *,
    now: datetime,
    limits: HealthThresholds,
    tz: tzinfo,
    at: Callable[[datetime], str],
) -> ScheduleChecks:
    """The schedules' findings at `now` (aware UTC) against `history` (newest first). `schedules`
    None: they could not be read; empty: the appliance has none. `at` writes a time for a finding."""
    findings: list[Finding] = []
    next_expected: datetime | None = None
    missed: datetime | None = None
    if schedules is None:
        findings.append(Finding(HealthLevel.OK, SCHEDULES_UNKNOWN, "the backup schedule could not be read"))
    elif not schedules:
        if history:
            findings.append(
                Finding(
                    HealthLevel.WARNING,
                    NO_SCHEDULE,
                    "no backup schedule: backups run only when someone starts one",
                )
            )
    else:
        enabled = [schedule for schedule in schedules if schedule.enabled]
        for schedule in schedules:
            if not schedule.enabled:
                findings.append(
                    Finding(
                        HealthLevel.WARNING,
                        SCHEDULE_DISABLED,
                        f"backup schedule '{one_line_problem(schedule.id, 40)}' is disabled",
                    )
                )
        for schedule in enabled:
            name = one_line_problem(schedule.id, 40)
            if schedule.recurrence is None:
                findings.append(
                    Finding(
                        HealthLevel.WARNING, NOT_SCHEDULED, f"backup schedule '{name}' names no time to run"
                    )
                )
                continue
            try:
                upcoming = next_run(schedule.recurrence, now, tz)
                due = previous_run(schedule.recurrence, now - limits.missed_window, tz)
                due_now = previous_run(schedule.recurrence, now, tz)
            except ValueError as exc:
                findings.append(
                    Finding(HealthLevel.WARNING, NOT_SCHEDULED, f"backup schedule '{name}': {exc}")
                )
                continue
            if upcoming is not None and (next_expected is None or upcoming < next_expected):
                next_expected = upcoming
            if due is not None and not any(_covers(job, due, limits.missed_window, tz) for job in history):
                if missed is None or due > missed:
                    missed = due
                findings.append(
                    Finding(
                        HealthLevel.WARNING,
                        MISSED_RUN,
                        f"scheduled backup {at(due)} did not run "
                        f"(no job started by {at(due + limits.missed_window)[11:]})",
                    )
                )
            if (
                due_now is not None
                and due_now != due
                and not any(_covers(job, due_now, limits.missed_window, tz) for job in history)
            ):
                findings.append(
                    Finding(
                        HealthLevel.OK,
                        RUN_DUE,
                        f"scheduled backup {at(due_now)} has not started yet "
                        f"(missed after {at(due_now + limits.missed_window)[11:]})",
                    )
                )
    return ScheduleChecks(tuple(findings), next_expected, missed)


#: a job that started shortly before the scheduled time still counts as that run
_EARLY_GRACE = timedelta(minutes=10)


def _covers(job: BackupJob, due: datetime, window: timedelta, tz: tzinfo) -> bool:
    """Did this job answer the run scheduled at `due`: started around it, or already running then."""
    started = job_started(job, tz)
    if started is None:
        return False
    if due - _EARLY_GRACE <= started <= due + window:
        return True
    if started <= due:
        ended = job_finished(job) if job.is_finished else None
        return job.is_active or (ended is not None and ended >= due)
    return False
