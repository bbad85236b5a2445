"""What the monitor knows after a poll: an immutable `Snapshot`, and the connection state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType

from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.failure_cause import canceled_by_user
from backuptui.core.appliance.models import ApiFlavor, BackupJob, JobStatus, RecordError
from backuptui.core.appliance.unreadable import with_unreadable
from backuptui.core.watch.events import JobEvent
from backuptui.core.watch.transfer import Transfer


class ConnectionState(StrEnum):
    CONNECTING = "connecting"  # no poll finished yet
    LIVE = "live"
    UNREACHABLE = "unreachable"  # no answer (DNS, refused, timeout, TLS): retrying with backoff
    AUTH_FAILED = "auth_failed"  # login refused: waiting for the user to type the password again
    NOT_AUTHORIZED = "not_authorized"  # logged in, but no privilege: retried slowly
    ERROR = "error"  # the appliance answered with an error or nonsense: retrying with backoff


FAILED_STATES = frozenset(
    {
        ConnectionState.UNREACHABLE,
        ConnectionState.AUTH_FAILED,
        ConnectionState.NOT_AUTHORIZED,
        ConnectionState.ERROR,
    }
)


EMPTY_JOBS: Mapping[str, BackupJob] = MappingProxyType({})
EMPTY_TRANSFERS: Mapping[str, Transfer] = MappingProxyType({})
_NO_IDS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class JobChanges:
    """Which jobs a poll changed in one monitor's history, from version `base` to `version`: a
    consumer that saw `base` (the store) touches only these instead of comparing the whole
    history. Versions count within one `lineage` (one monitor's history) only."""

    lineage: object  # the history these versions belong to (compared by identity)
    base: int
    version: int  # == base: nothing changed
    changed: frozenset[str] = _NO_IDS  # ids added or replaced by a new object
    removed: frozenset[str] = _NO_IDS  # ids that left the history

    def after(self, earlier: JobChanges) -> JobChanges | None:
        """`earlier` then these, as one step from `earlier.base` (a writer that skipped a snapshot
        keeps the chain); None when these do not follow `earlier`."""
        if earlier.lineage is not self.lineage or earlier.version != self.base:
            return None
        return JobChanges(
            self.lineage,
            earlier.base,
            self.version,
            (earlier.changed - self.removed) | self.changed,
            (earlier.removed - self.changed) | self.removed,
        )


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What the monitor knows after a poll; immutable, so a renderer can hold it as long as it likes.

    A job that did not change is the same object as in the previous snapshot (and an unchanged
    history the same tuple), so a renderer finds what to redraw by identity.
    """

    appliance: str
    base_url: str
    flavor: ApiFlavor | None
    verify_tls: bool
    jobs: tuple[BackupJob, ...] = ()  # whole known history, newest first
    by_id: Mapping[str, BackupJob] = field(default_factory=lambda: EMPTY_JOBS)
    connection: ConnectionState = ConnectionState.CONNECTING
    error: ApplianceError | None = None  # why the last poll failed (None when it succeeded)
    last_success: datetime | None = None  # when data was last fetched successfully
    retry_at: datetime | None = None  # when the next attempt starts, while failing
    problems: tuple[RecordError, ...] = ()  # records that did not parse
    transfers: Mapping[str, Transfer] = field(default_factory=lambda: EMPTY_TRANSFERS)  # per active job
    events: tuple[JobEvent, ...] = ()  # since the previous snapshot
    running: tuple[BackupJob, ...] = ()  # the active jobs (pending, running, blocked), newest first
    reconnected: bool = False  # this poll succeeded after failed ones: "connection restored"
    taken_at: datetime | None = None  # when the poll that made this snapshot ended
    # False while `jobs` holds only the newest jobs of a first poll: the full history comes with the
    # next poll (counts and verdicts over the history must wait for it)
    complete: bool = True
    # set while no poll has answered in this session and the jobs come from the local history:
    # when that history was last written (the status line says "cached, N min old")
    cached_at: datetime | None = None
    # with `cached_at`: the health verdict the history kept from its last live poll (a
    # `HealthLevel` name; None if it kept none), shown marked cached until a poll answers
    cached_verdict: str | None = None
    # which jobs changed since the monitor's previous history (None: not known, compare them all)
    changes: JobChanges | None = None

    @property
    def total(self) -> int:
        return len(self.jobs)

    @cached_property
    def _failed_and_canceled(self) -> tuple[int, int]:
        failed = [job for job in self.jobs if job.status == JobStatus.FAILED]
        canceled = sum(1 for job in failed if canceled_by_user(job))
        return len(failed) - canceled, canceled

    @property
    def failed_count(self) -> int:
        """FAILED jobs a user did not cancel (a cancel is no failure: `canceled_count`)."""
        return self._failed_and_canceled[0]

    @property
    def canceled_count(self) -> int:
        """Jobs a user canceled: FAILED on the appliance, counted apart from the failures."""
        return self._failed_and_canceled[1]

    @cached_property
    def rows(self) -> tuple[BackupJob, ...]:
        """What the job list shows: a stand-in row (`UNREADABLE`) for each record that did not
        parse and has no earlier readable version, then the jobs."""
        return with_unreadable(self.jobs, self.problems)

    @cached_property
    def active_counts(self) -> Mapping[JobStatus, int]:
        """How many active jobs are in each state, by name: RUNNING, PENDING and BLOCKED are
        different things to a person (a blocked job is waiting, not making progress)."""
        counts = dict.fromkeys((JobStatus.RUNNING, JobStatus.PENDING, JobStatus.BLOCKED), 0)
        for job in self.running:
            counts[job.status] = counts.get(job.status, 0) + 1
        return MappingProxyType(counts)

    @cached_property
    def last_successful_job(self) -> BackupJob | None:
        return next((job for job in self.jobs if job.status == JobStatus.SUCCEEDED), None)

    @cached_property
    def latest_finished_job(self) -> BackupJob | None:
        """The newest job that ended (succeeded or failed): "the last job ended ... and how"."""
        return next((job for job in self.jobs if job.is_finished), None)

    @property
    def latest_job(self) -> BackupJob | None:
        return self.jobs[0] if self.jobs else None

    @property
    def is_stale(self) -> bool:
        """Showing data from an earlier poll because the latest one failed."""
        return self.connection in FAILED_STATES and self.last_success is not None
