"""Monitor decision logic against a hand-written fake of the client interface.

The fake parses real wire records with the real parser (a fresh copy per call, as JSON would give),
so what is tested is what the monitor fetches and when, how it merges, and what it derives.
The end-to-end behaviour against the simulator over loopback is in test_monitor_simulator.py.
"""

from __future__ import annotations

import asyncio
import copy
import random
import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from snapshot_diff import changed_ids, removed_ids

from backuptui.core.appliance.errors import (
    ApiError,
    ApplianceError,
    ApplianceUnreachable,
    AuthenticationFailed,
    InvalidResponse,
    NotAuthorized,
)
from backuptui.core.appliance.models import ApiFlavor, DetailsResult
from backuptui.core.appliance.parsing import parse_details
from backuptui.core.appliance.record_fields import format_time
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.monitor import (
    ConnectionState,
    Monitor,
    RefreshSettings,
    backoff_delay,
)

START = datetime(2026, 3, 15, 2, 0, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START + timedelta(days=1)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def record(
    status: str = "SUCCEEDED",
    *,
    start: datetime | None = START,
    size: int = 1_000_000,
    completed: int = 100,
    kind: str = "SCHEDULED",
    error_text: str | None = None,
) -> dict[str, Any]:
    """A wire record that obeys the bindings' union rule for its status."""
    rec: dict[str, Any] = {
        "location": "sftp://10.0.0.5/backups",
        "location_user": "backup",
        "type": kind,
        "messages": [],
        "description": {"id": "com.vmware.backup.job", "default_message": "Backup job", "args": []},
        "service": "com.vmware.appliance.recovery.backup.job",
        "operation": "create",
        "status": status,
        "cancelable": status == "RUNNING",
    }
    if status in ("SUCCEEDED", "FAILED", "RUNNING"):
        rec.update(
            duration=60,
            size=size,
            progress={
                "total": 100,
                "completed": completed,
                "message": {"id": "p", "default_message": "Backing up", "args": []},
            },
        )
    if status != "PENDING" and start is not None:
        rec["start_time"] = format_time(start)
    if status in ("SUCCEEDED", "FAILED") and start is not None:
        rec["end_time"] = format_time(start + timedelta(minutes=10))
    if error_text is not None:
        rec["messages"] = [{"id": "e", "default_message": error_text, "args": []}]
        rec["error"] = {"messages": [{"id": "e", "default_message": error_text, "args": []}]}
    return rec


def job_id(index: int) -> str:
    return (START + timedelta(days=index)).strftime("%Y%m%d-%H%M%S") + "-22617221"


def history(count: int) -> dict[str, dict[str, Any]]:
    return {job_id(i): record(start=START + timedelta(days=i)) for i in range(count)}


class FakeClient:
    """Implements the client methods the monitor uses; records every call."""

    name = "vcsa-test"
    base_url = "https://vcsa-test/api"
    verify_tls = True

    def __init__(self, records: dict[str, dict[str, Any]]) -> None:
        self.records = records
        self.calls: list[tuple[str, tuple[str, ...] | None]] = []
        self.fail: BaseException | None = None
        self.flavor: ApiFlavor | None = None
        self.passwords: list[Secret] = []
        self.closed = False
        self.cache_identical = False
        self._cached: tuple[dict[str, Any], DetailsResult] | None = None
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()
        self.extra_ids: list[str] = []

    async def list_job_details(self, jobs: Iterable[str] | None = None) -> DetailsResult:
        wanted = None if jobs is None else tuple(jobs)
        self.calls.append(("details", wanted))
        if self.gate is not None:
            self.entered.set()
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        self.flavor = ApiFlavor.API
        body = {k: copy.deepcopy(v) for k, v in self.records.items() if wanted is None or k in wanted}
        if wanted is None and self.cache_identical and self._cached and self._cached[0] == body:
            return self._cached[1]
        result = parse_details(body, ApiFlavor.API)
        if wanted is None:
            self._cached = (body, result)
        return result

    async def list_job_ids(self) -> list[str]:
        self.calls.append(("ids", None))
        if self.fail is not None:
            raise self.fail
        return sorted([*self.records, *self.extra_ids], reverse=True)

    def set_password(self, password: Secret) -> None:
        self.passwords.append(password)

    async def check_reachable(self) -> None:
        pass

    async def close(self) -> None:
        self.closed = True
        if self.fail is not None:
            raise self.fail

    def take_calls(self) -> list[tuple[str, tuple[str, ...] | None]]:
        calls, self.calls = self.calls, []
        return calls


FULL = ("details", None)


def make(records: dict[str, dict[str, Any]], **settings: float) -> tuple[Monitor, FakeClient, FakeClock]:
    client = FakeClient(records)
    clock = FakeClock()
    monitor = Monitor(client, RefreshSettings(**settings), clock=clock, rng=random.Random(7))
    return monitor, client, clock


async def test_initial_snapshot_is_connecting_and_empty() -> None:
    monitor, client, _ = make(history(3))
    snap = monitor.snapshot
    assert snap.connection is ConnectionState.CONNECTING
    assert snap.jobs == () and snap.total == 0 and snap.last_success is None
    assert (snap.appliance, snap.base_url, snap.verify_tls) == ("vcsa-test", "https://vcsa-test/api", True)
    assert monitor.next_delay() == 0.0
    assert client.calls == []


async def test_first_poll_fetches_full_history_newest_first_without_events() -> None:
    monitor, client, clock = make(history(5))
    snap = await monitor.poll()
    assert client.take_calls() == [FULL]
    assert snap.connection is ConnectionState.LIVE
    assert [job.id for job in snap.jobs] == [job_id(i) for i in reversed(range(5))]
    assert snap.events == ()  # the history is not news
    assert snap.last_success == clock.now and snap.taken_at == clock.now
    assert snap.flavor is ApiFlavor.API
    assert set(snap.by_id) == {job.id for job in snap.jobs}
    assert monitor.next_delay() == 30.0  # nothing active: the full history every idle seconds


async def test_empty_history() -> None:
    monitor, _, _ = make({})
    snap = await monitor.poll()
    assert snap.connection is ConnectionState.LIVE and snap.jobs == () and dict(snap.by_id) == {}
    assert snap.transfers == {} and snap.running == () and snap.latest_finished_job is None


async def test_events_come_oldest_first() -> None:
    records = history(2)
    monitor, _, clock = make(records)
    await monitor.poll()
    for day in (5, 3, 4):
        records[job_id(day)] = record("SUCCEEDED", start=START + timedelta(days=day))
    records[job_id(6)] = record("RUNNING", start=START + timedelta(days=6), size=0, completed=0)
    clock.advance(30)
    snap = await monitor.poll()
    assert [(e.kind, e.job.id) for e in snap.events] == [
        ("succeeded", job_id(3)),
        ("succeeded", job_id(4)),
        ("succeeded", job_id(5)),
        ("started", job_id(6)),
    ]


async def test_unchanged_refresh_reuses_jobs_tuple_and_objects() -> None:
    monitor, client, clock = make(history(50))
    first = await monitor.poll()
    clock.advance(30)
    second = await monitor.poll()
    assert client.take_calls() == [FULL, FULL]
    assert changed_ids(first, second) == set() and removed_ids(first, second) == set()
    assert second.events == ()
    assert second.jobs is first.jobs
    assert second.by_id is first.by_id
    assert second.last_success == clock.now


async def test_identical_result_from_client_cache_is_a_no_op() -> None:
    monitor, client, clock = make(history(20))
    client.cache_identical = True
    first = await monitor.poll()
    clock.advance(30)
    second = await monitor.poll()
    assert second.jobs is first.jobs and changed_ids(first, second) == set()


async def test_changed_record_is_replaced_in_place_others_keep_identity() -> None:
    records = history(10)
    monitor, _, clock = make(records)
    first = await monitor.poll()
    records[job_id(3)]["messages"] = [{"id": "w", "default_message": "warning", "args": []}]
    clock.advance(30)
    second = await monitor.poll()
    assert changed_ids(first, second) == {job_id(3)}
    assert [j.id for j in second.jobs] == [j.id for j in first.jobs]
    for before, after in zip(first.jobs, second.jobs, strict=True):
        assert (before is after) == (after.id != job_id(3))
        assert (first.by_id[before.id] is second.by_id[after.id]) == (after.id != job_id(3))
    assert second.by_id[job_id(3)].messages[0].text == "warning"
    assert first.by_id[job_id(3)].messages == ()  # the old snapshot did not change under us


async def test_removed_job_is_reported() -> None:
    records = history(4)
    monitor, _, clock = make(records)
    before = await monitor.poll()
    del records[job_id(0)]
    clock.advance(30)
    snap = await monitor.poll()
    assert removed_ids(before, snap) == {job_id(0)} and job_id(0) not in snap.by_id and snap.total == 3


async def test_running_job_is_polled_alone_through_the_filter() -> None:
    records = history(100)
    running = job_id(100)
    records[running] = record("RUNNING", start=START + timedelta(days=100), size=0, completed=0)
    monitor, client, clock = make(records)
    snap = await monitor.poll()
    assert [j.id for j in snap.running] == [running]
    assert monitor.next_delay() == 2.0
    for _ in range(5):
        clock.advance(2)
        await monitor.poll()
    assert client.take_calls() == [FULL] + [("details", (running,))] * 5


async def test_id_check_every_idle_seconds_while_running_and_full_only_for_unknown_ids() -> None:
    records = history(10)
    running = job_id(10)
    records[running] = record("RUNNING", start=START + timedelta(days=10), size=0, completed=0)
    monitor, client, clock = make(records, idle=10.0, running=2.0)
    await monitor.poll()
    client.take_calls()
    for _ in range(5):  # 10 s: the id check is due on the fifth poll
        clock.advance(2)
        await monitor.poll()
    assert client.take_calls() == [("details", (running,))] * 5 + [("ids", None)]
    for _ in range(4):
        clock.advance(2)
        await monitor.poll()
    assert ("ids", None) not in client.take_calls()

    # someone else's job appears in the id list: the full history is fetched in the same poll
    other = job_id(11)
    records[other] = record("PENDING", start=None)
    clock.advance(2)
    snap = await monitor.poll()
    assert client.take_calls() == [("details", (running,)), ("ids", None), FULL]
    assert snap.jobs[0].id == other  # pending, no start time: newest
    assert [e.kind for e in snap.events] == ["started"] and snap.events[0].job.id == other
    assert {j.id for j in snap.running} == {running, other}


async def test_listed_id_without_details_does_not_cause_full_polls_forever() -> None:
    records = history(3)
    running = job_id(3)
    records[running] = record("RUNNING", start=START + timedelta(days=3), size=0, completed=0)
    monitor, client, clock = make(records, idle=4.0)
    client.extra_ids = ["19990101-000000-1"]  # listed but the details endpoint never has it
    await monitor.poll()
    client.take_calls()
    for _ in range(6):
        clock.advance(2)
        await monitor.poll()
    calls = client.take_calls()
    assert calls.count(FULL) == 1 and calls.count(("ids", None)) == 3


async def test_job_end_gives_event_and_an_immediate_full_poll() -> None:
    records = history(3)
    running = job_id(3)
    records[running] = record("RUNNING", start=START + timedelta(days=3), size=10, completed=50)
    monitor, client, clock = make(records)
    await monitor.poll()
    records[running] = record("FAILED", start=START + timedelta(days=3), error_text="No space left on device")
    clock.advance(2)
    snap = await monitor.poll()
    assert [(e.kind, e.job.id) for e in snap.events] == [("failed", running)]
    assert snap.events[0].job.problem == "No space left on device"
    assert snap.running == () and snap.transfers == {}
    assert monitor.next_delay() == 0.0
    ended = snap
    snap = await monitor.poll()
    assert client.take_calls() == [FULL, ("details", (running,)), FULL]
    assert snap.events == () and changed_ids(ended, snap) == set()  # the end was told once
    assert monitor.next_delay() == 30.0


async def test_success_event_and_new_job_seen_by_idle_full_poll() -> None:
    records = history(2)
    monitor, _, clock = make(records)
    before = await monitor.poll()
    records[job_id(2)] = record("SUCCEEDED", start=START + timedelta(days=2))  # ran between polls
    clock.advance(30)
    snap = await monitor.poll()
    assert [(e.kind, e.job.id) for e in snap.events] == [("succeeded", job_id(2))]
    assert changed_ids(before, snap) == {job_id(2)} and snap.jobs[0].id == job_id(2)


async def test_job_vanishing_from_filtered_answer_triggers_full_poll() -> None:
    records = history(2)
    running = job_id(2)
    records[running] = record("RUNNING", start=START + timedelta(days=2), size=0, completed=0)
    monitor, client, clock = make(records)
    before = await monitor.poll()
    del records[running]
    clock.advance(2)
    await monitor.poll()
    assert monitor.next_delay() == 0.0
    snap = await monitor.poll()
    assert client.take_calls()[-1] == FULL and removed_ids(before, snap) == {running} and snap.running == ()


async def test_unknown_end_status_gives_ended_event() -> None:
    records = {job_id(0): record("RUNNING", size=0, completed=0)}
    monitor, _, clock = make(records)
    await monitor.poll()
    records[job_id(0)] = record("SUCCEEDED") | {"status": "CANCELED"}
    clock.advance(2)
    snap = await monitor.poll()
    assert [(e.kind, e.job.status) for e in snap.events] == [("ended", "CANCELED")]


async def test_transfer_rate_and_eta_from_growth_over_time() -> None:
    running = job_id(0)
    records = {running: record("RUNNING", size=0, completed=10)}
    monitor, _, clock = make(records)
    snap = await monitor.poll()
    first = snap.transfers[running]
    assert first.rate is None and first.eta is None and first.percent == 10.0  # one sample: unknown
    assert first.elapsed == 60.0  # the appliance's duration
    for step in range(1, 4):
        records[running] = record("RUNNING", size=step * 100_000_000, completed=10 + 10 * step)
        clock.advance(2)
        snap = await monitor.poll()
    transfer = snap.transfers[running]
    assert transfer.rate == pytest.approx(50_000_000)  # 300 MB in 6 s
    assert transfer.percent == 40.0
    assert transfer.eta == pytest.approx(60 / 5)  # 30 points in 6 s: 5 %/s, 60 % to go
    assert transfer.size == 300_000_000


async def test_transfer_rate_is_smoothed_over_the_window() -> None:
    running = job_id(0)
    records = {running: record("RUNNING", size=0, completed=0)}
    monitor, _, clock = make(records, rate_window=10.0)
    await monitor.poll()
    size = 0
    for step in range(20):  # a burst every other poll: 20 MB, then nothing
        size += 20_000_000 if step % 2 == 0 else 0
        records[running] = record("RUNNING", size=size, completed=step)
        clock.advance(2)
        snap = await monitor.poll()
        if step >= 6:
            assert snap.transfers[running].rate == pytest.approx(5_000_000, rel=0.25)


async def test_stalled_transfer_has_zero_rate_and_no_eta() -> None:
    running = job_id(0)
    records = {running: record("RUNNING", size=5, completed=30)}
    monitor, _, clock = make(records)
    for _ in range(3):
        snap = await monitor.poll()
        clock.advance(2)
    assert snap.transfers[running].rate == 0.0 and snap.transfers[running].eta is None


async def test_pending_job_has_unknown_transfer() -> None:
    records = {job_id(0): record("PENDING", start=None)}
    monitor, _, _ = make(records)
    snap = await monitor.poll()
    transfer = snap.transfers[job_id(0)]
    assert (transfer.elapsed, transfer.rate, transfer.eta, transfer.percent) == (None, None, None, None)


def expected_delays(count: int, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    settings = RefreshSettings()
    return [backoff_delay(n, settings, rng) for n in range(1, count + 1)]


def test_backoff_doubles_to_the_cap_with_bounded_jitter() -> None:
    settings = RefreshSettings()
    for seed in range(20):
        rng = random.Random(seed)
        for failures, base in enumerate([2, 4, 8, 16, 32, 60, 60, 60, 60], start=1):
            delay = backoff_delay(failures, settings, rng)
            assert base * 0.8 <= delay <= min(base * 1.2, 60.0)
    spread = {round(backoff_delay(9, settings, random.Random(s)), 3) for s in range(20)}
    assert len(spread) > 10 and min(spread) < 55  # still jittered at the cap
    no_jitter = RefreshSettings(jitter=0.0)
    assert [backoff_delay(n, no_jitter, random.Random()) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]


async def test_unreachable_keeps_data_backs_off_and_recovers() -> None:
    monitor, client, clock = make(history(5))
    good = await monitor.poll()
    client.take_calls()
    client.fail = ApplianceUnreachable("vcsa-test", "connection refused", "Check the host.")
    delays = []
    for _ in range(7):
        clock.advance(monitor.next_delay() or 0)
        snap = await monitor.poll()
        delays.append(monitor.next_delay())
        assert snap.connection is ConnectionState.UNREACHABLE and snap.is_stale
        assert snap.jobs is good.jobs and snap.last_success == good.last_success
        assert isinstance(snap.error, ApplianceUnreachable)
        assert snap.retry_at == clock.now + timedelta(seconds=delays[-1] or 0)
        assert changed_ids(good, snap) == set() and snap.events == ()
    assert delays == expected_delays(7)
    client.fail = None
    client.take_calls()
    snap = await monitor.poll()
    assert client.take_calls() == [FULL]
    assert snap.connection is ConnectionState.LIVE and snap.reconnected and snap.error is None
    assert snap.retry_at is None and not snap.is_stale
    assert monitor.next_delay() == 30.0
    snap = await monitor.poll()
    assert not snap.reconnected
    # the backoff starts again from the beginning after a success
    client.fail = ApplianceUnreachable("vcsa-test", "timed out")
    await monitor.poll()
    assert 1.6 <= (monitor.next_delay() or 0) <= 2.4


async def test_failure_while_running_makes_the_recovery_poll_full() -> None:
    records = history(2)
    records[job_id(2)] = record("RUNNING", start=START + timedelta(days=2), size=0, completed=0)
    monitor, client, _ = make(records)
    await monitor.poll()
    client.fail = ApplianceUnreachable("vcsa-test", "timed out")
    await monitor.poll()
    client.fail = None
    client.take_calls()
    await monitor.poll()
    assert client.take_calls() == [FULL]


@pytest.mark.parametrize(
    "error",
    [
        ApiError("vcsa-test", "HTTP 500", status_code=500, error_type="ERROR"),
        InvalidResponse("vcsa-test", "not JSON"),
    ],
)
async def test_api_errors_become_error_state(error: ApplianceError) -> None:
    monitor, client, _ = make(history(2))
    await monitor.poll()
    client.fail = error
    snap = await monitor.poll()
    assert snap.connection is ConnectionState.ERROR and snap.error is error and snap.total == 2
    assert monitor.next_delay() == expected_delays(1)[0]


async def test_first_poll_failure_is_unreachable_without_data() -> None:
    monitor, client, _ = make(history(2))
    client.fail = ApplianceUnreachable("vcsa-test", "name not known")
    snap = await monitor.poll()
    assert snap.connection is ConnectionState.UNREACHABLE and snap.jobs == () and not snap.is_stale


async def test_unexpected_exception_never_escapes_poll() -> None:
    monitor, client, _ = make(history(2))
    client.fail = KeyError("boom")
    snap = await monitor.poll()
    assert snap.connection is ConnectionState.ERROR
    assert isinstance(snap.error, ApplianceError) and "KeyError" in snap.error.message


async def test_auth_failed_never_retries_until_the_user_types_a_password() -> None:
    monitor, client, clock = make(history(3))
    client.fail = AuthenticationFailed("vcsa-test", "user name or password refused", "Type it again.")
    snap = await monitor.poll()
    assert snap.connection is ConnectionState.AUTH_FAILED and monitor.next_delay() is None
    assert snap.retry_at is None
    for full in (False, True):  # neither the loop nor r tries the same password again
        clock.advance(60)
        assert await monitor.poll(full=full) is snap
    assert client.take_calls() == [FULL]
    client.fail = None
    snap = await monitor.retry_login(Secret("right"))
    assert client.passwords == [Secret("right")]
    assert client.take_calls() == [FULL]
    assert snap.connection is ConnectionState.LIVE and snap.total == 3 and snap.reconnected


async def test_retry_login_with_a_wrong_password_again_stays_auth_failed() -> None:
    monitor, client, _ = make(history(1))
    client.fail = AuthenticationFailed("vcsa-test", "refused")
    await monitor.poll()
    snap = await monitor.retry_login(Secret("still wrong"))
    assert snap.connection is ConnectionState.AUTH_FAILED and monitor.next_delay() is None
    assert len(client.take_calls()) == 2


async def test_not_authorized_polls_slowly() -> None:
    monitor, client, clock = make(history(1))
    client.fail = NotAuthorized("vcsa-test", "user lacks the privilege")
    snap = await monitor.poll()
    assert snap.connection is ConnectionState.NOT_AUTHORIZED
    assert monitor.next_delay() == 300.0 and snap.retry_at == clock.now + timedelta(seconds=300)
    snap = await monitor.poll()
    assert monitor.next_delay() == 300.0  # no backoff shrinking or growing: just slow


async def test_problem_records_are_listed_and_keep_the_last_good_version() -> None:
    records = history(3)
    records["bad-1"] = record() | {"size": "lots"}
    monitor, _, clock = make(records)
    snap = await monitor.poll()
    assert [(p.record_id, p.field_path) for p in snap.problems] == [("bad-1", "size")]
    assert "bad-1" not in snap.by_id and snap.total == 3
    records[job_id(1)]["start_time"] = "yesterday"
    clock.advance(30)
    before, snap = snap, await monitor.poll()
    assert {p.record_id for p in snap.problems} == {"bad-1", job_id(1)}
    assert job_id(1) in snap.by_id and removed_ids(before, snap) == set()
    records[job_id(1)]["start_time"] = format_time(START + timedelta(days=1))
    del records["bad-1"]
    clock.advance(30)
    snap = await monitor.poll()
    assert snap.problems == ()


async def test_status_line_properties() -> None:
    records = {
        job_id(0): record("SUCCEEDED", start=START),
        job_id(1): record("FAILED", start=START + timedelta(days=1), error_text="Broken pipe"),
        job_id(2): record("SUCCEEDED", start=START + timedelta(days=2)),
        job_id(3): record("FAILED", start=START + timedelta(days=3)),
        job_id(4): record("RUNNING", start=START + timedelta(days=4), size=1, completed=1),
    }
    monitor, _, _ = make(records)
    snap = await monitor.poll()
    assert snap.total == 5 and snap.failed_count == 2
    assert [j.id for j in snap.running] == [job_id(4)]
    assert snap.latest_job is not None and snap.latest_job.id == job_id(4)
    assert snap.last_successful_job is not None and snap.last_successful_job.id == job_id(2)
    assert snap.latest_finished_job is not None and snap.latest_finished_job.id == job_id(3)
    empty = Monitor(FakeClient({})).snapshot
    assert empty.failed_count == 0 and empty.last_successful_job is None and empty.latest_finished_job is None


async def test_pending_job_without_start_time_sorts_first() -> None:
    records = history(3)
    records[job_id(5)] = record("PENDING", start=None)
    monitor, _, _ = make(records)
    snap = await monitor.poll()
    assert snap.jobs[0].id == job_id(5)
    records[job_id(5)] = record("RUNNING", start=START + timedelta(days=5), size=0, completed=0)
    snap = await monitor.poll()
    assert snap.jobs[0].id == job_id(5) and snap.jobs[0].is_running


async def test_cancelled_poll_leaves_state_untouched() -> None:
    records = history(3)
    monitor, client, clock = make(records)
    before = await monitor.poll()
    records[job_id(9)] = record(start=START + timedelta(days=9))
    client.gate = asyncio.Event()
    clock.advance(30)
    task = asyncio.create_task(monitor.poll(full=True))
    await client.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert monitor.snapshot is before
    client.gate = None
    snap = await monitor.poll()
    assert changed_ids(before, snap) == {job_id(9)} and [e.kind for e in snap.events] == ["succeeded"]


async def test_close_logs_out_and_swallows_an_unreachable_appliance() -> None:
    monitor, client, _ = make(history(1))
    await monitor.close()
    assert client.closed
    client.fail = ApplianceUnreachable("vcsa-test", "gone")
    await monitor.close()


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="running"):
        RefreshSettings(running=0)
    with pytest.raises(ValueError, match="jitter"):
        RefreshSettings(jitter=1.5)
    with pytest.raises(ValueError, match="backoff_max"):
        RefreshSettings(backoff_initial=10, backoff_max=5)
    assert RefreshSettings(idle=60, running=1).running == 1


def test_core_monitor_modules_do_not_import_textual_or_rich() -> None:
    code = (
        "import sys, backuptui.core.watch.monitor, backuptui.core.watch.transfer,"
        " backuptui.core.watch.events;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
