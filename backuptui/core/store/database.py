"""The history database: open it safely, read what is cached for an appliance, write what a poll
changed.

Opening creates the file 0600 in a 0700 directory, runs the migrations, and turns WAL on (a
`kill -9` loses at most the transaction in flight). A file that is not a database is moved aside
(`history.sqlite3.corrupt-<time>`, named in `notice`) and a new one is made, which the next polls
fill from the appliance again; a newer schema, a read-only or a full disk raise `StoreUnavailable`.
Every method takes the store's lock, so the writer thread and a reader may share it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import operator
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backuptui.core.appliance.models import BackupJob, Schedule, sorted_newest_first
from backuptui.core.store.files import Corrupt, connect, move_aside, tighten_default_directory, unavailable
from backuptui.core.store.records import (
    CODEC,
    digest,
    job_from_row,
    job_row,
    read_time,
    record_text,
    schedule_text,
    store_time,
)
from backuptui.core.store.retention import Retention, prune
from backuptui.core.store.schema import MIGRATIONS, Migration
from backuptui.core.store.values import Cached, Identity, StoredVerdict
from backuptui.core.watch.snapshot import ConnectionState, JobChanges, Snapshot

Clock = Callable[[], datetime]

_NONE: frozenset[str] = frozenset()


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Known:
    """What the store holds of one appliance, to find what a poll changed without reading."""

    appliance_id: int
    digests: dict[str, bytes]
    gone: set[str]
    written: dict[str, BackupJob] = field(default_factory=dict)  # the objects last compared
    session_id: int | None = None
    last_jobs: tuple[BackupJob, ...] = ()  # the jobs of the last snapshot recorded
    last_changes: JobChanges | None = None  # its place in the monitor's history (None: unknown)
    last_problems: frozenset[str] = frozenset()  # the ids of its records that did not parse
    checked_complete: bool = False  # those ids were checked for jobs gone from the appliance
    #: when the last whole live listing was taken: a job missing from the next was last seen then
    listed_at: datetime | None = None

    def forget_snapshot(self) -> None:
        """The next snapshot is compared whole (a new session, or after a failed write)."""
        self.written.clear()
        self.last_jobs, self.last_changes, self.checked_complete = (), None, False
        self.listed_at = None


def _candidates(jobs: tuple[BackupJob, ...], last: tuple[BackupJob, ...]) -> tuple[Sequence[BackupJob], bool]:
    """The jobs that may have changed since `last`, and whether the ids are those of `last`, for
    a snapshot whose changes the monitor did not say (a cached one, another monitor's).

    The monitor keeps an unchanged job the same object at the same place, so comparing the two
    tuples place by place (in C: `map(is_not, ...)`) finds the one running job of 10,000 without
    a Python loop over all of them; a list whose order moved is compared whole.
    """
    if jobs is last:
        return (), True
    if len(jobs) != len(last):
        return jobs, False
    moved = list(itertools.compress(range(len(jobs)), map(operator.is_not, jobs, last)))
    return [jobs[i] for i in moved], all(jobs[i].id == last[i].id for i in moved)


def _follows(changes: JobChanges | None, known: _Known) -> bool:
    """`changes` start where the last recorded snapshot was: only they need looking at."""
    last = known.last_changes
    return (
        changes is not None
        and last is not None
        and changes.lineage is last.lineage
        and changes.base == last.version
    )


class HistoryStore:
    """The history database of every appliance this user watches."""

    def __init__(
        self, db: sqlite3.Connection, path: Path, *, retention: Retention, clock: Clock, notice: str | None
    ) -> None:
        self._db = db
        self.path = path
        self.retention = retention
        self._clock = clock
        #: said once to the user: the corrupt file moved aside, say (None: nothing to say)
        self.notice = notice
        self._lock = threading.RLock()
        self._known: dict[Identity, _Known] = {}

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        retention: Retention | None = None,
        clock: Clock | None = None,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> HistoryStore:
        """Open (create, migrate) the database at `path`; raises StoreUnavailable."""
        file = Path(path).expanduser()
        clock = clock or _utc_now
        notice = tighten_default_directory(file.parent)
        try:
            db = connect(file, migrations)
        except Corrupt as corrupt:
            moved = move_aside(file, clock())
            moved_aside = (
                f"the backup history {file} could not be read ({corrupt.reason}); it was moved aside "
                f"to {moved} and a new one is filled from the appliance"
            )
            notice = f"{notice}; {moved_aside}" if notice else moved_aside
            try:
                db = connect(file, migrations)
            except (sqlite3.Error, OSError, Corrupt) as again:
                raise unavailable(file, again) from None
        except (sqlite3.Error, OSError) as exc:
            raise unavailable(file, exc) from None
        return cls(db, file, retention=retention or Retention(), clock=clock, notice=notice)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- reading ---------------------------------------------------------------------------

    def identities(self) -> list[Identity]:
        with self._lock:
            rows = self._db.execute("SELECT profile, host FROM appliance ORDER BY profile, host").fetchall()
        return [Identity(profile, host) for profile, host in rows]

    def find(self, profile: str) -> list[Identity]:
        """The appliances stored under a profile name."""
        return [identity for identity in self.identities() if identity.profile == profile]

    def load(self, identity: Identity, *, limit: int | None = None) -> Cached | None:
        """What is cached for `identity` (None: nothing yet); `limit`: only the newest jobs."""
        with self._lock:
            known = self._know(identity, create=False)
            if known is None:
                return None
            db = self._db
            appliance = db.execute(
                "SELECT last_poll_at, verdict FROM appliance WHERE id = ?", (known.appliance_id,)
            ).fetchone()
            query = (
                "SELECT job_id, codec, record, first_seen, last_seen, gone_since FROM job "
                "WHERE appliance_id = ? "
                "ORDER BY start_time IS NULL DESC, start_time DESC, job_id DESC"
            )
            params: tuple[int, ...] = (known.appliance_id,)
            if limit is not None:
                query += " LIMIT ?"
                params = (known.appliance_id, limit)
            rows = db.execute(query, params).fetchall()
            ended = db.execute(
                "SELECT MAX(ended_at) FROM session WHERE appliance_id = ?", (known.appliance_id,)
            ).fetchone()[0]
            schedules = db.execute(
                "SELECT record FROM schedule WHERE appliance_id = ? ORDER BY schedule_id",
                (known.appliance_id,),
            ).fetchall()
        jobs: list[BackupJob] = []
        first_seen: dict[str, datetime] = {}
        gone: dict[str, tuple[datetime, datetime]] = {}
        shared: dict[Any, Any] = {}  # equal messages of the stored jobs: one object
        for job_id, codec, record, seen, last_seen, gone_since in rows:
            job = job_from_row(job_id, record, codec, shared)
            if job is None:
                continue
            jobs.append(job)
            first = first_seen[job_id] = read_time(seen) or self._clock()
            if gone_since is not None:
                gone[job_id] = (read_time(gone_since) or first, read_time(last_seen) or first)
        verdict = None
        if appliance[1]:
            data = json.loads(appliance[1])
            verdict = StoredVerdict(data["level"], data["summary"], read_time(data["at"]) or self._clock())
        return Cached(
            identity=identity,
            jobs=tuple(sorted_newest_first(jobs)),
            gone=frozenset(gone),
            first_seen=first_seen,
            gone_since={job_id: since for job_id, (since, _) in gone.items()},
            last_listed={job_id: listed for job_id, (_, listed) in gone.items()},
            last_poll_at=read_time(appliance[0]),
            verdict=verdict,
            last_session_end=read_time(ended),
            schedules=tuple(row[0] for row in schedules),
        )

    def session_ends(self, identity: Identity) -> list[datetime]:
        """When each finished session with this appliance ended, oldest first."""
        with self._lock:
            known = self._know(identity, create=False)
            if known is None:
                return []
            rows = self._db.execute(
                "SELECT ended_at FROM session WHERE appliance_id = ? AND ended_at IS NOT NULL "
                "ORDER BY ended_at",
                (known.appliance_id,),
            ).fetchall()
        return [moment for (text,) in rows if (moment := read_time(text)) is not None]

    # -- writing ---------------------------------------------------------------------------

    def record_poll(self, identity: Identity, snapshot: Snapshot) -> int:
        """Write what `snapshot` changed for `identity` in one transaction; how many jobs were
        written or marked gone (0: nothing was written at all). Only a live snapshot counts.

        When the snapshot says which jobs changed since the one recorded last (`changes`), only
        those are looked at: a poll that moved one running job costs the same at 10,000 jobs as
        at 10; otherwise the whole list is compared (see `_candidates`).
        """
        if snapshot.connection is not ConnectionState.LIVE:
            return 0
        with self._lock:
            known = self._know(identity, create=True)
            assert known is not None
            jobs, changes = snapshot.jobs, snapshot.changes
            problems = (
                frozenset(problem.record_id for problem in snapshot.problems) if snapshot.problems else _NONE
            )
            removed: frozenset[str] | None = None  # the ids that left the listing, when known
            if jobs is known.last_jobs:
                candidates: Sequence[BackupJob] = ()
                same_ids = True
            elif changes is not None and problems == known.last_problems and _follows(changes, known):
                by_id = snapshot.by_id
                candidates = [by_id[job_id] for job_id in changes.changed if job_id in by_id]
                same_ids = False  # ids may have been added: the check below looks at `removed` only
                removed = changes.removed
            else:
                candidates, same_ids = _candidates(jobs, known.last_jobs)
            changed: list[tuple[BackupJob, str, bytes]] = []
            back: list[str] = []
            written, digests, gone_before = known.written, known.digests, known.gone
            compared: list[BackupJob] = []  # remembered once written: a failed write forgets them
            for job in candidates:
                if job.unreadable is not None:
                    continue
                if written.get(job.id) is not job:
                    compared.append(job)
                    text = record_text(job)
                    text_digest = digest(text)
                    if digests.get(job.id) != text_digest:
                        changed.append((job, text, text_digest))  # written with its gone mark cleared
                        continue
                if gone_before and job.id in gone_before:
                    back.append(job.id)
            gone: list[str] = []
            if snapshot.complete and not (same_ids and known.checked_complete):
                listed = snapshot.by_id
                # after a check, every other stored id missing from the listing is marked already
                missing = removed if removed is not None and known.checked_complete else digests
                gone = [
                    i
                    for i in missing
                    if i in digests and i not in listed and i not in problems and i not in gone_before
                ]
            if changed or gone or back or known.session_id is None:
                now = store_time(snapshot.taken_at or self._clock())
                self._write(known, snapshot, changed, gone, back, now)
            written.update((job.id, job) for job in compared)
            # still true after an incomplete snapshot that only added ids: none can be missing
            kept_ids = same_ids if removed is None else not removed
            known.checked_complete = snapshot.complete or (kept_ids and known.checked_complete)
            known.last_jobs, known.last_changes, known.last_problems = jobs, changes, problems
            if snapshot.complete:
                known.listed_at = snapshot.taken_at
            return len(changed) + len(gone) + len(back)

    def _write(
        self,
        known: _Known,
        snapshot: Snapshot,
        changed: list[tuple[BackupJob, str, bytes]],
        gone: list[str],
        back: list[str],
        now: int | None,
    ) -> None:
        db = self._db
        rows = []
        for job, text, text_digest in sorted(changed, key=lambda item: item[0].id):  # appended in order
            row = job_row(job, text, text_digest)
            row.update(appliance_id=known.appliance_id, now=now, codec=CODEC)
            rows.append(row)
        db.execute("BEGIN IMMEDIATE")
        try:
            if rows:
                db.executemany(
                    """
                INSERT INTO job (appliance_id, job_id, status, type, start_time, end_time, duration,
                    size, problem, codec, record, digest, first_seen, last_seen, gone_since)
                VALUES (:appliance_id, :job_id, :status, :type, :start_time, :end_time, :duration,
                    :size, :problem, :codec, :record, :digest, :now, :now, NULL)
                ON CONFLICT (appliance_id, job_id) DO UPDATE SET status = excluded.status,
                    type = excluded.type, start_time = excluded.start_time, end_time = excluded.end_time,
                    duration = excluded.duration, size = excluded.size, problem = excluded.problem,
                    codec = excluded.codec, record = excluded.record, digest = excluded.digest,
                    last_seen = excluded.last_seen, gone_since = NULL
                """,
                    rows,
                )
            if gone:
                # last seen: the listing before this one, when this session took it (else the
                # record's last change stands: the job went while nobody watched)
                listed = store_time(known.listed_at)
                db.executemany(
                    "UPDATE job SET gone_since = ?, last_seen = COALESCE(?, last_seen) "
                    "WHERE appliance_id = ? AND job_id = ?",
                    [(now, listed, known.appliance_id, job_id) for job_id in gone],
                )
            if back:
                db.executemany(
                    "UPDATE job SET gone_since = NULL WHERE appliance_id = ? AND job_id = ?",
                    [(known.appliance_id, job_id) for job_id in back],
                )
            db.execute(
                "UPDATE appliance SET last_poll_at = ?, base_url = ? WHERE id = ?",
                (now, snapshot.base_url, known.appliance_id),
            )
            if known.session_id is None:
                cursor = db.execute(
                    "INSERT INTO session (appliance_id, started_at) VALUES (?, ?)", (known.appliance_id, now)
                )
                session_id = cursor.lastrowid
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        if known.session_id is None:
            known.session_id = session_id
        for job, _text, text_digest in changed:
            known.digests[job.id] = text_digest
            known.gone.discard(job.id)
        known.gone.update(gone)
        known.gone.difference_update(back)

    def end_session(self, identity: Identity, at: datetime | None = None) -> None:
        """The user stopped watching `identity`: "since you last looked" counts from here."""
        with self._lock:
            known = self._know(identity, create=False)
            if known is None or known.session_id is None:
                return
            with self._transaction():
                self._db.execute(
                    "UPDATE session SET ended_at = ? WHERE id = ?",
                    (store_time(at or self._clock()), known.session_id),
                )
            known.session_id = None
            known.forget_snapshot()

    def record_verdict(self, identity: Identity, level: str, summary: str, at: datetime) -> bool:
        """Keep the last health verdict; True when it was written (its level changed)."""
        with self._lock:
            known = self._know(identity, create=True)
            assert known is not None
            row = self._db.execute(
                "SELECT verdict FROM appliance WHERE id = ?", (known.appliance_id,)
            ).fetchone()
            # the level, not the summary: its ages ("24 s ago") change with every poll
            if row[0] and json.loads(row[0]).get("level") == level:
                return False
            text = json.dumps({"level": level, "summary": summary, "at": store_time(at)})
            with self._transaction():
                self._db.execute(
                    "UPDATE appliance SET verdict = ?, verdict_at = ? WHERE id = ?",
                    (text, store_time(at), known.appliance_id),
                )
            return True

    def record_schedules(self, identity: Identity, schedules: Iterable[Schedule]) -> bool:
        """Keep the schedules as served (never a password field, a location URL's password masked);
        True when they changed."""
        records = {s.id: schedule_text(s) for s in schedules}
        with self._lock:
            known = self._know(identity, create=True)
            assert known is not None
            rows = self._db.execute(
                "SELECT schedule_id, record FROM schedule WHERE appliance_id = ?", (known.appliance_id,)
            ).fetchall()
            if dict(rows) == records:
                return False
            now = store_time(self._clock())
            with self._transaction():
                self._db.execute("DELETE FROM schedule WHERE appliance_id = ?", (known.appliance_id,))
                self._db.executemany(
                    "INSERT INTO schedule (appliance_id, schedule_id, record, seen_at) VALUES (?, ?, ?, ?)",
                    [(known.appliance_id, sid, text, now) for sid, text in records.items()],
                )
            return True

    def prune(self) -> int:
        """Apply the retention now; how many jobs were deleted."""
        with self._lock:
            with self._transaction():
                removed = prune(self._db, self.retention, self._clock())
            if removed:
                self._known.clear()  # re-read the digests
            return removed

    # -- helpers ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _know(self, identity: Identity, *, create: bool) -> _Known | None:
        known = self._known.get(identity)
        if known is not None:
            return known
        db = self._db
        row = db.execute(
            "SELECT id FROM appliance WHERE profile = ? AND host = ?", (identity.profile, identity.host)
        ).fetchone()
        if row is None:
            if not create:
                return None
            with self._transaction():
                cursor = db.execute(
                    "INSERT INTO appliance (profile, host) VALUES (?, ?)", (identity.profile, identity.host)
                )
            appliance_id = int(cursor.lastrowid or 0)
        else:
            appliance_id = int(row[0])
        digests: dict[str, bytes] = {}
        gone: set[str] = set()
        for job_id, job_digest, gone_since in db.execute(
            "SELECT job_id, digest, gone_since FROM job WHERE appliance_id = ?", (appliance_id,)
        ):
            digests[job_id] = job_digest
            if gone_since is not None:
                gone.add(job_id)
        known = _Known(appliance_id, digests, gone)
        self._known[identity] = known
        return known
