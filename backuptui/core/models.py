"""The backup job as the appliance describes it, parsed once into immutable, typed values.

One parser serves both URL flavours of `GET .../appliance/recovery/backup/job/details`:
`/api` answers a JSON object keyed by job id, `/rest` answers `{"value": [{"key", "value"}]}`.
Tolerant where the appliance may change (unknown enum strings, absent or null optional fields,
extra fields); strict where data is wrong (a wrong-typed field is an error naming the job and the
field, and never hides the other records of the response).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any


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


class _Block:
    """The JSON texts of consecutive records of one response, zlib-compressed together (about a
    fourteenth of their size); each record's `RawRecord` knows its place in the block."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def text(self) -> str:
        cached = _last_block
        if cached is not None and cached[0] is self:
            return cached[1]
        text = zlib.decompress(self.data).decode("utf-8", "surrogatepass")
        _set_last_block((self, text))
        return text


_last_block: tuple[_Block, str] | None = None  # the block read last, decompressed (records in a row)


def _set_last_block(value: tuple[_Block, str] | None) -> None:
    global _last_block
    _last_block = value


_BLOCK_RECORDS = 64  # records per compressed block: ~50 kB of text, ~40 us to decompress


def _pack(pending: list[RawRecord]) -> None:
    """Move the texts of `pending` records into one compressed block."""
    if not pending:
        return
    texts = [record._text for record in pending]
    block = _Block(zlib.compress("".join(texts).encode("utf-8", "surrogatepass"), 1))
    start = 0
    for record, text in zip(pending, texts, strict=True):
        end = start + len(text)
        record._block, record._start, record._end, record._text = block, start, end, ""
        start = end
    pending.clear()


class RawRecord(Mapping[str, Any]):
    """A job's record as the appliance sent it, kept as its JSON text and decoded on each access.

    The text, not a tree of dicts, lists and strings; records parsed from a details response keep
    it zlib-compressed in blocks of consecutive records (a 10,000-job history: ~0.6 MB instead
    of ~16 MB of decoded records). It reads like the decoded record (`raw["status"]`,
    `dict(raw)`, `json.dumps(dict(raw))`); `decoded()` gives a fresh dict, key order as sent;
    `text` the JSON text as it came. Two are equal when their texts are, or else when their
    decoded values are (as two dicts would be).
    """

    __slots__ = ("_block", "_end", "_start", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._block: _Block | None = None
        self._start = self._end = 0

    @property
    def text(self) -> str:
        block = self._block
        if block is None:
            return self._text
        return block.text()[self._start : self._end]

    def decoded(self) -> dict[str, Any]:
        value = json.loads(self.text)
        return value if isinstance(value, dict) else {}

    def __getitem__(self, key: str) -> Any:
        return self.decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.decoded())

    def __len__(self) -> int:
        return len(self.decoded())

    def __contains__(self, key: object) -> bool:
        return key in self.decoded()

    def keys(self) -> KeysView[str]:  # one decode, not one per key
        return self.decoded().keys()

    def items(self) -> ItemsView[str, Any]:
        return self.decoded().items()

    def values(self) -> ValuesView[Any]:
        return self.decoded().values()

    def get(self, key: str, default: Any = None) -> Any:
        return self.decoded().get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RawRecord) and other.text == self.text:
            return True
        if not isinstance(other, Mapping):
            return NotImplemented
        return self.decoded() == dict(other.items())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RawRecord({self.text!r})"


@dataclass(frozen=True, slots=True)
class BackupJob:
    """One record of the details endpoint (`Details.Info`) with its job id."""

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
    # the record as the appliance sent it: a `RawRecord` (its JSON text, decoded on access) for
    # jobs from a details response, the decoded dict for `parse_job(id, dict)`
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

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
        """What went wrong, in one line: the error's first message, else the first job message."""
        if self.error and self.error.summary:
            return self.error.summary
        if self.status == JobStatus.FAILED and self.messages:
            return self.messages[0].text
        return None

    @property
    def sort_key(self) -> tuple[bool, str, str]:
        """Newest first sorts descending on this: a job without a start time is pending, so newer
        than any started one; then the start time; then the id, which begins with a timestamp."""
        started = self.start_time.isoformat() if self.start_time else ""
        return (self.start_time is None, started, self.id)


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


# ---------------------------------------------------------------------------------------------
# Parsing


class RecordError(ValueError):
    """A record of a response that could not be parsed: says which record, which field, and why."""

    def __init__(self, record_id: str, field_path: str, reason: str) -> None:
        self.record_id = record_id
        self.field_path = field_path
        self.reason = reason
        super().__init__(f"job {record_id}: field '{field_path}': {reason}")


class ResponseShapeError(ValueError):
    """The response as a whole is not the shape the endpoint promises."""


@dataclass(frozen=True, slots=True)
class DetailsResult:
    """What one details response gave: the jobs that parsed and the records that did not."""

    jobs: tuple[BackupJob, ...]
    problems: tuple[RecordError, ...] = ()


_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$")


def parse_time(value: str) -> datetime:
    """An RFC 3339 date-time (with or without fraction, `Z` or an offset) as an aware UTC datetime."""
    match = _RFC3339.match(value)
    if not match:
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    date, time, fraction, zone = match.groups()
    micro = (fraction or "0")[:6].ljust(6, "0")
    zone = "+00:00" if zone in ("Z", "z") else zone
    parsed = datetime.fromisoformat(f"{date}T{time}.{micro}{zone}")
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """The wire form the appliance writes: UTC, milliseconds, `Z`."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class _Reader:
    """Reads typed fields of one record, raising a `RecordError` that names the field."""

    def __init__(self, record_id: str, data: Mapping[str, Any], prefix: str = "") -> None:
        self.record_id = record_id
        self.data = data
        self.prefix = prefix

    def _fail(self, name: str, reason: str) -> RecordError:
        return RecordError(self.record_id, self.prefix + name, reason)

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            raise self._fail(name, "missing" if name not in self.data else "null where a value is required")
        return value

    def string(self, name: str, *, required: bool = True) -> Any:
        value = self._get(name, required)
        if value is not None and not isinstance(value, str):
            raise self._fail(name, f"expected a string, got {_json_type(value)}")
        return value

    def integer(self, name: str, *, required: bool = True) -> Any:
        value = self._get(name, required)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self._fail(name, f"expected an integer, got {_json_type(value)}")
        return value

    def boolean(self, name: str, *, required: bool = True) -> Any:
        value = self._get(name, required)
        if value is not None and not isinstance(value, bool):
            raise self._fail(name, f"expected true or false, got {_json_type(value)}")
        return value

    def time(self, name: str, *, required: bool = False) -> datetime | None:
        value = self.string(name, required=required)
        if value is None:
            return None
        try:
            return parse_time(value)
        except ValueError as exc:
            raise self._fail(name, str(exc)) from None

    def obj(self, name: str, *, required: bool = True) -> _Reader | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self._fail(name, f"expected an object, got {_json_type(value)}")
        return _Reader(self.record_id, value, f"{self.prefix}{name}.")

    def items(self, name: str, *, required: bool = True) -> list[tuple[str, Any]]:
        value = self._get(name, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(name, f"expected a list, got {_json_type(value)}")
        return [(f"{name}[{index}]", item) for index, item in enumerate(value)]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _message(reader: _Reader, name: str, value: Any) -> Message:
    if not isinstance(value, Mapping):
        raise RecordError(
            reader.record_id, reader.prefix + name, f"expected an object, got {_json_type(value)}"
        )
    sub = _Reader(reader.record_id, value, f"{reader.prefix}{name}.")
    args: list[str] = []
    for arg_path, arg in sub.items("args", required=False):
        if not isinstance(arg, str):
            arg = str(arg) if isinstance(arg, int | float) and not isinstance(arg, bool) else None
            if arg is None:
                raise RecordError(reader.record_id, sub.prefix + arg_path, "expected a string")
        args.append(arg)
    params = value.get("params")
    return Message(
        id=sub.string("id", required=False) or "",
        default_message=sub.string("default_message", required=False) or "",
        args=tuple(args),
        params=params if isinstance(params, Mapping) else None,
        localized=sub.string("localized", required=False),
    )


def _messages(reader: _Reader, name: str, *, required: bool = True) -> tuple[Message, ...]:
    return tuple(_message(reader, path, item) for path, item in reader.items(name, required=required))


def parse_error(raw: Any) -> JobError:
    """A vAPI error in any of its wire shapes, kept as it came plus its best-effort messages and type.

    `/api` writes `{"error_type": "NOT_FOUND", "messages": [...]}`, `/rest` writes
    `{"type": "com.vmware.vapi.std.errors.not_found", "value": {"messages": [...]}}`, and a job's
    nested `error` may be a bare `{"messages": [...]}`. Anything else gives no messages and no type.
    """
    if not isinstance(raw, Mapping):
        return JobError(raw=raw)
    body: Any = raw
    error_type = raw.get("error_type")
    if isinstance(raw.get("value"), Mapping):  # {"type": "com.vmware...errors.x", "value": {...}}
        body = raw["value"]
        error_type = error_type or raw.get("type") or body.get("error_type")
    found: list[Message] = []
    messages = body.get("messages")
    for item in messages if isinstance(messages, list) else []:
        if isinstance(item, Mapping):
            try:
                found.append(_message(_Reader("", {}), "message", item))
            except RecordError:
                continue
    return JobError(
        raw=raw, messages=tuple(found), error_type=error_type if isinstance(error_type, str) else None
    )


def parse_job(job_id: str, data: Any, text: str | None = None) -> BackupJob:
    """One `Details.Info` record; raises `RecordError` naming the field when the data is wrong.

    `text`: the record's JSON text as it came, if known; the job then keeps that (`RawRecord`)
    instead of `data` as its `raw`. Well-formed records take a fast path (direct dict access, exact
    type checks, shared `Message`s and repeated strings); anything else takes the checked path,
    which gives the same job or the `RecordError` naming the field.
    """
    raw: Mapping[str, Any] = data if text is None else RawRecord(text)
    try:
        job = _fast_job(job_id, data, raw)
    except (ValueError, TypeError, KeyError, AttributeError):
        job = None
    return job if job is not None else _checked_job(job_id, data, raw)


# -- the fast path: exact types only, shared values; None means "take the checked path" --------

_SHARED_LIMIT = 8192  # distinct shared values kept; a flood of unique ones just starts over
_shared: dict[Any, Any] = {}  # strings, and Message/Progress/BuildInfo by their fields' values
_MESSAGE_KEYS = frozenset(("id", "default_message", "args"))
_FAST_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
_STATUSES: dict[str, JobStatus] = {member.value: member for member in JobStatus}
_TYPES: dict[str, JobType] = {member.value: member for member in JobType}
_EMPTY: tuple[Any, ...] = ()


def _fast_message(value: Any) -> Message | None:
    """A plain message (id, text, string args), one shared object per distinct value."""
    if type(value) is not dict or not _MESSAGE_KEYS.issuperset(value):
        return None  # params or localized: the checked path
    msg_id, text, args = value.get("id", ""), value.get("default_message", ""), value.get("args")
    if type(msg_id) is not str:
        if msg_id is not None:
            return None
        msg_id = ""
    if type(text) is not str:
        if text is not None:
            return None
        text = ""
    if not args:
        if args is not None and type(args) is not list:
            return None
        targs: tuple[str, ...] = _EMPTY
    elif type(args) is list and all(type(arg) is str for arg in args):
        targs = tuple(args)
    else:
        return None
    key = ("message", msg_id, text, targs)
    found: Message | None = _shared.get(key)
    if found is None:
        found = _shared[key] = Message(id=msg_id, default_message=text, args=targs)
    return found


def _fast_job(job_id: str, d: Any, raw: Mapping[str, Any]) -> BackupJob | None:
    """`_checked_job` for records whose every field has its exact type; None: take that path.

    Raises TypeError or ValueError (also meaning "take the checked path") for a wrong-typed
    optional field or a time in an unusual form.
    """
    if type(d) is not dict:
        return None
    if len(_shared) > _SHARED_LIMIT:
        _shared.clear()
    share = _shared.setdefault
    g = d.get
    status, job_type, location = g("status"), g("type"), g("location")
    if type(status) is not str or type(job_type) is not str or type(location) is not str:
        return None
    description = _fast_message(g("description"))
    if description is None:
        return None
    messages: tuple[Message, ...] = _EMPTY
    raw_messages = g("messages")
    if raw_messages:
        if type(raw_messages) is not list:
            return None
        found = [_fast_message(item) for item in raw_messages]
        if None in found:
            return None
        messages = tuple(found)  # type: ignore[arg-type]
    elif raw_messages is not None and type(raw_messages) is not list:
        return None
    progress = None
    p = g("progress")
    if p is not None:
        if type(p) is not dict:
            return None
        total, completed, note = p.get("total"), p.get("completed"), _fast_message(p.get("message"))
        if type(total) is not int or type(completed) is not int or note is None:
            return None
        key = ("progress", total, completed, note)
        progress = _shared.get(key)
        if progress is None:
            progress = _shared[key] = Progress(total=total, completed=completed, message=note)
    build = None
    b = g("build")
    if b is not None:
        if type(b) is not dict:
            return None
        parts = (b.get("version_name"), b.get("version"), b.get("build_number"))
        for part in parts:
            if part is not None and type(part) is not str:
                return None
        build_key = ("build", *parts)
        build = _shared.get(build_key)
        if build is None:
            build = BuildInfo(version_name=parts[0], version=parts[1], build_number=parts[2])
            _shared[build_key] = build
    target = None
    t = g("target")
    if t is not None:
        if type(t) is not dict or type(t.get("type")) is not str or type(t.get("id")) is not str:
            return None
        target = DynamicID(type=t["type"], id=t["id"])
    strings = [g("location_user"), g("service"), g("operation"), g("parent"), g("user")]
    for index, value in enumerate(strings):
        if value is not None:
            if type(value) is not str:
                return None
            strings[index] = share(value, value)
    location_user, service, operation, parent, user = strings
    cancelable, fast_backup, duration, size = g("cancelable"), g("fast_backup"), g("duration"), g("size")
    if (cancelable is not None and type(cancelable) is not bool) or (
        fast_backup is not None and type(fast_backup) is not bool
    ):
        return None
    if (duration is not None and type(duration) is not int) or (size is not None and type(size) is not int):
        return None
    start, end = g("start_time"), g("end_time")
    if start is not None:
        if type(start) is not str or not _FAST_TIME.fullmatch(start):
            return None
        start = datetime.fromisoformat(start)  # ValueError (a 31st of February): checked path
    if end is not None:
        if type(end) is not str or not _FAST_TIME.fullmatch(end):
            return None
        end = datetime.fromisoformat(end)
    raw_error = g("error")
    return BackupJob(
        id=job_id,
        status=_STATUSES.get(status) or JobStatus(status),
        type=_TYPES.get(job_type) or JobType(job_type),
        location=location,
        location_user=location_user or "",
        description=description,
        service=service or "",
        operation=operation or "",
        cancelable=cancelable is True,
        messages=messages,
        start_time=start,
        end_time=end,
        duration=duration,
        size=size,
        progress=progress,
        build=build,
        fast_backup=fast_backup,
        parent=parent,
        target=target,
        error=parse_error(raw_error) if raw_error is not None else None,
        user=user,
        raw=raw,
    )


def _checked_job(job_id: str, data: Any, raw: Mapping[str, Any]) -> BackupJob:
    """`parse_job` field by field through `_Reader`, which names the field that is wrong."""
    if not isinstance(data, Mapping):
        raise RecordError(job_id, "", f"expected an object, got {_json_type(data)}")
    r = _Reader(job_id, data)

    status_text = r.string("status")
    type_text = r.string("type")
    description_value = r._get("description", True)

    progress = None
    progress_reader = r.obj("progress", required=False)
    if progress_reader is not None:
        progress = Progress(
            total=progress_reader.integer("total"),
            completed=progress_reader.integer("completed"),
            message=_message(progress_reader, "message", progress_reader._get("message", True)),
        )

    build = None
    build_reader = r.obj("build", required=False)
    if build_reader is not None:
        build = BuildInfo(
            version_name=build_reader.string("version_name", required=False),
            version=build_reader.string("version", required=False),
            build_number=build_reader.string("build_number", required=False),
        )

    target = None
    target_reader = r.obj("target", required=False)
    if target_reader is not None:
        target = DynamicID(type=target_reader.string("type"), id=target_reader.string("id"))

    raw_error = data.get("error")
    error = parse_error(raw_error) if raw_error is not None else None

    return BackupJob(
        id=job_id,
        status=JobStatus(status_text),
        type=JobType(type_text),
        location=r.string("location"),
        location_user=r.string("location_user", required=False) or "",
        description=_message(r, "description", description_value),
        service=r.string("service", required=False) or "",
        operation=r.string("operation", required=False) or "",
        cancelable=bool(r.boolean("cancelable", required=False)),
        messages=_messages(r, "messages", required=False),
        start_time=r.time("start_time"),
        end_time=r.time("end_time"),
        duration=r.integer("duration", required=False),
        size=r.integer("size", required=False),
        progress=progress,
        build=build,
        fast_backup=r.boolean("fast_backup", required=False),
        parent=r.string("parent", required=False),
        target=target,
        error=error,
        user=r.string("user", required=False),
        raw=raw,
    )


def _map_entries(body: Any, flavor: ApiFlavor | None, what: str) -> list[tuple[str, Any]]:
    """The (key, value) entries of a vAPI map in either flavour's wire form."""
    wrapped = flavor is ApiFlavor.REST or (flavor is None and isinstance(body, Mapping) and "value" in body)
    if wrapped and isinstance(body, Mapping):
        if "value" not in body:
            raise ResponseShapeError(f"{what}: expected {{\"value\": ...}}, got an object without 'value'")
        body = body["value"]
    if isinstance(body, Mapping):
        return [(str(key), value) for key, value in body.items()]
    if isinstance(body, list):
        entries = []
        for index, item in enumerate(body):
            if not isinstance(item, Mapping) or "key" not in item or "value" not in item:
                raise ResponseShapeError(f'{what}: entry {index} is not a {{"key", "value"}} pair')
            entries.append((str(item["key"]), item["value"]))
        return entries
    raise ResponseShapeError(f"{what}: expected a map of job ids, got {_json_type(body)}")


_JSON_LEAVES: frozenset[type] = frozenset({str, int, bool, type(None)})


def _same_json(a: Any, b: Any) -> bool:
    """Whether two decoded JSON values are the same value, so that parsing one gives what parsing
    the other gave. `==` alone is not enough: it holds between 1, 1.0 and True (a record whose
    `size` turned into `true` must fail to parse again), so the types are compared too, all the
    way down. Key order is not compared: it means nothing in JSON and no typed field depends on
    it (a reused job keeps its earlier record's key order, which shows only in a raw JSON view).
    """
    return type(a) is type(b) and a == b and _same_types(a, b)


def _same_types(a: Any, b: Any) -> bool:
    """With `a == b` and `type(a) is type(b)`: whether every value inside has the same type in both.
    Anything a JSON decoder does not make counts as different (it is parsed again)."""
    kind = type(a)
    if kind is dict:
        for key, value in a.items():
            other = b[key]
            kind = type(value)
            if kind is not type(other) or (kind not in _JSON_LEAVES and not _same_types(value, other)):
                return False
        return True
    if kind is list:
        for value, other in zip(a, b, strict=True):
            kind = type(value)
            if kind is not type(other) or (kind not in _JSON_LEAVES and not _same_types(value, other)):
                return False
        return True
    if kind is float:
        return repr(a) == repr(b)  # 0.0 == -0.0, but a message argument shows them differently
    return kind in _JSON_LEAVES


def parse_details(
    body: Any, flavor: ApiFlavor | None = None, previous: Mapping[str, BackupJob] | None = None
) -> DetailsResult:
    """A whole details response, newest job first; bad records are reported, not fatal.

    `flavor` None accepts either wire form (the `/rest` wrapper is recognised by its `value`).
    `previous`: jobs an earlier call returned, by id. A record that is the same JSON value as the
    `raw` of the previous job with its id gives that job object back instead of parsing it again
    (parsing is a function of the id and the record alone), so an unchanged history costs a
    comparison per record instead of a parse, and unchanged jobs keep their identity.
    """
    jobs: list[BackupJob] = []
    problems: list[RecordError] = []
    for job_id, record in _map_entries(body, flavor, "job details"):
        before = previous.get(job_id) if previous else None
        if before is not None and before.id == job_id and _same_json(_raw_value(before), record):
            jobs.append(before)
            continue
        try:
            jobs.append(parse_job(job_id, record))
        except RecordError as exc:
            problems.append(exc)
    jobs.sort(key=lambda job: job.sort_key, reverse=True)
    return DetailsResult(jobs=tuple(jobs), problems=tuple(problems))


def _raw_value(job: BackupJob) -> Any:
    """The job's decoded record, or None when it has none to compare (a hand-made job)."""
    raw = job.raw
    if type(raw) is RawRecord:
        return raw.decoded()
    return raw or None


class _NotStreamable(Exception):
    """The details text is not in the plain shape `parse_details_text` reads record by record."""


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_WHITESPACE_CHARS = frozenset(" \t\n\r")
_MIN_TIME = datetime.min.replace(tzinfo=UTC)


def _newest_first(job: BackupJob) -> tuple[bool, datetime, str]:
    """`BackupJob.sort_key` without formatting the time (parsed times are all UTC, where the
    order of the times is the order of their ISO forms)."""
    start = job.start_time
    return (start is None, start or _MIN_TIME, job.id)
# (text, index) -> (value, end), StopIteration if no JSON value starts there; the C scanner of json.loads
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def parse_details_text(
    text: str, flavor: ApiFlavor, previous: Mapping[str, BackupJob] | None = None
) -> DetailsResult:
    """`parse_details` of a details response given as JSON text, decoded one record at a time.

    The whole decoded tree never exists: each record is decoded, parsed and dropped, and its job
    keeps the record's text as it came (`RawRecord`). A record whose text is, at its place in the
    body, the text the previous job with its id came from gives that job back without being
    decoded at all. A body in any other shape (duplicate ids, extra wrapper fields, ...) is
    decoded whole and given to `parse_details`. Raises `json.JSONDecodeError` when the text is not
    JSON and `ResponseShapeError` when it is not a map of job ids.
    """
    try:
        return _stream_details(text, flavor, previous)
    except _NotStreamable:
        pass
    return parse_details(json.loads(text), flavor, previous)


def _stream_details(text: str, flavor: ApiFlavor, previous: Mapping[str, BackupJob] | None) -> DetailsResult:
    jobs: list[BackupJob] = []
    problems: list[RecordError] = []
    whitespace = _WHITESPACE.match

    def skip(text: str, pos: int) -> int:
        if text[pos : pos + 1] not in _WHITESPACE_CHARS:
            return pos  # the common case: a compact body
        found = whitespace(text, pos)
        return found.end() if found else pos

    def scan(pos: int) -> tuple[Any, int]:
        try:
            return _scan(text, pos)
        except StopIteration:
            raise _NotStreamable from None

    def expect(char: str, pos: int) -> int:
        """The position after `char` (and the whitespace after it), which must be at `pos`."""
        if text.startswith(char, pos):
            return skip(text, pos + 1)
        raise _NotStreamable

    def name(pos: int) -> tuple[str, int]:
        """An object member's name and the position of its value."""
        if not text.startswith('"', pos):
            raise _NotStreamable
        key, pos = scan(pos)
        return key, expect(":", skip(text, pos))

    pending: list[RawRecord] = []

    def add(job_id: str, record: Any, start: int, end: int) -> None:
        try:
            job = parse_job(job_id, record, text[start:end])
        except RecordError as exc:
            problems.append(exc)
            return
        jobs.append(job)
        pending.append(job.raw)  # type: ignore[arg-type]  # a RawRecord: parse_job was given the text
        if len(pending) >= _BLOCK_RECORDS:
            _pack(pending)

    def reused(job_id: str, pos: int) -> int | None:
        """The end of the record at `pos` if it is the previous job's record text; that job is kept."""
        before = previous.get(job_id) if previous else None
        if before is None or before.id != job_id or type(before.raw) is not RawRecord:
            return None
        known = before.raw.text
        # A JSON object's text ends where its last brace closes: if the body holds the very same
        # text here, the record here is that one, whatever follows.
        if not text.startswith(known, pos):
            return None
        jobs.append(before)
        return pos + len(known)

    def record_after_id(job_id: str, pos: int) -> int:
        end = reused(job_id, pos) if previous else None
        if end is None:
            record, end = scan(pos)
            add(job_id, record, pos, end)
        return skip(text, end)

    pos = expect("{", skip(text, 0))
    if flavor is ApiFlavor.API:
        seen: set[str] = set()
        more = not text.startswith("}", pos)
        while more:
            job_id, pos = name(pos)
            if job_id in seen:
                raise _NotStreamable  # json.loads keeps the last of the two: leave that to it
            seen.add(job_id)
            pos = record_after_id(job_id, pos)
            if text.startswith(',"', pos):  # the compact form: the next id
                pos += 1
                continue
            more = not text.startswith("}", pos)
            if more:
                pos = expect(",", pos)
    else:  # {"value": [{"key": id, "value": record}, ...]}
        key, pos = name(pos)
        if key != "value":
            raise _NotStreamable
        pos = expect("[", pos)
        more = not text.startswith("]", pos)
        while more:
            if text.startswith('{"key":"', pos):  # the compact form, the common case
                first, pos = "key", pos + 7
            else:
                first, pos = name(expect("{", pos))
            if first == "key":
                job_id, pos = scan(pos)
                if type(job_id) is not str:
                    raise _NotStreamable
                if text.startswith(',"value":', pos):
                    pos += 9
                else:
                    second, pos = name(expect(",", skip(text, pos)))
                    if second != "value":
                        raise _NotStreamable
                pos = record_after_id(job_id, pos)
            elif first == "value":
                start = pos
                record, end = scan(pos)
                second, pos = name(expect(",", skip(text, end)))
                job_id, pos = scan(pos)
                if second != "key" or type(job_id) is not str:
                    raise _NotStreamable
                if reused(job_id, start) is None:
                    add(job_id, record, start, end)
                pos = skip(text, pos)
            else:
                raise _NotStreamable
            if text.startswith("},{", pos):  # the compact form: the next entry
                pos += 2
                continue
            pos = expect("}", pos)
            more = not text.startswith("]", pos)
            if more:
                pos = expect(",", pos)
        pos = expect("]", pos)
    pos = expect("}", pos)
    if pos != len(text):
        raise _NotStreamable
    _pack(pending)
    jobs.sort(key=_newest_first, reverse=True)
    return DetailsResult(jobs=tuple(jobs), problems=tuple(problems))


def parse_schedule(schedule_id: str, data: Any) -> Schedule:
    """One `Schedules.Info` record."""
    if not isinstance(data, Mapping):
        raise RecordError(schedule_id, "", f"expected an object, got {_json_type(data)}")
    r = _Reader(schedule_id, data)
    recurrence = None
    rec = r.obj("recurrence_info", required=False)
    if rec is not None:
        days_raw = rec._get("days", False)
        days: tuple[DayOfWeek, ...] | None = None
        if days_raw is not None:
            if not isinstance(days_raw, list) or not all(isinstance(d, str) for d in days_raw):
                raise RecordError(schedule_id, "recurrence_info.days", "expected a list of weekday names")
            days = tuple(DayOfWeek(d.upper()) for d in days_raw) or None
        recurrence = Recurrence(minute=rec.integer("minute"), hour=rec.integer("hour"), days=days)
    retention = r.obj("retention_info", required=False)
    parts_raw = data.get("parts") or []
    if not isinstance(parts_raw, list):
        raise RecordError(schedule_id, "parts", f"expected a list, got {_json_type(parts_raw)}")
    return Schedule(
        id=schedule_id,
        location=r.string("location", required=False) or "",
        location_user=r.string("location_user", required=False),
        enabled=bool(r.boolean("enable", required=False)),
        parts=tuple(str(p) for p in parts_raw),
        recurrence=recurrence,
        retention_max_count=retention.integer("max_count", required=False) if retention else None,
        fast_backup=r.boolean("fast_backup", required=False),
        raw=data,
    )


def parse_schedules(body: Any, flavor: ApiFlavor | None = None) -> tuple[Schedule, ...]:
    """A schedules list response (a map of schedule id to `Schedules.Info`)."""
    return tuple(parse_schedule(key, value) for key, value in _map_entries(body, flavor, "schedules"))


def newest_first(jobs: Iterable[BackupJob]) -> list[BackupJob]:
    return sorted(jobs, key=lambda job: job.sort_key, reverse=True)


def job_ids(jobs: Sequence[BackupJob]) -> list[str]:
    return [job.id for job in jobs]
