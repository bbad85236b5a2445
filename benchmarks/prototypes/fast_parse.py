"""Prototype for CLIENT (issue 6 rows 7 and 8), not used by backuptui: a fast path for well-formed
`Details.Info` records and a one-record-at-a-time decoder.

    python benchmarks/prototypes/fast_parse.py

checks on a 10,000-job simulator history that `fast_job` returns exactly what `parse_job` returns,
and prints the parse time of both and the memory kept / peak of the current path vs streaming
decode + no `raw` + shared strings. Measured here (2 busy cores): parse 250 → 130 ms; memory
33.4 MB kept / 36.0 MB peak → 9.6 MB kept / 17.9 MB peak.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from backuptui.core.models import (
    BackupJob,
    BuildInfo,
    JobStatus,
    JobType,
    Message,
    Progress,
    parse_details,
    parse_job,
    parse_time,
)

_MESSAGE_KEYS = frozenset(("id", "default_message", "args"))
_messages: dict[tuple[str, str, tuple[str, ...]], Message] = {}
_OPTIONAL_STRINGS = ("location_user", "service", "operation", "parent", "user")


def _message(value: Any) -> Message | None:
    """A plain LocalizableMessage, shared between records; None: take the slow path."""
    if type(value) is not dict or value.keys() - _MESSAGE_KEYS:
        return None
    msg_id, text, args = value.get("id"), value.get("default_message"), value.get("args")
    if (msg_id is not None and type(msg_id) is not str) or (text is not None and type(text) is not str):
        return None
    if not args and (args is None or type(args) is list):
        targs: tuple[str, ...] = ()
    elif type(args) is list:
        for a in args:
            if type(a) is not str:
                return None
        targs = tuple(args)
    else:
        return None
    key = (msg_id or "", text or "", targs)
    msg = _messages.get(key)
    if msg is None:
        if len(_messages) > 4096:
            _messages.clear()
        msg = _messages[key] = Message(id=key[0], default_message=key[1], args=targs)
    return msg


def fast_job(job_id: str, data: Any) -> BackupJob:
    """`parse_job`, faster for the common shape; anything unusual goes the precise slow way."""
    try:
        job = _fast(job_id, data)
    except (ValueError, TypeError, KeyError, AttributeError):
        job = None
    return job if job is not None else parse_job(job_id, data)


def _fast(job_id: str, d: Any) -> BackupJob | None:
    if type(d) is not dict:
        return None
    g = d.get
    status, job_type, location = g("status"), g("type"), g("location")
    if type(status) is not str or type(job_type) is not str or type(location) is not str:
        return None
    for name in _OPTIONAL_STRINGS:
        v = g(name)
        if v is not None and type(v) is not str:
            return None
    cancelable, fast_backup, duration, size = g("cancelable"), g("fast_backup"), g("duration"), g("size")
    if (cancelable is not None and type(cancelable) is not bool) or (
        fast_backup is not None and type(fast_backup) is not bool
    ):
        return None
    if (duration is not None and type(duration) is not int) or (size is not None and type(size) is not int):
        return None
    description = _message(g("description"))
    if description is None:
        return None
    raw_messages = g("messages")
    messages: list[Message] = []
    if raw_messages is not None:
        if type(raw_messages) is not list:
            return None
        for item in raw_messages:
            msg = _message(item)
            if msg is None:
                return None
            messages.append(msg)
    progress = None
    p = g("progress")
    if p is not None:
        if type(p) is not dict:
            return None
        total, completed, note = p.get("total"), p.get("completed"), _message(p.get("message"))
        if type(total) is not int or type(completed) is not int or note is None:
            return None
        progress = Progress(total=total, completed=completed, message=note)
    build = None
    b = g("build")
    if b is not None:
        if type(b) is not dict:
            return None
        name, version, number = b.get("version_name"), b.get("version"), b.get("build_number")
        if (
            (name is not None and type(name) is not str)
            or (version is not None and type(version) is not str)
            or (number is not None and type(number) is not str)
        ):
            return None
        build = BuildInfo(version_name=name, version=version, build_number=number)
    if g("target") is not None or g("error") is not None:
        return None  # rare in a history: the slow path handles them
    start, end = g("start_time"), g("end_time")
    if (start is not None and type(start) is not str) or (end is not None and type(end) is not str):
        return None
    return BackupJob(
        id=job_id,
        status=JobStatus(status),
        type=JobType(job_type),
        location=location,
        location_user=g("location_user") or "",
        description=description,
        service=g("service") or "",
        operation=g("operation") or "",
        cancelable=bool(cancelable),
        messages=tuple(messages),
        start_time=parse_time(start) if start is not None else None,
        end_time=parse_time(end) if end is not None else None,
        duration=duration,
        size=size,
        progress=progress,
        build=build,
        fast_backup=fast_backup,
        parent=g("parent"),
        user=g("user"),
        raw=d,
    )


def stream_jobs(body: bytes) -> list[BackupJob]:
    """An `/api` details body decoded one record at a time: the whole tree never exists. Jobs keep
    no `raw` and share repeated strings."""
    text = body.decode()
    decoder = json.JSONDecoder()
    shared: dict[str, str] = {}

    def share(value: str | None) -> str | None:
        return None if value is None else shared.setdefault(value, value)

    i = text.index("{") + 1
    jobs: list[BackupJob] = []
    while True:
        while text[i] in " \t\r\n,":
            i += 1
        if text[i] == "}":
            return jobs
        key, i = decoder.raw_decode(text, i)
        while text[i] in " \t\r\n:":
            i += 1
        record, i = decoder.raw_decode(text, i)
        job = fast_job(key, record)
        build = job.build and dataclasses.replace(
            job.build,
            version_name=share(job.build.version_name),
            version=share(job.build.version),
            build_number=share(job.build.build_number),
        )
        jobs.append(
            dataclasses.replace(
                job,
                raw={},
                location_user=share(job.location_user) or "",
                service=share(job.service) or "",
                operation=share(job.operation) or "",
                build=build,
            )
        )


def _traced(func: Callable[[], object]) -> tuple[float, float]:
    gc.collect()
    tracemalloc.start()
    kept = func()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return current / 1e6, peak / 1e6


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from harness import PASSWORD, USER, SimProcess, Workspace

    ws = Workspace()
    sim = SimProcess(ws, 10000, seed=2)
    try:
        with httpx.Client(base_url=sim.url) as http:
            token = http.post("/api/session", auth=(USER, PASSWORD)).json()
            body = http.get(
                "/api/appliance/recovery/backup/job/details", headers={"vmware-api-session-id": token}
            ).content
    finally:
        sim.stop()
        ws.cleanup()
    items = list(json.loads(body).items())
    slow = [parse_job(k, v) for k, v in items]
    fast = [fast_job(k, v) for k, v in items]
    assert slow == fast, "the fast path differs from parse_job"
    print(f"fast_job == parse_job on all {len(items)} records")
    for _ in range(3):
        t0 = time.process_time()
        for k, v in items:
            parse_job(k, v)
        t1 = time.process_time()
        for k, v in items:
            fast_job(k, v)
        t2 = time.process_time()
        print(f"parse_job {1000 * (t1 - t0):.0f} ms, fast_job {1000 * (t2 - t1):.0f} ms")
    kept, peak = _traced(lambda: parse_details(json.loads(body)))
    print(f"json.loads + parse_details: {kept:.1f} MB kept, {peak:.1f} MB peak")
    kept, peak = _traced(lambda: stream_jobs(body))
    print(
        f"stream_jobs (one record at a time, no raw, shared strings): {kept:.1f} MB kept, {peak:.1f} MB peak"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
