"""Job events (started, succeeded, failed) derived from how a job's record changed between polls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from backuptui.core.appliance.models import BackupJob, JobStatus

EventKind = Literal["started", "succeeded", "failed", "ended"]


@dataclass(frozen=True, slots=True)
class JobEvent:
    """Something a person wants to be told about a job, with the job as it was then.

    `kind` is "started", "succeeded" or "failed"; "ended" means the job stopped being active with a
    status this version does not know (the appliance may add one), shown as that status.
    """

    kind: EventKind
    job: BackupJob


def job_event(before: BackupJob | None, after: BackupJob) -> JobEvent | None:
    """The event, if any, of a job going from `before` (None: not seen yet) to `after`.

    A job first seen already finished (it started and ended between two polls) gives only its end.
    """
    was_active = before is not None and before.is_active
    if after.is_active:
        return None if was_active else JobEvent("started", after)
    if before is not None and not was_active:
        return None  # finished before and still finished: a record update, not news
    if after.status == JobStatus.SUCCEEDED:
        return JobEvent("succeeded", after)
    if after.status == JobStatus.FAILED:
        return JobEvent("failed", after)
    return JobEvent("ended", after) if was_active else None
