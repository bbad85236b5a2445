"""Jobs and snapshots for the history tests: records in the simulator's own wire shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from backuptui.core.appliance.models import BackupJob
from backuptui.core.appliance.parsing import parse_job
from backuptui.core.watch.snapshot import ConnectionState, Snapshot
from backuptui.simulator.catalog import BUILDS
from backuptui.simulator.history import job_id, make_info

T0 = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


def record(
    start: datetime, status: str = "SUCCEEDED", *, size: int = 5_000_000_000, **extra: Any
) -> dict[str, Any]:
    finished = status in ("SUCCEEDED", "FAILED")
    info = make_info(
        job_type="SCHEDULED",
        status=status,
        location="sftp://backup.example.com/vcsa",
        location_user="backup",
        build=BUILDS[0],
        start=start,
        end=start + timedelta(minutes=20) if finished else None,
        duration=1200,
        size=size,
        completed=100 if finished else 40,
        error={"messages": [{"id": "x", "default_message": "No space left on device", "args": []}]}
        if status == "FAILED"
        else None,
    )
    info.update(extra)
    return info


def job(day: int, status: str = "SUCCEEDED", **extra: Any) -> BackupJob:
    """The scheduled job of `day` days after T0."""
    start = T0 + timedelta(days=day)
    return parse_job(job_id(start, BUILDS[0][2]), record(start, status, **extra))


def snapshot(
    jobs: list[BackupJob], *, taken_at: datetime | None = None, complete: bool = True, appliance: str = "lab"
) -> Snapshot:
    ordered = tuple(sorted(jobs, key=lambda j: j.id, reverse=True))
    return Snapshot(
        appliance=appliance,
        base_url="http://127.0.0.1:1",
        flavor=None,
        verify_tls=True,
        jobs=ordered,
        by_id={j.id: j for j in ordered},
        connection=ConnectionState.LIVE,
        last_success=taken_at or T0,
        taken_at=taken_at or T0,
        complete=complete,
    )
