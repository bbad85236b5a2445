"""A light (fleet) monitor: the newest jobs, then only what is new; never the whole history by
itself. Against the fake client of test_monitor.py (what is fetched and when)."""

from __future__ import annotations

import random
from datetime import timedelta

from backuptui.core.watch.monitor import ConnectionState, Monitor, RefreshSettings
from tests.test_monitor import FULL, START, FakeClient, FakeClock, history, job_id, record


def make(records: dict[str, dict[str, object]], light: int = 10) -> tuple[Monitor, FakeClient, FakeClock]:
    client = FakeClient(records)
    clock = FakeClock(START + timedelta(days=40))
    monitor = Monitor(client, RefreshSettings(), clock=clock, rng=random.Random(7), light=light)
    return monitor, client, clock


async def test_the_first_poll_is_the_newest_page_and_it_counts_as_the_history() -> None:
    monitor, client, _ = make(history(25))
    snap = await monitor.poll()
    newest = tuple(sorted(job_id(i) for i in range(15, 25)))
    assert client.take_calls() == [("ids", None), ("details", newest)]
    assert snap.connection is ConnectionState.LIVE and snap.complete  # a verdict may be judged on it
    assert len(snap.jobs) == 10
    assert monitor.next_delay() == 30.0  # no full history next


async def test_idle_polls_ask_only_for_the_ids_and_the_details_of_new_ones() -> None:
    records = history(25)
    monitor, client, clock = make(records)
    await monitor.poll()
    client.take_calls()
    clock.advance(30)
    snap = await monitor.poll()
    assert client.take_calls() == [("ids", None)]  # nothing new: no details at all
    records[job_id(30)] = record(start=START + timedelta(days=30))
    clock.advance(30)
    snap = await monitor.poll()
    assert client.take_calls() == [("ids", None), ("details", (job_id(30),))]
    assert snap.jobs[0].id == job_id(30) and len(snap.jobs) == 10  # the oldest left the window
    assert job_id(15) not in snap.by_id
    assert [event.job.id for event in snap.events] == [job_id(30)]  # a new job is news


async def test_jobs_that_retention_deleted_leave_the_window() -> None:
    records = history(25)
    monitor, client, clock = make(records)
    await monitor.poll()
    client.take_calls()
    del records[job_id(20)]
    clock.advance(30)
    snap = await monitor.poll()
    assert job_id(20) not in snap.by_id and len(snap.jobs) == 10
    assert client.take_calls() == [("ids", None), ("details", (job_id(14),))]  # the next older one
    assert snap.events == ()  # an old job that moved into the window is no news


async def test_a_running_job_is_followed_and_its_end_checks_the_ids_at_once() -> None:
    records = history(25)
    running = job_id(30)
    records[running] = record("RUNNING", start=START + timedelta(days=30), completed=40)
    monitor, client, clock = make(records)
    await monitor.poll()
    client.take_calls()
    assert monitor.next_delay() == 2.0
    clock.advance(2)
    await monitor.poll()
    assert client.take_calls() == [("details", (running,))]
    records[running] = record("FAILED", start=START + timedelta(days=30), error_text="disk full")
    clock.advance(2)
    snap = await monitor.poll()
    assert client.take_calls() == [("details", (running,))]
    assert [(event.kind, event.job.id) for event in snap.events] == [("failed", running)]
    assert monitor.next_delay() == 0.0  # the job ended: what follows it, at once
    await monitor.poll()
    assert client.take_calls() == [("ids", None)]  # the ids, not the whole history
    assert monitor.next_delay() == 30.0


async def test_switching_to_the_full_history_and_back() -> None:
    monitor, client, clock = make(history(25))
    await monitor.poll()
    client.take_calls()
    monitor.set_light(None)
    snap = await monitor.poll()
    assert client.take_calls() == [FULL] and len(snap.jobs) == 25 and snap.complete
    monitor.set_light(10)
    clock.advance(30)
    snap = await monitor.poll()
    assert client.take_calls() == [("ids", None)]
    assert [job.id for job in snap.jobs] == [job_id(i) for i in reversed(range(15, 25))]  # the window
