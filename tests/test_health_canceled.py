"""A backup canceled by a user: the appliance marks it FAILED (error type CANCELED, "The backup
job was canceled by the user."), but it is no failure of the appliance. The latest-backup rule
says WARNING, not CRITICAL; the age of the last good backup still counts as before; `check`
against the simulator, after a real cancel, says the same."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from health_jobs import FAILURE_TEXT, NOW, backup_job

from backuptui.core.appliance.failure_cause import canceled_by_user, is_failure
from backuptui.core.appliance.models import BackupJob, JobStatus
from backuptui.core.watch.health import (
    LATEST_CANCELED,
    LATEST_FAILED,
    RECENT_FAILURES,
    STALE,
    HealthLevel,
)
from backuptui.core.watch.health_rules import evaluate_health
from backuptui.simulator import Simulator

CANCELED_TEXT = "The backup job was canceled by the user."


def job(
    start: datetime,
    status: JobStatus = JobStatus.SUCCEEDED,
    *,
    error_type: str | None = None,
    error_text: str | None = None,
    messages: tuple[str, ...] = (),
) -> BackupJob:
    return backup_job(start, status, error=error_text, error_type=error_type, messages=messages, minutes=5)


def canceled(start: datetime) -> BackupJob:
    """As the simulator writes a canceled job (and as a vAPI error of type CANCELED reads)."""
    return job(
        start, JobStatus.FAILED, error_type="CANCELED", error_text=CANCELED_TEXT, messages=(CANCELED_TEXT,)
    )


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (canceled(NOW), True),
        # the /rest shape names the error's type in full
        (job(NOW, JobStatus.FAILED, error_type="com.vmware.vapi.std.errors.canceled"), True),
        # only the message says it (no error type)
        (job(NOW, JobStatus.FAILED, messages=(CANCELED_TEXT,)), True),
        (job(NOW, JobStatus.FAILED, error_text="Backup cancelled by user admin"), True),
        # an appliance failure, and a failure that merely mentions a cancel by someone else
        (job(NOW, JobStatus.FAILED, error_type="ERROR", error_text=FAILURE_TEXT), False),
        (job(NOW, JobStatus.FAILED, error_text="the upload was canceled: no space left on device"), False),
        # not failed: nothing was canceled
        (job(NOW, JobStatus.SUCCEEDED, messages=(CANCELED_TEXT,)), False),
    ],
)
def test_canceled_by_user_reads_the_error_type_or_the_message(record: BackupJob, expected: bool) -> None:
    assert canceled_by_user(record) is expected
    # what the failure counts count: a FAILED job, unless a user canceled it
    assert is_failure(record) is (record.status is JobStatus.FAILED and not expected)


def test_a_canceled_latest_backup_is_a_warning_not_critical() -> None:
    history = [canceled(NOW - timedelta(hours=1)), job(NOW - timedelta(hours=5))]
    verdict = evaluate_health(history, None, now=NOW)
    assert verdict.level is HealthLevel.WARNING
    assert verdict.reasons[0].code == LATEST_CANCELED
    assert verdict.summary.startswith(
        "last backup CANCELED 2026-11-28 04:30 UTC: " + CANCELED_TEXT.rstrip(".")
    )
    assert LATEST_FAILED not in [reason.code for reason in verdict.reasons]


def test_a_real_failure_after_a_success_is_still_critical() -> None:
    history = [
        job(NOW - timedelta(hours=1), JobStatus.FAILED, error_text=FAILURE_TEXT),
        job(NOW - timedelta(hours=5)),
    ]
    verdict = evaluate_health(history, None, now=NOW)
    assert verdict.level is HealthLevel.CRITICAL and verdict.reasons[0].code == LATEST_FAILED


def test_a_long_run_of_cancels_still_ends_critical_by_age() -> None:
    history = [canceled(NOW - timedelta(hours=hours)) for hours in (1, 25, 49)]
    history.append(job(NOW - timedelta(hours=80)))
    verdict = evaluate_health(history, None, now=NOW)
    assert verdict.level is HealthLevel.CRITICAL
    assert [reason.code for reason in verdict.reasons[:2]] == [STALE, LATEST_CANCELED]


def test_cancels_are_counted_apart_from_the_failures_in_24_h_and_7_days() -> None:
    history = [
        canceled(NOW - timedelta(hours=1)),
        job(NOW - timedelta(hours=3), JobStatus.FAILED, error_text="No space left on device"),
        canceled(NOW - timedelta(days=3)),
        job(NOW - timedelta(days=4), JobStatus.FAILED, error_type="ERROR", error_text=FAILURE_TEXT),
        job(NOW - timedelta(days=5)),
    ]
    verdict = evaluate_health(history, None, now=NOW)
    assert (verdict.failures_24h, verdict.failures_7d) == (1, 2)
    assert (verdict.canceled_24h, verdict.canceled_7d) == (1, 2)
    perf = {value.label: value.value for value in verdict.perfdata}
    assert (perf["failures_24h"], perf["failures_7d"]) == (1, 2)
    assert (perf["canceled_24h"], perf["canceled_7d"]) == (1, 2)
    # the cancel does not hide the failure before it: that one has its own finding
    assert verdict.level is HealthLevel.CRITICAL
    assert RECENT_FAILURES not in [reason.code for reason in verdict.reasons]


def test_a_cancel_does_not_hide_the_failure_before_it() -> None:
    """The last backup that ran to its end failed, then a user canceled the retry: still critical
    (a cancel is no failure of the appliance, nor a success), and both are said."""
    history = [
        canceled(NOW - timedelta(hours=1)),
        canceled(NOW - timedelta(hours=2)),
        job(NOW - timedelta(hours=3), JobStatus.FAILED, error_text="No space left on device"),
        job(NOW - timedelta(hours=20)),
    ]
    verdict = evaluate_health(history, None, now=NOW)
    assert verdict.level is HealthLevel.CRITICAL
    codes = [reason.code for reason in verdict.reasons]
    assert codes[:2] == [LATEST_FAILED, LATEST_CANCELED]
    assert verdict.summary.startswith(
        "backup FAILED 2026-11-28 02:30 UTC (before the cancel): No space left on device; "
        "last backup CANCELED 2026-11-28 04:30 UTC"
    )
    # a cancel after a success: a warning only, as before
    assert evaluate_health(history[:2] + history[3:], None, now=NOW).level is HealthLevel.WARNING
    # after a cancel, earlier failures that are not the latest attempt are still told
    older = [canceled(NOW - timedelta(hours=1)), job(NOW - timedelta(hours=2)), history[2]]
    recent = next(r for r in evaluate_health(older, None, now=NOW).reasons if r.code == RECENT_FAILURES)
    assert recent.text == "1 failed backup in the last 24 h, 1 in the last 7 days"


def test_a_cancel_alone_is_no_recent_failure() -> None:
    history = [
        job(NOW - timedelta(hours=1)),
        canceled(NOW - timedelta(hours=2)),
        job(NOW - timedelta(days=1)),
    ]
    verdict = evaluate_health(history, None, now=NOW)
    assert (verdict.failures_24h, verdict.failures_7d, verdict.canceled_24h) == (0, 0, 1)
    assert verdict.level is HealthLevel.OK
    assert RECENT_FAILURES not in [reason.code for reason in verdict.reasons]


def test_check_says_warning_after_a_real_cancel_on_the_simulator(
    simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backuptui.cli import build_parser
    from backuptui.commands import cancel, check

    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    sim = simulator_factory(jobs=5, scenario="healthy", running_at_start=True)
    target = ["--url", sim.url, "--user", sim.user]
    out = io.StringIO()
    assert cancel.run(build_parser().parse_args(["cancel", *target]), stdin=io.StringIO(), out=out) == 0, (
        out.getvalue()
    )
    out = io.StringIO()
    code = check.run(build_parser().parse_args(["check", *target]), out=out)
    assert code == int(HealthLevel.WARNING), out.getvalue()
    assert out.getvalue().startswith("BACKUP WARNING - last backup CANCELED ")
    assert "canceled by the user" in out.getvalue()
    # the perfdata counts it apart: no failure, one cancel
    perf = dict(item.split("=", 1) for item in out.getvalue().split(" | ", 1)[1].split())
    assert (perf["failures_24h"], perf["canceled_24h"], perf["canceled_7d"]) == ("0", "1", "1")
    out = io.StringIO()
    assert check.run(build_parser().parse_args(["check", *target, "--json"]), out=out) == int(
        HealthLevel.WARNING
    )
    answer = json.loads(out.getvalue())
    assert answer["status"] == "WARNING" and answer["reasons"][0]["code"] == LATEST_CANCELED
    values = {item["label"]: item["value"] for item in answer["perfdata"]}
    assert (values["failures_24h"], values["canceled_24h"]) == (0, 1)
    # and `status` says CANCELED in its table, FAILED plus "canceled": true in its JSON
    from backuptui.commands import status

    out = io.StringIO()
    assert status.run(build_parser().parse_args(["status", *target, "--limit", "1"]), out=out) == 0
    assert out.getvalue().splitlines()[1].split()[2] == "CANCELED", out.getvalue()
    out = io.StringIO()
    assert status.run(build_parser().parse_args(["status", *target, "--limit", "1", "--json"]), out=out) == 0
    [latest] = json.loads(out.getvalue())["jobs"]
    assert (latest["status"], latest["canceled"]) == ("FAILED", True)


def test_the_tui_says_canceled_where_it_said_failed() -> None:
    from backuptui.core.watch.events import JobEvent
    from backuptui.tui.format import Tone, job_status_label, job_status_tone
    from backuptui.tui.notices import job_notices

    record = canceled(NOW)
    assert job_status_label(record) == "⊘ CANCELED" and job_status_tone(record) is Tone.WARNING
    failed = job(NOW, JobStatus.FAILED, error_text=FAILURE_TEXT)
    assert job_status_label(failed) == "✖ FAILED" and job_status_tone(failed) is Tone.BAD
    [notice] = job_notices([JobEvent("failed", record)])
    assert (notice.title, notice.severity) == ("Backup canceled", "warning")
    assert notice.message.endswith("ended: " + CANCELED_TEXT)


def test_the_status_table_says_canceled_and_its_json_keeps_the_appliances_word() -> None:
    from backuptui.commands.status import render_table
    from backuptui.core.export import job_to_json

    record = canceled(NOW)
    row = next(line for line in render_table([record], now=NOW).splitlines() if record.id in line)
    assert "CANCELED" in row and "FAILED" not in row
    assert job_to_json(record)["status"] == "FAILED"  # machine-readable: what the appliance said


def test_json_and_csv_keep_the_appliances_status_and_add_canceled() -> None:
    import csv
    import io
    import json

    from backuptui.core.appliance.parsing import parse_job
    from backuptui.core.export import CSV_COLUMNS, history_to_csv, job_to_json

    record = canceled(NOW)
    failed = job(NOW - timedelta(days=1), JobStatus.FAILED, error_text=FAILURE_TEXT)
    data = json.loads(json.dumps(job_to_json(record)))
    assert (data["status"], data["canceled"]) == ("FAILED", True)
    assert job_to_json(failed)["canceled"] is False
    assert parse_job(data["id"], data).status is JobStatus.FAILED  # the derived field is not read back
    rows = list(csv.DictReader(io.StringIO(history_to_csv([record, failed]))))
    assert list(rows[0]) == list(CSV_COLUMNS) and CSV_COLUMNS[-1] == "canceled"  # added at the end
    assert [(row["status"], row["canceled"]) for row in rows] == [("FAILED", "true"), ("FAILED", "")]


def test_the_detail_pane_says_canceled_when_and_keeps_the_error_text() -> None:
    from backuptui.tui.widgets.job_detail import job_detail_content, job_fields

    record = canceled(NOW - timedelta(hours=1))
    fields = list(job_fields(record))
    assert fields[0] == ("Canceled", f"at 2026-11-28 04:35:00 UTC: {CANCELED_TEXT}")  # it ended 5 min in
    assert dict(fields)["Status"] == "⊘ CANCELED  (FAILED on the appliance)"
    assert dict(fields)["Error"] == f"{CANCELED_TEXT}  [CANCELED]"  # the appliance's words, kept
    assert "Why it failed" not in dict(fields)
    content = job_detail_content(record)
    status_at = content.plain.index("⊘ CANCELED")
    styles = [str(span.style) for span in content.spans if span.start <= status_at < span.end]
    assert any("warning" in style for style in styles) and not any("error" in style for style in styles)
    # a real failure still says why it failed, FAILED, in the error's colour
    failed = list(job_fields(job(NOW, JobStatus.FAILED, error_text="No space left on device")))
    assert failed[0] == ("Why it failed", "No space left on device")
    assert dict(failed)["Status"] == "✖ FAILED"


def test_backup_wait_says_canceled_for_a_cancel_and_failed_for_a_failure() -> None:
    from backuptui.commands.backup import EXIT_FAILED, _ended

    out = io.StringIO()
    assert _ended("lab", canceled(NOW), out) == EXIT_FAILED  # it did not succeed
    assert out.getvalue() == f"lab: backup {canceled(NOW).id} canceled: {CANCELED_TEXT}\n"
    out = io.StringIO()
    failure = job(NOW, JobStatus.FAILED, error_text="No space left on device")
    assert _ended("lab", failure, out) == EXIT_FAILED
    assert out.getvalue() == f"lab: backup {failure.id} failed: No space left on device\n"
