"""One appliance's history during one session of the monitor (or one member of a fleet).

- `cached_snapshot()`: the last known state, painted before the first poll answers (`cached_at`
  set, so the status line says "cached, N min old", and the last verdict kept);
- `merge(live)`: the live snapshot plus the jobs the appliance no longer lists, kept by the store
  and marked `gone`; until a poll first succeeds, the cached jobs stay on screen whatever it says;
- `record(live)`: the poll handed to the writer thread (returns at once);
- `digest()`: "since you last looked", once, with the first whole live history;
- `close()`: the session's end written ("since you last looked" counts from it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from types import MappingProxyType

from backuptui.core.appliance.models import BackupJob, newest_first_key, sorted_newest_first
from backuptui.core.store.digest import Digest, compute_digest
from backuptui.core.store.values import Cached, Identity
from backuptui.core.store.writer import HistoryWriter
from backuptui.core.watch.snapshot import ConnectionState, JobChanges, Snapshot


class ApplianceHistory:
    """The store's side of one watched appliance; every method is cheap on the UI loop."""

    def __init__(self, writer: HistoryWriter | None, identity: Identity, cached: Cached | None) -> None:
        self.writer = writer
        self.identity = identity
        self.cached = cached
        self._known: dict[str, BackupJob] = {job.id: job for job in cached.jobs} if cached else {}
        self._gone: dict[str, BackupJob] = {}  # known jobs the appliance stopped listing, marked
        if cached is not None:
            for job_id in cached.gone:
                since = cached.gone_since.get(job_id)
                self._gone[job_id] = self._known[job_id].replace(gone=True, gone_since=since)
                self._known[job_id] = self._gone[job_id]
        self._answered = False  # a poll of this session succeeded
        self._digested = False
        self._merged: tuple[tuple[BackupJob, ...], Snapshot] | None = None  # (live jobs, merged)
        self._last_changes: JobChanges | None = None  # where the live jobs of `_merged` stood
        # the merged jobs, the place of each, and the dict behind its `by_id`
        self._places: tuple[tuple[BackupJob, ...], dict[str, int], dict[str, BackupJob]] | None = None

    @property
    def cached_at(self) -> datetime | None:
        if self.cached is None:
            return None
        moments = [m for m in (self.cached.last_poll_at, self.cached.last_session_end) if m is not None]
        return max(moments) if moments else None

    def cached_snapshot(self, base: Snapshot) -> Snapshot | None:
        """`base` (the monitor's empty first snapshot) with the cached jobs; None: nothing cached."""
        if not self._known:
            return None
        jobs = tuple(sorted_newest_first(self._known.values()))
        return replace(
            base,
            jobs=jobs,
            by_id=MappingProxyType(dict(self._known)),
            # the active jobs as the list shows them: the status line counts them and the progress
            # widget shows the newest (both marked cached), as a live snapshot's are
            running=tuple(job for job in jobs if job.is_active and not job.gone),
            last_success=self.cached_at,
            cached_at=self.cached_at,
            cached_verdict=self.cached.verdict.level if self.cached and self.cached.verdict else None,
            complete=True,
        )

    def record(self, live: Snapshot) -> None:
        if self.writer is not None:
            self.writer.record_poll(self.identity, live)

    def merge(self, live: Snapshot) -> Snapshot:
        """What the list shows for `live`: its jobs and the stored ones it lacks (see the module)."""
        if live.connection is ConnectionState.LIVE:
            self._answered = True
        if not self._answered:
            cached = self.cached_snapshot(live)
            if cached is None:
                return live
            return replace(cached, cached_at=self.cached_at)
        # the same jobs again (a fleet member opened after light polls judges them complete now,
        # and marks the missing ones gone: merged anew)
        if (
            self._merged is not None
            and self._merged[0] is live.jobs
            and self._merged[1].complete == live.complete
        ):
            jobs, by_id = self._merged[1].jobs, self._merged[1].by_id
            self._last_changes = live.changes
            return replace(live, jobs=jobs, by_id=by_id)
        if not self._known:
            self._keep(live, live)
            return live
        if (quick := self._merged_in_place(live)) is not None:
            return quick
        listed = live.by_id
        unreadable = {problem.record_id for problem in live.problems}
        extra: list[BackupJob] = []
        for job_id, job in self._known.items():
            if job_id in listed or job_id in unreadable:
                continue
            if live.complete:  # the whole history came back without it: the appliance dropped it
                gone = self._gone.get(job_id)
                if gone is None:
                    gone = self._gone[job_id] = job.replace(gone=True, gone_since=live.taken_at)
                extra.append(gone)
            else:
                extra.append(job)
        if live.complete:
            for job_id in listed.keys() & self._gone.keys():
                del self._gone[job_id]  # listed again
            self._known.update(listed)
            self._known.update(self._gone)
        if not extra:
            self._keep(live, live)
            return live
        jobs = tuple(sorted_newest_first((*live.jobs, *extra)))
        merged = replace(live, jobs=jobs, by_id=MappingProxyType({job.id: job for job in jobs}))
        self._keep(live, merged)
        return merged

    def _merged_in_place(self, live: Snapshot) -> Snapshot | None:
        """The last merge with the jobs `live.changes` names put in their places, when that is all
        that happened (the running job moved on: no id came or went, no start time changed);
        None: merge anew. A poll costs the changed jobs, not the whole list (10,000 jobs and more
        with the stored ones), on the UI loop."""
        changes, merged = live.changes, self._merged
        if merged is None or changes is None or changes.removed or merged[1].complete != live.complete:
            return None
        before = merged[1]
        if live.problems != before.problems:
            return None  # which stored jobs count as listed may have changed
        last = self._last_changes
        if last is None or last.lineage is not changes.lineage or last.version != changes.base:
            return None
        shown = before.by_id
        if any(
            job_id not in shown or shown[job_id].gone or job_id not in live.by_id
            for job_id in changes.changed
        ):
            return None  # a new id, or one listed again
        if self._places is None or self._places[0] is not before.jobs:
            self._places = (
                before.jobs,
                {job.id: place for place, job in enumerate(before.jobs)},
                dict(shown),
            )
        positions = self._places[1]
        jobs = list(before.jobs)
        by_id = self._places[2].copy()  # a dict's own copy: a mapping proxy's is ten times slower
        for job_id in changes.changed:
            job = live.by_id[job_id]
            if newest_first_key(job) != newest_first_key(shown[job_id]):
                return None  # it moves in the order
            jobs[positions[job_id]] = by_id[job_id] = job
            if live.complete:
                self._known[job_id] = job
        result = replace(live, jobs=tuple(jobs), by_id=MappingProxyType(by_id))
        self._keep(live, result)
        self._places = (result.jobs, positions, by_id)
        return result

    def _keep(self, live: Snapshot, merged: Snapshot) -> None:
        self._merged = (live.jobs, merged)
        self._last_changes = live.changes

    def digest(self, shown: Snapshot, now: datetime) -> Digest | None:
        """ "Since you last looked", once per session: with the first whole history of a live
        poll (`shown`, merged), when an earlier session ended and something happened since."""
        if self._digested or shown.connection is not ConnectionState.LIVE or not shown.complete:
            return None
        self._digested = True
        since = self.cached.last_session_end if self.cached is not None else None
        if since is None:
            return None
        found = compute_digest(shown.jobs, since, now)
        return None if found.is_empty else found

    def close(self, at: datetime | None = None) -> None:
        """End the session in the store (queued; the writer's `close` waits for it)."""
        if self.writer is not None:
            self.writer.end_session(self.identity, at)
