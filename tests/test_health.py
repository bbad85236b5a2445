"""The health verdict (core/health.py) for each scenario, with fixed clocks and hand-made histories."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from health_jobs import FAILURE_TEXT, NOW, backup_job, daily

from backuptui.core.appliance.models import (
    BackupJob,
    DayOfWeek,
    JobStatus,
    JobType,
    Message,
    RecordError,
    Recurrence,
    Schedule,
)
from backuptui.core.watch.health import (
    LATEST_FAILED,
    MISSED_RUN,
    NO_SCHEDULE,
    NO_SUCCESS,
    NOT_CONFIGURED,
    RUN_DUE,
    RUNNING,
    SCHEDULE_DISABLED,
    STALE,
    UNREADABLE_RECORDS,
    HealthLevel,
    HealthThresholds,
    PerfValue,
    unknown_verdict,
)
from backuptui.core.watch.health_rules import evaluate_health
from backuptui.core.watch.health_text import format_age, one_line_problem, parse_duration
from backuptui.core.watch.timing import describe_recurrence, job_started, next_run, previous_run


def nightly_history(days: int = 10, *, newest: JobStatus = JobStatus.SUCCEEDED) -> list[BackupJob]:
    """A job every night at 02:00 for `days` nights up to today; the newest one has `newest` status."""
    today = NOW.replace(hour=2, minute=0, second=0, microsecond=0)
    jobs = [backup_job(today - timedelta(days=back)) for back in range(1, days)]
    jobs.append(backup_job(today, newest, error=FAILURE_TEXT if newest == JobStatus.FAILED else None, size=0))
    return jobs


def codes(verdict) -> list[str]:  # type: ignore[no-untyped-def]
    return [finding.code for finding in verdict.reasons if finding.level is not HealthLevel.OK]


# --- one test per scenario (the simulator's scenarios, built by hand) ----------------------------


def test_healthy() -> None:
    verdict = evaluate_health(nightly_history(), [daily()], now=NOW)
    assert verdict.level is HealthLevel.OK
    assert codes(verdict) == []
    assert verdict.summary == "last backup succeeded 2026-11-28 02:20 UTC (3 h ago)"
    assert verdict.last_success_age == timedelta(hours=3, minutes=10)
    assert verdict.next_run == datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    assert verdict.missed_run is None
    assert verdict.perfdata_text() == (
        "last_success_age=11400s;90000;259200 last_size=0B last_duration=1200s failures_24h=0 failures_7d=0 "
        "canceled_24h=0 canceled_7d=0"
    )


def test_latest_failed_is_critical_with_its_message() -> None:
    verdict = evaluate_health(nightly_history(newest=JobStatus.FAILED), [daily()], now=NOW)
    assert verdict.level is HealthLevel.CRITICAL
    assert verdict.reasons[0].code == LATEST_FAILED
    assert verdict.summary.startswith(
        "last backup FAILED 2026-11-28 02:00 UTC: BackupManager encountered an exception."
    )
    # the success before it is a day and a bit old: a warning too, after the failure
    assert codes(verdict) == [LATEST_FAILED, STALE]
    assert verdict.failures_24h == 1
    assert verdict.latest_finished is not None and verdict.latest_finished.status == JobStatus.FAILED
    assert "failures_24h=1" in verdict.perfdata_text()
    assert "last_size=2000000000B" in verdict.perfdata_text()  # of the last *successful* job


def test_stale_beyond_72h_is_critical() -> None:
    last = NOW - timedelta(days=4)
    saturday = DayOfWeek.SATURDAY if last.weekday() == 5 else DayOfWeek(last.strftime("%A").upper())
    schedule = daily(last.hour, 0, days=(saturday,))
    verdict = evaluate_health([backup_job(last.replace(minute=0))], [schedule], now=NOW)
    assert verdict.level is HealthLevel.CRITICAL
    assert codes(verdict) == [STALE]
    assert "older than 3d" in verdict.summary
    assert verdict.missed_run is None


def test_age_thresholds_are_configurable_and_boundaries_hold() -> None:
    history = [backup_job(NOW - timedelta(hours=30, minutes=20))]  # ended 30 h ago
    base = evaluate_health(history, None, now=NOW)
    assert base.level is HealthLevel.WARNING and codes(base) == [STALE]
    relaxed = HealthThresholds(warn_age=timedelta(hours=36), crit_age=timedelta(hours=48))
    assert evaluate_health(history, None, now=NOW, thresholds=relaxed).level is HealthLevel.OK
    strict = HealthThresholds(warn_age=timedelta(hours=12), crit_age=timedelta(hours=30))
    assert evaluate_health(history, None, now=NOW, thresholds=strict).level is HealthLevel.CRITICAL
    exactly_warn = [backup_job(NOW - timedelta(hours=25, minutes=20))]
    assert evaluate_health(exactly_warn, None, now=NOW).level is HealthLevel.OK
    exactly_crit = [backup_job(NOW - timedelta(hours=72, minutes=20))]
    verdict = evaluate_health(exactly_crit, None, now=NOW)
    assert verdict.level is HealthLevel.CRITICAL


def test_missed_schedule_is_a_warning_naming_the_run() -> None:
    history = nightly_history()[:-1]  # nothing tonight
    verdict = evaluate_health(history, [daily()], now=NOW)
    assert verdict.level is HealthLevel.WARNING
    assert codes(verdict)[0] == MISSED_RUN
    assert verdict.missed_run == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert verdict.summary.startswith(
        "scheduled backup 2026-11-28 02:00 UTC did not run (no job started by 04:00 UTC)"
    )


def test_not_missed_while_the_window_is_open() -> None:
    history = nightly_history()[:-1]
    at = datetime(2026, 11, 28, 3, 30, tzinfo=UTC)  # 1.5 h after 02:00, window 2 h
    verdict = evaluate_health(history, [daily()], now=at)
    assert MISSED_RUN not in codes(verdict)
    assert RUN_DUE in [f.code for f in verdict.reasons]
    # a longer window keeps it open at 05:30 too; a shorter one closes it at 03:30
    wide = HealthThresholds(missed_window=timedelta(hours=4))
    assert MISSED_RUN not in codes(evaluate_health(history, [daily()], now=NOW, thresholds=wide))
    narrow = HealthThresholds(missed_window=timedelta(hours=1))
    assert MISSED_RUN in codes(evaluate_health(history, [daily()], now=at, thresholds=narrow))


def test_a_job_running_across_the_due_time_covers_it() -> None:
    history = nightly_history()[:-1]
    history.append(backup_job(datetime(2026, 11, 28, 1, 0, tzinfo=UTC), JobStatus.RUNNING))
    verdict = evaluate_health(history, [daily()], now=NOW)
    assert MISSED_RUN not in codes(verdict)
    assert verdict.running is not None
    assert any(f.code == RUNNING and "45%" in f.text for f in verdict.reasons)


def test_missed_run_uses_the_appliance_time_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # UTC+1 in November: 02:00 local is 01:00 UTC
    history = [
        backup_job(datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
        backup_job(datetime(2026, 11, 28, 2, 0, tzinfo=UTC)),
    ]
    at = datetime(2026, 11, 28, 3, 30, tzinfo=UTC)
    window = HealthThresholds(missed_window=timedelta(minutes=30))
    in_utc = evaluate_health(history, [daily()], now=at, thresholds=window)
    in_berlin = evaluate_health(history, [daily()], now=at, tz=berlin, thresholds=window)
    assert MISSED_RUN not in codes(in_utc)  # the runs came at 02:00 UTC, as a UTC appliance schedules them
    assert MISSED_RUN in codes(in_berlin)  # 02:00 Berlin is 01:00 UTC: nothing started by 01:30 UTC
    assert in_berlin.missed_run == datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert in_berlin.next_run == datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


def test_weekday_schedule_only_expects_its_days() -> None:
    # Monday and Thursday at 02:00; now is Saturday: the last due run was Thursday
    schedule = daily(days=(DayOfWeek.MONDAY, DayOfWeek.THURSDAY))
    thursday = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    verdict = evaluate_health([backup_job(thursday)], [schedule], now=NOW)
    assert MISSED_RUN not in codes(verdict)
    assert verdict.next_run == datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday
    missed = evaluate_health([backup_job(thursday - timedelta(days=3))], [schedule], now=NOW)
    assert missed.missed_run == thursday


def test_not_configured_is_critical() -> None:
    verdict = evaluate_health([], [], now=NOW)
    assert verdict.level is HealthLevel.CRITICAL
    assert codes(verdict) == [NOT_CONFIGURED]
    assert verdict.summary == "backup is not configured: no backup schedule and no backup jobs"
    assert verdict.perfdata_text().startswith("last_success_age=U;90000;259200 last_size=U last_duration=U")


def test_schedule_disabled_is_a_warning() -> None:
    verdict = evaluate_health(nightly_history(), [daily(enabled=False)], now=NOW)
    assert verdict.level is HealthLevel.WARNING
    assert codes(verdict) == [SCHEDULE_DISABLED]
    assert verdict.summary == "backup schedule 'default' is disabled"
    assert verdict.next_run is None  # a disabled schedule runs nothing


def test_jobs_without_a_schedule_warn() -> None:
    verdict = evaluate_health(nightly_history(), [], now=NOW)
    assert verdict.level is HealthLevel.WARNING
    assert codes(verdict) == [NO_SCHEDULE]


def test_schedule_without_any_job_is_critical() -> None:
    verdict = evaluate_health([], [daily()], now=NOW)
    assert verdict.level is HealthLevel.CRITICAL
    assert codes(verdict)[0] == NO_SUCCESS


def test_only_failures_is_critical() -> None:
    history = [
        backup_job(NOW - timedelta(days=d, hours=3), JobStatus.FAILED, error="No space left on device")
        for d in range(3)
    ]
    verdict = evaluate_health(history, [daily()], now=NOW)
    assert verdict.level is HealthLevel.CRITICAL
    assert codes(verdict)[:2] == [LATEST_FAILED, NO_SUCCESS]
    assert verdict.failures_24h == 1 and verdict.failures_7d == 3


def test_schedules_unknown_skips_schedule_checks() -> None:
    verdict = evaluate_health(nightly_history(), None, now=NOW)
    assert verdict.level is HealthLevel.OK
    assert verdict.schedules is None


def test_recovered_failure_is_reported_but_ok() -> None:
    history = nightly_history()
    history.append(backup_job(NOW - timedelta(hours=2), JobStatus.FAILED, kind=JobType.MANUAL, error="x"))
    history.append(backup_job(NOW - timedelta(hours=1), JobStatus.SUCCEEDED, kind=JobType.MANUAL))
    verdict = evaluate_health(history, [daily()], now=NOW)
    assert verdict.level is HealthLevel.OK
    assert verdict.failures_24h == 1
    assert any("1 failed backup in the last 24 h, 1 in the last 7 days" in f.text for f in verdict.reasons)


def test_unreadable_records_warn() -> None:
    problem = RecordError("20261128-020000-1", "size", "expected an integer, got a string ('x')")
    verdict = evaluate_health(nightly_history(), [daily()], now=NOW, problems=[problem])
    assert verdict.level is HealthLevel.WARNING
    assert codes(verdict) == [UNREADABLE_RECORDS]


def test_failure_text_is_one_safe_line() -> None:
    nasty = "line one\nline two | rm -rf /\x1b[31m " + "x" * 300
    history = [backup_job(NOW - timedelta(hours=3), JobStatus.FAILED, error=nasty)]
    verdict = evaluate_health(history, [daily(NOW.hour - 3)], now=NOW)
    assert "\n" not in verdict.summary and "|" not in verdict.summary and "\x1b" not in verdict.summary
    assert "xxx..." in verdict.summary
    assert one_line_problem("a  b\tc") == "a b c"


def test_unknown_verdict() -> None:
    verdict = unknown_verdict("vcsa01: unreachable.\nTry later", now=NOW)
    assert verdict.level is HealthLevel.UNKNOWN
    assert verdict.summary == "vcsa01: unreachable. Try later"
    assert verdict.perfdata == ()


def test_level_values_are_plugin_exit_codes_and_severity_orders_them() -> None:
    assert [int(level) for level in HealthLevel] == [0, 1, 2, 3]
    ranked = sorted(HealthLevel, key=lambda level: level.severity)
    assert ranked == [HealthLevel.OK, HealthLevel.WARNING, HealthLevel.UNKNOWN, HealthLevel.CRITICAL]


def test_perf_value_rendering() -> None:
    assert PerfValue("a", 5, "s", 1, 2).render() == "a=5s;1;2"
    assert PerfValue("b", None, "B").render() == "b=U"
    assert PerfValue("c", 0).render() == "c=0"


def test_thresholds_validate() -> None:
    with pytest.raises(ValueError, match="warning age"):
        HealthThresholds(warn_age=timedelta(hours=80), crit_age=timedelta(hours=72))
    with pytest.raises(ValueError):
        HealthThresholds(missed_window=timedelta(0))
    with pytest.raises(ValueError, match="aware"):
        evaluate_health([], [], now=datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("25h", 90000),
        ("72H", 259200),
        ("90m", 5400),
        ("3d", 259200),
        ("3600s", 3600),
        ("1.5h", 5400),
        ("25", 90000),
        ("1w", 604800),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "h", "-5h", "0h", "5 years", "5x"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_age() -> None:
    assert format_age(timedelta(minutes=5)) == "5 min"
    assert format_age(timedelta(hours=26)) == "26 h"
    assert format_age(timedelta(days=3, hours=8)) == "3 d 08 h"


# --- schedule arithmetic --------------------------------------------------------------------------


def test_previous_and_next_run_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    recurrence = Recurrence(minute=30, hour=2)
    # 2026-03-29: clocks jump 02:00 -> 03:00 in Berlin; 02:30 does not exist that night
    after = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    first = next_run(recurrence, after, berlin)
    assert first == datetime(2026, 3, 29, 1, 30, tzinfo=UTC) or first == datetime(
        2026, 3, 29, 0, 30, tzinfo=UTC
    )
    summer = next_run(recurrence, datetime(2026, 4, 1, 12, 0, tzinfo=UTC), berlin)
    assert summer == datetime(2026, 4, 2, 0, 30, tzinfo=UTC)  # 02:30 CEST
    winter = previous_run(recurrence, datetime(2026, 11, 28, 12, 0, tzinfo=UTC), berlin)
    assert winter == datetime(2026, 11, 28, 1, 30, tzinfo=UTC)  # 02:30 CET


def test_bad_recurrence_is_a_warning_not_a_crash() -> None:
    schedule = Schedule("default", "sftp://x/y", "u", True, recurrence=Recurrence(minute=0, hour=25))
    verdict = evaluate_health(nightly_history(), [schedule], now=NOW)
    assert verdict.level is HealthLevel.WARNING
    assert "not a time of day" in verdict.summary


def test_describe_recurrence() -> None:
    assert describe_recurrence(Recurrence(0, 2)) == "Daily 02:00 UTC"
    days = (DayOfWeek.MONDAY, DayOfWeek.THURSDAY)
    assert (
        describe_recurrence(Recurrence(30, 23, days), ZoneInfo("Europe/Berlin"))
        == "MON, THU 23:30 Europe/Berlin"
    )
    assert describe_recurrence(None) == "not scheduled"


def test_pending_job_start_comes_from_its_id() -> None:
    pending = BackupJob(
        id="20261128-020003-22617221",
        status=JobStatus.PENDING,
        type=JobType.SCHEDULED,
        location="x",
        location_user="",
        description=Message("d", "Backup job"),
        service="",
        operation="",
        cancelable=True,
    )
    assert job_started(pending) == datetime(2026, 11, 28, 2, 0, 3, tzinfo=UTC)
    verdict = evaluate_health([*nightly_history()[:-1], pending], [daily()], now=NOW)
    assert MISSED_RUN not in codes(verdict)


def test_health_module_does_not_import_textual() -> None:
    code = (
        "import sys, backuptui.core.watch.health_rules, backuptui.core.export, backuptui.core.watch.timing; "
        "print('textual' in sys.modules or 'rich' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_newer_success_without_any_time_is_skipped_and_named() -> None:

    timed = nightly_history(days=3)
    untimed = backup_job(NOW - timedelta(hours=1)).replace(
        id="untimed-1",
        start_time=None,
        end_time=None,
        duration=None,
        size=None,
        progress=None,
    )
    verdict = evaluate_health([*timed, untimed], [daily()], now=NOW)
    assert verdict.level is HealthLevel.OK, verdict.summary
    assert NO_SUCCESS not in codes(verdict)
    assert verdict.last_success is not None and verdict.last_success.id == timed[-1].id
    assert verdict.summary.startswith("last backup succeeded 2026-11-28 02:20 UTC (3 h ago)")
    assert "1 SUCCEEDED record without an end time skipped (job untimed-1)" in verdict.summary
    assert verdict.perfdata_text().startswith("last_success_age=11400s;")


def test_only_untimed_successes_say_so() -> None:

    untimed = backup_job(NOW).replace(id="untimed-2", start_time=None, end_time=None, duration=None)
    verdict = evaluate_health([untimed], [daily()], now=NOW)
    assert NO_SUCCESS in codes(verdict)
    assert "none succeeded" not in verdict.summary
    assert "without an end time skipped (job untimed-2)" in verdict.summary
