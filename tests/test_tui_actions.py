"""Back up now and cancel in the monitor, against the real simulator: the confirmation, the
comment, the job followed at once, cancel with its confirmation and the appliance's answer, each
refusal worded, and read-only removing both actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pilot_waits import wait_until
from screen_text import screen_text
from test_tui_app import SLOW, wait_for_jobs
from textual.pilot import Pilot
from textual.widgets import Input, Static

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.failure_cause import is_failure
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.monitor import Monitor
from backuptui.simulator import Simulator
from backuptui.tui import acting
from backuptui.tui.app import MonitorApp
from backuptui.tui.screens.confirm_backup import ConfirmBackupScreen
from backuptui.tui.screens.confirm_cancel import ConfirmCancelScreen
from backuptui.tui.widgets.job_detail import JobDetail
from backuptui.tui.widgets.live_progress import LiveProgress
from backuptui.tui.widgets.status_line import StatusLine

READER = "reader@vsphere.local"


def make_app(sim: Simulator, user: str | None = None, **kw: Any) -> MonitorApp:
    client = ApplianceClient(sim.url, user or sim.user, Secret(sim.password))
    return MonitorApp(Monitor(client, SLOW), user=user or sim.user, **kw)


def notifications(app: MonitorApp) -> list[str]:
    return [notification.message for notification in app._notifications]


@pytest.fixture(autouse=True)
def _local_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(acting, "local_user", lambda: "tester")


async def open_confirmation(pilot: Pilot[Any]) -> ConfirmBackupScreen:
    app = pilot.app
    assert isinstance(app, MonitorApp)
    await wait_for_jobs(pilot)
    await wait_until(pilot, lambda: app.health.schedules is not None, "the schedules")
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmBackupScreen), "the confirmation")
    screen = app.screen
    assert isinstance(screen, ConfirmBackupScreen)
    return screen


def problem_text(screen: Any, selector: str = "#backup-problem") -> str:
    return str(screen.query_one(selector, Static).render())


async def test_back_up_now_confirms_with_a_comment_and_follows_the_new_job(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_confirmation(pilot)
        await wait_until(pilot, lambda: "1.8 GB" in problem_text(screen, "#backup-parts"), "the part sizes")
        text = screen_text(app)
        assert "Back up" in text and "sftp://192.0.2.10/backups/vcsa01" in text and "backupuser" in text
        assert "Inventory and configuration (1.8 GB)" in text
        comment = screen.query_one("#backup-comment", Input)
        assert comment.value == "backuptui: manual backup by tester"
        await pilot.press("enter")  # Enter is no confirmation
        await pilot.pause()
        assert isinstance(app.screen, ConfirmBackupScreen) and simulator.jobs.running is None
        assert "Enter does not start" in problem_text(screen, "#backup-hint")
        comment.value = "before the upgrade"
        await pilot.click("#backup-start")
        await wait_until(pilot, lambda: simulator.jobs.running is not None, "the backup to start")
        new = simulator.jobs.running
        assert new is not None
        await wait_until(
            pilot,
            lambda: any(new in message and "started" in message for message in notifications(app)),
            "the start said (a short toast)",
        )
        assert not isinstance(app.screen, ConfirmBackupScreen)
        job_list = app.main_screen.job_list
        await wait_until(pilot, lambda: job_list.selected_id == new, "the new job selected in the list")
        assert new in str(app.query_one(LiveProgress).render())  # the live widget follows it


async def test_a_running_backup_is_named_and_the_comment_kept(
    simulator_factory: Callable[..., Simulator],
) -> None:
    simulator = simulator_factory(jobs=5, running_at_start=True)
    running = simulator.jobs.running
    app = make_app(simulator)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_confirmation(pilot)
        await pilot.press("end", *"!")  # the comment edited
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "already running" in problem_text(screen), "the refusal")
        assert f"job {running}" in problem_text(screen)
        assert "selected in the list" in problem_text(screen)  # and offered to open
        assert screen.query_one("#backup-comment", Input).value.endswith("tester!")
        assert simulator.jobs.running == running
        await pilot.press("escape")
        assert app.main_screen.job_list.selected_id == running  # the running one, shown


@pytest.mark.parametrize(
    ("setup", "said"),
    [
        ("not-allowed", "not allowed in the appliance's current state (Backup is not allowed now: upgrading"),
        ("no-schedule", "no backup schedule 'default'"),
        ("reader", "SystemConfiguration.Administrators"),
    ],
)
async def test_each_refusal_is_worded(
    simulator_factory: Callable[..., Simulator], setup: str, said: str
) -> None:
    simulator = simulator_factory(jobs=5, readonly_user=READER)
    user = simulator.user
    if setup == "not-allowed":
        simulator.actions_not_allowed = "upgrading"
    elif setup == "no-schedule":
        simulator.schedule = None
    else:
        user = READER
    app = make_app(simulator, user=user)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_confirmation(pilot)
        if setup == "no-schedule":
            assert "the appliance has no backup schedule" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: said in problem_text(screen), f"the refusal saying {said!r}")
        assert isinstance(app.screen, ConfirmBackupScreen)  # open, to correct and send again
        assert simulator.jobs.running is None


async def test_cancel_asks_names_the_job_and_shows_the_answer(
    simulator_factory: Callable[..., Simulator],
) -> None:
    simulator = simulator_factory(jobs=5, running_at_start=True)
    running = simulator.jobs.running
    assert running is not None
    app = make_app(simulator)
    async with app.run_test(size=(100, 32)) as pilot:
        job_list = await wait_for_jobs(pilot)
        assert job_list.selected_id == running
        await pilot.press("c")
        await wait_until(
            pilot, lambda: isinstance(app.screen, ConfirmCancelScreen), "the cancel confirmation"
        )
        text = screen_text(app)
        assert f"Cancel backup {running}" in text and "%" in text
        await pilot.press("enter")  # the focus is on "Keep it running"
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmCancelScreen), "kept")
        assert simulator.jobs.running == running
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmCancelScreen), "asked again")
        await pilot.click("#cancel-confirm")
        await wait_until(pilot, lambda: simulator.jobs.running is None, "the job canceled")
        await wait_until(
            pilot, lambda: any("OK: Backup job canceled" in m for m in notifications(app)), "the answer shown"
        )
        await wait_until(
            pilot, lambda: job_list.selected_job is not None and job_list.selected_job.is_finished, "its end"
        )
        assert not app.main_screen.check_action("cancel_job", ())  # nothing left to cancel
        # a user's cancel is no failure: the list says CANCELED, the verdict WARNING (not CRITICAL)
        await wait_until(pilot, lambda: "⊘ CANCELED" in screen_text(app), "the list says CANCELED")
        await wait_until(pilot, lambda: "▲ backup WARNING" in screen_text(app), "the verdict WARNING")
        row = next(line for line in screen_text(app).splitlines() if line.startswith("⊘ CANCELED"))
        assert "MANUAL" in row  # the canceled job's row in the list, not only the progress widget
        # the status line counts it apart from the failures, the detail pane says CANCELED
        status = app.query_one(StatusLine)
        await wait_until(pilot, lambda: "1 canceled" in status.shown_text, "the status line's count")
        failed = sum(1 for job in app.monitor.snapshot.jobs if is_failure(job))
        assert f"{failed} failed, 1 canceled" in status.shown_text
        detail = "\n".join(line.plain for line in app.query_one(JobDetail).lines())
        assert "⊘ CANCELED  (FAILED on the appliance)" in detail and "Why it failed" not in detail
        assert "canceled by the user.  [CANCELED]" in detail  # the error's text, kept
        assert "Canceled       at " in screen_text(app)


async def test_cancel_is_not_offered_on_a_finished_job(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for_jobs(pilot)
        assert "Cancel" not in screen_text(app).splitlines()[-1]
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmCancelScreen)


async def test_read_only_removes_both_actions(simulator_factory: Callable[..., Simulator]) -> None:
    simulator = simulator_factory(jobs=5, running_at_start=True)
    app = make_app(simulator, read_only="--read-only")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_jobs(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Backup" not in footer and "Cancel" not in footer
        assert "read-only" in screen_text(app).splitlines()[0]
        for key in ("b", "c"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.main_screen
        titles = [command.title for command in app.get_system_commands(app.main_screen)]
        assert "Back up now" not in titles and "Cancel backup" not in titles
        assert "Refresh now" in titles
        app.backup_now()  # a call that still arrives is refused, saying where read-only was set
        await pilot.pause()
        assert app.screen is app.main_screen
        assert any("set by --read-only" in message for message in notifications(app))
    plain = make_app(simulator)
    async with plain.run_test(size=(120, 40)) as pilot:
        await wait_for_jobs(pilot)
        titles = [command.title for command in plain.get_system_commands(plain.main_screen)]
        assert "Back up now" in titles and "Cancel backup" in titles
        assert "b Backup" in screen_text(plain).splitlines()[-1]
