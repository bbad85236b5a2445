""" "Since you last looked": what happened on one appliance between the end of the last session and
now, from the job history (the appliance's, with the stored jobs it no longer lists).

Counts the backups that ended in the period (succeeded, failed, with the first failure and its
cause, and canceled apart: a backup a user canceled is FAILED on the appliance but no failure),
the longest stretch without a successful backup (from the last success before the period, if
any, to now), and the successful backups whose size or duration moved by more than `threshold`
from the median of the successes before them. No I/O, no clock of its own.

The end times are the appliance's clock, `now` is ours: an appliance a few seconds or minutes ahead
(NTP adrift) reports a backup that just ended as ending after `now`. It still counts (everything that
ended after `since`), and its end is taken as `now` for the gap.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from backuptui.core.appliance.failure_cause import canceled_by_user, is_failure
from backuptui.core.appliance.models import BackupJob, JobStatus
from backuptui.core.watch.timing import job_finished

#: a size or duration that moved by more than this share of its usual value is reported
DEFAULT_THRESHOLD = 0.5
#: how many earlier successes make "the usual value"
_BASELINE = 10


@dataclass(frozen=True)
class Move:
    """A successful backup whose size or duration moved away from the usual."""

    job: BackupJob
    what: str  # "size" or "duration"
    usual: float
    now: float

    @property
    def change(self) -> float:
        """The move as a share of the usual value (+0.9: 90 % more)."""
        return (self.now - self.usual) / self.usual


@dataclass(frozen=True)
class Digest:
    since: datetime  # when the last session ended
    until: datetime
    succeeded: int = 0
    failed: int = 0  # a user's cancels left out: `canceled`
    first_failure: BackupJob | None = None
    canceled: int = 0
    longest_gap: timedelta | None = None  # without a successful backup
    gap_start: datetime | None = None  # the success (or the period's start) the gap begins at
    moves: tuple[Move, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing ended in the period and nothing moved: nothing to say."""
        return not (self.succeeded or self.failed or self.canceled or self.moves)


def _ended(job: BackupJob) -> datetime | None:
    return job_finished(job) if job.is_finished else None


def compute_digest(
    jobs: Sequence[BackupJob], since: datetime, now: datetime, *, threshold: float = DEFAULT_THRESHOLD
) -> Digest:
    """The digest of `jobs` (any order) for the period from `since` to `now`."""
    finished = sorted(
        ((ended, job) for job in jobs if (ended := _ended(job)) is not None), key=lambda pair: pair[0]
    )
    period = [(ended, job) for ended, job in finished if since < ended]
    failures = [job for _, job in period if is_failure(job)]
    successes = [(min(ended, now), job) for ended, job in finished if job.status == JobStatus.SUCCEEDED]
    before = [ended for ended, _ in successes if ended <= since]
    start = before[-1] if before else since
    marks = [start] + [ended for ended, _ in successes if ended > since] + [now]
    gap, gap_start = timedelta(0), start
    for earlier, later in itertools.pairwise(marks):
        if later - earlier > gap:
            gap, gap_start = later - earlier, earlier
    moves: list[Move] = []
    for index, (ended, job) in enumerate(successes):
        if ended <= since:
            continue
        baseline = [j for _, j in successes[max(0, index - _BASELINE) : index]]
        for what, value, usual in (
            ("size", job.size, [j.size for j in baseline if j.size]),
            ("duration", job.duration, [j.duration for j in baseline if j.duration]),
        ):
            if value is None or len(usual) < 3:
                continue
            median = float(statistics.median(usual))
            if median > 0 and abs(value - median) / median > threshold:
                moves.append(Move(job, what, median, float(value)))
    return Digest(
        since=since,
        until=now,
        succeeded=sum(1 for _, job in period if job.status == JobStatus.SUCCEEDED),
        failed=len(failures),
        first_failure=failures[0] if failures else None,
        canceled=sum(1 for _, job in period if canceled_by_user(job)),
        longest_gap=gap,
        gap_start=gap_start,
        moves=tuple(moves),
    )
