"""Transfer rate and ETA of running backup jobs, estimated from successive polls.

The appliance reports only cumulative figures (`size` in bytes, `progress` completed/total and
`duration`), so a rate is the growth of `size` between two polls divided by the time between them.
Single polls are noisy (the appliance updates `size` in bursts), so the rate and the ETA are taken
over a sliding window of samples rather than from the last two.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from backuptui.core.appliance.models import BackupJob


@dataclass(frozen=True, slots=True)
class Transfer:
    """What the live progress widget shows for one active job; None means not known (yet)."""

    job_id: str
    elapsed: float | None  # seconds since the job started
    rate: float | None  # bytes per second, smoothed over the window
    eta: float | None  # seconds until 100 %, from the rate of change of the percentage
    percent: float | None
    size: int | None = None  # bytes transferred so far


@dataclass(frozen=True, slots=True)
class _Sample:
    at: datetime
    size: int | None
    percent: float | None


class TransferTracker:
    """Keeps a window of (time, size, percent) samples per active job and derives `Transfer`s.

    `window` is in seconds: samples older than that are dropped, except that the two newest are
    always kept, so a rate stays known even when polls are further apart than the window.
    """

    def __init__(self, window: float = 30.0) -> None:
        self.window = window
        self._samples: dict[str, deque[_Sample]] = {}

    def observe(self, job: BackupJob, at: datetime) -> None:
        """Record the job's figures as fetched at `at` (call once per poll that fetched it)."""
        samples = self._samples.setdefault(job.id, deque())
        sample = _Sample(at, job.size, job.percent)
        if samples:
            last = samples[-1]
            went_back = (
                (sample.size is not None and last.size is not None and sample.size < last.size)
                or (sample.percent is not None and last.percent is not None and sample.percent < last.percent)
                or at < last.at
            )
            if went_back:  # the job restarted or the clock jumped back: old samples mean nothing
                samples.clear()
            elif at == last.at:
                samples.pop()
        samples.append(sample)
        horizon = at.timestamp() - self.window
        while len(samples) > 2 and samples[1].at.timestamp() <= horizon:
            samples.popleft()

    def keep_only(self, job_ids: set[str] | frozenset[str]) -> None:
        """Forget jobs that are no longer active."""
        for job_id in [job_id for job_id in self._samples if job_id not in job_ids]:
            del self._samples[job_id]

    def transfer(self, job: BackupJob, now: datetime) -> Transfer:
        samples = self._samples.get(job.id)
        rate = eta = None
        if samples and len(samples) >= 2:
            first, last = samples[0], samples[-1]
            span = (last.at - first.at).total_seconds()
            if span > 0:
                if first.size is not None and last.size is not None:
                    rate = max(0.0, (last.size - first.size) / span)
                if first.percent is not None and last.percent is not None:
                    per_second = (last.percent - first.percent) / span
                    if last.percent >= 100.0:
                        eta = 0.0
                    elif per_second > 0:
                        eta = (100.0 - last.percent) / per_second
        return Transfer(
            job_id=job.id,
            elapsed=_elapsed(job, now),
            rate=rate,
            eta=eta,
            percent=job.percent,
            size=job.size,
        )


def _elapsed(job: BackupJob, now: datetime) -> float | None:
    """The appliance's own `duration` when it gives one (no clock skew), else from the start time."""
    if job.duration is not None:
        return float(job.duration)
    if job.start_time is not None:
        return max(0.0, (now - job.start_time).total_seconds())
    return None
