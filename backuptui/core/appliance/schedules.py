"""The backup schedules response (`Schedules.Info` by schedule id), in either flavour."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backuptui.core.appliance.models import ApiFlavor, DayOfWeek, RecordError, Recurrence, Schedule
from backuptui.core.appliance.parsing import _map_entries
from backuptui.core.appliance.record_fields import _json_type, _Reader


def parse_schedule(schedule_id: str, data: Any) -> Schedule:
    """One `Schedules.Info` record."""
    if not isinstance(data, Mapping):
        raise RecordError(schedule_id, "", f"expected an object, got {_json_type(data)}")
    r = _Reader(schedule_id, data)
    recurrence = None
    rec = r.obj("recurrence_info", required=False)
    if rec is not None:
        days_raw = rec._get("days", False)
        days: tuple[DayOfWeek, ...] | None = None
        if days_raw is not None:
            if not isinstance(days_raw, list) or not all(isinstance(d, str) for d in days_raw):
                raise RecordError(schedule_id, "recurrence_info.days", "expected a list of weekday names")
            days = tuple(DayOfWeek(d.upper()) for d in days_raw) or None
        recurrence = Recurrence(minute=rec.integer("minute"), hour=rec.integer("hour"), days=days)
    retention = r.obj("retention_info", required=False)
    parts_raw = data.get("parts") or []
    if not isinstance(parts_raw, list):
        raise RecordError(schedule_id, "parts", f"expected a list, got {_json_type(parts_raw)}")
    return Schedule(
        id=schedule_id,
        location=r.string("location", required=False) or "",
        location_user=r.string("location_user", required=False),
        enabled=bool(r.boolean("enable", required=False)),
        parts=tuple(str(p) for p in parts_raw),
        recurrence=recurrence,
        retention_max_count=retention.integer("max_count", required=False) if retention else None,
        fast_backup=r.boolean("fast_backup", required=False),
        raw=data,
    )


def parse_schedules(body: Any, flavor: ApiFlavor | None = None) -> tuple[Schedule, ...]:
    """A schedules list response (a map of schedule id to `Schedules.Info`)."""
    return tuple(parse_schedule(key, value) for key, value in _map_entries(body, flavor, "schedules"))
