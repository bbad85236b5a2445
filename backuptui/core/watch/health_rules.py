"""Is this appliance protected? The health verdict from the job history, the schedules and a clock.

The same verdict feeds `backuptui check` (Monitoring Plugins exit codes and perfdata), the TUI
status line and the health panel, so all three always agree. No Textual, no Rich, no I/O.

Defaults follow what monitoring people use: warning when the last successful
backup is over 25 h old (Nagios `check_vcenter_backup.sh`), critical from 72 h (VMware's VCF
reporting: RED at 3 days), critical when the latest finished job failed (a warning when a user
canceled it: that is no failure of the appliance), a warning when the schedule is disabled
(AsBuiltReport) and "not configured" when there is neither a schedule nor a job. The schedule
checks (a missed run among them) are `health_schedules`; what a verdict holds is `health`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo

from backuptui.core.ages import human_age
from backuptui.core.appliance.failure_cause import canceled_by_user, is_failure
from backuptui.core.appliance.models import BackupJob, JobStatus, RecordError, Schedule, sorted_newest_first
from backuptui.core.counting import counted
from backuptui.core.watch.health import (
    LAST_SUCCESS,
    LATEST_CANCELED,
    LATEST_FAILED,
    MISSED_RUN,
    NO_SCHEDULE,
    NO_SUCCESS,
    NOT_CONFIGURED,
    NOT_SCHEDULED,
    RECENT_FAILURES,
    RUN_DUE,
    RUNNING,
    SCHEDULE_DISABLED,
    SCHEDULES_UNKNOWN,
    STALE,
    UNREADABLE_RECORDS,
    WAITING,
    Finding,
    HealthLevel,
    HealthThresholds,
    HealthVerdict,
    PerfValue,
)
from backuptui.core.watch.health_schedules import check_schedules
from backuptui.core.watch.health_text import format_age, format_threshold, format_when, one_line_problem
from backuptui.core.watch.timing import job_finished, job_started


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
    day, week = now - timedelta(hours=24), now - timedelta(days=7)
    failures_24h = _ended_since(history, day, is_failure)
    failures_7d = _ended_since(history, week, is_failure)
    canceled_24h = _ended_since(history, day, canceled_by_user)
    canceled_7d = _ended_since(history, week, canceled_by_user)

    not_configured = not history and schedules is not None and not schedules
    if not_configured:
        findings.append(
            Finding(
                HealthLevel.CRITICAL,
                NOT_CONFIGURED,
                "backup is not configured: no backup schedule and no backup jobs",
            )
        )

    # The latest result and the age of the last good backup. A user's cancel is no failure of
    # the appliance: a warning; nor does it hide one: when the backup before the cancels failed,
    # that is critical still. The age rule below turns a long run of cancels critical.
    latest_attempt = next((job for job in history if job.is_finished and not canceled_by_user(job)), None)
    judged = [latest_finished] if latest_finished is not None else []
    if latest_attempt is not None and latest_attempt is not latest_finished:
        judged.append(latest_attempt)  # the backup before the cancels
    for job in judged:
        if job.status != JobStatus.FAILED:
            continue
        # the start names the run (the scheduled time, the job id); the end is seconds later
        when = job_started(job, tz) or job_finished(job)
        canceled = canceled_by_user(job)
        if canceled:
            text = "last backup CANCELED"
        elif job is latest_finished:
            text = "last backup FAILED"
        else:
            text = "backup FAILED"
        if when is not None:
            text += f" {at(when)}"
        if job is not latest_finished:
            text += " (before the cancel)"
        problem = job.problem
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
    schedule_checks = check_schedules(schedules, history, now=now, limits=limits, tz=tz, at=at)
    findings += schedule_checks.findings
    next_expected, missed = schedule_checks.next_run, schedule_checks.missed_run

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

    # the latest failure has a finding of its own; after a cancel, earlier failures still count
    latest_failed = latest_attempt is not None and is_failure(latest_attempt)
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
    counts = (failures_24h, failures_7d, canceled_24h, canceled_7d)
    perfdata = _perfdata(limits, last_success, last_success_at, now, counts)
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
        canceled_24h=canceled_24h,
        canceled_7d=canceled_7d,
        schedules=tuple(schedules) if schedules is not None else None,
        next_run=next_expected,
        missed_run=missed,
        job_count=len(history),
        problems=tuple(problems),
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


def _ended_since(history: Sequence[BackupJob], since: datetime, counts: Callable[[BackupJob], bool]) -> int:
    """How many jobs that `counts` ended (or, without an end, started) at `since` or later."""
    count = 0
    for job in history:
        if not counts(job):
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
    counts: tuple[int, int, int, int],
) -> tuple[PerfValue, ...]:
    """`counts`: failures in 24 h and 7 d, then cancels in 24 h and 7 d."""
    failures_24h, failures_7d, canceled_24h, canceled_7d = counts
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
        PerfValue("canceled_24h", canceled_24h),
        PerfValue("canceled_7d", canceled_7d),
    )
