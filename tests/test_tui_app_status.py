"""What the status line and the live progress widget say, state by state (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backuptui.core.appliance.parsing import parse_job
from backuptui.core.watch.transfer import Transfer
from backuptui.tui.format import Tone
from backuptui.tui.widgets.live_progress import ProgressView, bar, progress_content
from backuptui.tui.widgets.status_line import StatusView, connection_text, status_content

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def view(**fields: object) -> StatusView:
    base: dict[str, object] = {
        "appliance": "vcsa01",
        "host": "vcsa01.example.com",
        "connection": "live",
        "now": NOW,
    }
    base.update(fields)
    return StatusView(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "text", "tone"),
    [
        ({"connection": "connecting"}, "connecting…", Tone.ACTIVE),
        ({"last_success": NOW - timedelta(seconds=3)}, "live", Tone.GOOD),
        (
            {"last_success": NOW - timedelta(seconds=200), "stale_after": 90.0},
            "stale for 3m 20s",
            Tone.WARNING,
        ),
        (
            {"connection": "unreachable", "last_success": NOW - timedelta(seconds=45),
             "retry_at": NOW + timedelta(seconds=7.2)},
            "unreachable (data stale for 45s), retrying in 8 s",
            Tone.BAD,
        ),
        ({"connection": "unreachable", "retry_at": NOW}, "unreachable, retrying now", Tone.BAD),
        (
            {"connection": "unreachable", "error_kind": "TLS verification failed",
             "retry_at": NOW + timedelta(seconds=2)},
            "TLS verification failed, retrying in 2 s",
            Tone.BAD,
        ),
        ({"connection": "auth_failed"}, "authentication failed", Tone.BAD),
        (
            {"connection": "auth_failed", "last_success": NOW - timedelta(seconds=40)},
            "authentication failed (data stale for 40s)",  # the list still shows what came
            Tone.BAD,
        ),
        ({"connection": "not_authorized"}, "not authorized", Tone.BAD),
        ({"connection": "error", "error_kind": "API error"}, "API error", Tone.BAD),
    ],
)  # fmt: skip
def test_connection_states(fields: dict[str, object], text: str, tone: Tone) -> None:
    assert connection_text(view(**fields)) == (text, tone)


def test_status_line_parts() -> None:
    content = status_content(
        view(
            flavor="api",
            last_success=NOW - timedelta(seconds=4),
            total=300,
            running=1,
            failed=20,
            last_backup_end=NOW - timedelta(days=2),
            verify_tls=False,
            paused=True,
            notes=(("health: WARNING", Tone.WARNING),),
        )
    )
    assert content.plain == (
        "health: WARNING · vcsa01 (vcsa01.example.com) · live · PAUSED · TLS verification OFF"
        " · 300 jobs, 1 running, 20 failed · last good backup 2 d ago · refreshed just now · /api"
    )  # the verdict first, then the most important parts
    compact = status_content(view(), compact=True).plain
    assert compact.startswith("vcsa01 · live") and "example.com" not in compact


def test_last_good_backup_colours_follow_the_thresholds() -> None:
    def style_of(age: timedelta) -> str:
        content = status_content(view(last_success=NOW, last_backup_end=NOW - age))
        start = content.plain.index("last good backup ") + len("last good backup ")
        return next(str(span.style) for span in content.spans if span.start == start)

    assert "success" in style_of(timedelta(hours=20))
    assert "warning" in style_of(timedelta(days=2))
    assert "error" in style_of(timedelta(days=3))


def test_cancels_are_counted_apart_from_failures_and_said_only_when_there_are_some() -> None:
    content = status_content(view(total=300, running=1, failed=20, canceled=2))
    assert "300 jobs, 1 running, 20 failed, 2 canceled" in content.plain
    start = content.plain.index("2 canceled")
    assert any("warning" in str(span.style) for span in content.spans if span.start <= start < span.end)
    assert "canceled" not in status_content(view(total=300, failed=20)).plain


def test_filter_count_in_the_status_line() -> None:
    assert "12 of 300 jobs" in status_content(view(total=300, shown=12)).plain


RUNNING = {
    "location": "sftp://192.0.2.10/backups/M_x_",
    "location_user": "u",
    "type": "MANUAL",
    "status": "RUNNING",
    "cancelable": True,
    "messages": [],
    "description": {"id": "d", "default_message": "Backup job", "args": []},
    "service": "s",
    "operation": "create",
    "start_time": "2026-11-28T11:55:00.000Z",
    "duration": 300,
    "size": 3 * 1024**3,
    "progress": {
        "total": 100,
        "completed": 42,
        "message": {"id": "m", "default_message": "Backing up database"},
    },
}


def test_progress_of_a_running_job() -> None:
    job = parse_job("20261128-115500-1", RUNNING)
    transfer = Transfer(job.id, elapsed=300.0, rate=12.5 * 1024**2, eta=414.0, percent=42.0, size=job.size)
    text = progress_content(ProgressView(job, transfer, None, 2, NOW), 120).plain
    lines = text.splitlines()
    assert lines[0] == "▶ RUNNING  MANUAL  20261128-115500-1  (+1 more active)"
    assert lines[1] == "█" * 21 + "░" * 29 + "  42%  Backing up database"  # 50 cells wide at most
    assert lines[2] == (
        "started 2026-11-28 11:55:00 · elapsed 5m 00s · 3.00 GiB sent · 12.5 MiB/s · ETA 6m 54s"
    )
    narrow = progress_content(ProgressView(job, None, None, 1, NOW), 60).plain.splitlines()
    assert narrow[2] == "elapsed 5m 00s · 3.00 GiB sent · rate — · ETA —"  # no start time at 60 columns


def test_progress_when_nothing_runs() -> None:
    finished = parse_job(
        "20261128-100000-1",
        {
            **RUNNING,
            "status": "FAILED",
            "end_time": "2026-11-28T10:01:00.000Z",
            "start_time": "2026-11-28T10:00:00.000Z",
            "duration": 60,
            "error": {"messages": [{"id": "e", "default_message": "No space left on device"}]},
        },
    )
    text = progress_content(ProgressView(None, None, finished, 0, NOW), 120).plain
    assert text.splitlines() == [
        "No backup is running.",
        "Last job: ✖ FAILED  MANUAL  20261128-100000-1",
        "ended 2026-11-28 10:01:00 UTC (1 h ago), took 1m 00s, 3.00 GiB  ·  No space left on device",
    ]
    nothing = progress_content(ProgressView(None, None, None, 0, NOW), 80).plain
    assert nothing.startswith("No backup is running.")
    assert "Waiting" in progress_content(ProgressView(None, None, None, 0, NOW, has_data=False), 80).plain


def test_bar_reads_without_colour() -> None:
    assert bar(50.0, 10) == ("█████", "░░░░░")
    assert bar(None, 4) == ("", "░░░░")
    assert bar(100.0, 4) == ("████", "")


def test_notices_for_the_connection() -> None:
    from backuptui.core.appliance.errors import ApplianceUnreachable, NotAuthorized
    from backuptui.core.watch.monitor import ConnectionState as C
    from backuptui.tui.notices import connection_notices

    down = ApplianceUnreachable("vcsa01", "connection refused [/]")
    lost = connection_notices("vcsa01", C.LIVE, C.UNREACHABLE, down)
    assert [(n.title, n.severity) for n in lost] == [("Lost connection to vcsa01", "warning")]
    assert "connection refused [/]" in lost[0].message and "last data stays" in lost[0].message
    assert connection_notices("vcsa01", C.UNREACHABLE, C.UNREACHABLE, down) == []  # said once
    back = connection_notices("vcsa01", C.ERROR, C.LIVE, None)
    assert [n.title for n in back] == ["Reconnected"]
    assert connection_notices("vcsa01", C.CONNECTING, C.LIVE, None) == []  # the first answer is no news
    denied = connection_notices("vcsa01", C.LIVE, C.NOT_AUTHORIZED, NotAuthorized("vcsa01", "HTTP 403"))
    assert [(n.title, n.severity) for n in denied] == [("Not authorized", "error")]


def test_notices_for_jobs() -> None:
    from backuptui.core.watch.events import JobEvent
    from backuptui.tui.notices import job_notices

    failed = parse_job(
        "20261128-100000-1",
        {**RUNNING, "status": "FAILED", "end_time": "2026-11-28T10:01:00.000Z",
         "error": {"messages": [{"id": "e", "default_message": "No space left on device"}]}},
    )  # fmt: skip
    started = parse_job("20261128-115500-1", RUNNING)
    notices = job_notices([JobEvent("started", started), JobEvent("failed", failed)])
    assert [(n.title, n.severity) for n in notices] == [
        ("Backup started", "information"),
        ("Backup failed", "error"),
    ]
    assert notices[0].message == "A manual backup 20261128-115500-1 started."
    assert notices[1].message == "The manual backup 20261128-100000-1 ended: No space left on device"


def test_progress_shows_the_selected_active_job_else_the_newest_active_one() -> None:
    from backuptui.core.watch.monitor import ConnectionState, Snapshot
    from backuptui.tui.views import empty_list_text, progress_view, status_view

    first = parse_job("20261128-115500-1", RUNNING)
    second = parse_job("20261128-115000-1", {**RUNNING, "start_time": "2026-11-28T11:50:00.000Z"})
    done = parse_job(
        "20261128-100000-1", {**RUNNING, "status": "SUCCEEDED", "end_time": "2026-11-28T10:09:00.000Z"}
    )
    jobs = (first, second, done)
    snapshot = Snapshot(
        appliance="vcsa01",
        base_url="http://127.0.0.1:8080",
        flavor=None,
        verify_tls=False,
        jobs=jobs,
        by_id={job.id: job for job in jobs},
        running=(first, second),
        connection=ConnectionState.LIVE,
        last_success=NOW,
    )
    assert progress_view(snapshot, None, now=NOW).job == first
    assert progress_view(snapshot, second, now=NOW).job == second
    assert progress_view(snapshot, done, now=NOW).job == first
    idle = Snapshot("vcsa01", "https://vcsa01", flavor=None, verify_tls=False, jobs=(done,))
    view = progress_view(idle, done, now=NOW)
    assert view.job is None and view.last_finished == done
    # plain HTTP has nothing to verify; https without verification is flagged
    assert status_view(snapshot, now=NOW).verify_tls is True
    assert status_view(idle, now=NOW).verify_tls is False
    assert empty_list_text(idle, filtered=True) == "No job matches the filter."
    connecting = Snapshot("a", "https://a", None, True)
    assert empty_list_text(connecting, filtered=False) == "Connecting to the appliance…"
