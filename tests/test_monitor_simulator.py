"""The monitor with the real client against the real simulator over loopback HTTP.

The monitor's clock is a fake one advanced by hand: the polling decisions (id check every `idle`
seconds) then do not depend on how fast this machine is. The simulator runs on real time.
A recording transport wraps httpx's real one, only to see which URLs each poll requested.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from snapshot_diff import changed_ids

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import ApplianceUnreachable
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.monitor import ConnectionState, Monitor, RefreshSettings
from backuptui.simulator import Simulator

DETAILS = "/appliance/recovery/backup/job/details"
JOB_LIST = "/appliance/recovery/backup/job"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingTransport(httpx.AsyncBaseTransport):
    """httpx's own transport, noting each request's method, path and query."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[tuple[str, str, list[tuple[str, str]]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path, list(request.url.params.multi_items())))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def take(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        taken, self.requests = self.requests, []
        return taken


class Rig:
    def __init__(self, sim: Simulator, password: str | None = None, flavor: ApiFlavor | None = None) -> None:
        self.sim = sim
        self.transport = RecordingTransport()
        self.client = ApplianceClient(
            sim.url, sim.user, Secret(password or sim.password), flavor=flavor, transport=self.transport
        )
        self.clock = FakeClock()
        self.monitor = Monitor(self.client, RefreshSettings(), clock=self.clock, rng=random.Random(3))

    def details_requests(self) -> list[list[tuple[str, str]]]:
        """The query of each details request since the last call."""
        return [query for _, path, query in self.transport.take() if path.endswith(DETAILS)]


@pytest.fixture
async def rigs() -> AsyncIterator[Callable[..., Rig]]:
    made: list[Rig] = []

    def make(sim: Simulator, **kwargs: Any) -> Rig:
        rig = Rig(sim, **kwargs)
        made.append(rig)
        return rig

    yield make
    for rig in made:
        await rig.monitor.close()


@pytest.mark.parametrize("flavor", [ApiFlavor.API, ApiFlavor.REST])
async def test_first_poll_fetches_the_whole_history(
    simulator_factory: Callable[..., Simulator], rigs: Callable[..., Rig], flavor: ApiFlavor
) -> None:
    sim = simulator_factory(jobs=40)
    rig = rigs(sim, flavor=flavor)
    snap = await rig.monitor.poll()
    assert snap.connection is ConnectionState.LIVE and snap.error is None
    assert snap.total == 40 and snap.problems == () and snap.events == ()
    assert snap.flavor is flavor and snap.base_url == sim.url and snap.verify_tls is False
    assert [job.id for job in snap.jobs] == sorted(snap.by_id, reverse=True)
    assert rig.details_requests() == [[]]
    assert rig.monitor.next_delay() == 30.0
    before, snap = snap, await rig.monitor.poll()
    assert changed_ids(before, snap) == set() and snap.total == 40


@pytest.mark.parametrize(("flavor", "param"), [(ApiFlavor.API, "jobs"), (ApiFlavor.REST, "filter.jobs")])
async def test_running_job_is_polled_through_the_filter_with_few_bytes(
    simulator_factory: Callable[..., Simulator], rigs: Callable[..., Rig], flavor: ApiFlavor, param: str
) -> None:
    sim = simulator_factory(jobs=200, running_at_start=True, speed=1.0)
    running = sim.stats()["running_job"]
    rig = rigs(sim, flavor=flavor)
    snap = await rig.monitor.poll()
    assert [job.id for job in snap.running] == [running] and snap.jobs[0].id == running
    assert rig.monitor.next_delay() == 2.0
    full_bytes = rig.client.bytes_received
    rig.transport.take()
    for _ in range(5):
        rig.clock.advance(2)
        snap = await rig.monitor.poll()
        assert snap.connection is ConnectionState.LIVE and running in snap.transfers
    assert rig.details_requests() == [[(param, running)]] * 5
    filtered_bytes = rig.client.bytes_received - full_bytes
    assert filtered_bytes * 20 < full_bytes  # five filtered polls cost less than a twentieth of one full


async def test_watching_a_running_job_costs_50x_fewer_bytes_than_full_polls(
    simulator_factory: Callable[..., Simulator], rigs: Callable[..., Rig]
) -> None:
    """Benchmark row 4 as a byte count (no timing): one simulated minute at the default cadence."""
    sim = simulator_factory(jobs=1000, running_at_start=True, speed=1.0)
    rig = rigs(sim)
    await rig.monitor.poll()
    full_size = rig.client.bytes_received
    start = rig.client.bytes_received
    polls = 0
    while polls * 2.0 < 60.0:
        rig.clock.advance(rig.monitor.next_delay() or 0)
        snap = await rig.monitor.poll()
        assert snap.connection is ConnectionState.LIVE and snap.running
        polls += 1
    watched = rig.client.bytes_received - start
    requests = rig.transport.take()
    assert sum(1 for _, path, _ in requests if path.endswith(JOB_LIST)) == 2  # the id check, every 30 s
    assert watched * 50 <= full_size * polls, (watched, full_size, polls)


async def test_job_end_gives_an_event_and_the_next_poll_is_full(
    simulator_factory: Callable[..., Simulator], rigs: Callable[..., Rig]
) -> None:
    sim = simulator_factory(jobs=20, running_at_start=True, speed=1.0)
    running = sim.stats()["running_job"]
    rig = rigs(sim)
    await rig.monitor.poll()
    rig.clock.advance(2)
    await rig.monitor.poll()
    await rig.client.cancel_job(running)  # ends it now, as FAILED (canceled)
    rig.transport.take()
    rig.clock.advance(2)
    snap = await rig.monitor.poll()
    assert [(event.kind, event.job.id) for event in snap.events] == [("failed", running)]
    assert snap.running == () and snap.by_id[running].is_finished
    assert rig.monitor.next_delay() == 0.0
    snap = await rig.monitor.poll()
    assert rig.details_requests() == [[("jobs", running)], []]
    assert snap.events == () and snap.total == 21 and rig.monitor.next_delay() == 30.0


async def test_new_job_started_elsewhere_is_seen(
    simulator_factory: Callable[..., Simulator], rigs: Callable[..., Rig]
) -> None:
    sim = simulator_factory(jobs=20, speed=1.0)
    rig = rigs(sim)
    before = await rig.monitor.poll()
    started = sim.start_backup()
    rig.clock.advance(30)
    snap = await rig.monitor.poll()
    assert [(event.kind, event.job.id) for event in snap.events] == [("started", started)]
    assert snap.jobs[0].id == started and changed_ids(before, snap) == {started}
    assert rig.monitor.next_delay() == 2.0


async def test_simulator_stopped_then_restarted_on_the_same_port(
    simulator_factory: Callable[..., Simulator], rigs: Callable[..., Rig]
) -> None:
    sim = simulator_factory(jobs=30, seed=5)
    port = sim.port
    rig = rigs(sim)
    good = await rig.monitor.poll()
    sim.stop()
    delays = []
    for _ in range(3):
        rig.clock.advance(rig.monitor.next_delay() or 0)
        snap = await rig.monitor.poll()
        assert snap.connection is ConnectionState.UNREACHABLE and snap.is_stale
        assert snap.jobs is good.jobs and snap.last_success == good.last_success
        assert isinstance(snap.error, ApplianceUnreachable)
        delays.append(rig.monitor.next_delay() or 0)
        assert snap.retry_at == rig.clock.now + timedelta(seconds=delays[-1])
    assert 1.6 <= delays[0] <= 2.4 and 3.2 <= delays[1] <= 4.8 and 6.4 <= delays[2] <= 9.6

    back = simulator_factory(jobs=30, seed=5, port=port)  # a new process: the old session is gone
    rig.clock.advance(rig.monitor.next_delay() or 0)
    snap = await rig.monitor.poll()
    assert snap.connection is ConnectionState.LIVE and snap.reconnected and snap.error is None
    assert snap.total == 30 and snap.last_success == rig.clock.now
    assert back.stats()["logins"] == 1  # the client logged in again by itself


async def test_wrong_password_fails_once_and_waits_for_the_user(
    simulator: Simulator, rigs: Callable[..., Rig]
) -> None:
    rig = rigs(simulator, password="not the password")
    snap = await rig.monitor.poll()
    assert snap.connection is ConnectionState.AUTH_FAILED and rig.monitor.next_delay() is None
    assert snap.error is not None and "not the password" not in snap.error.message
    for full in (False, True, False):
        rig.clock.advance(60)
        await rig.monitor.poll(full=full)
    stats = simulator.stats()
    assert stats["failed_logins"] == 1 and stats["logins"] == 0
    snap = await rig.monitor.retry_login(Secret(simulator.password))
    assert snap.connection is ConnectionState.LIVE and snap.total == 50 and snap.reconnected
    assert simulator.stats()["logins"] == 1


async def test_session_expiry_is_transparent(simulator: Simulator, rigs: Callable[..., Rig]) -> None:
    rig = rigs(simulator)
    await rig.monitor.poll()
    simulator.expire_sessions()
    rig.clock.advance(30)
    snap = await rig.monitor.poll()
    assert snap.connection is ConnectionState.LIVE and snap.error is None and not snap.reconnected
    assert simulator.stats()["logins"] == 2


async def test_server_errors_keep_the_data_and_recover(
    simulator: Simulator, rigs: Callable[..., Rig]
) -> None:
    rig = rigs(simulator)
    good = await rig.monitor.poll()
    simulator.set_fault(error_500=1, match="/job/details")
    snap = await rig.monitor.poll()
    assert snap.connection is ConnectionState.ERROR and snap.jobs is good.jobs
    assert snap.error is not None and "500" in snap.error.message
    simulator.set_fault(malformed=1, match="/job/details")
    snap = await rig.monitor.poll()
    assert snap.connection is ConnectionState.ERROR and snap.jobs is good.jobs
    snap = await rig.monitor.poll()
    assert snap.connection is ConnectionState.LIVE and snap.reconnected and snap.jobs is good.jobs


async def test_close_logs_out(simulator: Simulator, rigs: Callable[..., Rig]) -> None:
    rig = rigs(simulator)
    await rig.monitor.poll()
    await rig.monitor.close()
    assert simulator.stats()["logouts"] == 1 and simulator.stats()["active_sessions"] == 0


async def test_live_job_progress_gives_a_rate(simulator_factory: Callable[..., Simulator]) -> None:
    """With the real clock: the simulated job grows, so a rate and an ETA appear after a few polls."""
    sim = simulator_factory(jobs=5, running_at_start=True, speed=30.0)  # 15-35 min in 30-70 s
    client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
    monitor = Monitor(client, RefreshSettings(running=1.0))
    try:
        transfer = None
        for _ in range(80):
            snap = await monitor.poll()
            if snap.transfers:
                transfer = next(iter(snap.transfers.values()))
                if transfer.rate and transfer.eta is not None:
                    break
            await asyncio.sleep(0.25)
        assert transfer is not None and transfer.rate and transfer.rate > 0 and transfer.eta is not None
        assert transfer.elapsed is not None and transfer.percent is not None
    finally:
        await monitor.close()
