"""History export (core/export.py): JSON round-trips into the model; CSV; atomic writes; no secrets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backuptui.core import export
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import (
    BackupJob,
    BuildInfo,
    DynamicID,
    JobError,
    JobStatus,
    JobType,
    Message,
    Progress,
)
from backuptui.core.appliance.parsing import parse_job
from backuptui.core.appliance.secret import Secret
from backuptui.core.export import (
    CSV_COLUMNS,
    export_history,
    history_from_json,
    history_to_csv,
    history_to_json,
    job_to_json,
    redact_location,
)
from backuptui.core.output_file import write_atomic
from backuptui.simulator import Simulator

WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

#: the documented fields of a job record (docs/json-schema.md); changing them is a schema change
JOB_FIELDS = [
    "id",
    "status",
    "type",
    "description",
    "location",
    "location_user",
    "service",
    "operation",
    "cancelable",
    "messages",
    "start_time",
    "end_time",
    "duration",
    "size",
    "progress",
    "build",
    "fast_backup",
    "parent",
    "target",
    "error",
    "user",
    "problem",
    "percent",
    "canceled",
]


def full_job() -> BackupJob:
    raw_error = {
        "error_type": "ERROR",
        "messages": [
            {"id": "e.1", "default_message": "Backup failed: {0}", "args": ["No space left on device"]}
        ],
    }
    return BackupJob(
        id="20261127-020003-22617221",
        status=JobStatus.FAILED,
        type=JobType("SOMETHING_NEW"),  # an unknown type survives the trip
        location="sftp://192.0.2.10/backups/[vcsa01]",
        location_user="backupuser",
        description=Message("d", "Backup job", params={"k": {"s": "v"}}, localized="Sicherung"),
        service="com.vmware.applmgmt.backup",
        operation="backup",
        cancelable=False,
        messages=(Message("m.1", "Phase {0} of {1}", ("1", "3")),),
        start_time=datetime(2026, 11, 27, 2, 0, 3, 123000, tzinfo=UTC),
        end_time=datetime(2026, 11, 27, 2, 0, 41, 7000, tzinfo=UTC),
        duration=38,
        size=0,
        progress=Progress(100, 10, Message("p", "Backing up database")),
        build=BuildInfo("8.0.3 U3d", "8.0.3.00400", "24853646"),
        fast_backup=True,
        parent="parent-1",
        target=DynamicID("com.vmware.appliance", "vcsa01"),
        error=JobError(
            raw=raw_error,
            messages=(Message("e.1", "Backup failed: {0}", ("No space left on device",)),),
            error_type="ERROR",
        ),
        user="administrator@vsphere.local",
    )


def test_every_field_round_trips() -> None:
    job = full_job()
    record = json.loads(json.dumps(job_to_json(job)))
    back = parse_job(record["id"], record)
    assert back == job  # every field, the error included (rebuilt from its raw form)
    assert back.error is not None and back.error.summary == "Backup failed: No space left on device"
    assert record["start_time"] == "2026-11-27T02:00:03.123Z"
    assert list(record) == JOB_FIELDS
    assert record["problem"] == "Backup failed: No space left on device"
    assert record["percent"] == 10.0
    assert record["canceled"] is False


async def test_simulator_history_round_trips(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=80, variety=True, running_at_start=True)
    async with ApplianceClient(sim.url, sim.user, Secret(sim.password)) as client:
        result = await client.list_job_details()
    assert {job.status for job in result.jobs} >= {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.RUNNING}
    text = history_to_json(result.jobs, appliance="lab", base_url=sim.url, generated_at=WHEN)
    back = history_from_json(text)
    assert back.problems == ()
    assert back.jobs == result.jobs
    assert sim.password not in text


def test_document_envelope() -> None:
    document = json.loads(
        history_to_json(
            [full_job()],
            appliance="vcsa01",
            base_url="https://vcsa01",
            generated_at=WHEN,
            filters={"status": ["FAILED"]},
        )
    )
    assert list(document) == ["format", "version", "appliance", "base_url", "generated_at", "filter", "jobs"]
    assert document["format"] == "backuptui.history" and document["version"] == 1
    assert document["generated_at"] == "2026-11-28T12:00:00.000Z"
    assert document["filter"] == {"status": ["FAILED"]}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{", "not a JSON document"),
        ('{"format": "other"}', "not a backuptui.history"),
        ('{"format": "backuptui.history", "version": 99, "jobs": []}', "version 99"),
        ('{"format": "backuptui.history", "version": 1, "jobs": {}}', "must be a list"),
        ('{"format": "backuptui.history", "version": 1, "jobs": [{"status": "FAILED"}]}', "no string 'id'"),
    ],
)
def test_reading_a_bad_document_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        history_from_json(text)


def test_password_in_a_location_is_masked() -> None:
    assert redact_location("sftp://bob:s3cret@host/path") == "sftp://bob:***@host/path"
    assert redact_location("sftp://bob@host/path") == "sftp://bob@host/path"
    assert redact_location("nfs://host/path") == "nfs://host/path"
    job = full_job()
    leaky = BackupJob(
        **{**{f: getattr(job, f) for f in job.__slots__ if f != "raw"}, "location": "smb://u:pw1@h/x"}
    )  # type: ignore[arg-type]
    assert "pw1" not in history_to_json([leaky], appliance="a")
    assert "pw1" not in history_to_csv([leaky])


def test_csv() -> None:
    job = full_job()
    text = history_to_csv([job, job])
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 3
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["id"] == job.id and row["status"] == "FAILED" and row["type"] == "SOMETHING_NEW"
    assert row["start_time"] == "2026-11-27T02:00:03.123Z"
    assert row["size_bytes"] == "0" and row["duration_s"] == "38" and row["percent"] == "10.0"
    assert row["version"] == "8.0.3.00400" and row["build_number"] == "24853646"
    assert row["problem"] == "Backup failed: No space left on device"


def test_csv_guards_against_formula_injection() -> None:
    job = full_job()
    raw = {"messages": [{"id": "x", "default_message": '=HYPERLINK("http://evil")', "args": []}]}
    evil = parse_job(job.id, {**job_to_json(job), "error": raw})
    row = list(csv.reader(io.StringIO(history_to_csv([evil]))))[1]
    assert row[CSV_COLUMNS.index("problem")].startswith("'=")


def test_a_job_only_the_local_history_holds_says_so_and_since_when() -> None:
    job = full_job()
    since = datetime(2026, 11, 29, 8, 15, tzinfo=UTC)
    kept = job.replace(gone=True, gone_since=since)
    rows = list(csv.DictReader(io.StringIO(history_to_csv([job, kept]))))
    assert (rows[0]["no_longer_on_appliance"], rows[0]["gone_since"]) == ("", "")
    assert (rows[1]["no_longer_on_appliance"], rows[1]["gone_since"]) == ("true", "2026-11-29T08:15:00.000Z")
    assert "no_longer_on_appliance" not in job_to_json(job)
    data = job_to_json(kept)
    assert data["no_longer_on_appliance"] is True and data["gone_since"] == "2026-11-29T08:15:00.000Z"
    # since when not known (found gone by `status --history`, which writes nothing): null
    assert job_to_json(job.replace(gone=True))["gone_since"] is None


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_every_appliance_cell_is_guarded_against_formulas(lead: str) -> None:
    job = full_job()
    record = job_to_json(job)
    record.update(
        location=f"{lead}cmd|' /C calc'!A0",
        location_user=f"{lead}1+1",
        user=f"{lead}user",
        build={"version": f"{lead}v", "build_number": f"{lead}b"},
    )
    hostile = parse_job(f"{lead}id", record)
    row = dict(zip(CSV_COLUMNS, list(csv.reader(io.StringIO(history_to_csv([hostile]))))[1], strict=True))
    for column in ("id", "location", "location_user", "user", "version", "build_number"):
        assert row[column][:1] not in ("=", "+", "-", "@", "\t", "\r"), (column, row[column])


def test_control_characters_never_reach_the_csv() -> None:
    job = full_job()
    record = job_to_json(job)
    record.update(user="ad\x1b]0;owned\x07min", location_user="b\x1b[2Jx\x9b")
    raw = {"messages": [{"id": "x", "default_message": "disk\x1b[31m full\nsee log", "args": []}]}
    text = history_to_csv([parse_job(job.id, {**record, "error": raw})])
    assert not any((ch < " " and ch not in "\r\n") or "\x7f" <= ch <= "\x9f" for ch in text)
    row = dict(zip(CSV_COLUMNS, list(csv.reader(io.StringIO(text)))[1], strict=True))
    assert row["user"] == "ad\\x1b]0;owned\\x07min"
    assert row["problem"] == "disk\\x1b[31m full\nsee log"  # a line break is kept (quoted)


def test_write_atomic(tmp_path: Path) -> None:
    target = tmp_path / "history.json"
    written = write_atomic(target, "one\n")
    assert written == target and target.read_text() == "one\n"
    write_atomic(target, "two\n")
    assert target.read_text() == "two\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.json"]  # no temp file left
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)  # an export describes the infrastructure


def test_interrupted_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "history.csv"
    target.write_text("old\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv"]


def test_export_history_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    csv_path = export_history([full_job()], tmp_path / "h.csv", appliance="a")
    assert csv_path.read_text().startswith("id,status,")
    json_path = export_history([full_job()], tmp_path / "h.json", appliance="a")
    assert json.loads(json_path.read_text())["format"] == "backuptui.history"
    other = export_history([full_job()], tmp_path / "h.txt", "csv", appliance="a")
    assert other.read_text().startswith("id,status,")
    with pytest.raises(ValueError, match="unknown export format"):
        export_history([], tmp_path / "h.x", "xml", appliance="a")
