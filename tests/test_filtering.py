"""The `/` filter language: free text, field terms, negation, time terms, and bad terms as messages."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from backuptui.core.appliance.models import BackupJob
from backuptui.core.appliance.parsing import parse_job
from backuptui.core.filtering import JobFilter

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def record(
    status: str,
    job_type: str = "SCHEDULED",
    *,
    start: str | None = "2026-11-27T02:00:03.101Z",
    location: str = "sftp://192.0.2.10/backups/vcsa01",
    messages: tuple[str, ...] = (),
    error: str | None = None,
    user: str | None = None,
    location_user: str = "backupuser",
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "location": location,
        "location_user": location_user,
        "type": job_type,
        "status": status,
        "cancelable": status == "RUNNING",
        "messages": [
            {"id": f"msg.{n}", "default_message": text, "args": []} for n, text in enumerate(messages)
        ],
        "description": {
            "id": "com.vmware.appliance.recovery.backup.job",
            "default_message": "Backup job",
            "args": [],
        },
        "service": "com.vmware.appliance.recovery.backup.job",
        "operation": "create",
    }
    if start is not None:
        data["start_time"] = start
    if error is not None:
        data["error"] = {
            "error_type": "ERROR",
            "messages": [
                {"id": "com.vmware.applmgmt.backup.job.failed", "default_message": error, "args": []}
            ],
        }
    if user is not None:
        data["user"] = user
    return data


JOBS: dict[str, BackupJob] = {
    job_id: parse_job(job_id, data)
    for job_id, data in {
        "20261128-020003-22617221": record("RUNNING", start="2026-11-28T02:00:03.101Z"),
        "20261127-020003-22617221": record(
            "FAILED",
            messages=("BackupManager encountered an exception. Please check logs for details.",),
            error="tar: Cannot write: No space left on device",
        ),
        "20261126-101500-22617221": record(
            "SUCCEEDED",
            "MANUAL",
            start="2026-11-26T10:15:00.000Z",
            location="ftps://ftp.example.com/vcsa",
            user="administrator@vsphere.local",
        ),
        "20261101-020003-22617221": record("SUCCEEDED", start="2026-11-01T02:00:03.000Z", location_user=""),
        "20261128-113000-22617221": record(
            "PENDING", "LOCAL_BACKUP", start=None, location="file:///storage/b"
        ),
    }.items()
}


def ids(text: str) -> list[str]:
    job_filter = JobFilter.parse(text, clock=clock)
    assert job_filter.errors == (), job_filter.errors
    return sorted(job.id[:15] for job in job_filter.apply(JOBS.values()))


def test_empty_filter_matches_everything() -> None:
    job_filter = JobFilter.parse("   ", clock=clock)
    assert job_filter.is_empty
    assert len(job_filter.apply(JOBS.values())) == len(JOBS)


def test_free_text_is_case_insensitive_and_every_word_must_match() -> None:
    assert ids("failed") == ["20261127-020003"]
    assert ids("FAILED") == ["20261127-020003"]
    assert ids("sftp 20261128") == ["20261128-020003"]
    assert ids("sftp manual") == []  # no job has both
    assert ids("no space") == ["20261127-020003"]  # words anywhere, any order
    assert ids('"space left"') == ["20261127-020003"]
    assert ids('"left space"') == []  # a quoted phrase must appear as it is


def test_free_text_covers_messages_error_user_type_location() -> None:
    assert ids("backupmanager") == ["20261127-020003"]  # message text
    assert ids("tar:") != []  # colon at the end: not a field
    assert ids("administrator") == ["20261126-101500"]  # user
    assert ids("local_backup") == ["20261128-113000"]  # type
    assert ids("ftp.example.com") == ["20261126-101500"]  # location
    assert ids("backupuser") == ["20261126-101500", "20261127-020003", "20261128-020003", "20261128-113000"]


def test_field_terms() -> None:
    assert ids("status:failed") == ["20261127-020003"]
    assert ids("status:succ") == ["20261101-020003", "20261126-101500"]  # prefix
    assert ids("status:active") == ["20261128-020003", "20261128-113000"]
    assert ids("type:manual") == ["20261126-101500"]
    assert ids("type:local") == ["20261128-113000"]
    assert ids("id:202611") == sorted(j.id[:15] for j in JOBS.values())
    assert ids("id:1126") == ["20261126-101500"]
    assert ids("location:ftps") == ["20261126-101500"]
    assert ids("user:administrator") == ["20261126-101500"]
    assert ids("message:exception") == ["20261127-020003"]
    assert ids("error:no space") == ["20261127-020003"]  # "space" is free text, also there
    assert ids("STATUS:Failed") == ["20261127-020003"]  # field names and values ignore case
    assert ids("is:running") == ["20261128-020003"]


def test_negation() -> None:
    assert ids("-status:succeeded") == ["20261127-020003", "20261128-020003", "20261128-113000"]
    assert ids("!sftp") == ["20261126-101500", "20261128-113000"]
    assert ids("-type:scheduled -status:pending") == ["20261126-101500"]


def test_urls_are_free_text_not_fields() -> None:
    assert ids("sftp://192.0.2.10") == ["20261101-020003", "20261127-020003", "20261128-020003"]


def test_since_and_until() -> None:
    # NOW is 2026-11-28 12:00 UTC; the pending job has no start and counts as now
    assert ids("since:12h") == ["20261128-020003", "20261128-113000"]
    assert ids("since:2d") == ["20261127-020003", "20261128-020003", "20261128-113000"]
    assert ids("since:3d") == ["20261126-101500", "20261127-020003", "20261128-020003", "20261128-113000"]
    assert ids("since:1w -since:2d") == ["20261126-101500"]
    assert ids("since:30d -since:2d -type:manual") == ["20261101-020003"]
    assert ids("until:2026-11-02") == ["20261101-020003"]
    assert ids("since:2026-11-27") == ["20261127-020003", "20261128-020003", "20261128-113000"]
    assert ids("since:2026-11-26T10:15Z until:2026-11-26T10:16Z") == ["20261126-101500"]


def test_relative_time_moves_with_the_clock() -> None:
    moments = [NOW]
    job_filter = JobFilter.parse("since:12h", clock=lambda: moments[0])
    running = JOBS["20261128-020003-22617221"]
    assert job_filter.matches(running)
    moments[0] = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert not job_filter.matches(running)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stauts:failed", "unknown field 'stauts:'"),
        ("status:faild", "no status 'faild'"),
        ("type:weekly", "no job type 'weekly'"),
        ("since:yesterday", "cannot read since:yesterday"),
        ("until:2026-13-01", "cannot read until:2026-13-01"),
    ],
)
def test_bad_terms_are_reported_not_raised(text: str, expected: str) -> None:
    job_filter = JobFilter.parse(f"sftp {text}", clock=clock)
    assert job_filter.error is not None and expected in job_filter.error
    # the rest of the filter still works
    assert [term.describe() for term in job_filter.terms] == ["sftp"]
    assert len(job_filter.apply(JOBS.values())) == 3


def test_error_messages_say_what_to_type() -> None:
    assert "failed" in (JobFilter.parse("status:x").error or "")
    assert "2d" in (JobFilter.parse("since:x").error or "")
    assert '"stauts:x"' in (JobFilter.parse("stauts:x").error or "")


def test_half_typed_terms_are_not_errors() -> None:
    for text in ("status:", "-", '"no spa', "type:", "stauts:"):
        job_filter = JobFilter.parse(text, clock=clock)
        assert job_filter.errors == (), text


def test_describe_normalises() -> None:
    assert (
        JobFilter.parse('Status:FAILED  !type:manual  "No Space"').describe()
        == 'status:failed -type:manual "no space"'
    )


def test_a_refreshed_record_is_searched_afresh() -> None:
    job_id = "20261128-020003-22617221"
    first = JOBS[job_id]
    job_filter = JobFilter.parse("exception", clock=clock)
    assert not job_filter.matches(first)
    updated = parse_job(job_id, record("FAILED", messages=("Unexpected exception",)))
    assert job_filter.matches(updated)


def test_filtering_does_not_import_textual() -> None:
    code = "import sys, backuptui.core.filtering; sys.exit('textual' in sys.modules or 'rich' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
