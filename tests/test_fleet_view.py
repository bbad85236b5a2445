"""From fleet rows to what the fleet shows: the cells that matter, and toasts that name the appliance."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from backuptui.core.appliance.models import JobStatus
from backuptui.core.watch.fleet_row import FleetRow, MemberState
from backuptui.core.watch.health import HealthLevel
from backuptui.core.watch.snapshot import ConnectionState
from backuptui.tui.fleet_view import LOGIN_REFUSED, bundled, fleet_entry, fleet_notices, refused_logins_notice
from backuptui.tui.format import Tone

NOW = datetime(2026, 11, 28, 9, 41, tzinfo=UTC)

LIVE = FleetRow(
    name="vcsa-eu",
    host="vcsa-eu.example.com",
    state=MemberState.LIVE,
    level=HealthLevel.OK,
    reason="last good backup 9 h ago",
    connection=ConnectionState.LIVE,
    last_success_at=NOW - timedelta(hours=9),
    latest_status=JobStatus.SUCCEEDED,
    latest_started=NOW - timedelta(hours=9, minutes=20),
    polled_at=NOW,
)


def test_a_failed_backup_is_a_toast_that_names_the_appliance_and_the_cause() -> None:
    failed = replace(
        LIVE,
        level=HealthLevel.CRITICAL,
        latest_status=JobStatus.FAILED,
        latest_started=NOW - timedelta(minutes=5),
        failure_cause="no space left on device",
    )
    [notice] = fleet_notices(LIVE, failed)
    assert notice.message == "vcsa-eu: backup failed: no space left on device"
    assert notice.severity == "error"
    assert fleet_notices(None, failed) == []  # the first data of an appliance is not news


def test_connection_lost_and_back_and_a_refused_login_name_the_appliance() -> None:
    lost = replace(LIVE, state=MemberState.STALE, problem="vcsa-eu: connection refused. Check the address.")
    [notice] = fleet_notices(LIVE, lost)
    assert notice.message == "vcsa-eu: lost connection: connection refused"
    [back] = fleet_notices(lost, LIVE)
    assert back.message == "vcsa-eu: connection is back."
    refused = replace(
        LIVE, state=MemberState.LOGIN_REFUSED, problem="vcsa-eu: the appliance refused the login"
    )
    assert fleet_notices(LIVE, refused)[-1].message.startswith("vcsa-eu: the appliance refused the login.")


def test_many_toasts_at_once_become_one_that_names_the_rest() -> None:
    lost = [replace(LIVE, name=f"vcsa-{i}", state=MemberState.STALE, problem="down") for i in range(6)]
    notices = [n for row in lost for n in fleet_notices(replace(row, state=MemberState.LIVE), row)]
    shown = bundled(notices)
    assert len(shown) == 3
    assert shown[-1].message.startswith("4 more: vcsa-2, vcsa-3, vcsa-4, vcsa-5")


def test_the_cells_say_each_state_in_words() -> None:
    entry = fleet_entry(LIVE, NOW)
    assert entry.line.cells["verdict"] == "✔ OK" and entry.line.cells["age"] == "9 h"
    running = fleet_entry(replace(LIVE, latest_status=JobStatus.RUNNING, progress=0.47, eta=185.0), NOW)
    assert running.line.cells["progress"] == "47% ETA 3m 05s"
    assert running.line.cells["latest_progress"] == "▶ 47% 3m 05s"
    waiting = FleetRow(
        name="lab",
        host="",
        state=MemberState.PASSWORD_NEEDED,
        level=HealthLevel.UNKNOWN,
        reason="password needed",
    )
    cells = fleet_entry(waiting, NOW).line.cells
    assert cells["verdict"] == "? UNKNOWN" and cells["state"] == "password needed"
    assert cells["age"] == "—" and cells["cause_state"] == "password needed"
    unreachable = replace(
        waiting,
        state=MemberState.UNREACHABLE,
        problem="lab: cannot connect to lab:443: connection refused. Check it.",
    )
    assert fleet_entry(unreachable, NOW).line.cells["cause_state"] == (
        "unreachable: cannot connect to lab:443: connection refused"
    )


def test_refused_logins_are_counted_in_one_notice_naming_the_first() -> None:
    rows = [
        replace(LIVE, name=f"vcsa-{i:02d}", state=MemberState.LOGIN_REFUSED, problem="the login was refused")
        for i in range(16)
    ]
    notice = refused_logins_notice(rows)
    assert notice.title == LOGIN_REFUSED and notice.severity == "error"
    assert notice.message.startswith(
        "Login refused by 16 appliances: vcsa-00, vcsa-01, vcsa-02, vcsa-03, vcsa-04 … — see their rows."
    )
    one = refused_logins_notice(rows[:1])
    assert one.message.startswith("vcsa-00: the login was refused. Not retried on its own")


def test_a_latest_backup_a_user_canceled_reads_canceled_and_is_told_as_such() -> None:
    running = replace(LIVE, latest_status=JobStatus.RUNNING, latest_started=NOW - timedelta(minutes=5))
    canceled = replace(
        running,
        level=HealthLevel.WARNING,
        latest_status=JobStatus.FAILED,
        latest_canceled=True,
        failure_cause="The backup job was canceled by the user.",
    )
    entry = fleet_entry(canceled, NOW)
    assert entry.line.cells["latest"] == "⊘ CANCELED" and entry.line.tones["latest"] is Tone.WARNING
    assert "latest job CANCELED" in entry.detail
    [notice] = fleet_notices(running, canceled)
    assert (notice.title, notice.severity) == ("Backup canceled", "warning")
    assert notice.message == "vcsa-eu: backup canceled: The backup job was canceled by the user."


def test_the_detail_line_breaks_between_its_facts_never_inside_one() -> None:
    from backuptui.tui.screens.fleet import fit_detail

    detail = (
        "vcsa-001 · 127.0.0.1:46473 · live · latest job SUCCEEDED 2026-11-28 04:00 · "
        "next run 2026-12-05 04:00\nlast successful backup 4 d 03 h ago"
    )
    assert fit_detail(detail, 78).splitlines() == [
        "vcsa-001 · 127.0.0.1:46473 · live · latest job SUCCEEDED 2026-11-28 04:00",
        "next run 2026-12-05 04:00",
        "last successful backup 4 d 03 h ago",
    ]
    assert fit_detail(detail, 200) == detail  # room for all: one line, as given


def test_the_fleet_counts_a_cancel_apart_and_names_the_real_failure() -> None:
    from health_jobs import NOW as JOBS_NOW
    from health_jobs import backup_job, snapshot_of

    from backuptui.core.watch.fleet_document import row_document
    from backuptui.core.watch.fleet_row import member_row
    from backuptui.core.watch.health_rules import evaluate_health

    canceled = "The backup job was canceled by the user."
    jobs = [
        backup_job(JOBS_NOW - timedelta(hours=1)),
        backup_job(JOBS_NOW - timedelta(hours=3), JobStatus.FAILED, error=canceled, error_type="CANCELED"),
        backup_job(JOBS_NOW - timedelta(days=2), JobStatus.FAILED, error="No space left on device"),
        backup_job(JOBS_NOW - timedelta(days=3)),
    ]
    snapshot = snapshot_of(jobs)
    row = member_row(
        "vcsa-eu", "vcsa-eu.example.com", snapshot, evaluate_health(jobs, None, now=JOBS_NOW), now=JOBS_NOW
    )
    assert (row.failures_24h, row.failures_7d, row.canceled_24h, row.canceled_7d) == (0, 1, 1, 1)
    assert row.failure_cause == "No space left on device"  # the failure, not the newer cancel
    entry = fleet_entry(row, JOBS_NOW)
    assert entry.line.cells["fails"] == "0/1" and entry.line.tones["fails"] is Tone.WARNING
    assert entry.line.cells["cause"] == "earlier failure: No space left on device"
    document = row_document(row)
    assert (document["failures_24h"], document["failures_7d"]) == (0, 1)
    assert (document["canceled_24h"], document["canceled_7d"]) == (1, 1)
    assert document["latest_job"]["canceled"] is False
    # the latest job canceled: CANCELED, its words as the cause, the wire status kept in the JSON
    latest = [jobs[1], *jobs[2:]]
    row = member_row(
        "vcsa-eu", "h", snapshot_of(latest), evaluate_health(latest, None, now=JOBS_NOW), now=JOBS_NOW
    )
    assert row.latest_canceled and row.failure_cause == canceled and row.failures_24h == 0
    assert fleet_entry(row, JOBS_NOW).line.cells["fails"] == "0/1"
    assert row_document(row)["latest_job"] == {
        "status": "FAILED",
        "start": "2026-11-28T02:30:00.000Z",
        "canceled": True,
    }
    from backuptui.commands.fleet_status import render_fleet_table

    [line] = [
        line for line in render_fleet_table([row], now=JOBS_NOW).splitlines() if line.startswith("vcsa-eu")
    ]
    assert "CANCELED 11-28 02:30" in line and "FAILED" not in line and " 0/1 " in line
