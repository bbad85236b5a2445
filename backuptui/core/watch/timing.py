"""When backup jobs ran and when a schedule says the next one should: pure time arithmetic.

A schedule's recurrence (`hour`, `minute`, optional weekdays) is meant in the appliance's time zone;
these functions turn it into aware UTC instants, daylight-saving changes included (zoneinfo).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from backuptui.core.appliance.models import BackupJob, DayOfWeek, Recurrence

_ID_TIMESTAMP = re.compile(r"^(\d{8})-(\d{6})")

_WEEKDAYS = {
    DayOfWeek.MONDAY: 0,
    DayOfWeek.TUESDAY: 1,
    DayOfWeek.WEDNESDAY: 2,
    DayOfWeek.THURSDAY: 3,
    DayOfWeek.FRIDAY: 4,
    DayOfWeek.SATURDAY: 5,
    DayOfWeek.SUNDAY: 6,
}


def job_started(job: BackupJob, tz: tzinfo = UTC) -> datetime | None:
    """When the job started; for a pending job without `start_time`, the timestamp in its id
    (`YYYYMMDD-hhmmss-<build>`, written in the appliance's time zone)."""
    if job.start_time is not None:
        return job.start_time
    match = _ID_TIMESTAMP.match(job.id)
    if not match:
        return None
    try:
        local = datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return local.replace(tzinfo=tz).astimezone(UTC)


def job_finished(job: BackupJob) -> datetime | None:
    """When a finished job ended: `end_time`, else start + duration, else its start."""
    if job.end_time is not None:
        return job.end_time
    if job.start_time is not None and job.duration is not None:
        return job.start_time + timedelta(seconds=job.duration)
    return job.start_time


def _weekdays(recurrence: Recurrence) -> frozenset[int] | None:
    """The weekdays the recurrence names (None: every day); unknown day names are ignored."""
    if recurrence.days is None:
        return None
    return frozenset(_WEEKDAYS[day] for day in recurrence.days if day in _WEEKDAYS)


def _occurrence(day: date, recurrence: Recurrence, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(recurrence.hour, recurrence.minute), tzinfo=tz).astimezone(UTC)


def _check_recurrence(recurrence: Recurrence) -> None:
    if not (0 <= recurrence.hour <= 23 and 0 <= recurrence.minute <= 59):
        raise ValueError(f"the schedule names {recurrence.hour}:{recurrence.minute:02d}, not a time of day")


def previous_run(recurrence: Recurrence, at: datetime, tz: tzinfo = UTC) -> datetime | None:
    """The latest time at or before `at` that the recurrence names, as aware UTC (None if it names no day)."""
    _check_recurrence(recurrence)
    days = _weekdays(recurrence)
    local_day = at.astimezone(tz).date()
    for back in range(9):
        day = local_day - timedelta(days=back)
        if days is not None and day.weekday() not in days:
            continue
        when = _occurrence(day, recurrence, tz)
        if when <= at:
            return when
    return None


def next_run(recurrence: Recurrence, after: datetime, tz: tzinfo = UTC) -> datetime | None:
    """The first time after `after` that the recurrence names, as aware UTC (None if it names no day)."""
    _check_recurrence(recurrence)
    days = _weekdays(recurrence)
    local_day = after.astimezone(tz).date()
    for ahead in range(9):
        day = local_day + timedelta(days=ahead)
        if days is not None and day.weekday() not in days:
            continue
        when = _occurrence(day, recurrence, tz)
        if when > after:
            return when
    return None


def describe_recurrence(recurrence: Recurrence | None, tz: tzinfo = UTC) -> str:
    """The schedule in the words VAMI uses: `Daily 02:00 UTC`, `MON, THU 23:30 Europe/Berlin`."""
    if recurrence is None:
        return "not scheduled"
    zone = zone_name(tz)
    clock = f"{recurrence.hour:02d}:{recurrence.minute:02d}"
    if recurrence.days is None:
        return f"Daily {clock} {zone}"
    names = ", ".join(str(day)[:3] for day in recurrence.days)
    return f"{names or 'no day'} {clock} {zone}"


def zone_name(tz: tzinfo) -> str:
    key = getattr(tz, "key", None)  # zoneinfo.ZoneInfo
    if isinstance(key, str):
        return key
    return tz.tzname(None) or "UTC"
