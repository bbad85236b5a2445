"""The monitor on its local history: the last known state painted at once, marked cached, while
the simulator holds its first answer; then live data in place; jobs the appliance dropped stay,
marked, and `is:gone` finds them. SVG snapshots of "cached" and of the marked rows.

Deterministic as tests/test_snapshots.py: one fixed clock drives the simulator, the monitor and
the app; the history comes from the real monitor polling the real simulator.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pilot_waits import wait_until
from test_snapshots import APPLIANCE, QUIET, SIZE_IDS, SIZES, ClockedTime, FixedClock, ToSimulator
from textual.pilot import Pilot

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import JobStatus
from backuptui.core.appliance.secret import Secret
from backuptui.core.store import HistoryStore, HistoryWriter, Identity
from backuptui.core.store.session import ApplianceHistory
from backuptui.core.watch.health_watch import HealthWatch
from backuptui.core.watch.monitor import ConnectionState, Monitor, RefreshSettings
from backuptui.simulator import Simulator, SimulatorConfig
from backuptui.simulator import live as simulator_live
from backuptui.tui.app import MonitorApp
from backuptui.tui.format import local_time
from backuptui.tui.widgets.job_detail import GONE_LABEL, job_fields
from backuptui.tui.widgets.live_progress import LiveProgress
from backuptui.tui.widgets.status_line import StatusLine

IDENTITY = Identity("lab", APPLIANCE)


class Bench:
    """A fixed clock, the simulator on it, and a history store under tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = FixedClock()
        self._saved = simulator_live.time
        simulator_live.time = ClockedTime(self.clock)  # type: ignore[assignment]
        self.path = tmp_path / "history.sqlite3"
        self.simulators: list[Simulator] = []
        self.writers: list[HistoryWriter] = []

    def simulator(self, jobs: int, **extra: Any) -> Simulator:
        sim = Simulator(SimulatorConfig(jobs=jobs, seed=7, clock=self.clock, speed=1.0, **extra)).start()
        self.simulators.append(sim)
        return sim

    def monitor(
        self, sim: Simulator, settings: RefreshSettings = QUIET, first_page: int | None = None
    ) -> Monitor:
        client = ApplianceClient(
            APPLIANCE, sim.user, Secret(sim.password), transport=ToSimulator(sim), name="lab"
        )
        return Monitor(client, settings, clock=self.clock, rng=random.Random(1), first_page=first_page)

    async def first_session(self, sim: Simulator) -> None:
        """A session that saw the whole history, judged it as the app does, and ended a minute later."""
        monitor = self.monitor(sim)
        store = HistoryStore.open(self.path, clock=self.clock)
        snapshot = await monitor.poll()
        store.record_poll(IDENTITY, snapshot)
        verdict = HealthWatch(None).current(snapshot, self.clock())
        store.record_verdict(IDENTITY, verdict.level.name, verdict.summary, verdict.checked_at)
        self.clock.advance(60)
        store.end_session(IDENTITY)
        store.close()
        await monitor.close()

    def app(self, monitor: Monitor, *, poll: bool = False) -> MonitorApp:
        store = HistoryStore.open(self.path, clock=self.clock)
        writer = HistoryWriter(store)
        self.writers.append(writer)
        history = ApplianceHistory(writer, IDENTITY, store.load(IDENTITY))
        return MonitorApp(monitor, clock=self.clock, appliance_name="lab", poll=poll, history=history)

    def close(self) -> None:
        for writer in self.writers:
            writer.close()
        for sim in self.simulators:
            sim.stop()
        simulator_live.time = self._saved


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    made = Bench(tmp_path)
    yield made
    made.close()


def status_text(app: MonitorApp) -> str:
    return str(app.main_screen.query_one(StatusLine).render())


async def test_the_last_state_paints_at_once_marked_cached_then_live_replaces_it(bench: Bench) -> None:
    sim = bench.simulator(30)
    await bench.first_session(sim)
    bench.clock.advance(12 * 60)
    held = "/recovery/backup/job"
    sim.set_fault({"latency": 3.0, "match": held})  # the appliance holds its first answers
    app = bench.app(bench.monitor(sim, RefreshSettings(idle=3600, running=3600), first_page=10), poll=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.snapshot.connection is ConnectionState.CONNECTING  # no answer yet
        assert "cached, 12 min old" in status_text(app)
        # the verdict the history kept, marked; only the cached age (no "refreshed", no "stale")
        level = HistoryStore.open(bench.path).load(IDENTITY).verdict.level  # type: ignore[union-attr]
        assert f"backup {level} (cached)" in status_text(app)
        assert "refreshed" not in status_text(app) and "stale" not in status_text(app).lower()
        assert "STALE" not in str(app.main_screen.query_one(LiveProgress).render())
        assert len(app.main_screen.job_list.jobs) == 30
        cached_ids = [job.id for job in app.main_screen.job_list.jobs]
        sim.set_fault({"clear": True})
        await wait_until(pilot, lambda: app.snapshot.connection is ConnectionState.LIVE, "the first answer")
        await wait_until(pilot, lambda: app.snapshot.complete, "the whole history")
        await pilot.pause()
        assert "cached" not in status_text(app) and "live" in status_text(app)
        assert "refreshed just now" in status_text(app)
        assert [job.id for job in app.main_screen.job_list.jobs] == cached_ids  # replaced in place
        assert not any(job.gone for job in app.main_screen.job_list.jobs)
        await wait_until(pilot, lambda: app.health.schedules is not None, "the schedules")
    assert bench.writers[0].flush(10)
    cached = HistoryStore.open(bench.path).load(IDENTITY)
    assert cached is not None and len(cached.schedules) == 1 and '"location"' in cached.schedules[0]
    assert cached.verdict is not None and cached.verdict.level in ("OK", "WARNING", "CRITICAL")


async def test_a_job_the_appliance_dropped_stays_marked_and_is_gone_finds_it(bench: Bench) -> None:
    sim = bench.simulator(30)
    await bench.first_session(sim)
    sim.stop()
    shorter = bench.simulator(10)  # the same appliance with a shorter history
    app = bench.app(bench.monitor(shorter))
    async with app.run_test(size=(120, 40)) as pilot:
        app.apply_snapshot(await app.monitor.poll())
        await pilot.pause()
        jobs = app.main_screen.job_list.jobs
        assert len(jobs) == 30
        gone = [job for job in jobs if job.gone]
        assert len(gone) == 20
        # the detail pane says since when (found gone by this poll)
        since = gone[0].gone_since
        assert since is not None and since == app.snapshot.taken_at
        assert dict(job_fields(gone[0]))[GONE_LABEL] == (
            f"no longer on the appliance since {local_time(since, seconds=False)}: "
            "the local history kept this job"
        )
        await pilot.press("slash", *"is:gone", "enter")
        await pilot.pause()
        assert {job.id for job in app.main_screen.job_list.jobs} == {job.id for job in gone}
        app.main_screen.query_one("FilterBar")
        await pilot.press("slash", "ctrl+u", *"-is:gone", "enter")
        await pilot.pause()
        assert len(app.main_screen.job_list.jobs) == 10
    assert bench.writers[0].flush(10)
    cached = HistoryStore.open(bench.path).load(IDENTITY)
    assert cached is not None and len(cached.gone) == 20


async def test_a_cached_running_job_is_counted_as_the_list_shows_it(bench: Bench) -> None:
    sim = bench.simulator(30, running_at_start=True)
    await bench.first_session(sim)
    bench.clock.advance(12 * 60)
    app = bench.app(bench.monitor(sim))  # poll=False: no answer comes, the cached state stays
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        jobs = app.main_screen.job_list.jobs
        running = [job for job in jobs if job.status is JobStatus.RUNNING]
        assert len(running) == 1
        assert "1 running (cached)" in status_text(app)  # as the list shows it, marked
        await pilot.press("end")  # the cursor off the running job: the progress widget stays on it
        await pilot.pause()
        assert app.main_screen.job_list.selected_job is not running[0]
        progress = str(app.main_screen.query_one(LiveProgress).render())
        assert running[0].id in progress and "CACHED" in progress


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_cached_snapshot(snap_compare: Any, bench: Bench, size: tuple[int, int]) -> None:
    import asyncio

    sim = bench.simulator(40, running_at_start=True)
    asyncio.run(bench.first_session(sim))
    bench.clock.advance(12 * 60)
    app = bench.app(bench.monitor(sim))  # poll=False: no answer comes, the cached state stays
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_no_longer_on_the_appliance_snapshot(snap_compare: Any, bench: Bench, size: tuple[int, int]) -> None:
    import asyncio

    sim = bench.simulator(14)
    asyncio.run(bench.first_session(sim))
    sim.stop()
    shorter = bench.simulator(4)
    app = bench.app(bench.monitor(shorter))

    async def before(pilot: Pilot[Any]) -> None:
        app.apply_snapshot(await app.monitor.poll())
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)


async def test_a_store_that_fills_up_turns_off_with_one_notice_and_the_monitor_goes_on(bench: Bench) -> None:
    sim = bench.simulator(10)
    await bench.first_session(sim)
    app = bench.app(bench.monitor(sim))
    writer = bench.writers[0]
    pages = writer.store._db.execute("PRAGMA page_count").fetchone()[0]
    writer.store._db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
    async with app.run_test(size=(80, 24)) as pilot:
        sim.stop()
        bigger = bench.simulator(200)  # far more jobs than the full file can take
        app.monitor = bench.monitor(bigger)
        app.apply_snapshot(await app.monitor.poll())
        await wait_until(pilot, lambda: bool(app._notifications), "the notice")
        notices = [n.message for n in app._notifications]
        assert len(notices) == 1 and "backup history off" in notices[0] and "the disk is full" in notices[0]
        assert not writer.enabled
        app.apply_snapshot(await app.monitor.poll(full=True))  # the monitor goes on, no second notice
        await pilot.pause()
        assert app.snapshot.connection is ConnectionState.LIVE and len(app._notifications) == 1
