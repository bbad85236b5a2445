"""The backup job and its schedule as immutable, typed values, in the appliance's own terms.

Only the values live here (and the errors a parse reports); reading them from the wire is
`parsing` (job records, whole responses), `record_fields` (typed fields, times, vAPI errors),
`details_text` (a details body as text, record by record) and `schedules`; a job's record as
it came is kept by `raw_records`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, StrEnum
from operator import attrgetter
from typing import Any

import msgspec
import msgspec.structs


class ApiFlavor(StrEnum):
    """The two URL flavours of the vSphere Automation API."""

    API = "api"  # /api/...  (vSphere 7.0 U2+), bare bodies, maps as JSON objects
    REST = "rest"  # /rest/... (6.5+, deprecated), {"value": ...} bodies, maps as key/value lists


class _OpenEnum(StrEnum):
    """A string enum that keeps values it does not know instead of failing.

    The appliance may add statuses or types in a later release (`LOCAL_BACKUP` arrived in 9.0);
    an unknown value is kept and shown as it is.
    """

    @classmethod
    def _missing_(cls, value: object) -> Enum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        return self._name_ in type(self).__members__


class JobStatus(_OpenEnum):
    """`cis.task.Status`: the status of a backup job in the details endpoint."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    BLOCKED = "BLOCKED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class JobType(_OpenEnum):
    """`Details.Type`: what started the job."""

    SCHEDULED = "SCHEDULED"
    MANUAL = "MANUAL"
    LOCAL_BACKUP = "LOCAL_BACKUP"


ACTIVE_STATUSES = frozenset({JobStatus.PENDING, JobStatus.RUNNING, JobStatus.BLOCKED})
FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})


class DayOfWeek(_OpenEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


@dataclass(frozen=True, slots=True)
class Message:
    """`std.LocalizableMessage`: a message id, its English text and the arguments of the text."""

    id: str
    default_message: str
    args: tuple[str, ...] = ()
    params: Mapping[str, Any] | None = None
    localized: str | None = None

    @property
    def text(self) -> str:
        """The text a person reads: the localized text if given, else the default with its args."""
        if self.localized:
            return self.localized
        text = self.default_message
        for index, arg in enumerate(self.args):
            text = text.replace(f"{{{index}}}", arg)
        return text


@dataclass(frozen=True, slots=True)
class Progress:
    """`cis.task.Progress`: `completed` out of `total` work units, with what is being done."""

    total: int
    completed: int
    message: Message

    @property
    def percent(self) -> float | None:
        if self.total <= 0:
            return None
        return max(0.0, min(100.0, 100.0 * self.completed / self.total))


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """`Details.BuildInfo`: the appliance build that ran the job (added in 6.7.2)."""

    version_name: str | None = None
    version: str | None = None
    build_number: str | None = None


@dataclass(frozen=True, slots=True)
class DynamicID:
    """`std.DynamicID`: a typed reference to the job's target."""

    type: str
    id: str


@dataclass(frozen=True, slots=True)
class JobError:
    """The job's `error`: an opaque vAPI error kept as it came, plus its best-effort messages.

    The wire shape is undocumented (`{"error_type", "messages"}`, `{"messages"}` or
    `{"type", "value": {...}}` are all seen), so the raw structure is kept for the drill-down.
    """

    raw: Any
    messages: tuple[Message, ...] = ()
    error_type: str | None = None

    @property
    def summary(self) -> str | None:
        return self.messages[0].text if self.messages else None


class BackupJob(msgspec.Struct, frozen=True, gc=False, eq=False, repr_omit_defaults=False):
    """One record of the details endpoint (`Details.Info`) with its job id.

    A frozen `msgspec.Struct`, not a dataclass: a history holds 10,000 of these, and a frozen
    dataclass sets each of its 24 fields through `object.__setattr__` (~6 us a job, a quarter of
    parsing the whole history); a Struct is made in C (~0.2 us). Equality, hash and repr leave
    out `raw`, as the dataclass did (`compare=False, repr=False`). A changed copy:
    `job.replace(gone=True)`.
    """

    id: str
    status: JobStatus
    type: JobType
    location: str
    location_user: str
    description: Message
    service: str
    operation: str
    cancelable: bool
    messages: tuple[Message, ...] = ()
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    size: int | None = None
    progress: Progress | None = None
    build: BuildInfo | None = None
    fast_backup: bool | None = None
    parent: str | None = None
    target: DynamicID | None = None
    error: JobError | None = None
    user: str | None = None
    #: set only on the stand-in for a record that could not be parsed (`unreadable_job`): why
    unreadable: RecordError | None = None
    #: the appliance no longer lists this job; the local history kept it (`core.store`)
    gone: bool = False
    #: with `gone`: when the history found the appliance no longer listed it (None: not known)
    gone_since: datetime | None = None
    # the record as the appliance sent it: a `RawRecord` (its JSON text, decoded on access) for
    # jobs from a details response, the decoded dict for `parse_job(id, dict)`
    raw: Mapping[str, Any] = msgspec.field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _compared(self) == _compared(other)

    def __hash__(self) -> int:
        return hash(_compared(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(_COMPARED, _compared(self), strict=True))
        return f"BackupJob({shown})"

    def replace(self, **changes: Any) -> BackupJob:
        """A copy with `changes` (field names and their new values)."""
        return msgspec.structs.replace(self, **changes)

    @property
    def is_active(self) -> bool:
        """Still going: pending, running or blocked."""
        return self.status in ACTIVE_STATUSES

    @property
    def is_running(self) -> bool:
        return self.status == JobStatus.RUNNING

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> float | None:
        return self.progress.percent if self.progress else None

    @property
    def problem(self) -> str | None:
        """What went wrong, in its most specific words (`failure_cause`): the cause the appliance
        gave, the generic "check logs" text only when it gave nothing better."""
        from backuptui.core.appliance.failure_cause import failure_cause

        return failure_cause(self)


#: the fields that make two jobs equal: all but `raw` (a job's record as it came)
_COMPARED = tuple(name for name in BackupJob.__struct_fields__ if name != "raw")
_compared = attrgetter(*_COMPARED)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """`Schedules.RecurrenceInfo`: the time of day and weekdays of a schedule."""

    minute: int
    hour: int
    days: tuple[DayOfWeek, ...] | None = None  # None means every day


@dataclass(frozen=True, slots=True)
class Schedule:
    """`Schedules.Info`: a backup schedule (usually the single one called `default`)."""

    id: str
    location: str
    location_user: str | None
    enabled: bool
    parts: tuple[str, ...] = ()
    recurrence: Recurrence | None = None  # None means not scheduled
    retention_max_count: int | None = None  # None means keep everything
    fast_backup: bool | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


class RecordError(ValueError):
    """A record of a response that could not be parsed: says which record, which field, and why."""

    def __init__(self, record_id: str, field_path: str, reason: str) -> None:
        self.record_id = record_id
        self.field_path = field_path
        self.reason = reason
        where = f"field '{field_path}': " if field_path else ""
        super().__init__(f"job {record_id}: {where}{reason}")


class ResponseShapeError(ValueError):
    """The response as a whole is not the shape the endpoint promises."""


@dataclass(frozen=True, slots=True)
class DetailsResult:
    """What one details response gave: the jobs that parsed and the records that did not."""

    jobs: tuple[BackupJob, ...]
    problems: tuple[RecordError, ...] = ()


_MIN_TIME = datetime.min.replace(tzinfo=UTC)


def newest_first_key(job: BackupJob) -> tuple[bool, datetime, str]:
    """The one order of a history, newest first when sorted descending on this key: a job
    without a start time is pending, so newer than any started one; then the start time; then
    the id, which begins with a timestamp."""
    return (job.start_time is None, job.start_time or _MIN_TIME, job.id)


def sorted_newest_first(jobs: Iterable[BackupJob]) -> list[BackupJob]:
    """`jobs` as a new list, newest first (`newest_first_key`)."""
    return sorted(jobs, key=newest_first_key, reverse=True)


def job_ids(jobs: Sequence[BackupJob]) -> list[str]:
    return [job.id for job in jobs]
