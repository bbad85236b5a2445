"""Reading the typed fields of one record, and the wire's own value forms (times, vAPI errors).

A wrong field is a `RecordError` naming the record and the field path, so one bad record is
reported precisely and never hides the others. Shared by the job and schedule parsers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from backuptui.core.appliance.models import JobError, Message, RecordError

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


def read_message(item: Mapping[str, Any]) -> Message:
    """One message of a vAPI error, field by field; RecordError when it is not one."""
    return _message(_Reader("", {}), "message", item)


def parse_error(raw: Any, message: Callable[[Mapping[str, Any]], Message] = read_message) -> JobError:
    """A vAPI error in any of its wire shapes, kept as it came plus its best-effort messages and type.

    `/api` writes `{"error_type": "NOT_FOUND", "messages": [...]}`, `/rest` writes
    `{"type": "com.vmware.vapi.std.errors.not_found", "value": {"messages": [...]}}`, and a job's
    nested `error` may be a bare `{"messages": [...]}`. Anything else gives no messages and no type.
    `message` reads each message (the job parser passes one that gives what `read_message` gives,
    faster and shared).
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
                found.append(message(item))
            except RecordError:
                continue
    return JobError(
        raw=raw, messages=tuple(found), error_type=error_type if isinstance(error_type, str) else None
    )
