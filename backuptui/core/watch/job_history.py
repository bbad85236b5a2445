"""The monitor's job history: the jobs by id, newest first, the active ones and the records that
did not parse, and how what a poll brought back is merged into them.

A job that did not change keeps its object (renderers find what to redraw by identity), and the
newest-first order is sorted again only when an id or a sort key changed. No I/O: the monitor
decides what to fetch, this only merges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from backuptui.core.appliance.models import BackupJob, DetailsResult, RecordError, newest_first_key
from backuptui.core.watch.events import JobEvent, job_event
from backuptui.core.watch.snapshot import EMPTY_JOBS, JobChanges

__all__ = ["Applied", "JobHistory"]


@dataclass(slots=True)
class Applied:
    """A merge in progress: the jobs it makes the history, what changed or went, and the news."""

    jobs: dict[str, BackupJob]
    changed: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    events: list[JobEvent] = field(default_factory=list)


class JobHistory:
    """What the monitor knows of the appliance's jobs."""

    def __init__(self) -> None:
        self.jobs: dict[str, BackupJob] = {}
        self.order: tuple[BackupJob, ...] = ()  # newest first
        self.by_id: Mapping[str, BackupJob] = EMPTY_JOBS
        self.active: frozenset[str] = frozenset()
        self.problems: dict[str, RecordError] = {}
        self.unresolved_ids: set[str] = set()  # listed by id but absent from the details
        self._index: dict[str, int] | None = None  # position of each id in `order`, built lazily
        self._last_full: DetailsResult | None = None
        self._lineage = object()  # this history's versions mean nothing to another's
        self.version = 0  # counts the commits that changed something

    @property
    def unchanged(self) -> JobChanges:
        """No change from the current version (a failed poll)."""
        return JobChanges(self._lineage, self.version, self.version)

    def known_ids(self) -> set[str]:
        """Every id the history has a job, a problem or a vain query for."""
        return set(self.jobs) | self.problems.keys() | self.unresolved_ids

    def apply_full(self, result: DetailsResult, *, news: bool, news_of_new: bool) -> Applied:
        """The whole history as the appliance sent it. `news`: changed jobs are events;
        `news_of_new`: so are jobs not seen before."""
        if result is self._last_full:  # the client recognised an identical response
            return Applied(self.jobs)
        self._last_full = result
        previous = self.jobs
        applied = Applied({})
        jobs = applied.jobs
        for job in result.jobs:
            self._merge(previous.get(job.id), job, applied, news, news_of_new)
        self.problems = {problem.record_id: problem for problem in result.problems}
        for record_id in self.problems:
            # A record that no longer parses keeps its last good version (shown with the problem).
            if record_id not in jobs and record_id in previous:
                jobs[record_id] = previous[record_id]
        applied.removed = {job_id for job_id in previous if job_id not in jobs}
        return applied

    def apply_active(
        self, result: DetailsResult, queried: frozenset[str], *, news: bool, news_of_new: bool
    ) -> tuple[Applied, bool]:
        """Some jobs (`queried`) as the appliance sent them; also whether the whole history should
        be looked at next (an active job vanished, or one ended: what follows it)."""
        previous = self.jobs
        applied = Applied(dict(previous))
        for job in result.jobs:
            self._merge(previous.get(job.id), job, applied, news, news_of_new)
        for job_id in queried:
            self.problems.pop(job_id, None)
        for problem in result.problems:
            self.problems[problem.record_id] = problem
        answered = {job.id for job in result.jobs} | {p.record_id for p in result.problems}
        vanished = any(job_id not in answered for job_id in queried)
        ended = any(job_id in queried and not applied.jobs[job_id].is_active for job_id in applied.changed)
        return applied, vanished or ended

    def note_unresolved(self, listed: list[str]) -> None:
        """After a full poll that came with the id list: the ids that brought no record."""
        found = self.jobs.keys() | self.problems.keys()
        self.unresolved_ids = {job_id for job_id in listed if job_id not in found}

    def drop_unlisted(self, applied: Applied, queried: frozenset[str], listed: frozenset[str]) -> None:
        """A light poll: jobs outside the window (older than its newest ids, or deleted by
        retention) leave the history, active ones excepted; a queried id that brought no record
        is remembered, so it is not asked for on every poll."""
        jobs = applied.jobs
        for job_id in [job_id for job_id in jobs if job_id not in listed and not jobs[job_id].is_active]:
            del applied.jobs[job_id]
            applied.removed.add(job_id)
            applied.changed.discard(job_id)
            self.problems.pop(job_id, None)
        found = applied.jobs.keys() | self.problems.keys()
        self.unresolved_ids = {
            job_id for job_id in self.unresolved_ids | queried if job_id in listed and job_id not in found
        }

    def commit(self, applied: Applied) -> JobChanges:
        """Make `applied.jobs` the history; re-sort only when an id or a sort key changed. What
        changed, for those who keep a copy (the store)."""
        if not applied.changed and not applied.removed:
            return self.unchanged  # same ids, same objects: keep the tuple, the mapping, the active set
        jobs = applied.jobs
        previous = self.jobs
        same_ids = not applied.removed and all(job_id in previous for job_id in applied.changed)
        if (
            same_ids
            and len(jobs) == len(previous)
            and all(
                newest_first_key(jobs[job_id]) == newest_first_key(previous[job_id])
                for job_id in applied.changed
            )
        ):
            if self._index is None:
                self._index = {job.id: position for position, job in enumerate(self.order)}
            order = list(self.order)
            for job_id in applied.changed:
                order[self._index[job_id]] = jobs[job_id]
            self.order = tuple(order)
        else:
            self.order = tuple(sorted(jobs.values(), key=newest_first_key, reverse=True))
            self._index = None
        self.jobs = jobs
        self.by_id = MappingProxyType(jobs)
        # Only a changed job can have become active or stopped being so.
        self.active = frozenset(
            job_id for job_id in self.active | applied.changed if job_id in jobs and jobs[job_id].is_active
        )
        self.version += 1
        return JobChanges(
            self._lineage,
            self.version - 1,
            self.version,
            frozenset(applied.changed),
            frozenset(applied.removed),
        )

    @staticmethod
    def _merge(
        before: BackupJob | None, job: BackupJob, applied: Applied, news: bool, news_of_new: bool
    ) -> None:
        if before is not None and (before is job or before.raw == job.raw):
            applied.jobs[job.id] = before  # unchanged: keep the object, so renderers can skip it
            return
        applied.jobs[job.id] = job
        applied.changed.add(job.id)
        if news if before is not None else news_of_new:
            event = job_event(before, job)
            if event is not None:
                applied.events.append(event)
