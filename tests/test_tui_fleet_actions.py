"""Back up now from the fleet: a member opened from its row offers the same confirmation, starts
the backup on that appliance only, and follows it; a read-only member offers neither action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pilot_waits import wait_until
from screen_text import screen_text
from test_tui_fleet_app import resolution

from backuptui.core.watch.fleet_row import MemberState
from backuptui.simulator import Simulator
from backuptui.tui.fleet_app import fleet_app
from backuptui.tui.screens.confirm_backup import ConfirmBackupScreen
from backuptui.tui.screens.member import MemberScreen

Factory = Callable[..., Simulator]


async def test_back_up_now_on_a_fleet_member(simulator_factory: Factory) -> None:
    sims = [simulator_factory(scenario="healthy", seed=i, jobs=20) for i in range(2)]
    app = fleet_app({f"vcsa-{i}": resolution(sim, f"vcsa-{i}") for i, sim in enumerate(sims)})
    async with app.run_test(size=(120, 40)) as pilot:
        fleet = app.fleet
        await wait_until(
            pilot, lambda: all(row.state is MemberState.LIVE for row in fleet.rows()), "all live"
        )
        await pilot.press("j")
        chosen = app.fleet_screen.selected
        sim = sims[int(str(chosen)[-1])]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MemberScreen), "the member opened")
        member = app.screen
        assert isinstance(member, MemberScreen)
        await wait_until(pilot, lambda: member.job_list.total_count >= 20, "its history")
        assert "b Backup" in screen_text(app).splitlines()[-1]
        await wait_until(pilot, lambda: member.member_watch.health.schedules is not None, "its schedules")
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmBackupScreen), "the confirmation")
        assert f"Back up {chosen} now?" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: sim.jobs.running is not None, "the backup on that appliance")
        assert all(other.jobs.running is None for other in sims if other is not sim)
        started = sim.jobs.running
        await wait_until(pilot, lambda: member.job_list.selected_id == started, "the new job followed")


async def test_a_read_only_member_offers_neither(simulator_factory: Factory) -> None:
    sim = simulator_factory(scenario="healthy", jobs=5, running_at_start=True)
    watched = replace(resolution(sim, "mon"), read_only="read_only = true in profile 'mon'")
    app = fleet_app({"mon": watched})
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.fleet.rows()[0].state is MemberState.LIVE, "live")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MemberScreen), "the member opened")
        member = app.screen
        assert isinstance(member, MemberScreen)
        await wait_until(pilot, lambda: member.job_list.total_count >= 5, "its history")
        footer = screen_text(app).splitlines()[-1]
        assert "Backup" not in footer and "Cancel" not in footer
        assert "read-only" in screen_text(app).splitlines()[0]
        await pilot.press("b")
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is member and sim.jobs.running is not None  # nothing opened, nothing canceled
