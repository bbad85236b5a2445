"""A job as a row of the history and back: the record as the appliance served it, plus the columns
that are queried (status, times, size, the problem), and a digest that says whether it changed.

Only what the appliance sent goes in: a job record holds no password or session token (a
location URL with a password in it is masked, as exports mask it).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import UTC, datetime
from typing import Any

from backuptui.core.appliance.models import BackupJob, RecordError
from backuptui.core.appliance.parsing import parse_job
from backuptui.core.appliance.raw_records import RawRecord
from backuptui.core.export import redact_location

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def store_time(moment: datetime | None) -> str | None:
    """A time as the store writes it: UTC, fixed width, so text order is time order."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def read_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


def record_text(job: BackupJob) -> str:
    """The job's record as JSON text: as it came when it came as text, else dumped."""
    raw = job.raw
    if type(raw) is RawRecord:
        text = raw.text
    else:
        text = json.dumps(dict(raw), separators=(",", ":"), ensure_ascii=False)
    location = job.location
    if location and redact_location(location) != location:  # never a password in the store
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("location"), str):
            data["location"] = redact_location(data["location"])
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def job_row(job: BackupJob, text: str) -> dict[str, Any]:
    """The queried columns and the compressed record of one job."""
    return {
        "job_id": job.id,
        "status": str(job.status),
        "type": str(job.type),
        "start_time": store_time(job.start_time),
        "end_time": store_time(job.end_time),
        "duration": job.duration,
        "size": job.size,
        "problem": job.problem if job.status == "FAILED" else None,
        "record": zlib.compress(text.encode("utf-8", "surrogatepass"), 6),
        "digest": digest(text),
    }


def job_from_row(job_id: str, record: bytes) -> BackupJob | None:
    """The job a stored record parses to; None when it no longer parses (a later parser is
    stricter): the row stays, the list shows what the appliance shows."""
    try:
        text = zlib.decompress(record).decode("utf-8", "surrogatepass")
        return parse_job(job_id, json.loads(text), text)
    except (zlib.error, ValueError, RecordError):
        return None
