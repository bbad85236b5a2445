"""Scenarios: the schedule and the shape of the history that reproduce each health verdict.

- healthy: daily schedule, the newest job (at the last due time, 3-4 h ago) succeeded, and no
  job failed in the last 8 days.
- latest-failed: like healthy, but the newest job FAILED.
- stale: a weekly schedule whose last due time was 4 days ago; that job succeeded, nothing since,
  so the last success is older than 72 h while no scheduled run was missed.
- missed-schedule: daily schedule, but no job started after the last due time (3-4 h ago); a
  manual backup 5 h before that due time succeeded (so the last success is recent, not stale).
- not-configured: no schedule and no jobs.
- schedule-disabled: a history like healthy, but the schedule is disabled (`enable: false`).
- None (no scenario): daily schedule, failures wherever the seed puts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DAY_NAMES = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


@dataclass(frozen=True)
class Shape:
    """What a scenario asks of the generated history and the schedule."""

    jobs: int
    scheduled: bool  # a schedule exists at all
    enabled: bool
    hour: int
    minute: int
    weekdays: tuple[int, ...] | None  # None = every day
    last_due: datetime  # the most recent due time of the schedule (<= now)
    skip_last_due: bool  # no job at the last due time
    manual_before: datetime  # manual jobs start only before this
    newest_status: str | None  # force the newest job's status
    extra_manual: datetime | None = None  # a manual job that starts at this time
    clean_since: datetime | None = None  # no failures among jobs that start after this


def shape_for(scenario: str | None, jobs: int, now: datetime) -> Shape:
    """The shape of a history for `scenario` at `now` (aware UTC)."""
    # The schedule runs at the full hour 3-4 h before now, so the newest scheduled job has ended.
    due = (now - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    hour, minute = due.hour, due.minute
    if scenario == "not-configured":
        return Shape(0, False, False, hour, minute, None, due, False, due, None)
    if scenario == "stale":
        last = due - timedelta(days=4)
        return Shape(jobs, True, True, hour, minute, (last.weekday(),), last, False, last, "SUCCEEDED")
    if scenario == "missed-schedule":
        manual = due - timedelta(hours=5, minutes=-17, seconds=-42)  # succeeded before the missed run
        return Shape(
            jobs, True, True, hour, minute, None, due, True, due - timedelta(days=1), "SUCCEEDED", manual
        )
    newest = {"healthy": "SUCCEEDED", "schedule-disabled": "SUCCEEDED", "latest-failed": "FAILED"}.get(
        scenario or ""
    )
    enabled = scenario != "schedule-disabled"
    clean = now - timedelta(days=8) if newest == "SUCCEEDED" else None  # healthy: no recent failures
    return Shape(
        jobs, True, enabled, hour, minute, None, due, False, now - timedelta(hours=3), newest, None, clean
    )


def schedule_info(shape: Shape, location: str, location_user: str) -> dict[str, object] | None:
    """`Schedules.Info` of the `default` schedule, or None when backups are not configured."""
    if not shape.scheduled:
        return None
    recurrence: dict[str, object] = {"minute": shape.minute, "hour": shape.hour}
    if shape.weekdays is not None:
        recurrence["days"] = [DAY_NAMES[day] for day in shape.weekdays]
    return {
        "parts": ["seat"],
        "location": location,
        "location_user": location_user,
        "enable": shape.enabled,
        "recurrence_info": recurrence,
        "retention_info": {"max_count": 7},
        "fast_backup": False,
    }
