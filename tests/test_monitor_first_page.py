"""The first poll with `first_page`: the newest jobs at once, then the full history.

Against the fake client of test_monitor.py (what is fetched and when), and once against the
simulator over loopback.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from snapshot_diff import changed_ids

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import ApiError, ApplianceUnreachable
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.health import HealthLevel
from backuptui.core.watch.health_watch import HealthWatch
from backuptui.core.watch.monitor import FIRST_PAGE, ConnectionState, Monitor, RefreshSettings
from backuptui.simulator import Simulator
from backuptui.tui.views import status_view
from backuptui.tui.widgets.status_line import status_content
from tests.test_monitor import FULL, START, FakeClient, FakeClock, history, job_id, record


def make(
    records: dict[str, dict[str, object]], first_page: int = 10
) -> tuple[Monitor, FakeClient, FakeClock]:
    client = FakeClient(records)
    clock = FakeClock()
    monitor = Monitor(client, RefreshSettings(), clock=clock, rng=random.Random(7), first_page=first_page)
    return monitor, client, clock


async def test_a_long_history_shows_its_newest_jobs_first_then_all_of_it() -> None:
    monitor, client, _ = make(history(25))
    first = await monitor.poll()
    newest = tuple(sorted(job_id(i) for i in range(15, 25)))
    assert client.take_calls() == [("ids", None), ("details", newest)]
    assert first.connection is ConnectionState.LIVE and not first.complete
    assert [job.id for job in first.jobs] == [job_id(i) for i in reversed(range(15, 25))]
    assert first.events == ()
    assert monitor.next_delay() == 0.0  # the rest at once

    second = await monitor.poll()
    assert client.take_calls() == [FULL]
    assert second.complete and len(second.jobs) == 25
    assert changed_ids(first, second) == {job_id(i) for i in range(15)}  # only the older jobs are new
    assert second.events == ()  # the older history is no news either
    assert all(second.by_id[job.id] is job for job in first.jobs)  # unchanged jobs keep their objects
    assert monitor.next_delay() == 30.0


async def test_a_short_history_is_fetched_whole_on_the_first_poll() -> None:
    monitor, client, _ = make(history(10))
    snap = await monitor.poll()
    assert client.take_calls() == [("ids", None), FULL]
    assert snap.complete and len(snap.jobs) == 10 and monitor.next_delay() == 30.0


async def test_without_first_page_the_first_poll_is_one_full_fetch() -> None:
    client = FakeClient(history(25))
    monitor = Monitor(client, RefreshSettings(), clock=FakeClock())
    snap = await monitor.poll()
    assert client.take_calls() == [FULL] and snap.complete and len(snap.jobs) == 25


async def test_a_job_that_ends_between_the_two_polls_is_news() -> None:
    records = history(25)
    running = job_id(30)
    records[running] = record("RUNNING", start=START + timedelta(days=30))
    monitor, _, _ = make(records)
    first = await monitor.poll()
    assert [job.id for job in first.running] == [running] and first.events == ()
    records[running] = record("FAILED", start=START + timedelta(days=30), error_text="disk full")
    second = await monitor.poll()
    assert second.complete and [(e.kind, e.job.id) for e in second.events] == [("failed", running)]


async def test_a_failed_second_step_keeps_the_first_page_and_tries_the_history_again() -> None:
    monitor, client, _ = make(history(25))
    await monitor.poll()
    client.fail = ApplianceUnreachable("vcsa-test", "gone", "try again")
    failed = await monitor.poll()
    assert failed.connection is ConnectionState.UNREACHABLE and not failed.complete
    assert len(failed.jobs) == 10
    client.fail = None
    client.take_calls()
    again = await monitor.poll()
    assert client.take_calls() == [FULL] and again.complete and len(again.jobs) == 25


async def test_status_line_and_health_wait_for_the_history() -> None:
    monitor, _, clock = make(history(25))
    first = await monitor.poll()
    line = status_content(status_view(first, now=clock.now)).plain
    assert "loading history…" in line and "10 jobs" not in line and "failed" not in line
    watch = HealthWatch(None)
    assert watch.verdict(first, clock.now).level is HealthLevel.UNKNOWN
    assert "loading" in watch.verdict(first, clock.now).summary
    second = await monitor.poll()
    line = status_content(status_view(second, now=clock.now)).plain
    assert "25 jobs" in line and "loading" not in line
    assert watch.verdict(second, clock.now).level is not HealthLevel.UNKNOWN


async def test_first_page_against_the_simulator(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=FIRST_PAGE + 30)
    client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
    monitor = Monitor(client, RefreshSettings(), first_page=FIRST_PAGE)
    try:
        first = await monitor.poll()
        assert not first.complete and len(first.jobs) == FIRST_PAGE
        second = await monitor.poll()
        assert second.complete and len(second.jobs) == FIRST_PAGE + 30
        assert [job.id for job in second.jobs[:FIRST_PAGE]] == [job.id for job in first.jobs]
        assert second.events == ()
    finally:
        await monitor.close()


class NoIdsClient(FakeClient):
    """An appliance that answers the job id list with an error, but the details fine."""

    async def list_job_ids(self) -> list[str]:
        self.calls.append(("ids", None))
        raise ApiError("vcsa-test", "the job list failed (HTTP 500)", "try again", status_code=500)


async def test_without_a_usable_id_list_the_first_poll_loads_the_full_history() -> None:
    client = NoIdsClient(history(25))
    monitor = Monitor(client, RefreshSettings(), clock=FakeClock(), first_page=10)
    snap = await monitor.poll()
    assert client.take_calls() == [("ids", None), FULL]
    assert snap.connection is ConnectionState.LIVE and snap.complete and len(snap.jobs) == 25
