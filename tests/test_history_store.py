"""The history store: file and modes, what a poll writes (and that an unchanged one writes
nothing), jobs the appliance dropped kept and marked, retention, secrets, corrupt and read-only
files, and the writer thread turning the store off with one notice."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from backuptui.core.store import HistoryStore, HistoryWriter, Identity, Retention
from backuptui.core.store.location import history_path
from tests.history_jobs import T0, job, snapshot

LAB = Identity("lab", "vcsa01.example.com")


def changes(path: Path) -> int:
    """Rows changed in the file since it was made, read by another connection (WAL included)."""
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT COUNT(*) FROM job").fetchone()[0])
    finally:
        db.close()


def test_file_is_0600_in_a_0700_directory_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "data" / "history.sqlite3"
    store = HistoryStore.open(path)
    store.record_poll(LAB, snapshot([job(0)]))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(f"{path}-wal").stat().st_mode) == 0o600
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    store.close()


def test_a_looser_default_directory_and_file_are_made_private_and_said(tmp_path: Path) -> None:
    directory = history_path().parent  # the XDG one of the test's environment
    directory.mkdir(parents=True, mode=0o755)
    os.chmod(directory, 0o755)
    path = directory / "history.sqlite3"
    HistoryStore.open(path).close()
    os.chmod(path, 0o644)
    os.chmod(directory, 0o755)
    store = HistoryStore.open(path)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.notice is not None and f"{directory} was mode 0755; it is now 0700" in store.notice
    store.close()
    again = HistoryStore.open(path)
    assert again.notice is None  # said once: nothing changed this time
    again.close()
    # another directory (BACKUPTUI_DATA names one) is the user's: the file is made private, not it
    own = tmp_path / "own"
    own.mkdir(mode=0o755)
    os.chmod(own, 0o755)
    elsewhere = HistoryStore.open(own / "history.sqlite3")
    assert elsewhere.notice is None and stat.S_IMODE(own.stat().st_mode) == 0o755
    assert stat.S_IMODE((own / "history.sqlite3").stat().st_mode) == 0o600
    elsewhere.close()


def test_data_directory_follows_backuptui_data_then_xdg(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert history_path() == tmp_path / "xdg-data" / "backuptui" / "history.sqlite3"
    monkeypatch.setenv("BACKUPTUI_DATA", str(tmp_path / "elsewhere"))
    assert history_path() == tmp_path / "elsewhere" / "history.sqlite3"


def test_a_poll_that_changed_nothing_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore.open(path)
    jobs = [job(day) for day in range(5)]
    assert store.record_poll(LAB, snapshot(jobs)) == 5
    before = path.stat().st_size, Path(f"{path}-wal").stat().st_size, Path(f"{path}-wal").stat().st_mtime_ns
    # the same objects, then equal records parsed again (a later poll's new objects)
    assert store.record_poll(LAB, snapshot(jobs, taken_at=T0 + timedelta(minutes=1))) == 0
    again = [job(day) for day in range(5)]
    assert store.record_poll(LAB, snapshot(again, taken_at=T0 + timedelta(minutes=2))) == 0
    wal = Path(f"{path}-wal").stat()
    assert (path.stat().st_size, wal.st_size, wal.st_mtime_ns) == before
    # one job changed: one row written
    changed = [*again[:4], job(4, "FAILED")]
    assert store.record_poll(LAB, snapshot(changed, taken_at=T0 + timedelta(minutes=3))) == 1
    store.close()


def test_load_gives_the_jobs_back_and_a_reopened_store_knows_them(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore.open(path)
    jobs = [job(day) for day in range(3)] + [job(3, "FAILED")]
    store.record_poll(LAB, snapshot(jobs, taken_at=T0 + timedelta(days=4)))
    store.end_session(LAB, T0 + timedelta(days=4, hours=1))
    store.close()
    store = HistoryStore.open(path)
    cached = store.load(LAB)
    assert cached is not None
    assert [j.id for j in cached.jobs] == [j.id for j in sorted(jobs, key=lambda j: j.id, reverse=True)]
    assert cached.jobs[0].problem == "No space left on device"
    assert cached.jobs[0] == jobs[3]
    assert cached.age(T0 + timedelta(days=4, hours=3)) == timedelta(hours=2)
    assert store.load(Identity("lab", "other.example.com")) is None
    # reopened, the same jobs are known: nothing to write
    assert store.record_poll(LAB, snapshot(list(cached.jobs), taken_at=T0 + timedelta(days=5))) == 0
    store.close()
    sessions = sqlite3.connect(path).execute("SELECT started_at, ended_at FROM session").fetchall()
    assert len(sessions) == 2 and sessions[1][1] is None  # the second one began, not ended


def test_a_job_the_appliance_no_longer_lists_stays_marked(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "h.sqlite3")
    jobs = [job(day) for day in range(6)]
    listed, dropped = T0 + timedelta(days=6), T0 + timedelta(days=6, minutes=5)
    store.record_poll(LAB, snapshot(jobs, taken_at=listed))
    # a first page (incomplete) says nothing about the older jobs
    assert store.record_poll(LAB, snapshot(jobs[4:], complete=False, taken_at=dropped)) == 0
    # the full history of a shorter retention: the two oldest are gone, and stay
    assert store.record_poll(LAB, snapshot(jobs[2:], taken_at=dropped)) == 2
    cached = store.load(LAB)
    assert cached is not None
    assert len(cached.jobs) == 6
    assert cached.gone == {jobs[0].id, jobs[1].id}
    # first seen with the first listing; found gone with the listing that lacked them, last seen
    # with the whole listing before it (not the first page between)
    assert cached.first_seen[jobs[0].id] == listed
    assert cached.gone_since == {jobs[0].id: dropped, jobs[1].id: dropped}
    assert cached.last_listed == {jobs[0].id: listed, jobs[1].id: listed}
    marked = {j.id: j for j in cached.marked_jobs()}
    assert marked[jobs[0].id].gone and marked[jobs[0].id].gone_since == dropped
    assert not marked[jobs[2].id].gone and marked[jobs[2].id].gone_since is None
    # listed again: no longer marked
    store.record_poll(LAB, snapshot(jobs[1:]))
    cached = store.load(LAB)
    assert cached is not None and cached.gone == {jobs[0].id}
    store.close()


def test_retention_deletes_old_and_surplus_jobs_the_appliance_no_longer_lists(tmp_path: Path) -> None:
    clock = [T0 + timedelta(days=40)]
    path = tmp_path / "h.sqlite3"
    store = HistoryStore.open(path, retention=Retention(max_days=30, max_jobs=5), clock=lambda: clock[0])
    jobs = [job(day) for day in range(10)]  # days 0-9 after T0, all older than 30 days but day 10+
    store.record_poll(LAB, snapshot(jobs))
    assert store.prune() == 0  # all still listed: the appliance's copy is the truth
    store.record_poll(LAB, snapshot(jobs[8:]))  # only days 8 and 9 listed now
    clock[0] = T0 + timedelta(days=36, hours=12)  # day 6 and older are past 30 days
    assert store.prune() == 7  # days 0-6 by age (days 7-9 remain: within 5 jobs too)
    cached = store.load(LAB)
    assert cached is not None and [j.id for j in cached.jobs] == [jobs[9].id, jobs[8].id, jobs[7].id]
    store.close()
    store = HistoryStore.open(path, retention=Retention(max_days=3650, max_jobs=2), clock=lambda: clock[0])
    writer = HistoryWriter(store)  # the writer applies the retention first, in its thread
    assert writer.flush(10)
    cached = store.load(LAB)  # the surplus gone job went
    assert cached is not None and [j.id for j in cached.jobs] == [jobs[9].id, jobs[8].id]
    writer.close()


def test_no_password_in_the_store(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore.open(path)
    store.record_poll(LAB, snapshot([job(0, location="sftp://backup:s3cr3t-pw@host/vcsa")]))
    store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    cached = HistoryStore.open(path).load(LAB)
    assert cached is not None and cached.jobs[0].location == "sftp://backup:***@host/vcsa"
    assert b"s3cr3t" not in data


def test_a_corrupt_file_is_moved_aside_named_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    garbage = b"this is not a database " * 200
    path.write_bytes(garbage)
    store = HistoryStore.open(path)
    assert store.notice is not None
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("h.sqlite3.corrupt-")]
    assert len(moved) == 1 and moved[0].read_bytes() == garbage
    assert str(moved[0]) in store.notice
    assert store.record_poll(LAB, snapshot([job(0)])) == 1
    store.close()


def _open_in_child(path: Path, as_nobody: bool) -> subprocess.CompletedProcess[str]:
    code = (
        "import os, sys\n"
        "from backuptui.core.store import HistoryStore, StoreUnavailable\n"
        "if len(sys.argv) > 2: os.setgid(65534); os.setuid(65534)\n"
        "try:\n"
        "    HistoryStore.open(sys.argv[1])\n"
        "except StoreUnavailable as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    argv = [sys.executable, "-c", code, str(path)] + (["nobody"] if as_nobody else [])
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_a_read_only_directory_turns_the_store_off_with_a_clear_message(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    path = directory / "h.sqlite3"
    HistoryStore.open(path).close()
    as_root = os.geteuid() == 0
    os.chmod(directory, 0o555)
    os.chmod(path, 0o644)
    if as_root:  # root writes anywhere: open it as nobody, who may read but not write
        os.chmod(tmp_path, 0o755)
    try:
        result = _open_in_child(path, as_nobody=as_root)
    finally:
        os.chmod(directory, 0o700)
    assert result.returncode == 3, result.stderr
    assert f"backup history off: {path} cannot be written" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_full_disk_turns_the_writer_off_once_and_the_caller_goes_on(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "h.sqlite3")
    told: list[str] = []
    writer = HistoryWriter(store, on_problem=told.append)
    writer.record_poll(LAB, snapshot([job(0)]))
    assert writer.flush(10)
    # SQLite's own "database or disk is full": no more pages may be added
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    big = [job(day, description_text="x" * 4000) for day in range(1, 40)]
    writer.record_poll(LAB, snapshot(big))
    assert writer.flush(10)
    writer.record_poll(LAB, snapshot([*big, job(50)]))
    assert writer.flush(10)
    assert len(told) == 1 and "the disk is full" in told[0] and "the monitor goes on" in told[0]
    assert writer.problem == told[0] and not writer.enabled
    writer.close()


def test_the_verdict_is_written_when_its_level_changes(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "h.sqlite3")
    assert store.record_verdict(LAB, "OK", "last backup succeeded (24 s ago)", T0)
    assert not store.record_verdict(LAB, "OK", "last backup succeeded (26 s ago)", T0)  # only an age moved
    assert store.record_verdict(LAB, "CRITICAL", "the last backup failed", T0 + timedelta(hours=1))
    cached = store.load(LAB)
    assert cached is not None and cached.verdict is not None
    assert (cached.verdict.level, cached.verdict.summary) == ("CRITICAL", "the last backup failed")
    store.close()


def test_is_gone_finds_the_jobs_the_appliance_no_longer_lists() -> None:

    from backuptui.core.filtering import JobFilter

    kept, listed = job(0).replace(gone=True), job(1)
    assert JobFilter.parse("is:gone").apply([kept, listed]) == [kept]
    assert JobFilter.parse("-is:gone").apply([kept, listed]) == [listed]
    assert JobFilter.parse("is:gone").describe() == "status:gone"
    assert "gone" in (JobFilter.parse("status:nope").error or "")


def test_schedules_are_written_when_they_change(tmp_path: Path) -> None:
    from backuptui.core.appliance.models import Schedule

    store = HistoryStore.open(tmp_path / "h.sqlite3")
    daily = Schedule("default", "sftp://h/b", "backup", True, raw={"location": "sftp://h/b", "enable": True})
    assert store.record_schedules(LAB, [daily])
    assert not store.record_schedules(LAB, [daily])
    raw = {"location": "sftp://u:pw1@h/b", "enable": False, "location_password": "pw2"}
    off = Schedule("default", "sftp://h/b", "backup", False, raw=raw)
    assert store.record_schedules(LAB, [off])
    cached = store.load(LAB)
    assert cached is not None and cached.schedules == ('{"enable": false, "location": "sftp://u:***@h/b"}',)
    store.close()
