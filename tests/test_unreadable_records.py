"""A record that does not parse shows as a row of its own, names the field, and is mentioned."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from screen_text import screen_text

from backuptui.cli import build_parser
from backuptui.commands import check, status
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.appliance.unreadable import UNREADABLE
from backuptui.core.export import history_to_csv, history_to_json
from backuptui.core.watch.monitor import Monitor
from backuptui.simulator import Simulator
from backuptui.tui.app import MonitorApp
from backuptui.tui.widgets.job_detail import job_fields

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """Five records, the second newest with `size` as text."""
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return simulator_factory(jobs=5, seed=4, unreadable=1, clock=lambda: NOW)


def test_the_snapshot_has_a_row_for_it_that_names_the_field(sim: Simulator) -> None:
    async def poll():  # type: ignore[no-untyped-def]
        monitor = Monitor(ApplianceClient(sim.url, sim.user, Secret(sim.password)))
        try:
            return await monitor.poll()
        finally:
            await monitor.close()

    snapshot = asyncio.run(poll())
    assert len(snapshot.jobs) == 4 and len(snapshot.rows) == 5
    (row,) = [job for job in snapshot.rows if job.status == UNREADABLE]
    assert row.id == snapshot.problems[0].record_id
    fields = dict(job_fields(row))
    assert fields["Field"] == "size"
    assert fields["Problem"].startswith("expected an integer, got a string ('")
    assert row.problem is not None and "field 'size'" in row.problem
    # never exported as if it were a record
    assert row.id not in history_to_json(snapshot.rows, appliance="x")
    assert row.id not in history_to_csv(snapshot.rows)


async def test_the_monitor_lists_it_and_the_status_line_counts_it(sim: Simulator) -> None:
    client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
    app = MonitorApp(Monitor(client))
    async with app.run_test(size=(80, 24)) as pilot:
        while app.snapshot.last_success is None:
            await pilot.pause(0.05)
        await pilot.pause()
        text = screen_text(app)
        assert "4 jobs, 0 running, " in text and "1 unreadable" in text
        (bad,) = app.snapshot.problems
        (row,) = [line for line in text.splitlines() if line.startswith("UNREADABLE")]
        assert bad.record_id[:20] in row  # the row: the word and the record's id (cut at 80 columns)
        assert app.main_screen.job_list.total_count == 5


def test_status_and_check_mention_it(sim: Simulator) -> None:
    args = build_parser().parse_args(["status", "--url", sim.url, "--user", sim.user])
    out, err = io.StringIO(), io.StringIO()
    assert status.run(args, out=out, err=err) == 0
    lines = out.getvalue().splitlines()
    (index,) = [i for i, line in enumerate(lines) if "UNREADABLE" in line]
    assert lines[index].split()[:2] == ["—", "UNREADABLE"]
    assert lines[index + 1].startswith("    ↳ the record could not be read: field 'size': expected an")
    assert "a record could not be read" in err.getvalue()

    args = build_parser().parse_args(["check", "--url", sim.url, "--user", sim.user])
    out = io.StringIO()
    check.run(args, out=out, clock=lambda: NOW)
    assert "1 job record could not be read (first: job " in out.getvalue()
    assert "field 'size'" in out.getvalue()
