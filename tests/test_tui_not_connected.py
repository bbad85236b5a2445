"""While the appliance does not answer, the monitor says why and acts on nothing.

The area above the list says what is wrong and what backuptui does ("Cannot reach … / Retrying in
12 s."), not "Waiting for the first answer"; Back up now and Cancel leave the footer and the
palette (the keys say at once why they cannot act) until a poll answers: also in the cached
(history) view, whose running job is only a memory until the appliance confirms it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from e2e_helpers import free_port
from pilot_waits import wait_until
from screen_text import screen_text
from test_tui_app import SLOW
from test_tui_history import Bench, bench  # noqa: F401 (the fixture)

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import ApplianceUnreachable, AuthenticationFailed
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.monitor import ConnectionState, Monitor, Snapshot
from backuptui.simulator import Simulator, SimulatorConfig
from backuptui.tui.app import MonitorApp
from backuptui.tui.views import connection_problem, progress_view
from backuptui.tui.widgets.live_progress import LiveProgress, progress_content
from backuptui.tui.widgets.status_line import StatusLine

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
REFUSED = ApplianceUnreachable("vcsa01", "connection refused on port 443", "Check the port")


def snapshot(state: ConnectionState, error: Any = None, retry_in: float | None = None) -> Snapshot:
    retry_at = NOW + timedelta(seconds=retry_in) if retry_in is not None else None
    return Snapshot(
        appliance="vcsa01",
        base_url="https://vcsa01",
        flavor=None,
        verify_tls=True,
        connection=state,
        error=error,
        retry_at=retry_at,
    )


def test_the_problem_says_what_is_wrong_and_what_backuptui_does() -> None:
    unreachable = snapshot(ConnectionState.UNREACHABLE, REFUSED, retry_in=11.5)
    assert connection_problem(unreachable, now=NOW) == (
        "Cannot reach vcsa01: connection refused on port 443",
        "retrying in 12 s",  # the status line's countdown, in its words
    )
    refused = AuthenticationFailed("vcsa01", "the appliance refused the login of 'bob' (HTTP 401)")
    what, doing = connection_problem(snapshot(ConnectionState.AUTH_FAILED, refused), now=NOW) or ("", "")
    assert what.startswith("Not logged in to vcsa01: the appliance refused") and "never retried" in doing
    assert connection_problem(snapshot(ConnectionState.CONNECTING), now=NOW, name="lab") == (
        "Waiting for the first answer from lab…",
        "",
    )
    assert connection_problem(snapshot(ConnectionState.LIVE), now=NOW) is None


def test_the_progress_area_says_it_before_any_data() -> None:
    unreachable = snapshot(ConnectionState.UNREACHABLE, REFUSED, retry_in=20)
    text = progress_content(progress_view(unreachable, None, now=NOW, live=unreachable), 80).plain
    assert text == "Cannot reach vcsa01: connection refused on port 443\nRetrying in 20 s."
    assert "Waiting" not in text


def footer(app: MonitorApp) -> str:
    return screen_text(app).splitlines()[-1]


def palette(app: MonitorApp) -> list[str]:
    return [command.title for command in app.get_system_commands(app.main_screen)]


def messages(app: MonitorApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_unreachable_says_why_offers_no_action_and_offers_it_once_it_answers() -> None:
    port = free_port()
    client = ApplianceClient(f"http://127.0.0.1:{port}", "administrator@vsphere.local", Secret("VMware1!"))
    app = MonitorApp(Monitor(client, SLOW), user="administrator@vsphere.local")
    sim: Simulator | None = None
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(
                pilot, lambda: app.snapshot.connection is ConnectionState.UNREACHABLE, "unreachable"
            )
            await pilot.pause()
            progress = str(app.main_screen.query_one(LiveProgress).render())
            status = str(app.main_screen.query_one(StatusLine).render())
            assert progress.startswith(f"Cannot reach 127.0.0.1:{port}: connection refused")
            assert "Waiting for the first answer" not in screen_text(app)
            # one countdown, said the same way by the status line and the area above the list
            assert re.search(r"retrying in \d+ s", status) and re.search(r"Retrying in \d+ s\.", progress)
            assert "Backup" not in footer(app) and "Cancel" not in footer(app)
            assert "Back up now" not in palette(app) and "Cancel backup" not in palette(app)
            await pilot.press("b")  # the key says at once why it cannot act
            await wait_until(pilot, lambda: any("Backups can be started" in m for m in messages(app)), "why")
            said = next(m for m in messages(app) if "Backups can be started" in m)
            assert (
                said.startswith(f"Cannot reach 127.0.0.1:{port}: connection refused") and "retrying" in said
            )
            assert app.screen is app.main_screen  # no confirmation opened

            sim = Simulator(SimulatorConfig(jobs=5, port=port)).start()
            await pilot.press("r")
            await wait_until(pilot, lambda: app.snapshot.connection is ConnectionState.LIVE, "the answer")
            await wait_until(pilot, lambda: "b Backup" in footer(app), "Backup offered again")
            assert "Back up now" in palette(app)
    finally:
        if sim is not None:
            sim.stop()


async def test_the_cached_view_offers_no_cancel_until_the_poll_confirms(bench: Bench) -> None:  # noqa: F811
    sim = bench.simulator(10, running_at_start=True)
    await bench.first_session(sim)  # the history holds a running job
    app = bench.app(bench.monitor(sim))  # poll=False: the cached state stays until we poll
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        job_list = app.main_screen.job_list
        assert app.snapshot.cached_at is not None
        assert job_list.selected_job is not None and job_list.selected_job.is_running  # cached
        assert "Cancel" not in footer(app) and "Backup" not in footer(app)
        assert "Cancel backup" not in palette(app)
        await pilot.press("c")
        await wait_until(pilot, lambda: any("has not answered yet" in m for m in messages(app)), "why")
        assert app.screen is app.main_screen
        app.apply_snapshot(await app.monitor.poll())  # the appliance confirms: the job still runs
        await wait_until(pilot, lambda: "c Cancel" in footer(app), "Cancel offered")
        assert "Cancel backup" in palette(app) and "b Backup" in footer(app)


async def test_the_picker_marks_the_watched_profile_with_its_real_state() -> None:
    from backuptui.core.settings.profiles import Profile, ProfileStore
    from backuptui.tui.screens.profiles import ProfilePickerScreen
    from backuptui.tui.switching import ProfileSession

    port = free_port()
    profile = Profile("lab", f"http://127.0.0.1:{port}", "administrator@vsphere.local")
    store = ProfileStore()
    store.add_profile(profile)
    client = ApplianceClient(profile.url, profile.username, Secret("VMware1!"))
    session = ProfileSession(store, current=profile)
    app = MonitorApp(Monitor(client, SLOW), user=profile.username, appliance_name="lab", profiles=session)
    sim: Simulator | None = None
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(
                pilot, lambda: app.snapshot.connection is ConnectionState.UNREACHABLE, "unreachable"
            )
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerScreen), "the picker")
            await pilot.pause()
            assert "Appliance profiles (● unreachable, * default)" in screen_text(app)
            assert "connected" not in screen_text(app).splitlines()[0]
            sim = Simulator(SimulatorConfig(jobs=5, port=port)).start()
            app.action_refresh()  # the picker is open: the app polls on, and the title follows
            await wait_until(pilot, lambda: "(● connected, * default)" in screen_text(app), "connected")
    finally:
        if sim is not None:
            sim.stop()
