"""The fleet app with the local history (Pilot, real simulators): a row paints from the stored
state at once, marked cached, while the appliance holds its first answer (a latency fault), and
turns live when it answers; every poll is recorded; an opened appliance shows the stored jobs it
no longer lists, marked; "since you last looked" is a marker per row (x dismisses it) and the whole
digest in the opened appliance. Waits on rows and the fleet's counts, never on time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pilot_waits import wait_until
from test_tui_fleet_app import cell, resolution
from textual.widgets import Static

from backuptui.core.store import HistoryStore, HistoryWriter, Identity
from backuptui.core.store.fleet_history import FleetHistory
from backuptui.core.watch.fleet import Fleet
from backuptui.core.watch.fleet_row import MemberState
from backuptui.simulator import Simulator
from backuptui.tui.fleet_app import FleetApp, fleet_app
from backuptui.tui.screens.member import MemberScreen
from backuptui.tui.widgets.digest_panel import DigestPanel

Factory = Callable[..., Simulator]


def app_over(sim: Simulator, path: Path) -> FleetApp:
    writer = HistoryWriter(HistoryStore.open(path))
    return fleet_app({"vcsa": resolution(sim, "vcsa")}, history=FleetHistory(writer))


async def test_rows_paint_from_the_history_until_the_first_poll_answers(
    simulator_factory: Factory, tmp_path: Path
) -> None:
    sim = simulator_factory(scenario="latest-failed", jobs=30)
    path = tmp_path / "history.sqlite3"
    first = app_over(sim, path)
    async with first.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: first.fleet.row("vcsa").state is MemberState.LIVE, "live")
        assert cell(first, "vcsa", "state") == "live"
        await pilot.press("q")
        await wait_until(pilot, lambda: first.memory.history is None, "the history closed")
    stored = HistoryStore.open(path)
    cached = stored.load(Identity.of("vcsa", sim.url))
    stored.close()
    assert cached is not None and len(cached.jobs) == 30 and cached.last_session_end is not None

    sim.set_fault(latency=3)  # the appliance holds its first answer
    second = app_over(sim, path)
    async with second.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: cell(second, "vcsa", "state").startswith("cached"), "cached row")
        member = second.fleet.member("vcsa")
        assert member.polls == 0
        assert cell(second, "vcsa", "state") == "cached <1 min"
        assert cell(second, "vcsa", "latest").endswith("FAILED")
        assert cell(second, "vcsa", "verdict").endswith("CRITICAL")
        detail = second.fleet_screen.query_one("#fleet-detail", Static)
        assert "cached, <1 min old" in str(detail.render())
        await wait_until(pilot, lambda: cell(second, "vcsa", "state") == "live", "the first answer")
        assert member.polls >= 1 and second.fleet.row("vcsa").cached_at is None
        await pilot.press("q")


async def test_an_opened_appliance_shows_the_stored_jobs_it_no_longer_lists(
    simulator_factory: Factory, tmp_path: Path
) -> None:
    sim = simulator_factory(scenario="healthy", jobs=20)
    path = tmp_path / "history.sqlite3"
    first = app_over(sim, path)
    async with first.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: first.fleet.row("vcsa").state is MemberState.LIVE, "live")
        snapshot = first.fleet.member("vcsa").snapshot
        assert snapshot is not None
        await pilot.press("q")
        await wait_until(pilot, lambda: first.memory.history is None, "the history closed")
    # a job the appliance dropped since: in the store, not on the appliance
    oldest = snapshot.jobs[-1]
    dropped = replace(oldest, id=oldest.id[:-3] + "999")
    store = HistoryStore.open(path)
    store.record_poll(Identity.of("vcsa", sim.url), replace(snapshot, jobs=(*snapshot.jobs, dropped)))
    store.close()

    second = app_over(sim, path)
    async with second.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: second.fleet.row("vcsa").state is MemberState.LIVE, "live")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(second.screen, MemberScreen), "the member screen")
        screen = second.screen
        assert isinstance(screen, MemberScreen)

        def marked() -> bool:
            job = screen.member_watch.snapshot.by_id.get(dropped.id)
            return job is not None and job.gone

        await wait_until(pilot, marked, "the dropped job, marked gone")
        await pilot.press("q")


async def seed(sim: Simulator, path: Path, ended: datetime) -> None:
    """One earlier session of the fleet core on `sim` that ended at `ended`."""
    fleet = Fleet({"vcsa": resolution(sim, "vcsa")})
    history = FleetHistory(HistoryWriter(HistoryStore.open(path)))
    history.attach(fleet, history.load(fleet))
    fleet.start()
    deadline = time.monotonic() + 30
    while fleet.member("vcsa").polls < 1 and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    await fleet.close()
    history.close(ended)


async def test_since_last_looked_per_row_dismissed_with_x_and_whole_when_opened(
    simulator_factory: Factory, tmp_path: Path
) -> None:
    sim = simulator_factory(scenario="latest-failed", jobs=30)
    path = tmp_path / "history.sqlite3"
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    await seed(sim, path, three_days_ago)
    app = app_over(sim, path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: cell(app, "vcsa", "cause").startswith("since last: "), "marker")
        assert cell(app, "vcsa", "cause").startswith("since last: 1 failed")
        detail = app.fleet_screen.query_one("#fleet-detail", Static)
        assert "Since you last looked" in str(detail.render())
        await pilot.press("x")
        await wait_until(pilot, lambda: not cell(app, "vcsa", "cause").startswith("since"), "dismissed")
        await pilot.press("q")

    path = tmp_path / "another.sqlite3"  # (the session above ended now)
    await seed(sim, path, three_days_ago)
    app = app_over(sim, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: cell(app, "vcsa", "cause_state").startswith("since last"), "marker")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MemberScreen), "the member screen")
        panel = app.screen.query_one(DigestPanel)
        await wait_until(pilot, lambda: panel.has_class("-shown"), "the whole digest")
        assert "1 failed" in str(panel.render())
        assert app.memory.since_last("vcsa") is None  # seen: the row's marker went
        await pilot.press("x")
        await wait_until(pilot, lambda: not panel.has_class("-shown"), "the digest dismissed")
        await pilot.press("q")
