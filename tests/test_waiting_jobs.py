"""PENDING and BLOCKED jobs counted by their own names, and a warning when one waits too long."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from backuptui.cli import build_parser
from backuptui.commands import check, status
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import BackupJob, JobStatus
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.health import WAITING, HealthLevel, HealthThresholds
from backuptui.core.watch.health_rules import evaluate_health
from backuptui.core.watch.monitor import Monitor
from backuptui.simulator import Simulator
from backuptui.tui.views import status_view
from backuptui.tui.widgets.status_line import status_content

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """A history whose newest jobs are one PENDING (40 min) and one BLOCKED (50 min), nothing running."""
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return simulator_factory(jobs=20, seed=2, variety=True, clock=lambda: NOW)


async def _jobs(sim: Simulator) -> tuple[BackupJob, ...]:
    async with ApplianceClient(sim.url, sim.user, Secret(sim.password)) as client:
        return (await client.list_job_details()).jobs


def test_the_status_line_counts_each_state_by_its_name(sim: Simulator) -> None:
    async def one_poll() -> str:
        monitor = Monitor(ApplianceClient(sim.url, sim.user, Secret(sim.password)), clock=lambda: NOW)
        try:
            snapshot = await monitor.poll()
        finally:
            await monitor.close()
        assert dict(snapshot.active_counts) == {
            JobStatus.RUNNING: 0,
            JobStatus.PENDING: 1,
            JobStatus.BLOCKED: 1,
        }
        return status_content(status_view(snapshot, now=NOW)).plain

    text = asyncio.run(one_poll())
    assert "0 running, 1 pending, 1 blocked, " in text
    assert "2 running" not in text


def test_waiting_longer_than_the_limit_is_a_warning_that_names_the_limit(sim: Simulator) -> None:
    jobs = asyncio.run(_jobs(sim))
    verdict = evaluate_health(jobs, None, now=NOW)
    waiting = [finding for finding in verdict.reasons if finding.code == WAITING]
    assert [finding.level for finding in waiting] == [HealthLevel.WARNING, HealthLevel.WARNING]
    assert waiting[0].text.startswith("backup PENDING for 40 min since 2026-11-28 11:20 UTC")
    assert waiting[0].text.endswith("longer than 30m")
    assert "backup BLOCKED for 50 min" in waiting[1].text
    assert verdict.level is HealthLevel.WARNING
    # within the limit: no warning
    relaxed = evaluate_health(
        jobs, None, now=NOW, thresholds=HealthThresholds(waiting_limit=timedelta(hours=1))
    )
    assert all(finding.code != WAITING for finding in relaxed.reasons)
    with pytest.raises(ValueError, match="waiting limit"):
        HealthThresholds(waiting_limit=timedelta(0))


def test_check_takes_the_limit_as_an_option(sim: Simulator) -> None:
    def run(*extra: str) -> tuple[int, str]:
        args = build_parser().parse_args(["check", "--url", sim.url, "--user", sim.user, *extra])
        out = io.StringIO()
        return check.run(args, out=out, clock=lambda: NOW), out.getvalue()

    code, out = run()
    assert code == 1 and "backup BLOCKED for 50 min since 2026-11-28 11:10 UTC, longer than 30m" in out
    code, out = run("--max-wait", "1h")
    assert code == 0 and "BLOCKED" not in out


def test_status_shows_no_duration_for_a_waiting_job_and_no_empty_notes(sim: Simulator) -> None:
    args = build_parser().parse_args(["status", "--url", sim.url, "--user", sim.user, "--limit", "3"])
    out = io.StringIO()
    assert status.run(args, out=out, err=io.StringIO()) == 0
    # the table's clock is the real one; the simulator's is NOW: compute with render_table instead
    jobs = asyncio.run(_jobs(sim))
    lines = status.render_table(jobs[:3], now=NOW).splitlines()
    pending, pending_note, blocked, blocked_note = lines[1:5]
    assert pending.split()[:2] == ["—", "PENDING"] and pending.split()[3] == "—"
    assert pending_note == "    ↳ pending for 40m 00s: Waiting for another operation"
    assert blocked.split()[2:5] == ["BLOCKED", "manual", "—"]  # no "50m 02s" duration
    assert blocked_note == "    ↳ blocked for 50m 00s: Waiting for another operation"
    assert not any(line.strip() in ("↳ —", "↳") for line in out.getvalue().splitlines())


def test_the_health_panel_names_a_pending_job_pending(sim: Simulator) -> None:
    from backuptui.tui.screens.health import facts_content

    jobs = asyncio.run(_jobs(sim))
    facts = facts_content(evaluate_health(jobs, None, now=NOW), NOW).plain
    assert "Pending        20261128-112000-" in facts and " since 2026-11-28 11:20 UTC" in facts
    assert "Running" not in facts
