"""One order for "newest first", one meaning per name, and comments that stand on their own."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from backuptui.core.appliance import failures, models
from backuptui.core.appliance.models import BackupJob, JobStatus, JobType, Message, sorted_newest_first
from backuptui.core.watch import snapshot
from backuptui.tui import format as tui_format

ROOT = Path(__file__).resolve().parent.parent


def _job(job_id: str, start: datetime | None) -> BackupJob:
    return BackupJob(
        id=job_id,
        status=JobStatus.SUCCEEDED if start else JobStatus.PENDING,
        type=JobType.MANUAL,
        location="",
        location_user="",
        description=Message("", ""),
        service="",
        operation="",
        cancelable=False,
        start_time=start,
    )


def test_newest_first_orders_by_the_moment_not_by_how_it_is_written() -> None:
    utc = _job("a", datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    # 11:30 at +02:00 is 09:30 UTC: older, although its text sorts after "10:00"
    berlin = _job("b", datetime(2026, 11, 28, 11, 30, tzinfo=timezone(timedelta(hours=2))))
    pending = _job("c", None)
    assert [job.id for job in sorted_newest_first([berlin, utc, pending])] == ["c", "a", "b"]


def test_one_definition_per_name() -> None:
    assert not hasattr(models.BackupJob, "sort_key")  # the order lives in newest_first_key only
    assert not hasattr(models, "newest_first") and not hasattr(snapshot, "newest_first")
    assert not hasattr(failures, "one_line")  # the screen's one_line is tui.format's alone
    assert hasattr(tui_format, "one_line")
    assert "changed" not in snapshot.Snapshot.__dataclass_fields__
    assert "removed" not in snapshot.Snapshot.__dataclass_fields__


def test_comments_point_to_nothing_outside_the_repository() -> None:
    files = subprocess.run(
        ["git", "ls-files", "*.py", "*.md", "*.toml", "*.tcss"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    outside = re.compile(
        r"\bissues? \d|\bissue#\d|textual-toolchain|tui-anchors|vcsa-backup-api|shared/reference|"
        r"reference sections? \d|\.md §",
        re.IGNORECASE,
    )
    found = [
        f"{name}:{number}: {line.strip()}"
        for name in files
        if name != "tests/test_housekeeping.py"
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line)
    ]
    assert found == []
