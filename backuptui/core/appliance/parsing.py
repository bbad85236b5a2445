"""One parser for the records of both URL flavours, tolerant where the appliance may change and
strict where data is wrong.

`GET .../appliance/recovery/backup/job/details`: `/api` answers a JSON object keyed by job id,
`/rest` answers `{"value": [{"key", "value"}]}`. Tolerant: unknown enum strings, absent or null
optional fields, extra fields. Strict: a wrong-typed field is a `RecordError` naming the job and
the field, and never hides the other records of the response. A well-formed record is decoded
by msgspec into the `wire` Structs; only what they refuse is read field by field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from backuptui.core.appliance import wire
from backuptui.core.appliance.models import (
    ApiFlavor,
    BackupJob,
    BuildInfo,
    DetailsResult,
    DynamicID,
    JobError,
    JobStatus,
    JobType,
    Message,
    Progress,
    RecordError,
    ResponseShapeError,
    newest_first_key,
)
from backuptui.core.appliance.nesting import MAX_NESTING, TOO_DEEP, text_too_deep, value_too_deep
from backuptui.core.appliance.raw_records import RawRecord
from backuptui.core.appliance.record_fields import (
    _json_type,
    _message,
    _messages,
    _Reader,
    parse_error,
    parse_time,
    read_message,
)


def parse_job(job_id: str, data: Any, text: str | bytes | None = None) -> BackupJob:
    """One `Details.Info` record; raises `RecordError` naming the field when the data is wrong.

    `data`: the decoded record, or None when `text` (the record's JSON as it came) is given; the
    job then keeps that text (`RawRecord`) as its `raw`. A well-formed record is read through the
    `wire` Structs; anything they refuse is read field by field (`_checked_job`), which gives the
    job or the `RecordError` naming the field.
    """
    return parse_job_shared(job_id, data, text, {})


def parse_job_shared(job_id: str, data: Any, text: str | bytes | None, shared: dict[Any, Any]) -> BackupJob:
    """`parse_job`, with equal messages and builds given as one object across the calls that pass
    the same `shared` dict (the records of one response: a 10,000-job history holds a few
    hundred distinct messages, not 30,000)."""
    if text is not None:
        # the count settles nearly every record (bytes, as from a details body) without a call
        few = type(text) is bytes and text.count(b"{") + text.count(b"[") <= MAX_NESTING
        if not few and text_too_deep(text):
            raise RecordError(job_id, "", TOO_DEEP)
        raw: Mapping[str, Any] = RawRecord(text)
        try:
            return _from_record(job_id, wire.RECORD.decode(text), raw, shared)
        except (msgspec.ValidationError, ValueError):  # ValueError: a 31st of February
            data = json.loads(text)
    else:
        if value_too_deep(data):
            raise RecordError(job_id, "", TOO_DEEP)
        raw = data
        try:
            return _from_wire(job_id, msgspec.convert(data, wire.WireJob), raw, shared)
        except (msgspec.ValidationError, ValueError):
            pass
    return _checked_job(job_id, data, raw)


# -- a record in its wire form: the `wire` Structs, the values shared within one response -------

_FAST_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z").fullmatch
_from_iso = datetime.fromisoformat
_STATUSES: dict[str, JobStatus] = {member.value: member for member in JobStatus}
_TYPES: dict[str, JobType] = {member.value: member for member in JobType}
_EMPTY: tuple[Any, ...] = ()


def _wire_time(value: str | None) -> datetime | None:
    """The appliance's usual form in C (`fromisoformat`), any other RFC 3339 form by `parse_time`;
    ValueError when it is none."""
    if value is None:
        return None
    if _FAST_TIME(value):
        return _from_iso(value)
    return parse_time(value)


def _wire_message(value: wire.WireMessage, shared: dict[Any, Any]) -> Message:
    args = tuple(value.args) if value.args else _EMPTY
    if value.params is not None:  # not hashable, and rare: not shared
        return Message(value.id or "", value.default_message or "", args, value.params, value.localized)
    key = (value.id, value.default_message, args, value.localized)
    found: Message | None = shared.get(key)
    if found is None:
        found = shared[key] = Message(
            value.id or "", value.default_message or "", args, None, value.localized
        )
    return found


def _wire_error(raw: Any, shared: dict[Any, Any]) -> JobError:
    """`parse_error`, its messages read through the `wire` Struct (usually the job's own messages
    again, so shared with them); one the Struct refuses is read field by field."""

    def message(item: Mapping[str, Any]) -> Message:
        try:
            return _wire_message(msgspec.convert(item, wire.WireMessage), shared)
        except msgspec.ValidationError:
            return read_message(item)

    return parse_error(raw, message)


def _wire_progress(p: wire.WireProgress | None, shared: dict[Any, Any]) -> Progress | None:
    if p is None:
        return None
    note = _wire_message(p.message, shared)
    if note.params is not None:
        return Progress(total=p.total, completed=p.completed, message=note)
    key = ("progress", p.total, p.completed, id(note))  # `note` is shared: its identity is its value
    found: Progress | None = shared.get(key)
    if found is None:
        found = shared[key] = Progress(p.total, p.completed, note)
    return found


def _wire_build(b: wire.WireBuild | None, shared: dict[Any, Any]) -> BuildInfo | None:
    if b is None:
        return None
    key = ("build", b.version_name, b.version, b.build_number)
    found: BuildInfo | None = shared.get(key)
    if found is None:
        found = shared[key] = BuildInfo(b.version_name, b.version, b.build_number)
    return found


def _wire_messages(items: list[wire.WireMessage] | None, shared: dict[Any, Any]) -> tuple[Message, ...]:
    return tuple([_wire_message(m, shared) for m in items]) if items else _EMPTY


def _from_wire(job_id: str, w: wire.WireJob, raw: Mapping[str, Any], shared: dict[Any, Any]) -> BackupJob:
    """The job of a decoded record the `wire` Structs accepted: what `_checked_job` makes of it."""
    return _job(
        job_id,
        w,
        _wire_message(w.description, shared),
        _wire_messages(w.messages, shared),
        _wire_progress(w.progress, shared),
        _wire_build(w.build, shared),
        DynamicID(type=w.target.type, id=w.target.id) if w.target is not None else None,
        _wire_error(w.error, shared) if w.error is not None else None,
        raw,
        shared,
    )


class _ByBytes:
    """The nested objects of one response already read, by their bytes (one dict per field)."""

    __slots__ = ("builds", "descriptions", "errors", "lists", "progresses", "targets")

    def __init__(self) -> None:
        self.descriptions: dict[bytes, Message] = {}
        self.lists: dict[bytes, tuple[Message, ...]] = {}
        self.progresses: dict[bytes, Progress | None] = {}
        self.builds: dict[bytes, BuildInfo | None] = {}
        self.targets: dict[bytes, DynamicID | None] = {}
        self.errors: dict[bytes, JobError | None] = {}


_BY_BYTES = object()  # its key in `shared`: equal to no string or tuple shared there
_UNSEEN: Any = object()
_NULL = wire.NULL


def _from_record(
    job_id: str, w: wire.WireRecord, raw: Mapping[str, Any], shared: dict[Any, Any]
) -> BackupJob:
    """`_from_wire` of a record decoded with its nested objects as bytes: each distinct nested
    object of the response is decoded once, and every record that repeats its bytes gets the
    same value object (what `_from_wire` gives, since parsing depends on the bytes alone)."""
    seen: _ByBytes | None = shared.get(_BY_BYTES)
    if seen is None:
        seen = shared[_BY_BYTES] = _ByBytes()

    key = bytes(w.description)
    description = seen.descriptions.get(key)
    if description is None:
        description = seen.descriptions[key] = _wire_message(wire.MESSAGE.decode(key), shared)
    key = bytes(w.messages)
    messages = seen.lists.get(key)
    if messages is None:
        messages = seen.lists[key] = _wire_messages(wire.MESSAGES.decode(key), shared)
    # an absent field is the one `wire.NULL` object: nothing to look up
    progress = build = target = error = None
    if w.progress is not _NULL:
        key = bytes(w.progress)
        progress = seen.progresses.get(key, _UNSEEN)
        if progress is _UNSEEN:
            progress = seen.progresses[key] = _wire_progress(wire.PROGRESS.decode(key), shared)
    if w.build is not _NULL:
        key = bytes(w.build)
        build = seen.builds.get(key, _UNSEEN)
        if build is _UNSEEN:
            build = seen.builds[key] = _wire_build(wire.BUILD.decode(key), shared)
    if w.target is not _NULL:
        key = bytes(w.target)
        target = seen.targets.get(key, _UNSEEN)
        if target is _UNSEEN:
            found = wire.TARGET.decode(key)
            target = seen.targets[key] = DynamicID(found.type, found.id) if found is not None else None
    if w.error is not _NULL:
        key = bytes(w.error)
        error = seen.errors.get(key, _UNSEEN)
        if error is _UNSEEN:
            value = wire.ANY.decode(key)
            error = seen.errors[key] = _wire_error(value, shared) if value is not None else None
    return _job(job_id, w, description, messages, progress, build, target, error, raw, shared)


def _job(
    job_id: str,
    w: wire.WireJob | wire.WireRecord,
    description: Message,
    messages: tuple[Message, ...],
    progress: Progress | None,
    build: BuildInfo | None,
    target: DynamicID | None,
    error: JobError | None,
    raw: Mapping[str, Any],
    shared: dict[Any, Any],
) -> BackupJob:
    """The job of a record's scalars (typed by the `wire` Struct) and its nested values.

    The fields are given in their order, not by name: for 24 fields that is ~0.5 us a job less
    (10,000 records: 5 ms; tests/test_parsing_bytes.py compares every field with the checked
    path, which names them)."""
    share = shared.setdefault  # the strings most records repeat, one object each
    start, end = w.start_time, w.end_time
    return BackupJob(
        job_id,  # id
        _STATUSES.get(w.status) or JobStatus(w.status),  # status
        _TYPES.get(w.type) or JobType(w.type),  # type
        w.location,  # location
        share(w.location_user, w.location_user) if w.location_user else "",  # location_user
        description,  # description
        share(w.service, w.service) if w.service else "",  # service
        share(w.operation, w.operation) if w.operation else "",  # operation
        w.cancelable is True,  # cancelable
        messages,  # messages
        _from_iso(start) if start is not None and _FAST_TIME(start) else _wire_time(start),  # start_time
        _from_iso(end) if end is not None and _FAST_TIME(end) else _wire_time(end),  # end_time
        w.duration,  # duration
        w.size,  # size
        progress,  # progress
        build,  # build
        w.fast_backup,  # fast_backup
        share(w.parent, w.parent) if w.parent else w.parent,  # parent
        target,  # target
        error,  # error
        share(w.user, w.user) if w.user else w.user,  # user
        None,  # unreadable
        False,  # gone
        None,  # gone_since
        raw,  # raw
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
    shared: dict[Any, Any] = {}
    for job_id, record in _map_entries(body, flavor, "job details"):
        before = previous.get(job_id) if previous else None
        if before is not None and before.id == job_id and _same_json(_raw_value(before), record):
            jobs.append(before)
            continue
        try:
            jobs.append(parse_job_shared(job_id, record, None, shared))
        except RecordError as exc:
            problems.append(exc)
    jobs.sort(key=newest_first_key, reverse=True)
    return DetailsResult(jobs=tuple(jobs), problems=tuple(problems))


def _raw_value(job: BackupJob) -> Any:
    """The job's decoded record, or None when it has none to compare (a hand-made job)."""
    raw = job.raw
    if type(raw) is RawRecord:
        return raw.decoded()
    return raw or None
