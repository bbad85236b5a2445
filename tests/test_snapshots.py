"""SVG snapshots of the monitor in the states that matter, at 80x24 and 120x40.

Deterministic by construction: one fixed clock drives the simulator, the monitor and the app;
the simulator's history has a fixed seed; the monitor's jitter has a fixed seed; local time is
UTC (conftest); and the client talks to the simulator through a transport that rewrites the
fixed name `vcsa01.example.com` to the simulator's loopback port, so no random port appears on
screen. Everything else is the real thing: real HTTP, the real client, monitor and app.

`screenshots/make.py` builds the same states to produce the README's screenshots.

Run `pytest tests/test_snapshots.py --snapshot-update` after a deliberate change of the look,
inspect the SVGs under `tests/__snapshots__/test_snapshots/`, and commit them.
Snapshot tests are plain `def` tests (snap_compare runs its own event loop).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pilot_waits import wait_until
from textual.pilot import Pilot
from textual.widgets import Input

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import JobStatus
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.monitor import Monitor, RefreshSettings
from backuptui.simulator import Simulator, SimulatorConfig
from backuptui.simulator import live as simulator_live
from backuptui.tui.app import MonitorApp
from backuptui.tui.password import PasswordScreen

APPLIANCE = "vcsa01.example.com"
START = datetime(2026, 11, 28, 9, 41, 0, tzinfo=UTC)
SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]

#: polls never happen on their own in a snapshot: each state decides when it polls
QUIET = RefreshSettings(idle=3600.0, running=3600.0, backoff_initial=20.0, backoff_max=60.0)


class FixedClock:
    """Time stands still unless a state moves it on."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class ClockedTime:
    """Stands in for the `time` module of the simulator's live jobs, which measure a running
    backup with `time.monotonic()` rather than the injected clock: here monotonic time is the
    fixed clock's, so a running job's progress is the same on every run."""

    def __init__(self, clock: FixedClock) -> None:
        self._clock = clock

    def monotonic(self) -> float:
        return 10_000.0 + (self._clock.now - START).total_seconds()


class ToSimulator(httpx.AsyncBaseTransport):
    """Sends requests for https://vcsa01.example.com to the simulator's http://127.0.0.1:PORT."""

    def __init__(self, simulator: Simulator) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._port = simulator.port

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class State:
    """An app ready to run, the simulator behind it, and what to do before the picture."""

    app: MonitorApp
    simulator: Simulator
    clock: FixedClock
    run_before: Callable[[Pilot[Any]], Awaitable[None]]
    press: tuple[str, ...] = ()
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        self.simulator.stop()
        for cleanup in reversed(self.cleanups):
            cleanup()


def build_app(
    clock: FixedClock,
    *,
    jobs: int = 40,
    seed: int = 7,
    running: bool = True,
    password: str | None = None,
    poll: bool = False,
) -> tuple[MonitorApp, Simulator, Callable[[], None]]:
    """The app on a real monitor and client, talking to a simulator that follows `clock`;
    also returns the undo of the simulator's clocked time (call it when done)."""
    # If live.py stops reading `time.monotonic` through its module global, this patch would do
    # nothing and the snapshots would drift: fail loudly instead.
    assert "time.monotonic()" in Path(simulator_live.__file__).read_text(), "update ClockedTime"
    saved_time = simulator_live.time
    simulator_live.time = ClockedTime(clock)  # type: ignore[assignment]

    def restore() -> None:
        simulator_live.time = saved_time

    simulator = Simulator(
        SimulatorConfig(jobs=jobs, seed=seed, clock=clock, running_at_start=running, speed=1.0)
    ).start()
    client = ApplianceClient(
        APPLIANCE,
        simulator.user,
        Secret(password if password is not None else simulator.password),
        transport=ToSimulator(simulator),
    )
    monitor = Monitor(client, QUIET, clock=clock, rng=random.Random(1))
    app = MonitorApp(monitor, clock=clock, user=simulator.user, poll=poll)
    return app, simulator, restore


async def poll(pilot: Pilot[Any], *, full: bool = False) -> None:
    app = pilot.app
    assert isinstance(app, MonitorApp)
    snapshot = await app.monitor.poll(full=full)
    app.apply_snapshot(snapshot)
    await pilot.pause()


@asynccontextmanager
async def polled_app(
    clock: FixedClock, size: tuple[int, int], *, running: bool = True
) -> AsyncIterator[tuple[MonitorApp, Pilot[Any], Simulator]]:
    """The app of `build_app` running at `size` after one whole poll; stopped and undone after."""
    app, simulator, restore = build_app(clock, running=running)
    try:
        async with app.run_test(size=size) as pilot:
            await poll(pilot, full=True)
            yield app, pilot, simulator
    finally:
        simulator.stop()
        restore()


# -- the states ------------------------------------------------------------------------------------


def live_running() -> State:
    """A backup runs: two polls 4 s apart give it a transfer rate and an ETA."""
    clock = FixedClock()
    app, simulator, restore = build_app(clock)

    async def before(pilot: Pilot[Any]) -> None:
        clock.advance(17 * 60)  # the backup started 17 minutes ago
        await poll(pilot)
        for _ in range(3):
            clock.advance(10)
            await poll(pilot)

    return State(app, simulator, clock, before, cleanups=[restore])


def failed_detail() -> State:
    """The newest failed job selected: the detail pane shows its record and error."""
    clock = FixedClock()
    app, simulator, restore = build_app(clock, running=False)

    async def before(pilot: Pilot[Any]) -> None:
        await poll(pilot)
        jobs = app.main_screen.job_list.jobs
        index = next(i for i, job in enumerate(jobs) if job.status == JobStatus.FAILED)
        await pilot.press(*["j"] * index)
        await pilot.pause()
        assert app.main_screen.job_list.selected_job is not None
        assert app.main_screen.job_list.selected_job.status == JobStatus.FAILED

    return State(app, simulator, clock, before, cleanups=[restore])


def drilldown() -> State:
    """Enter on the failed job: its messages in full."""
    state = failed_detail()
    inner = state.run_before

    async def before(pilot: Pilot[Any]) -> None:
        await inner(pilot)
        await pilot.press("enter")
        await pilot.pause()

    state.run_before = before
    return state


def unreachable() -> State:
    """The appliance stopped answering 2 minutes ago: last data kept, stale, retrying."""
    clock = FixedClock()
    app, simulator, restore = build_app(clock)

    async def before(pilot: Pilot[Any]) -> None:
        clock.advance(5 * 60)
        await poll(pilot)
        simulator.stop()
        clock.advance(60)
        await poll(pilot)
        clock.advance(60)
        await poll(pilot)  # (the clock stands still from here: the 1 s tick repaints nothing)

    return State(app, simulator, clock, before, cleanups=[restore])


def auth_failed() -> State:
    """A wrong password: the app says so and asks again (never retries on its own)."""
    clock = FixedClock()
    app, simulator, restore = build_app(clock, password="not-the-password", poll=True)

    async def before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PasswordScreen), "the password prompt")
        for password_input in pilot.app.screen.query(Input):
            password_input.cursor_blink = False  # a blinking cursor is on or off depending on the moment
        await pilot.pause()

    return State(app, simulator, clock, before, cleanups=[restore])


def empty_history() -> State:
    """An appliance that has never run a backup."""
    clock = FixedClock()
    app, simulator, restore = build_app(clock, jobs=0, running=False)

    async def before(pilot: Pilot[Any]) -> None:
        await poll(pilot)

    return State(app, simulator, clock, before, cleanups=[restore])


def confirm_backup() -> State:
    """b (Back up now): the confirmation names the appliance, the schedule's location and parts
    with their sizes, and the comment to edit (the local user fixed for the picture)."""
    from backuptui.tui import acting

    clock = FixedClock()
    app, simulator, restore = build_app(clock, running=False)
    saved_user = acting.local_user
    acting.local_user = lambda: "operator"

    def undo_user() -> None:
        acting.local_user = saved_user

    async def before(pilot: Pilot[Any]) -> None:
        await poll(pilot)
        await app.health.refresh(clock())
        await pilot.press("b")
        await wait_until(
            pilot, lambda: "1.8 GB" in str(app.screen.query_one("#backup-parts").render()), "sizes"
        )
        for comment in app.screen.query(Input):
            comment.cursor_blink = False
        await pilot.pause()

    return State(app, simulator, clock, before, cleanups=[restore, undo_user])


STATES: dict[str, Callable[[], State]] = {
    "confirm_backup": confirm_backup,
    "live_running": live_running,
    "failed_detail": failed_detail,
    "drilldown": drilldown,
    "unreachable": unreachable,
    "auth_failed": auth_failed,
    "empty_history": empty_history,
}


StateFactory = Callable[[str], State]

# -- the tests -------------------------------------------------------------------------------------


@pytest.fixture
def state_factory() -> Iterator[Callable[[str], State]]:
    built: list[State] = []

    def make(name: str) -> State:
        state = STATES[name]()
        built.append(state)
        return state

    yield make
    for state in built:
        state.close()


def _check(snap_compare: Any, state: State, size: tuple[int, int]) -> None:
    assert snap_compare(state.app, press=state.press, terminal_size=size, run_before=state.run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_live_with_a_running_job(
    snap_compare: Any, state_factory: StateFactory, size: tuple[int, int]
) -> None:
    _check(snap_compare, state_factory("live_running"), size)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_failed_job_detail(snap_compare: Any, state_factory: StateFactory, size: tuple[int, int]) -> None:
    _check(snap_compare, state_factory("failed_detail"), size)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_drilldown(snap_compare: Any, state_factory: StateFactory, size: tuple[int, int]) -> None:
    _check(snap_compare, state_factory("drilldown"), size)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_unreachable_and_stale(snap_compare: Any, state_factory: StateFactory, size: tuple[int, int]) -> None:
    _check(snap_compare, state_factory("unreachable"), size)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_authentication_failed(snap_compare: Any, state_factory: StateFactory, size: tuple[int, int]) -> None:
    _check(snap_compare, state_factory("auth_failed"), size)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_empty_history(snap_compare: Any, state_factory: StateFactory, size: tuple[int, int]) -> None:
    _check(snap_compare, state_factory("empty_history"), size)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_back_up_now_confirmation(
    snap_compare: Any, state_factory: StateFactory, size: tuple[int, int]
) -> None:
    _check(snap_compare, state_factory("confirm_backup"), size)
