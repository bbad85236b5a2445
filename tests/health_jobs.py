"""Backup jobs, schedules and snapshots made by hand for the health, health-panel and metrics tests:
one appliance, `vcsa01`, backing up to an SFTP server every night at 02:00, seen at a fixed `NOW`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from backuptui.core.appliance.models import (
    ApiFlavor,
    BackupJob,
    DayOfWeek,
    JobError,
    JobStatus,
    JobType,
    Message,
    Progress,
    Recurrence,
    Schedule,
)
from backuptui.core.watch.snapshot import ConnectionState, Snapshot

NOW = datetime(2026, 11, 28, 5, 30, tzinfo=UTC)  # a Saturday
URL = "https://vcsa01.example.com"
FAILURE_TEXT = "BackupManager encountered an exception. Please check logs for details."


def backup_job(
    start: datetime,
    status: JobStatus = JobStatus.SUCCEEDED,
    *,
    minutes: int = 20,
    size: int = 2_000_000_000,
    error: str | None = None,
    kind: JobType = JobType.SCHEDULED,
) -> BackupJob:
    """A backup job started at `start`; a finished one ended `minutes` later, a running one is at 45 %."""
    finished = status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    return BackupJob(
        id=start.strftime("%Y%m%d-%H%M%S") + "-22617221",
        status=status,
        type=kind,
        location="sftp://192.0.2.10/backups/vcsa01",
        location_user="backupuser",
        description=Message("com.vmware.applmgmt.backup.job", "Backup job"),
        service="com.vmware.applmgmt.backup",
        operation="backup",
        cancelable=not finished,
        start_time=start,
        end_time=start + timedelta(minutes=minutes) if finished else None,
        duration=minutes * 60,
        size=size,
        progress=Progress(100, 100 if finished else 45, Message("p", "Backing up")),
        error=JobError(raw={"messages": []}, messages=(Message("e", error),)) if error else None,
    )


def daily(
    hour: int = 2, minute: int = 0, *, enabled: bool = True, days: tuple[DayOfWeek, ...] | None = None
) -> Schedule:
    """The appliance's backup schedule: every day (or on `days`) at `hour:minute`."""
    return Schedule(
        id="default",
        location="sftp://192.0.2.10/backups/vcsa01",
        location_user="backupuser",
        enabled=enabled,
        parts=("seat",),
        recurrence=Recurrence(minute=minute, hour=hour, days=days),
        retention_max_count=7,
    )


def snapshot_of(
    jobs: Sequence[BackupJob],
    *,
    connection: ConnectionState = ConnectionState.LIVE,
    fetched: bool = True,
    complete: bool = True,
    flavor: ApiFlavor | None = ApiFlavor.API,
) -> Snapshot:
    """The monitor's snapshot of `jobs` at `NOW` (`fetched=False`: nothing ever answered)."""
    return Snapshot(
        appliance="vcsa01",
        base_url=URL,
        flavor=flavor,
        verify_tls=True,
        jobs=tuple(jobs),
        connection=connection,
        last_success=NOW if fetched else None,
        running=tuple(job for job in jobs if job.is_active),
        complete=complete,
    )
