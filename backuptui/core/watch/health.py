"""Is this appliance protected? One health verdict from the job history, the schedules and a clock.

The same verdict feeds `backuptui check` (Monitoring Plugins exit codes and perfdata), the TUI
status line and the health panel, so all three always agree. No Textual, no Rich, no I/O.

Defaults follow what monitoring people use: warning when the last successful
backup is over 25 h old (Nagios `check_vcenter_backup.sh`), critical from 72 h (VMware's VCF
reporting: RED at 3 days), critical when the latest finished job failed (a warning when a user
canceled it: that is no failure of the appliance), a warning when the schedule is disabled
(AsBuiltReport) and "not configured" when there is neither a schedule nor a job. A missed run is
detected client-side from the schedule's recurrence in the appliance's time zone (the API gives no
"last scheduled run"): no job started within `missed_window` of the time the recurrence names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import IntEnum

from backuptui.core.ages import age_span, human_age
from backuptui.core.appliance.failure_cause import canceled_by_user
from backuptui.core.appliance.models import BackupJob, JobStatus, RecordError, Schedule, sorted_newest_first
from backuptui.core.counting import counted
from backuptui.core.watch.timing import job_finished, job_started, next_run, previous_run


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
    failures_24h: int = 0
    failures_7d: int = 0
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


# ---------------------------------------------------------------------------------------------
# Did a job answer a scheduled run

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


# ---------------------------------------------------------------------------------------------
# Wording

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


# ---------------------------------------------------------------------------------------------
# The verdict


def evaluate_health(
    jobs: Iterable[BackupJob],
    schedules: Sequence[Schedule] | None,
    *,
    now: datetime,
    thresholds: HealthThresholds | None = None,
    tz: tzinfo = UTC,
    problems: Sequence[RecordError] = (),
    local_times: bool = False,
) -> HealthVerdict:
    """The verdict for one appliance at `now` (aware).

    `schedules` None means they could not be read (the schedule checks are skipped and say so);
    an empty sequence means the appliance has no schedule. `tz` is the appliance's time zone, in
    which the recurrence's hour and minute are meant. `local_times`: the texts name times in the
    machine's zone (the TUI) instead of UTC (`check`).
    """

    def at(value: datetime) -> str:
        return format_when(value, local=local_times)

    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    now = now.astimezone(UTC)
    limits = thresholds or HealthThresholds()
    history = sorted_newest_first(jobs)
    findings: list[Finding] = []

    latest_finished = next((job for job in history if job.is_finished), None)
    last_success, last_success_at, untimed = _newest_timed_success(history)
    running = next((job for job in history if job.is_active), None)
    failures_24h = _failures_since(history, now - timedelta(hours=24))
    failures_7d = _failures_since(history, now - timedelta(days=7))

    not_configured = not history and schedules is not None and not schedules
    if not_configured:
        findings.append(
            Finding(
                HealthLevel.CRITICAL,
                NOT_CONFIGURED,
                "backup is not configured: no backup schedule and no backup jobs",
            )
        )

    # The latest result and the age of the last good backup.
    if latest_finished is not None and latest_finished.status == JobStatus.FAILED:
        # the start names the run (the scheduled time, the job id); the end is seconds later
        when = job_started(latest_finished, tz) or job_finished(latest_finished)
        # a user's cancel is no failure of the appliance: a warning (the age rule below still
        # turns a long run of cancels critical)
        canceled = canceled_by_user(latest_finished)
        text = "last backup CANCELED" if canceled else "last backup FAILED"
        if when is not None:
            text += f" {at(when)}"
        problem = latest_finished.problem
        if problem:
            text += f": {one_line_problem(problem)}"
        if canceled:
            findings.append(Finding(HealthLevel.WARNING, LATEST_CANCELED, text))
        else:
            findings.append(Finding(HealthLevel.CRITICAL, LATEST_FAILED, text))

    if last_success is None or last_success_at is None:
        if history:
            finished = sum(1 for job in history if job.is_finished)
            findings.append(
                Finding(
                    HealthLevel.CRITICAL,
                    NO_SUCCESS,
                    (
                        "no successful backup with an end time on record "
                        f"({counted(finished, 'finished job')})"
                        if untimed
                        else "no successful backup on record "
                        f"({counted(finished, 'finished job')}, none succeeded)"
                    )
                    if finished
                    else "no backup has finished yet",
                )
            )
        elif not not_configured:
            findings.append(Finding(HealthLevel.CRITICAL, NO_SUCCESS, "no backup has ever run"))
    else:
        age = max(timedelta(0), now - last_success_at)
        text = f"last successful backup {human_age(age)} ({at(last_success_at)})"
        if age >= limits.crit_age:
            findings.append(
                Finding(
                    HealthLevel.CRITICAL, STALE, f"{text}, older than {format_threshold(limits.crit_age)}"
                )
            )
        elif age > limits.warn_age:
            findings.append(
                Finding(HealthLevel.WARNING, STALE, f"{text}, older than {format_threshold(limits.warn_age)}")
            )
        else:
            findings.append(
                Finding(
                    HealthLevel.OK,
                    LAST_SUCCESS,
                    f"last backup succeeded {at(last_success_at)} ({human_age(age)})",
                )
            )

    if untimed:
        _note_untimed(findings, untimed)

    # The schedules.
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

    waited_too_long: set[str] = set()
    for job in history:
        if job.status not in (JobStatus.PENDING, JobStatus.BLOCKED):
            continue
        since = job_started(job, tz)
        if since is not None and now - since > limits.waiting_limit:
            waited_too_long.add(job.id)
            findings.append(
                Finding(
                    HealthLevel.WARNING,
                    WAITING,
                    f"backup {job.status} for {format_age(now - since)} since {at(since)}, "
                    f"longer than {format_threshold(limits.waiting_limit)}",
                )
            )

    if running is not None and running.id not in waited_too_long:
        started = job_started(running, tz)
        percent = running.percent
        text = f"backup {running.status.lower()}"
        if started is not None:
            text += f" since {at(started)}"
        if percent is not None:
            text += f", {int(percent)}%"
        findings.append(Finding(HealthLevel.OK, RUNNING, text))

    latest_failed = latest_finished is not None and latest_finished.status == JobStatus.FAILED
    if failures_7d and not latest_failed:
        findings.append(
            Finding(
                HealthLevel.OK,
                RECENT_FAILURES,
                f"{counted(failures_24h, 'failed backup')} in the last 24 h, "
                f"{failures_7d} in the last 7 days",
            )
        )

    if problems:
        first = problems[0]
        findings.append(
            Finding(
                HealthLevel.WARNING,
                UNREADABLE_RECORDS,
                f"{counted(len(problems), 'job record')} could not be read "
                f"(first: {one_line_problem(str(first), 80)})",
            )
        )

    findings.sort(key=lambda finding: (-finding.level.severity, _PRIORITY.get(finding.code, len(_PRIORITY))))
    level = findings[0].level if findings else HealthLevel.OK
    summary = _summary(level, findings)
    perfdata = _perfdata(limits, last_success, last_success_at, now, failures_24h, failures_7d)
    return HealthVerdict(
        level=level,
        summary=summary,
        reasons=tuple(findings),
        perfdata=perfdata,
        checked_at=now,
        thresholds=limits,
        timezone=tz,
        latest_finished=latest_finished,
        last_success=last_success,
        last_success_at=last_success_at,
        running=running,
        failures_24h=failures_24h,
        failures_7d=failures_7d,
        schedules=tuple(schedules) if schedules is not None else None,
        next_run=next_expected,
        missed_run=missed,
        job_count=len(history),
        problems=tuple(problems),
    )


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


#: among reasons of the same level, the most specific comes first in the one-line summary
_PRIORITY = {
    code: rank
    for rank, code in enumerate(
        (
            NOT_CONFIGURED,
            LATEST_FAILED,
            LATEST_CANCELED,
            NO_SUCCESS,
            MISSED_RUN,
            WAITING,
            SCHEDULE_DISABLED,
            NO_SCHEDULE,
            NOT_SCHEDULED,
            STALE,
            UNREADABLE_RECORDS,
            LAST_SUCCESS,
            RUNNING,
            RUN_DUE,
            RECENT_FAILURES,
            SCHEDULES_UNKNOWN,
        )
    )
}


def _newest_timed_success(
    history: Sequence[BackupJob],
) -> tuple[BackupJob | None, datetime | None, list[BackupJob]]:
    """The newest SUCCEEDED job that says when it ended, when, and the newer successes skipped
    for saying no time at all (a record whose optional fields are null)."""
    untimed: list[BackupJob] = []
    for job in history:
        if job.status != JobStatus.SUCCEEDED:
            continue
        finished = job_finished(job)
        if finished is not None:
            return job, finished, untimed
        untimed.append(job)
    return None, None, untimed


def _note_untimed(findings: list[Finding], untimed: Sequence[BackupJob]) -> None:
    """Say on the last-success finding which SUCCEEDED records were skipped for having no time."""
    records = "record" if len(untimed) == 1 else "records"
    note = f"{len(untimed)} SUCCEEDED {records} without an end time skipped (job {untimed[0].id})"
    for index, finding in enumerate(findings):
        if finding.code in (LAST_SUCCESS, STALE, NO_SUCCESS):
            findings[index] = replace(finding, text=f"{finding.text}; {note}")
            return


def _failures_since(history: Sequence[BackupJob], since: datetime) -> int:
    count = 0
    for job in history:
        if job.status != JobStatus.FAILED:
            continue
        when = job_finished(job) or job.start_time
        if when is not None and when >= since:
            count += 1
    return count


def _summary(level: HealthLevel, findings: Sequence[Finding]) -> str:
    if level is HealthLevel.OK:
        texts = [f.text for f in findings if f.code in (LAST_SUCCESS, RUNNING)]
        return "; ".join(texts) if texts else "no problems found"
    texts = [f.text for f in findings if f.level is not HealthLevel.OK]
    # "...check logs for details.; last successful backup ..." reads badly: drop a full stop
    # before the separator (but not the "..." of a shortened message)
    trimmed = [
        text[:-1] if index < len(texts) - 1 and text.endswith(".") and not text.endswith("...") else text
        for index, text in enumerate(texts)
    ]
    return "; ".join(trimmed)


def _perfdata(
    limits: HealthThresholds,
    last_success: BackupJob | None,
    last_success_at: datetime | None,
    now: datetime,
    failures_24h: int,
    failures_7d: int,
) -> tuple[PerfValue, ...]:
    age = None if last_success_at is None else max(0, int((now - last_success_at).total_seconds()))
    return (
        PerfValue(
            "last_success_age",
            age,
            "s",
            int(limits.warn_age.total_seconds()),
            int(limits.crit_age.total_seconds()),
        ),
        PerfValue("last_size", last_success.size if last_success else None, "B"),
        PerfValue("last_duration", last_success.duration if last_success else None, "s"),
        PerfValue("failures_24h", failures_24h),
        PerfValue("failures_7d", failures_7d),
    )
