"""A details response read from its JSON one record at a time, for large histories.

msgspec splits the body into one `msgspec.Raw` per record (its bytes, undecoded), so the whole
decoded tree never exists, a record whose bytes are unchanged since the last poll is not even
decoded (the previous job is given back), and each job keeps its record's bytes as they came.
A body in any other shape is decoded whole and given to `parsing.parse_details`, so the result
is always what the decoded body gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from backuptui.core.appliance import wire
from backuptui.core.appliance.models import (
    ApiFlavor,
    BackupJob,
    DetailsResult,
    RecordError,
    ResponseShapeError,
    newest_first_key,
)
from backuptui.core.appliance.nesting import TOO_DEEP, string_end, value_end
from backuptui.core.appliance.parsing import parse_details, parse_job_shared
from backuptui.core.appliance.raw_records import _BLOCK_RECORDS, RawRecord, _pack

_BOM = b"\xef\xbb\xbf"


def parse_details_text(
    text: str | bytes | bytearray | memoryview,
    flavor: ApiFlavor,
    previous: Mapping[str, BackupJob] | None = None,
) -> DetailsResult:
    """`parse_details` of a details response given as JSON (text, or UTF-8 bytes as received),
    decoded one record at a time.

    Each record is decoded, parsed and dropped, and its job keeps the record's bytes as they came
    (`RawRecord`). A record whose bytes are those the previous job with its id came from gives
    that job back without being decoded. A body in another shape (a `/rest` map as an object,
    ids that are not strings, ...) is decoded whole and given to `parse_details`. Raises
    `json.JSONDecodeError` when the text is not JSON and `ResponseShapeError` when it is not a
    map of job ids.
    """
    if isinstance(text, str):
        data: Any = text.encode("utf-8", "surrogatepass")
    else:
        data = memoryview(text)[len(_BOM) :] if bytes(text[:3]) == _BOM else text
    try:
        if flavor is ApiFlavor.API:
            entries: Iterable[tuple[str, msgspec.Raw]] = wire.API_DETAILS.decode(data).items()
        else:
            entries = [(entry.key, entry.value) for entry in wire.REST_DETAILS.decode(data).value]
    except (msgspec.ValidationError, msgspec.DecodeError):
        pass  # not the plain shape, or not JSON: json.loads says which, in its own words
    except RecursionError:  # a record nested deeper than any decoder recurses
        deep = _split_by_brackets(bytes(data).decode("utf-8", "surrogatepass"), flavor)
        if deep is not None:
            return _parse_records(deep, previous)
    else:
        return _parse_records(entries, previous)
    try:
        decoded = json.loads(bytes(data) if not isinstance(data, bytes) else data)
    except RecursionError:
        raise ResponseShapeError(f"the response is {TOO_DEEP}") from None
    return parse_details(decoded, flavor, previous)


def _parse_records(
    entries: Iterable[tuple[str, msgspec.Raw | bytes]], previous: Mapping[str, BackupJob] | None
) -> DetailsResult:
    jobs: list[BackupJob] = []
    problems: list[RecordError] = []
    pending: list[RawRecord] = []
    shared: dict[Any, Any] = {}
    for job_id, raw in entries:
        record = bytes(raw)
        before = previous.get(job_id) if previous else None
        if before is not None and type(before.raw) is RawRecord and before.raw.data == record:
            jobs.append(before)
            continue
        try:
            job = parse_job_shared(job_id, None, record, shared)
        except RecordError as exc:
            problems.append(exc)
            continue
        jobs.append(job)
        pending.append(job.raw)  # type: ignore[arg-type]  # a RawRecord: parse_job was given the bytes
        if len(pending) >= _BLOCK_RECORDS:
            _pack(pending)
    _pack(pending)
    jobs.sort(key=newest_first_key, reverse=True)
    return DetailsResult(jobs=tuple(jobs), problems=tuple(problems))


def _split_by_brackets(text: str, flavor: ApiFlavor) -> list[tuple[str, bytes]] | None:
    """The records of a body in the plain shape, found by their brackets instead of a decoder
    (which cannot take a record nested thousands of levels deep); each record's own depth is
    judged when it is parsed. None when the body is not in the plain shape."""
    entries: list[tuple[str, bytes]] = []
    pos = _skip(text, 0)
    try:
        if flavor is ApiFlavor.REST:  # {"value": [{"key": id, "value": record}, ...]}
            if not text.startswith("{", pos):
                return None
            key, pos = _name(text, _skip(text, pos + 1))
            if key != "value" or not text.startswith("[", pos):
                return None
            pos = _skip(text, pos + 1)
            while not text.startswith("]", pos):
                end = value_end(text, pos)
                entry = _split_by_brackets("{" + text[pos + 1 : end - 1] + "}", ApiFlavor.API)
                fields = dict(entry or ())
                if set(fields) != {"key", "value"}:
                    return None
                job_id = json.loads(fields["key"])
                if not isinstance(job_id, str):
                    return None
                entries.append((job_id, fields["value"]))
                pos = _skip(text, end)
                if text.startswith(",", pos):
                    pos = _skip(text, pos + 1)
            return entries if text[pos + 1 :].strip(" \t\n\r") == "}" else None
        if not text.startswith("{", pos):
            return None
        pos = _skip(text, pos + 1)
        while not text.startswith("}", pos):
            job_id, pos = _name(text, pos)
            end = value_end(text, pos) if text.startswith(("{", "["), pos) else _scalar_end(text, pos)
            entries.append((job_id, text[pos:end].encode("utf-8", "surrogatepass")))
            pos = _skip(text, end)
            if text.startswith(",", pos):
                pos = _skip(text, pos + 1)
        return entries if not text[pos + 1 :].strip(" \t\n\r") else None
    except ValueError:  # the text ends inside a value (json.JSONDecodeError is one too)
        return None


def _skip(text: str, pos: int) -> int:
    while text[pos : pos + 1] in (" ", "\t", "\n", "\r") and pos < len(text):
        pos += 1
    return pos


def _name(text: str, pos: int) -> tuple[str, int]:
    """An object member's name and the position of its value."""
    if not text.startswith('"', pos):
        raise ValueError("not a member name")
    end = string_end(text, pos, len(text))
    name = json.loads(text[pos:end])
    pos = _skip(text, end)
    if not text.startswith(":", pos):
        raise ValueError("no colon")
    return name, _skip(text, pos + 1)


def _scalar_end(text: str, pos: int) -> int:
    if text.startswith('"', pos):
        return string_end(text, pos, len(text))
    end = pos
    while end < len(text) and text[end] not in ",}] \t\n\r":
        end += 1
    return end
