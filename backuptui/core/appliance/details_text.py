"""A details response read from its JSON text one record at a time, for large histories.

The whole decoded tree never exists, and a record whose text is unchanged since the last poll is
not even decoded: the previous job is given back. Anything in an unusual shape falls back to
`parsing.parse_details` of the decoded body, so the result is always the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from backuptui.core.appliance.models import (
    ApiFlavor,
    BackupJob,
    DetailsResult,
    RecordError,
    newest_first_key,
)
from backuptui.core.appliance.parsing import parse_details, parse_job
from backuptui.core.appliance.raw_records import _BLOCK_RECORDS, RawRecord, _pack


class _NotStreamable(Exception):
    """The details text is not in the plain shape `parse_details_text` reads record by record."""


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_WHITESPACE_CHARS = frozenset(" \t\n\r")


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
    jobs.sort(key=newest_first_key, reverse=True)
    return DetailsResult(jobs=tuple(jobs), problems=tuple(problems))
