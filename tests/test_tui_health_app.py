"""The monitor app shows the same backup health verdict as `backuptui check`, for every simulator
scenario: in the status line, and explained on `h`; `t` and `e` from the job list."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pilot_waits import wait_until
from screen_text import screen_text
from textual.widgets import Input, TabbedContent

from backuptui.cli import build_parser
from backuptui.commands import check
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.health import HealthThresholds
from backuptui.core.watch.monitor import Monitor, RefreshSettings
from backuptui.simulator import Simulator
from backuptui.tui.app import MonitorApp
from backuptui.tui.screens.export import ExportScreen
from backuptui.tui.screens.health import TAB_HEALTH, TAB_TREND, HealthScreen
from backuptui.tui.widgets.status_line import StatusLine

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SLOW = RefreshSettings(idle=3600.0, running=3600.0, backoff_initial=3600.0, backoff_max=3600.0)

LEVELS = {
    "healthy": "✔ backup OK",
    "latest-failed": "✖ backup CRITICAL",
    "stale": "✖ backup CRITICAL",
    "missed-schedule": "▲ backup WARNING",
    "not-configured": "✖ backup CRITICAL",
    "schedule-disabled": "▲ backup WARNING",
}


def make_app(sim: Simulator) -> MonitorApp:
    client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
    return MonitorApp(Monitor(client, SLOW, clock=lambda: NOW), user=sim.user, clock=lambda: NOW)


def check_summary(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """What `backuptui check` says about the same appliance at the same moment."""
    monkeypatch.setenv("BACKUPTUI_PASSWORD", sim.password)
    args = build_parser().parse_args(["check", "--url", sim.url, "--user", sim.user])
    verdict = asyncio.run(check.collect(args, HealthThresholds(), UTC, clock=lambda: NOW))
    return verdict.summary


@pytest.mark.parametrize("scenario", sorted(LEVELS))
def test_same_verdict_as_check(
    scenario: str, simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = simulator_factory(scenario=scenario, clock=lambda: NOW)
    expected = check_summary(sim, monkeypatch)

    async def scenario_run() -> None:
        app = make_app(sim)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_until(pilot, lambda: app.health.fetched_at is not None, "the schedules")
            status = app.query_one(StatusLine)
            await wait_until(
                pilot, lambda: LEVELS[scenario] in status.text, f"{LEVELS[scenario]!r} in the status line"
            )
            await pilot.press("h")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, HealthScreen)
            await wait_until(pilot, lambda: screen.verdict is not None, "the verdict")
            assert screen.verdict is not None
            assert screen.verdict.summary == expected
            first_reason = expected.split("; ")[0]
            assert first_reason[:60] in screen_text(app).replace("\n", " ") or first_reason[
                :40
            ] in screen_text(app)

    asyncio.run(scenario_run())


async def test_keys_from_the_job_list(
    simulator_factory: Callable[..., Simulator], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sim = simulator_factory(scenario="latest-failed", clock=lambda: NOW, jobs=40)
    app = make_app(sim)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 40, "the jobs")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, HealthScreen)
        assert app.screen.query_one(TabbedContent).active == TAB_TREND
        await pilot.press("h")
        assert app.screen.query_one(TabbedContent).active == TAB_HEALTH
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HealthScreen)

        # export the filtered list from the job list
        await pilot.press("slash", *"status:failed", "enter")
        await pilot.pause()
        shown = len(app.main_screen.job_list.jobs)
        assert 0 < shown < 40
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one(Input).value = "failed.json"
        await pilot.press("enter")
        await pilot.pause()
        document = json.loads((tmp_path / "failed.json").read_text())
        assert len(document["jobs"]) == shown
        assert document["filter"] == {"query": "status:failed"}
        assert all(job["status"] == "FAILED" for job in document["jobs"])
        assert any(str(tmp_path / "failed.json") in n.message for n in app._notifications)
        assert sim.password not in (tmp_path / "failed.json").read_text()


async def test_no_verdict_before_data(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(scenario="healthy", clock=lambda: NOW)
    url = sim.url
    sim.stop()
    client = ApplianceClient(url, "administrator@vsphere.local", Secret("x"))
    app = MonitorApp(Monitor(client, SLOW, clock=lambda: NOW), clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.query_one(StatusLine)
        await wait_until(pilot, lambda: "unreachable" in status.text, "unreachable")
        assert "backup" not in status.text  # no verdict without data
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HealthScreen)
        assert "? UNKNOWN" in screen_text(app)


async def test_unknown_once_the_appliance_stops_answering(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(scenario="healthy", clock=lambda: NOW)
    app = make_app(sim)
    async with app.run_test(size=(160, 40)) as pilot:
        status = app.query_one(StatusLine)
        await wait_until(pilot, lambda: "✔ backup OK" in status.text, "backup OK")
        sim.stop()
        await pilot.press("r")
        await wait_until(pilot, lambda: "? backup UNKNOWN" in status.text, "backup UNKNOWN (as check says)")
