"""The metric mapping (core/metrics): a snapshot and a verdict in, the exposition text out, read
back with prometheus-client's own parser."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from health_jobs import NOW, backup_job, snapshot_of
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from backuptui.core.appliance.errors import (
    ApiError,
    ApplianceError,
    ApplianceUnreachable,
    AuthenticationFailed,
    InvalidResponse,
    NotAuthorized,
    TLSVerificationFailed,
)
from backuptui.core.appliance.models import (
    BackupJob,
    JobStatus,
    Recurrence,
    Schedule,
)
from backuptui.core.metrics import METRIC_NAMES, ApplianceReading, PollStats, error_kind, exporter_registry
from backuptui.core.metrics.mapping import SPECS, host_of
from backuptui.core.watch.health import unknown_verdict
from backuptui.core.watch.health_rules import evaluate_health
from backuptui.core.watch.snapshot import ConnectionState

SCHEDULE = Schedule("default", "sftp://192.0.2.10/backups", "backup", True, recurrence=Recurrence(0, 2))
TODAY = NOW.replace(hour=2, minute=0)
#: newest first, all succeeded
NIGHTS = [backup_job(TODAY - timedelta(days=back), size=2_000_000) for back in range(0, 5)]


def reading(
    jobs: list[BackupJob],
    *,
    connection: ConnectionState = ConnectionState.LIVE,
    schedules: tuple[Schedule, ...] | None = (SCHEDULE,),
    fetched: bool = True,
    complete: bool = True,
    stats: PollStats | None = None,
) -> ApplianceReading:
    jobs = sorted(jobs, key=lambda j: j.start_time or NOW, reverse=True)
    snapshot = snapshot_of(jobs, connection=connection, fetched=fetched, complete=complete, flavor=None)
    verdict = (
        evaluate_health(jobs, schedules, now=NOW)
        if fetched
        else unknown_verdict("vcsa01: cannot connect", now=NOW)
    )
    stats = stats or PollStats()
    return ApplianceReading(
        "vcsa01",
        snapshot,
        verdict,
        poll_duration=stats.last_duration,
        poll_errors=stats.errors,
    )


def scrape(*readings: ApplianceReading) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample as {(name, sorted labels without appliance/host): value}, via the real parser."""
    text = generate_latest(exporter_registry(lambda: readings)).decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert sample.labels.get("appliance") == "vcsa01"
            assert sample.labels.get("host") == "vcsa01.example.com"
            labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k not in ("appliance", "host")))
            samples[(sample.name, labels)] = sample.value
    return samples


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def test_a_healthy_appliance_gives_every_backup_metric() -> None:
    stats = PollStats()
    stats.observe(0.25, None)
    samples = scrape(reading(NIGHTS, stats=stats))
    names = {name for name, _ in samples}
    expected = METRIC_NAMES - {"vcsa_backup_progress_ratio"}  # no job is running
    assert names == expected
    assert value(samples, "vcsa_backup_up") == 1
    assert value(samples, "vcsa_backup_health") == 0
    assert value(samples, "vcsa_backup_last_job_status", status="SUCCEEDED") == 1
    assert value(samples, "vcsa_backup_last_job_status", status="FAILED") == 0
    ended = (TODAY + timedelta(minutes=20)).timestamp()
    assert value(samples, "vcsa_backup_last_success_timestamp_seconds") == ended
    assert value(samples, "vcsa_backup_last_job_end_timestamp_seconds") == ended
    assert value(samples, "vcsa_backup_last_job_duration_seconds") == 1200
    assert value(samples, "vcsa_backup_last_job_size_bytes") == 2_000_000
    assert value(samples, "vcsa_backup_running") == 0
    assert value(samples, "vcsa_backup_jobs", status="SUCCEEDED") == 5
    assert value(samples, "vcsa_backup_jobs", status="FAILED") == 0
    assert value(samples, "vcsa_backup_failures", window="24h") == 0
    assert value(samples, "vcsa_backup_schedule_enabled") == 1
    tomorrow = (TODAY + timedelta(days=1)).timestamp()
    assert value(samples, "vcsa_backup_schedule_next_run_timestamp_seconds") == tomorrow
    assert value(samples, "vcsa_backup_health_info", reason="last-success", level="OK") == 1
    assert value(samples, "vcsa_backup_poll_duration_seconds") == 0.25
    assert value(samples, "vcsa_backup_poll_errors_total", kind="unreachable") == 0


CANCELED_TEXT = "The backup job was canceled by the user."


def canceled_job(start: datetime) -> BackupJob:
    """As the appliance writes a backup a user canceled: FAILED, with an error of type CANCELED."""
    return backup_job(start, JobStatus.FAILED, size=0, error=CANCELED_TEXT, error_type="CANCELED")


def test_a_canceled_last_backup_is_exported_as_canceled_and_counted_apart_from_failures() -> None:
    failed = backup_job(TODAY - timedelta(days=1), JobStatus.FAILED, size=0, error="No space left on device")
    history = [canceled_job(TODAY), failed, *NIGHTS[2:]]
    samples = scrape(reading(history))
    # the state set says CANCELED, so an alert on status="FAILED" stays quiet
    assert value(samples, "vcsa_backup_last_job_status", status="CANCELED") == 1
    assert value(samples, "vcsa_backup_last_job_status", status="FAILED") == 0
    assert value(samples, "vcsa_backup_last_job_status", status="SUCCEEDED") == 0
    # the cancel hides no failure: the backup before it failed, so the verdict is critical
    assert value(samples, "vcsa_backup_health") == 2
    assert value(samples, "vcsa_backup_health_info", reason="latest-canceled", level="WARNING") == 1
    assert value(samples, "vcsa_backup_health_info", reason="latest-failed", level="CRITICAL") == 1
    # the failure of the night before counts; the cancel does not
    assert value(samples, "vcsa_backup_failures", window="24h") == 0
    assert value(samples, "vcsa_backup_failures", window="7d") == 1
    assert value(samples, "vcsa_backup_cancellations", window="24h") == 1
    assert value(samples, "vcsa_backup_cancellations", window="7d") == 1
    assert value(samples, "vcsa_backup_jobs", status="FAILED") == 1
    assert value(samples, "vcsa_backup_jobs", status="CANCELED") == 1
    assert value(samples, "vcsa_backup_jobs", status="SUCCEEDED") == 3


def test_every_metric_has_help_and_type_before_the_first_poll() -> None:
    text = generate_latest(exporter_registry(list)).decode()
    for spec in SPECS:
        name = spec.name + "_total" if spec.kind == "counter" else spec.name
        assert f"# HELP {name} " in text
        assert f"# TYPE {name} {spec.kind}" in text


def test_latest_failed_stays_while_the_next_job_runs_and_across_an_outage() -> None:
    failed = backup_job(TODAY, JobStatus.FAILED, size=0)
    history = [failed, *NIGHTS[1:]]
    samples = scrape(reading(history))
    assert value(samples, "vcsa_backup_last_job_status", status="FAILED") == 1
    assert value(samples, "vcsa_backup_health") == 2
    assert value(samples, "vcsa_backup_health_info", reason="latest-failed", level="CRITICAL") == 1
    assert value(samples, "vcsa_backup_failures", window="24h") == 1
    assert value(samples, "vcsa_backup_failures", window="7d") == 1

    running = backup_job(NOW - timedelta(minutes=5), JobStatus.RUNNING, size=2_000_000)
    samples = scrape(reading([running, *history]))
    assert value(samples, "vcsa_backup_last_job_status", status="FAILED") == 1  # not cleared by the run
    assert value(samples, "vcsa_backup_running") == 1
    assert value(samples, "vcsa_backup_progress_ratio") == pytest.approx(0.45)
    assert value(samples, "vcsa_backup_jobs", status="RUNNING") == 1

    samples = scrape(reading([running, *history], connection=ConnectionState.UNREACHABLE))
    assert value(samples, "vcsa_backup_up") == 0
    assert value(samples, "vcsa_backup_last_job_status", status="FAILED") == 1  # not cleared by the outage
    assert value(samples, "vcsa_backup_last_success_timestamp_seconds") == NIGHTS[1].end_time.timestamp()  # type: ignore[union-attr]


def test_never_reached_exports_up_health_unknown_and_no_backup_figure() -> None:
    stats = PollStats()
    stats.observe(3.0, ApplianceUnreachable("vcsa01", "connection refused"))
    stats.observe(3.0, ApplianceUnreachable("vcsa01", "connection refused"))
    samples = scrape(reading([], connection=ConnectionState.UNREACHABLE, fetched=False, stats=stats))
    assert value(samples, "vcsa_backup_up") == 0
    assert value(samples, "vcsa_backup_health") == 3
    assert value(samples, "vcsa_backup_health_info", reason="unknown", level="UNKNOWN") == 1
    assert value(samples, "vcsa_backup_poll_errors_total", kind="unreachable") == 2
    names = {name for name, _ in samples}
    assert "vcsa_backup_last_job_status" not in names
    assert "vcsa_backup_last_success_timestamp_seconds" not in names
    assert "vcsa_backup_jobs" not in names


def test_counts_wait_for_the_whole_history() -> None:
    samples = scrape(reading(NIGHTS[:1], complete=False))
    names = {name for name, _ in samples}
    assert "vcsa_backup_last_job_status" in names  # the newest page knows the last job
    assert "vcsa_backup_jobs" not in names and "vcsa_backup_failures" not in names


def test_schedule_disabled_and_not_configured() -> None:
    disabled = replace(SCHEDULE, enabled=False)
    samples = scrape(reading(NIGHTS, schedules=(disabled,)))
    assert value(samples, "vcsa_backup_schedule_enabled") == 0
    assert value(samples, "vcsa_backup_health_info", reason="schedule-disabled", level="WARNING") == 1
    assert ("vcsa_backup_schedule_next_run_timestamp_seconds", ()) not in samples

    samples = scrape(reading([], schedules=()))
    assert ("vcsa_backup_schedule_enabled", ()) not in samples  # no schedule at all
    assert value(samples, "vcsa_backup_health_info", reason="not-configured", level="CRITICAL") == 1
    assert value(samples, "vcsa_backup_jobs", status="SUCCEEDED") == 0

    samples = scrape(reading(NIGHTS, schedules=None))  # the schedules could not be read
    assert ("vcsa_backup_schedule_enabled", ()) not in samples


def test_labels_and_values_carry_no_secret_and_escape_appliance_text() -> None:
    history = [NIGHTS[0].replace(status=JobStatus("FAILED")), *NIGHTS[1:]]
    text = generate_latest(exporter_registry(lambda: [reading(history)])).decode()
    assert "password" not in text.lower()
    # label values are stable codes, never the appliance's free text (which changes every minute)
    assert "BackupManager" not in text and "Backing up" not in text


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (TLSVerificationFailed("a", "bad cert"), "tls"),
        (ApplianceUnreachable("a", "refused"), "unreachable"),
        (AuthenticationFailed("a", "refused"), "auth_failed"),
        (NotAuthorized("a", "403"), "not_authorized"),
        (ApiError("a", "500"), "api_error"),
        (InvalidResponse("a", "not json"), "invalid_response"),
        (ApplianceError("a", "other"), "error"),
    ],
)
def test_error_kinds(error: ApplianceError, kind: str) -> None:
    assert error_kind(error) == kind


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://vcsa01.example.com", "vcsa01.example.com"),
        ("https://vcsa01.example.com:443/", "vcsa01.example.com"),
        ("http://127.0.0.1:8080", "127.0.0.1:8080"),
        ("https://[::1]:8443", "[::1]:8443"),
    ],
)
def test_host_label(url: str, host: str) -> None:
    assert host_of(url) == host
