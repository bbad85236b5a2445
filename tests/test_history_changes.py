"""The monitor says which jobs each poll changed (`Snapshot.changes`), and the store, given them,
writes exactly what comparing the whole history would write: the same rows, the same gone marks,
nothing for a poll that changed nothing, and the whole comparison again when they do not follow."""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from snapshot_diff import changed_ids, removed_ids

from backuptui.core.appliance.errors import ApplianceUnreachable
from backuptui.core.store import HistoryStore, HistoryWriter, Identity
from backuptui.core.watch.monitor import ConnectionState, Monitor
from backuptui.core.watch.snapshot import JobChanges, Snapshot
from tests.test_monitor import START, FakeClient, FakeClock, history, job_id, make, record

LAB = Identity("lab", "vcsa-test")
RUNNING = job_id(20)


def _table(path: Path) -> list[tuple[Any, ...]]:
    """What the store holds of every job (the times it wrote left out: they differ by store)."""
    db = sqlite3.connect(path)
    try:
        return db.execute(
            "SELECT job_id, status, digest, gone_since IS NOT NULL FROM job ORDER BY job_id"
        ).fetchall()
    finally:
        db.close()


async def _steps(monitor: Monitor, client: FakeClient, clock: FakeClock) -> list[Snapshot]:
    """A session's polls: the history, a backup that starts, moves, survives a failed poll and
    ends, an unchanged poll, and the appliance's retention dropping the two oldest jobs."""
    records = client.records
    shots = [await monitor.poll()]
    records[RUNNING] = record("RUNNING", start=START + timedelta(days=20), size=0, completed=0)
    shots.append(await monitor.poll())  # nothing was active: a full poll finds the new job
    for completed in (30, 60):
        clock.advance(2)
        records[RUNNING] = record(
            "RUNNING", start=START + timedelta(days=20), size=completed, completed=completed
        )
        shots.append(await monitor.poll())  # the running job only
    client.fail = ApplianceUnreachable("vcsa-test", "timed out")
    shots.append(await monitor.poll())
    client.fail = None
    records[RUNNING] = record("SUCCEEDED", start=START + timedelta(days=20))
    shots.append(await monitor.poll())  # the active job ended: the whole history next
    shots.append(await monitor.poll())
    shots.append(await monitor.poll())  # nothing changed
    del records[job_id(0)], records[job_id(1)]
    shots.append(await monitor.poll())
    return shots


async def test_each_poll_says_which_jobs_it_changed_since_the_previous_one() -> None:
    monitor, client, clock = make(history(5))
    shots = await _steps(monitor, client, clock)
    live = [shot for shot in shots if shot.connection is ConnectionState.LIVE]
    assert len(live) < len(shots)  # the failed poll is in there
    for before, after in itertools.pairwise(live):
        assert after.changes is not None and before.changes is not None
        assert after.changes.base == before.changes.version
        assert after.changes.changed == changed_ids(before, after)
        assert after.changes.removed == removed_ids(before, after)
        assert (after.changes.version == after.changes.base) == (after.jobs is before.jobs)
    assert live[-1].changes is not None and live[-1].changes.removed == {job_id(0), job_id(1)}
    other, _, _ = make(history(5))
    assert (await other.poll()).changes.lineage is not live[0].changes.lineage  # type: ignore[union-attr]


async def test_the_store_writes_from_the_changes_what_a_whole_comparison_writes(tmp_path: Path) -> None:
    monitor, client, clock = make(history(5))
    shots = await _steps(monitor, client, clock)
    told = HistoryStore.open(tmp_path / "told.sqlite3")
    compared = HistoryStore.open(tmp_path / "compared.sqlite3")
    try:
        for shot in shots:
            written = told.record_poll(LAB, shot)
            assert written == compared.record_poll(LAB, replace(shot, changes=None))
            assert _table(tmp_path / "told.sqlite3") == _table(tmp_path / "compared.sqlite3")
        table = _table(tmp_path / "told.sqlite3")
        assert [row[0] for row in table if row[3]] == [job_id(0), job_id(1)]  # gone, kept
        assert (RUNNING, "SUCCEEDED") in {row[:2] for row in table}
        # the unchanged poll wrote nothing: its changes are empty and its jobs the same tuple
        assert told.record_poll(LAB, shots[-1]) == 0
    finally:
        told.close()
        compared.close()


async def test_changes_that_do_not_follow_the_last_write_are_not_trusted(tmp_path: Path) -> None:
    """A skipped snapshot (its changes lost) means comparing the whole list again."""
    records = history(5)
    monitor, _, clock = make(records)
    store = HistoryStore.open(tmp_path / "h.sqlite3")
    try:
        store.record_poll(LAB, await monitor.poll())
        records[RUNNING] = record("RUNNING", start=START + timedelta(days=20), size=0, completed=0)
        await monitor.poll()  # never recorded
        clock.advance(2)
        records[job_id(3)] = record("FAILED", start=START + timedelta(days=3), error_text="disk full")
        records[RUNNING] = record("RUNNING", start=START + timedelta(days=20), size=9, completed=9)
        last = await monitor.poll()
        assert last.changes is not None and last.changes.changed == {RUNNING}  # an active poll
        assert store.record_poll(LAB, last) == 1  # the running job, found by comparison
        assert RUNNING in {row[0] for row in _table(tmp_path / "h.sqlite3")}
    finally:
        store.close()


def test_changes_joined_across_a_skipped_snapshot() -> None:
    lineage = object()
    first = JobChanges(lineage, 3, 4, frozenset({"a", "b"}), frozenset({"c"}))
    second = JobChanges(lineage, 4, 5, frozenset({"c"}), frozenset({"b"}))
    assert second.after(first) == JobChanges(lineage, 3, 5, frozenset({"a", "c"}), frozenset({"b"}))
    assert JobChanges(lineage, 5, 6).after(first) is None  # a gap
    assert JobChanges(object(), 4, 5).after(first) is None  # another monitor's history


async def test_the_writer_keeps_the_changes_of_a_snapshot_it_skipped(tmp_path: Path) -> None:
    """Polls queued while the writer is busy are written as one, from their joined changes; a
    failed poll queued after a live one does not take its place."""
    records = history(5)
    monitor, client, clock = make(records)
    store = HistoryStore.open(tmp_path / "h.sqlite3")
    writer = HistoryWriter(store)
    try:
        assert writer.flush(10)
        writer.record_poll(LAB, await monitor.poll())
        assert writer.flush(10)
        with store._lock:  # the writer thread waits here: the next polls queue up
            records[RUNNING] = record("RUNNING", start=START + timedelta(days=20), size=0, completed=0)
            writer.record_poll(LAB, await monitor.poll())
            for completed in (5, 10):
                clock.advance(2)
                records[RUNNING] = record(
                    "RUNNING", start=START + timedelta(days=20), size=completed, completed=completed
                )
                writer.record_poll(LAB, await monitor.poll())
            client.fail = ApplianceUnreachable("vcsa-test", "timed out")
            writer.record_poll(LAB, await monitor.poll())
            queued = writer._polls[LAB]
            assert queued.connection is ConnectionState.LIVE
            assert queued.changes is not None and queued.changes.changed == {RUNNING}
        assert writer.flush(10)
        assert writer.problem is None
        rows = {row[0]: row[1] for row in _table(tmp_path / "h.sqlite3")}
        assert rows[RUNNING] == "RUNNING" and len(rows) == 6
        cached = store.load(LAB)
        assert cached is not None and cached.jobs[0].size == 10  # the newest of the queued polls
    finally:
        writer.close()
