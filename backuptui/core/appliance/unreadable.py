"""A stand-in job for a record that could not be parsed, so that it shows as a row and not as nothing.

A history of five records with one wrong-typed field must not read "4 jobs": the record becomes a
job with its id, the status `UNREADABLE` (not a `cis.task.Status`: no appliance sends it) and the
`RecordError` that names the field and the problem. It is shown, never exported or judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from backuptui.core.appliance.models import BackupJob, JobStatus, JobType, Message, RecordError

#: the status of a stand-in; `is_known` is False, as for any status the appliance might add
UNREADABLE = JobStatus("UNREADABLE")

_NO_TYPE = JobType("")


def unreadable_job(problem: RecordError) -> BackupJob:
    """The row of a record that did not parse: its id, `UNREADABLE`, and the problem."""
    return BackupJob(
        id=problem.record_id,
        status=UNREADABLE,
        type=_NO_TYPE,
        location="",
        location_user="",
        description=Message("", ""),
        service="",
        operation="",
        cancelable=False,
        unreadable=problem,
    )


def with_unreadable(jobs: Sequence[BackupJob], problems: Iterable[RecordError]) -> tuple[BackupJob, ...]:
    """`jobs` with a stand-in first for each problem whose record has no readable version."""
    known = {job.id for job in jobs} if problems else set()
    stand_ins = [unreadable_job(p) for p in problems if p.record_id not in known]
    if not stand_ins:
        return tuple(jobs)
    stand_ins.sort(key=lambda job: job.id, reverse=True)
    return (*stand_ins, *jobs)
