"""A job as a row of the history and back: the record as the appliance served it, plus the columns
that are queried (status, times, size, the problem), and a digest that says whether it changed.

Only what the appliance sent goes in: a job record holds no password or session token (a
location URL with a password in it is masked, as exports mask it).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from backuptui.core.appliance.models import BackupJob, RecordError, Schedule
from backuptui.core.appliance.parsing import parse_job_shared
from backuptui.core.appliance.raw_records import RawRecord
from backuptui.core.export import redact_location

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: `job.codec`: how `record` is compressed. 1: zlib with `_ZDICT_1` as its preset dictionary. A
#: later codec gets a new number; rows keep theirs, so old rows stay readable.
CODEC = 1

# What every backup job record of the details endpoint repeats (keys, enum values, VMware's
# message ids), most frequent last: zlib finds the record's repeats of it instead of storing them
# (a ~800-byte record compresses to about a third of what it does alone). Never change it: rows
# written with it need it to be read; a better one is a new codec.
_ZDICT_1 = (
    b'"error":{"error_type":"","messages":[{"id":"com.vmware.applmgmt.err_backup",'
    b'"default_message":"","args":[]}]},"messages":[{"id":"com.vmware.applmgmt.backup.job.failed",'
    b'"default_message":"Backup job failed","args":[]}],"status":"FAILED","type":"MANUAL",'
    b'"user":"administrator@vsphere.local","fast_backup":true,"cancelable":true,'
    b'"id":"com.vmware.applmgmt.backup.job.upload","default_message":"Uploading to backup location",'
    b'"id":"com.vmware.applmgmt.backup.job.seat","default_message":"Backing up stats, events and tasks",'
    b'"id":"com.vmware.applmgmt.backup.job.database","default_message":"Backing up database",'
    b'{"location":"sftp://","location_user":"","type":"SCHEDULED","messages":[],'
    b'"build":{"version_name":"8.0.3","version":"8.0.3.00","build_number":""},"fast_backup":false,'
    b'"description":{"id":"com.vmware.appliance.recovery.backup.job","default_message":"Backup job",'
    b'"args":[]},"service":"com.vmware.appliance.recovery.backup.job","operation":"create",'
    b'"status":"SUCCEEDED","cancelable":false,"duration":,"size":,"progress":{"total":100,'
    b'"completed":100,"message":{"id":"com.vmware.applmgmt.backup.job.complete",'
    b'"default_message":"Backup job completed","args":[]}},"start_time":"2026-","end_time":"2026-'
)


def store_time(moment: datetime | None) -> int | None:
    """A time as the store writes it: milliseconds since 1970 UTC (8 bytes, sorts as time)."""
    if moment is None:
        return None
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def read_time(value: int | None) -> datetime | None:
    if value is None:
        return None
    return _EPOCH + timedelta(milliseconds=value)


_PACKER = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, _ZDICT_1)


def compress(text: str) -> bytes:
    packer = _PACKER.copy()  # the dictionary already loaded: cheaper than a new compressobj
    return packer.compress(text.encode("utf-8", "surrogatepass")) + packer.flush()


def decompress(record: bytes, codec: int = CODEC) -> str:
    if codec != CODEC:
        raise ValueError(f"unknown record codec {codec}")
    unpacker = zlib.decompressobj(-15, _ZDICT_1)
    return (unpacker.decompress(record) + unpacker.flush()).decode("utf-8", "surrogatepass")


def record_text(job: BackupJob) -> str:
    """The job's record as JSON text: as it came when it came as text, else dumped."""
    raw = job.raw
    if type(raw) is RawRecord:
        text = raw.text
    else:
        text = json.dumps(dict(raw), separators=(",", ":"), ensure_ascii=False)
    location = job.location
    if "@" in location and redact_location(location) != location:  # never a password in the store
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("location"), str):
            data["location"] = redact_location(data["location"])
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text


def schedule_text(schedule: Schedule) -> str:
    """A schedule's record as JSON, without any key that names a password (the appliance sends
    none; a later release or a proxy might) and with a location's password masked."""
    data = {key: value for key, value in dict(schedule.raw).items() if "password" not in key.lower()}
    if isinstance(data.get("location"), str):
        data["location"] = redact_location(data["location"])
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def job_row(job: BackupJob, text: str, text_digest: bytes) -> dict[str, Any]:
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
        "record": compress(text),
        "digest": text_digest,
    }


def job_from_row(
    job_id: str, record: bytes, codec: int = CODEC, shared: dict[Any, Any] | None = None
) -> BackupJob | None:
    """The job a stored record parses to; None when it no longer parses (a later parser is
    stricter): the row stays, the list shows what the appliance shows. `shared`: one dict for
    the rows of one load, so equal messages are one object (as in one response)."""
    try:
        # the text only: the parser decodes it itself (a json.loads of it here was thrown away)
        return parse_job_shared(job_id, None, decompress(record, codec), {} if shared is None else shared)
    except (zlib.error, ValueError, RecordError):
        return None
