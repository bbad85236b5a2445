"""The history's schema: every earlier version migrates on open, a newer one is refused and left
untouched, and a `kill -9` in the middle of writing loses nothing that was committed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from backuptui.core.store import SCHEMA_VERSION, HistoryStore, Identity, NewerSchema, StoreUnavailable
from backuptui.core.store.schema import MIGRATIONS
from tests.history_jobs import job, snapshot

LAB = Identity("lab", "vcsa01.example.com")


def _v1_to_v2(db: sqlite3.Connection) -> None:
    """A next version, to prove the framework: a column added, existing rows kept."""
    db.execute("ALTER TABLE appliance ADD COLUMN note TEXT")
    db.execute("UPDATE appliance SET note = 'migrated'")


def test_a_first_start_migrates_the_empty_file_to_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    sqlite3.connect(path).close()  # version 0: the empty file
    HistoryStore.open(path).close()
    assert (
        sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
        == SCHEMA_VERSION
        == len(MIGRATIONS)
    )


@pytest.mark.parametrize("version", range(len(MIGRATIONS)))
def test_every_earlier_version_migrates_with_its_data(tmp_path: Path, version: int) -> None:
    """A file made by the code of `version` (its migrations), with data, opens in every later one."""
    path = tmp_path / "h.sqlite3"
    store = HistoryStore.open(path, migrations=MIGRATIONS[: version + 1])
    store.record_poll(LAB, snapshot([job(0), job(1, "FAILED")]))
    store.close()
    later = (*MIGRATIONS, _v1_to_v2)
    store = HistoryStore.open(path, migrations=later)
    cached = store.load(LAB)
    assert cached is not None and len(cached.jobs) == 2 and cached.jobs[0].status == "FAILED"
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(later)
    assert db.execute("SELECT note FROM appliance").fetchall() == [("migrated",)]


def test_a_failing_migration_leaves_the_version_before_it(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    HistoryStore.open(path).close()

    def broken(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE appliance ADD COLUMN half TEXT")
        raise sqlite3.DatabaseError("disk I/O error")

    with pytest.raises(StoreUnavailable, match="backup history off"):
        HistoryStore.open(path, migrations=(*MIGRATIONS, broken))
    assert [p.name for p in tmp_path.iterdir() if "corrupt" in p.name] == []  # not taken for corrupt
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "half" not in [row[1] for row in db.execute("PRAGMA table_info(appliance)")]


def test_a_newer_schema_is_refused_and_never_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore.open(path, migrations=(*MIGRATIONS, _v1_to_v2))
    store.record_poll(LAB, snapshot([job(0)]))
    store.close()
    before = path.read_bytes()
    with pytest.raises(NewerSchema) as raised:
        HistoryStore.open(path)
    message = str(raised.value)
    assert str(path) in message and "version 2" in message and "newer backuptui" in message
    assert "left untouched" in message
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if "corrupt" in p.name]


_WRITER = """
import sys
from datetime import timedelta
sys.path.insert(0, sys.argv[2])
from backuptui.core.store import HistoryStore, Identity
from tests.history_jobs import T0, job, snapshot
store = HistoryStore.open(sys.argv[1])
jobs = []
for day in range(100000):
    jobs.append(job(day % 3000, "FAILED" if day >= 3000 else "SUCCEEDED"))
    jobs = jobs[-3000:]
    store.record_poll(Identity("lab", "h"), snapshot(jobs, taken_at=T0 + timedelta(minutes=day)))
    print(jobs[-1].id, jobs[-1].status, flush=True)
"""


def test_kill_9_during_a_write_loop_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    root = str(Path(__file__).resolve().parent.parent)
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), root], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    committed: dict[str, str] = {}
    for line in child.stdout:  # each line is printed after its poll committed
        job_id, status = line.split()
        committed[job_id] = status
        if len(committed) >= 150:
            break
    child.kill()  # SIGKILL, mid-loop
    child.wait(30)
    child.stdout.close()
    store = HistoryStore.open(path)
    cached = store.load(Identity("lab", "h"))
    assert cached is not None
    stored = {j.id: str(j.status) for j in cached.jobs}
    assert all(stored.get(job_id) == status for job_id, status in committed.items())
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()
