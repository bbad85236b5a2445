"""The job history as a file: JSON with a stable, documented schema (docs/json-schema.md), or CSV.

The JSON form of a job is the appliance's own `Details.Info` record (as the `/api` flavour writes it,
times in RFC 3339 UTC with milliseconds) plus its `id`, so `parse_job(record["id"], record)` gives
back the same `BackupJob`: the schema is the parsed model, and nothing is invented. Three derived
fields (`problem`, `percent`, `canceled`) save consumers from re-deriving them; readers ignore them.

Never secrets: the history holds no password or session token, and a password embedded in a
location URL (`sftp://user:pw@host/...`) is masked before it is written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from backuptui.core.appliance.failure_cause import canceled_by_user
from backuptui.core.appliance.models import ApiFlavor, BackupJob, DetailsResult, Message
from backuptui.core.appliance.parsing import parse_details
from backuptui.core.appliance.record_fields import format_time
from backuptui.core.output_file import write_output

#: the `format` field of an exported document; bump `SCHEMA_VERSION` on an incompatible change
SCHEMA_NAME = "backuptui.history"
SCHEMA_VERSION = 1

FORMATS = ("json", "csv")

#: CSV columns, in order (documented in docs/json-schema.md)
CSV_COLUMNS = (
    "id",
    "status",
    "type",
    "start_time",
    "end_time",
    "duration_s",
    "size_bytes",
    "percent",
    "location",
    "location_user",
    "user",
    "version",
    "build_number",
    "problem",
    "no_longer_on_appliance",
    "gone_since",
    "canceled",
)


def redact_location(location: str) -> str:
    """A location URL with any password in it replaced by `***` (the appliance never sends one,
    but a hand-made location could hold it, and exports must never carry a secret)."""
    try:
        parts = urlsplit(location)
    except ValueError:
        return location
    if parts.password is None:
        return location
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _message(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message.id,
        "default_message": message.default_message,
        "args": list(message.args),
    }
    if message.params is not None:
        data["params"] = dict(message.params)
    if message.localized is not None:
        data["localized"] = message.localized
    return data


def _time(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def job_to_json(job: BackupJob) -> dict[str, Any]:
    """One job as a JSON object: `Details.Info` fields plus `id`, `problem`, `percent` and
    `canceled` (`status` stays the appliance's word: FAILED for a backup a user canceled)."""
    data: dict[str, Any] = {
        "id": job.id,
        "status": str(job.status),
        "type": str(job.type),
        "description": _message(job.description),
        "location": redact_location(job.location),
        "location_user": job.location_user,
        "service": job.service,
        "operation": job.operation,
        "cancelable": job.cancelable,
        "messages": [_message(m) for m in job.messages],
        "start_time": _time(job.start_time),
        "end_time": _time(job.end_time),
        "duration": job.duration,
        "size": job.size,
        "progress": None,
        "build": None,
        "fast_backup": job.fast_backup,
        "parent": job.parent,
        "target": None,
        "error": job.error.raw if job.error is not None else None,
        "user": job.user,
        "problem": job.problem,
        "percent": job.percent,
        "canceled": canceled_by_user(job),
    }
    if job.progress is not None:
        data["progress"] = {
            "total": job.progress.total,
            "completed": job.progress.completed,
            "message": _message(job.progress.message),
        }
    if job.build is not None:
        data["build"] = {
            "version_name": job.build.version_name,
            "version": job.build.version,
            "build_number": job.build.build_number,
        }
    if job.target is not None:
        data["target"] = {"type": job.target.type, "id": job.target.id}
    if job.gone:  # derived, like `problem`: a job only the local history still holds
        data["no_longer_on_appliance"] = True
        data["gone_since"] = _time(job.gone_since)
    return data


def history_document(
    jobs: Iterable[BackupJob],
    *,
    appliance: str,
    base_url: str | None = None,
    generated_at: datetime | None = None,
    filters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole export: what it is, where from, when, with which filter, and the jobs newest first."""
    when = (generated_at or datetime.now(UTC)).astimezone(UTC)
    return {
        "format": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "appliance": appliance,
        "base_url": redact_location(base_url) if base_url else None,
        "generated_at": format_time(when),
        "filter": dict(filters or {}),
        "jobs": [job_to_json(job) for job in jobs if job.unreadable is None],  # no stand-ins
    }


def history_to_json(
    jobs: Iterable[BackupJob],
    *,
    appliance: str,
    base_url: str | None = None,
    generated_at: datetime | None = None,
    filters: Mapping[str, Any] | None = None,
) -> str:
    document = history_document(
        jobs, appliance=appliance, base_url=base_url, generated_at=generated_at, filters=filters
    )
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def history_from_json(text: str | bytes) -> DetailsResult:
    """Read an exported document back into the model (newest first); bad records are reported."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a JSON document: {exc}") from None
    if not isinstance(document, Mapping) or document.get("format") != SCHEMA_NAME:
        raise ValueError(f"not a {SCHEMA_NAME} document")
    if document.get("version") != SCHEMA_VERSION:
        raise ValueError(f"{SCHEMA_NAME} version {document.get('version')!r} is not supported")
    records = document.get("jobs")
    if not isinstance(records, list):
        raise ValueError("'jobs' must be a list")
    body = {}
    for index, record in enumerate(records):
        if not isinstance(record, Mapping) or not isinstance(record.get("id"), str):
            raise ValueError(f"jobs[{index}] has no string 'id'")
        body[record["id"]] = record
    return parse_details(body, ApiFlavor.API)


def _csv_row(job: BackupJob) -> list[str]:
    def text(value: object) -> str:
        return "" if value is None else str(value)

    def cell(value: object) -> str:
        return _csv_safe(text(value))

    percent = job.percent
    return [
        cell(job.id),
        cell(job.status),
        cell(job.type),
        text(_time(job.start_time)),
        text(_time(job.end_time)),
        text(job.duration),
        text(job.size),
        "" if percent is None else f"{percent:.1f}",
        cell(redact_location(job.location)),
        cell(job.location_user),
        cell(job.user),
        cell(job.build.version if job.build else None),
        cell(job.build.build_number if job.build else None),
        cell(job.problem or ""),
        "true" if job.gone else "",
        text(_time(job.gone_since)) if job.gone else "",
        "true" if canceled_by_user(job) else "",
    ]


#: control characters other than the line break, written as `\xNN` so that `cat` of the file
#: never runs an escape sequence from the appliance
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _csv_safe(text: str) -> str:
    """Appliance text as a CSV cell: control characters shown as `\\xNN`, and a leading `=`, `+`,
    `-` or `@` quoted with `'` so that a spreadsheet never runs it as a formula (CSV injection)."""
    text = _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def history_to_csv(jobs: Iterable[BackupJob]) -> str:
    """The history as CSV (RFC 4180, header row, `\\r\\n` line ends), newest first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for job in jobs:
        if job.unreadable is None:  # a stand-in for an unreadable record is not a record
            writer.writerow(_csv_row(job))
    return buffer.getvalue()


def render_history(
    jobs: Sequence[BackupJob],
    fmt: str,
    *,
    appliance: str,
    base_url: str | None = None,
    generated_at: datetime | None = None,
    filters: Mapping[str, Any] | None = None,
) -> str:
    if fmt == "json":
        return history_to_json(
            jobs, appliance=appliance, base_url=base_url, generated_at=generated_at, filters=filters
        )
    if fmt == "csv":
        return history_to_csv(jobs)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def default_export_name(appliance: str, fmt: str, when: datetime | None = None) -> str:
    """`backuptui-vcsa01.example.com-20261128-2317.csv`: a file name that sorts and says what it is."""
    stamp = (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in appliance) or "appliance"
    return f"backuptui-{safe}-{stamp}.{fmt}"


def export_history(
    jobs: Sequence[BackupJob],
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    appliance: str,
    base_url: str | None = None,
    generated_at: datetime | None = None,
    filters: Mapping[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Render and write the history (`output_file.write_output`: an existing file only with
    `overwrite`); the format follows the suffix unless given."""
    chosen = fmt or format_for_path(path)
    text = render_history(
        jobs, chosen, appliance=appliance, base_url=base_url, generated_at=generated_at, filters=filters
    )
    return write_output(path, text, overwrite=overwrite)


def format_for_path(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "json"
