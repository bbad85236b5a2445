"""How much history is kept: jobs older than `max_age`, and beyond the newest `max_jobs` of an
appliance, are deleted, whichever limit comes first. Only jobs the appliance no longer lists are
deleted: while it lists a job, the appliance's copy is the truth and the store only mirrors it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from backuptui.core.store.records import store_time

DEFAULT_MAX_DAYS = 730  # two years
DEFAULT_MAX_JOBS = 20_000


@dataclass(frozen=True, slots=True)
class Retention:
    max_days: int = DEFAULT_MAX_DAYS
    max_jobs: int = DEFAULT_MAX_JOBS

    def __post_init__(self) -> None:
        if self.max_days < 1 or self.max_jobs < 1:
            raise ValueError("history retention: max_days and max_jobs must be at least 1")

    @property
    def max_age(self) -> timedelta:
        return timedelta(days=self.max_days)


def prune(db: sqlite3.Connection, retention: Retention, now: datetime) -> int:
    """Delete what `retention` no longer keeps, in the caller's transaction; how many jobs went."""
    cutoff = store_time(now - retention.max_age)
    removed = db.execute(
        "DELETE FROM job WHERE gone_since IS NOT NULL AND COALESCE(start_time, first_seen) < ?",
        (cutoff,),
    ).rowcount
    removed += db.execute(
        """
        DELETE FROM job WHERE gone_since IS NOT NULL AND (appliance_id, job_id) IN (
            SELECT appliance_id, job_id FROM (
                SELECT appliance_id, job_id, ROW_NUMBER() OVER (
                    PARTITION BY appliance_id
                    ORDER BY COALESCE(start_time, first_seen) DESC, job_id DESC
                ) AS rank FROM job
            ) WHERE rank > ?
        )
        """,
        (retention.max_jobs,),
    ).rowcount
    db.execute(
        "DELETE FROM session WHERE ended_at IS NOT NULL AND ended_at < ? AND id NOT IN "
        "(SELECT MAX(id) FROM session GROUP BY appliance_id)",
        (cutoff,),
    )
    return removed
