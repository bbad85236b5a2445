"""The client's memory of its last unfiltered details response, and `parse_details(previous=...)`.

An unfiltered `list_job_details()` whose body is byte for byte the last one returns the same
`DetailsResult` object without decoding or parsing; a changed body reuses the `BackupJob` objects
of records that are the same JSON value. Against the real simulator, plus model-level unit tests.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import backuptui.core.appliance.client as client_module
from backuptui.core.appliance.client import ApplianceClient, Timeouts
from backuptui.core.appliance.details_text import parse_details_text
from backuptui.core.appliance.errors import InvalidResponse
from backuptui.core.appliance.failures import decode_json
from backuptui.core.appliance.models import ApiFlavor, BackupJob, DetailsResult, JobStatus
from backuptui.core.appliance.parsing import parse_details
from backuptui.core.appliance.secret import Secret
from backuptui.simulator import Simulator

FLAVORS = [ApiFlavor.API, ApiFlavor.REST]


def connect(sim: Simulator, **kwargs: Any) -> ApplianceClient:
    kwargs.setdefault("timeouts", Timeouts(connect=5.0, read=10.0))
    return ApplianceClient(sim.url, sim.user, Secret(sim.password), **kwargs)


class Counter:
    """Wraps a function of the client module and counts the calls that gave a result (a body the
    parser rejects as not JSON was not parsed)."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self.func(*args, **kwargs)
        self.calls += 1
        return result


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:
    counter = Counter(parse_details_text)
    monkeypatch.setattr(client_module, "parse_details_text", counter)
    yield counter


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:
    counter = Counter(decode_json)
    monkeypatch.setattr(client_module, "decode_json", counter)
    yield counter


async def fresh(sim: Simulator, flavor: ApiFlavor) -> DetailsResult:
    """What a client with no memory makes of the same history now."""
    async with connect(sim, flavor=flavor) as other:
        return await other.list_job_details()


def same_data(a: DetailsResult, b: DetailsResult) -> bool:
    return a == b and [job.raw for job in a.jobs] == [job.raw for job in b.jobs]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_unchanged_history_gives_the_same_object_and_still_counts_bytes(
    simulator_factory: Callable[..., Simulator], flavor: ApiFlavor, parses: Counter, decodes: Counter
) -> None:
    sim = simulator_factory(flavor=flavor.value, jobs=60)
    async with connect(sim) as client:
        first = await client.list_job_details()
        assert len(first.jobs) == 60 and parses.calls == 1
        decoded, before = decodes.calls, client.bytes_received
        again = await client.list_job_details()
        assert again is first
        assert parses.calls == 1 and decodes.calls == decoded  # neither decoded nor parsed again
        assert client.bytes_received - before > 60 * 300  # the body still came and is counted
        assert client.bytes_received == sim.stats()["bytes_sent"]
        assert same_data(first, await fresh(sim, flavor))


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_a_new_backup_gives_new_data_and_keeps_unchanged_jobs(
    simulator_factory: Callable[..., Simulator], flavor: ApiFlavor, parses: Counter
) -> None:
    sim = simulator_factory(flavor=flavor.value, jobs=30)
    async with connect(sim) as client:
        first = await client.list_job_details()
        new_id = sim.start_backup()
        second = await client.list_job_details()
        assert second is not first and parses.calls == 2
        assert second.jobs[0].id == new_id and second.jobs[0].status is JobStatus.RUNNING
        assert len(second.jobs) == 31
        now = await fresh(sim, flavor)  # the live job moves on, the finished ones do not
        assert now.jobs[0].id == new_id and same_data(
            DetailsResult(second.jobs[1:]), DetailsResult(now.jobs[1:])
        )
        # the finished records are the same JSON: the same objects come back
        assert all(old is new for old, new in zip(first.jobs, second.jobs[1:], strict=True))


async def test_a_live_job_progressing_is_never_served_stale(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(jobs=20, running_at_start=True)
    async with connect(sim) as client:
        first = await client.list_job_details()
        running = first.jobs[0]
        assert running.status is JobStatus.RUNNING
        deadline = time.monotonic() + 20.0
        while True:
            later = await client.list_job_details()
            if later.jobs[0].raw != running.raw:
                break
            assert later is first  # no change seen: the body was identical
            assert time.monotonic() < deadline, "the live job never changed"
            await asyncio.sleep(0.05)
        assert later is not first
        assert later.jobs[0].id == running.id and later.jobs[0] is not running
        assert all(old is new for old, new in zip(first.jobs[1:], later.jobs[1:], strict=True))


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_filtered_calls_neither_use_nor_replace_the_memory(
    simulator_factory: Callable[..., Simulator], flavor: ApiFlavor, parses: Counter
) -> None:
    sim = simulator_factory(flavor=flavor.value, jobs=25)
    async with connect(sim) as client:
        # a filter naming every job may get the very same bytes: it is still parsed on its own
        everything = [job.id for job in (await fresh(sim, flavor)).jobs]
        parses.calls = 0
        all_filtered = await client.list_job_details(jobs=everything)
        first = await client.list_job_details()
        assert first is not all_filtered and parses.calls == 2
        assert same_data(first, all_filtered)

        wanted = [first.jobs[2].id, first.jobs[7].id]
        filtered = await client.list_job_details(jobs=wanted)
        assert parses.calls == 3
        assert sorted(job.id for job in filtered.jobs) == sorted(wanted)
        assert all(job == next(j for j in first.jobs if j.id == job.id) for job in filtered.jobs)
        assert await client.list_job_details(jobs=wanted) is not filtered and parses.calls == 4
        assert await client.list_job_details() is first and parses.calls == 4  # not replaced


async def test_re_login_and_a_bad_body_in_between_do_not_confuse_it(
    simulator: Simulator, parses: Counter
) -> None:
    async with connect(simulator) as client:
        first = await client.list_job_details()
        simulator.expire_sessions()
        assert await client.list_job_details() is first  # logged in again, got the same bytes
        assert simulator.stats()["logins"] == 2
        simulator.set_fault(malformed=1, match="/job/details")
        with pytest.raises(InvalidResponse):
            await client.list_job_details()
        assert await client.list_job_details() is first
        assert parses.calls == 1


async def test_the_flavour_is_part_of_what_is_remembered(parses: Counter) -> None:
    """The same bytes mean different things in the two flavours. A client never changes flavour
    once it knows it, so this forces the change (white-box), with a transport that serves the same
    bytes on both details paths (the simulator never would)."""
    from backuptui.core.appliance._httpx import httpx

    record = {
        "status": "SUCCEEDED",
        "type": "MANUAL",
        "location": "sftp://h/p",
        "description": {"id": "d", "default_message": "Backup job", "args": []},
    }
    body = json.dumps({"value": record}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/session"):
            return httpx.Response(201, json="token-1") if request.method == "POST" else httpx.Response(200)
        if request.url.path.endswith("/job/details"):
            return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
        return httpx.Response(404)

    transport = httpx.MockTransport(handler)
    async with ApplianceClient(
        "http://appliance.test", "u", Secret("p"), flavor="api", transport=transport
    ) as client:
        as_api = await client.list_job_details()
        assert [job.id for job in as_api.jobs] == ["value"]  # /api: a map with one job called "value"
        client._flavor = ApiFlavor.REST
        as_rest = await client.list_job_details()  # /rest: the wrapper around a map of 4 "jobs"
        assert parses.calls == 2
        assert as_rest.jobs == () and {p.record_id for p in as_rest.problems} == set(record)


# --- parse_details(previous=...) --------------------------------------------------------------


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "status": "SUCCEEDED",
        "type": "SCHEDULED",
        "location": "sftp://192.0.2.10/backups/x",
        "location_user": "backup",
        "description": {"id": "com.vmware.job", "default_message": "Backup job {0}", "args": ["a"]},
        "cancelable": False,
        "fast_backup": True,
        "messages": [],
        "start_time": "2026-01-02T03:04:05.000Z",
        "end_time": "2026-01-02T03:20:05.000Z",
        "duration": 960,
        "size": 5,
        "progress": {
            "total": 100,
            "completed": 100,
            "message": {"id": "done", "default_message": "done", "args": []},
        },
    }
    base.update(changes)
    return base


def by_id(result: DetailsResult) -> dict[str, BackupJob]:
    return {job.id: job for job in result.jobs}


def test_previous_jobs_come_back_for_records_that_are_the_same_json() -> None:
    body = {"b": record(), "a": record(start_time="2026-01-01T03:04:05.000Z")}
    first = parse_details(body, ApiFlavor.API)
    copy = {"b": record(), "a": record(start_time="2026-01-01T03:04:05.000Z")}  # equal, new objects
    again = parse_details(copy, ApiFlavor.API, by_id(first))
    assert again == first
    assert all(old is new for old, new in zip(first.jobs, again.jobs, strict=True))

    changed = parse_details({**copy, "b": record(size=6)}, ApiFlavor.API, by_id(first))
    assert changed.jobs[0].id == "b" and changed.jobs[0].size == 6 and changed.jobs[0] is not first.jobs[0]
    assert changed.jobs[1] is first.jobs[1]
    assert changed == parse_details({**copy, "b": record(size=6)}, ApiFlavor.API)


PROGRESS = record()["progress"]


@pytest.mark.parametrize(
    ("before", "after", "problem_field"),
    [
        ({"size": 1}, {"size": True}, "size"),  # True == 1 in Python, but it is no integer
        ({"size": 5}, {"size": 5.0}, "size"),  # 5.0 == 5
        ({"fast_backup": True}, {"fast_backup": 1}, "fast_backup"),  # 1 == True
        ({"progress": PROGRESS}, {"progress": {**PROGRESS, "total": 100.0}}, "progress.total"),
        (
            {"description": {"id": "j", "default_message": "job {0}", "args": [1]}},
            {"description": {"id": "j", "default_message": "job {0}", "args": [True]}},
            "description.args[0]",
        ),
    ],
)
def test_equal_but_differently_typed_values_are_parsed_again(
    before: dict[str, Any], after: dict[str, Any], problem_field: str
) -> None:
    first = parse_details({"j": record(**before)}, ApiFlavor.API)
    assert len(first.jobs) == 1 and first.problems == ()
    assert record(**after) == record(**before)  # Python's == cannot tell them apart
    result = parse_details({"j": record(**after)}, ApiFlavor.API, by_id(first))
    assert result.jobs == () and [p.field_path for p in result.problems] == [problem_field]


def test_numbers_that_print_differently_are_parsed_again() -> None:
    def with_arg(arg: Any) -> dict[str, Any]:
        return record(description={"id": "x", "default_message": "size {0}", "args": [arg]})

    first = parse_details({"j": with_arg(1)}, ApiFlavor.API)
    assert first.jobs[0].description.text == "size 1"
    as_float = parse_details({"j": with_arg(1.0)}, ApiFlavor.API, by_id(first))
    assert as_float.jobs[0].description.text == "size 1.0"
    zero = parse_details({"j": with_arg(0.0)}, ApiFlavor.API)
    negative = parse_details({"j": with_arg(-0.0)}, ApiFlavor.API, by_id(zero))
    assert negative.jobs[0] is not zero.jobs[0] and negative.jobs[0].description.text == "size -0.0"


def test_previous_is_only_used_for_its_own_id_and_real_records() -> None:
    first = parse_details({"a": record()}, ApiFlavor.API)
    job = first.jobs[0]
    # the same record under another id is another job
    other = parse_details({"b": record()}, ApiFlavor.API, {"b": job})
    assert other.jobs[0].id == "b" and other.jobs[0] is not job
    # a hand-made job with no raw record is never taken for an empty record
    bare = job.replace(raw={})
    empty = parse_details({"a": {}}, ApiFlavor.API, {"a": bare})
    assert empty.jobs == () and empty.problems[0].field_path == "status"
