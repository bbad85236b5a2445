"""One funnel for errors: a failed worker, on the app or on a screen, becomes a message the user
sees; a profile whose CA bundle is gone is refused with the reason, by `t` and by switching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import Worker

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import Profile, ProfileStore
from backuptui.core.settings.resolution import ResolutionError
from backuptui.core.settings.secrets import PasswordSource
from backuptui.simulator import Simulator
from backuptui.tui.app import MonitorApp
from backuptui.tui.screens.profiles import ProfileChoice, ProfilePickerScreen
from backuptui.tui.switching import ProfileSession
from tests.test_tui_profiles_switching import monitor_app, save, wait_until


def notes(app: Any) -> list[str]:
    # Textual has no public list of the notifications on screen
    return [notification.message for notification in app._notifications]


async def boom() -> None:
    raise RuntimeError("kaput")


async def test_a_failed_worker_of_any_group_reaches_the_user(simulator: Simulator) -> None:
    app = monitor_app(save("lab", simulator), simulator.password, ProfileSession(ProfileStore()))
    async with app.run_test(size=(120, 40)) as pilot:
        worker: Worker[None] = app.run_worker(boom(), group="schedules", exit_on_error=False)
        await wait_until(pilot, lambda: worker.is_finished, "the worker to fail")
        await wait_until(pilot, lambda: any("kaput" in note for note in notes(app)), "the notification")
        assert any(note.startswith("Loading the backup schedules failed") for note in notes(app))
        await pilot.press("q")


def broken_profile(tmp_path: Path, sim: Simulator) -> Profile:
    return save("broken", sim, ca_bundle=str(tmp_path / "gone.pem"), password_source=PasswordSource.ENV)


async def open_picker(pilot: Pilot[Any], app: MonitorApp) -> ProfilePickerScreen:
    await pilot.press("a")
    await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerScreen), "the picker")
    picker = app.screen
    assert isinstance(picker, ProfilePickerScreen)
    return picker


async def test_testing_a_profile_with_a_broken_ca_bundle_ends_with_the_error(
    simulator: Simulator, tmp_path: Path
) -> None:
    lab = save("lab", simulator, password_source=PasswordSource.ENV)
    broken_profile(tmp_path, simulator)
    session = ProfileSession(ProfileStore(), env={"BACKUPTUI_PASSWORD": simulator.password})
    app = monitor_app(lab, simulator.password, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 50, "lab's jobs")
        picker = await open_picker(pilot, app)
        picker.env = session.env
        await pilot.press("down", "t")
        await wait_until(pilot, lambda: "no such file" in picker.result_text, "the test's verdict")
        assert picker.result_text.startswith("Not tested: profile 'broken'")
        await pilot.press("enter")  # connecting: refused with the same reason, nothing switched
        await wait_until(
            pilot, lambda: picker.result_text.startswith("Not connected: profile 'broken'"), "the refusal"
        )
        assert session.current is not None and session.current.name == "lab"
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0], "the monitor")
        assert app.appliance_name == "lab"
        await pilot.press("q")


async def test_a_switch_to_a_broken_profile_changes_nothing_and_says_why(
    simulator: Simulator, tmp_path: Path
) -> None:
    lab = save("lab", simulator, password_source=PasswordSource.ENV)
    broken = broken_profile(tmp_path, simulator)
    session = ProfileSession(ProfileStore())
    with pytest.raises(ResolutionError):
        session.open(ProfileChoice(broken, Secret("pw"), session.settings))
    assert session.current is None  # unchanged
    app = monitor_app(lab, simulator.password, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 50, "lab's jobs")
        app._switch_appliance(ProfileChoice(broken, Secret("pw"), session.settings))
        await wait_until(pilot, lambda: any("Not switched to broken" in n for n in notes(app)), "the reason")
        assert session.current is not None and session.current.name == "lab"
        assert app.appliance_name == "lab" and simulator.stats()["logouts"] == 0
        await pilot.press("q")
