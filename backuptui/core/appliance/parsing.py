"""One parser for the records of both URL flavours, tolerant where the appliance may change and
strict where data is wrong.

`GET .../appliance/recovery/backup/job/details`: `/api` answers a JSON object keyed by job id,
`/rest` answers `{"value": [{"key", "value"}]}`. Tolerant: unknown enum strings, absent or null
optional fields, extra fields. Strict: a wrong-typed field is a `RecordError` naming the job and
the field, and never hides the other records of the response. Well-formed records take a fast
path that gives the same job as the field-by-field one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backuptui.core.appliance.models import (
    ApiFlavor,
    BackupJob,
    BuildInfo,
    DetailsResult,
    DynamicID,
    JobStatus,
    JobType,
    Message,
    Progress,
    RecordError,
    ResponseShapeError,
    newest_first_key,
)
from backuptui.core.appliance.raw_records import RawRecord
from backuptui.core.appliance.record_fields import _json_type, _message, _messages, _Reader, parse_error


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
    jobs.sort(key=newest_first_key, reverse=True)
    return DetailsResult(jobs=tuple(jobs), problems=tuple(problems))


def _raw_value(job: BackupJob) -> Any:
    """The job's decoded record, or None when it has none to compare (a hand-made job)."""
    raw = job.raw
    if type(raw) is RawRecord:
        return raw.decoded()
    return raw or None
