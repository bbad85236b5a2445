"""A seeded, deterministic history of finished backup jobs (same seed + same clock -> same history).

Daily (or weekly) scheduled jobs at the schedule time plus some manual ones, ids
`YYYYMMDD-hhmmss-<build>` matching `start_time`, builds changing over time like real upgrades,
sizes growing slowly, 5-10 % failures with the real failure texts. Every record obeys the union
rules of the official bindings.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backuptui.simulator import catalog
from backuptui.simulator.scenarios import Shape
from backuptui.simulator.wire import format_time, message

GB = 1024**3
MB = 1024**2


def job_id(start: datetime, build_number: str) -> str:
    return start.strftime("%Y%m%d-%H%M%S") + "-" + build_number


def folder(base: str, fqdn: str, kind: str, version: str, start: datetime) -> str:
    """`<base>/vCenter/sn_<fqdn>/<S|M|L>_<version>_<YYYYMMDD-hhmmss>_`."""
    return f"{base}/vCenter/sn_{fqdn}/{kind}_{version}_{start.strftime('%Y%m%d-%H%M%S')}_"


def make_info(
    *,
    job_type: str,
    status: str,
    location: str,
    location_user: str,
    build: tuple[str, str, str],
    start: datetime | None = None,
    end: datetime | None = None,
    duration: int | None = None,
    size: int | None = None,
    completed: int | None = None,
    progress_message: dict[str, Any] | None = None,
    messages: list[dict[str, Any]] | None = None,
    error: dict[str, Any] | None = None,
    user: str | None = None,
    cancelable: bool = False,
) -> dict[str, Any]:
    """One `Details.Info` record; only the fields the union rules allow for `status` are written."""
    info: dict[str, Any] = {
        "location": location,
        "location_user": location_user,
        "type": job_type,
        "messages": messages or [],
        "build": {"version_name": build[0], "version": build[1], "build_number": build[2]},
        "fast_backup": False,
        "description": catalog.DESCRIPTION,
        "service": catalog.SERVICE,
        "operation": "create",
        "status": status,
        "cancelable": cancelable,
    }
    if status in ("SUCCEEDED", "FAILED", "RUNNING"):
        assert start is not None and duration is not None and size is not None and completed is not None
        info["duration"] = duration
        info["size"] = size
        info["progress"] = {
            "total": 100,
            "completed": completed,
            "message": progress_message or catalog.phase_message(completed),
        }
    if status in ("SUCCEEDED", "FAILED", "RUNNING", "BLOCKED"):
        assert start is not None
        info["start_time"] = format_time(start)
    if status in ("SUCCEEDED", "FAILED"):
        assert end is not None
        info["end_time"] = format_time(end)
    if status == "FAILED" and error is not None:
        info["error"] = error
    if user is not None:
        info["user"] = user
    return info


@dataclass
class Builds:
    """Which build the appliance ran at a given age: upgrades every 2-5 months, seeded."""

    ages: list[float]  # ascending day ages where the next older build begins

    builds: tuple[tuple[str, str, str], ...] = catalog.BUILDS  # newest first

    @classmethod
    def seeded(cls, rng: random.Random, builds: tuple[tuple[str, str, str], ...] = catalog.BUILDS) -> Builds:
        ages: list[float] = []
        age = rng.uniform(20, 90)
        for _ in builds[1:]:
            ages.append(age)
            age += rng.uniform(60, 150)
        return cls(ages, builds)

    def at(self, age_days: float) -> tuple[str, str, str]:
        return self.builds[bisect.bisect_right(self.ages, age_days)]


def generate(
    shape: Shape,
    *,
    seed: int,
    now: datetime,
    fqdn: str,
    fail_rate: float,
    user: str,
    runs: str | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """`shape.jobs` finished jobs, newest first, as (id, Details.Info); `runs`: the version the
    appliance runs now (older jobs ran the builds before it)."""
    rng = random.Random(seed)
    builds = Builds.seeded(rng, catalog.builds_from(runs))
    seat_base = rng.uniform(4, 25) * GB  # today's size with stats, events and tasks
    config_base = rng.uniform(0.6, 2.0) * GB
    starts: list[tuple[datetime, str]] = []  # (start, "S" | "M")
    day = 0
    while len(starts) < shape.jobs + 5 and shape.jobs > 0:
        due = shape.last_due - timedelta(days=day)
        if (shape.weekdays is None or due.weekday() in shape.weekdays) and not (
            day == 0 and shape.skip_last_due
        ):
            starts.append((due + timedelta(seconds=rng.uniform(1, 6)), "S"))
        if rng.random() < 0.15:
            manual = due.replace(hour=7) + timedelta(seconds=rng.uniform(0, 12 * 3600))
            manual = manual.replace(microsecond=rng.randrange(1000) * 1000)
            if abs((manual - due).total_seconds()) > 3 * 3600 and manual < shape.manual_before:
                starts.append((manual, "M"))
        day += 1
    if shape.extra_manual is not None and shape.jobs > 0:
        starts.append((shape.extra_manual, "M"))
    starts.sort(reverse=True)
    records: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for start, kind in starts:
        if len(records) >= shape.jobs:
            break
        age = (now - start).total_seconds() / 86400
        build = builds.at(age)
        status = "FAILED" if rng.random() < fail_rate else "SUCCEEDED"
        if shape.clean_since is not None and start > shape.clean_since:
            status = "SUCCEEDED"
        if not records and shape.newest_status is not None:
            status = shape.newest_status
        if kind == "S":
            base, location_user = catalog.TARGETS[0]
            seat = True
        else:
            base, location_user = catalog.TARGETS[rng.choice((0, 0, 1, 2))]
            seat = rng.random() < 0.6
        growth = 1.0 / (1.0 + age / 700.0)
        if seat:
            total = min(50 * GB, max(2 * GB, seat_base * growth * rng.uniform(0.95, 1.05)))
            rate = rng.uniform(4, 12) * MB
        else:
            total = min(3 * GB, max(0.3 * GB, config_base * growth * rng.uniform(0.95, 1.05)))
            rate = rng.uniform(1.5, 4) * MB
        if status == "FAILED":
            duration = rng.randint(10, 60)
            size = rng.randrange(0, 8 * MB)
            completed = rng.randint(5, 15)
            messages, error = catalog.failure(
                rng.choices(range(len(catalog.FAILURE_CAUSES)), catalog.CAUSE_WEIGHTS)[0]
            )
            progress = catalog.FAILED_PROGRESS
        else:
            duration = int(total / rate + rng.uniform(120, 300))
            size, completed, messages, error, progress = int(total), 100, [], None, catalog.DONE
        ident = job_id(start, build[2])
        end = start + timedelta(seconds=duration, milliseconds=rng.randrange(1000))
        if ident in seen or end > now - timedelta(minutes=1):
            continue
        seen.add(ident)
        records.append(
            (
                ident,
                make_info(
                    job_type="SCHEDULED" if kind == "S" else "MANUAL",
                    status=status,
                    location=folder(base, fqdn, kind, build[1], start),
                    location_user=location_user,
                    build=build,
                    start=start,
                    end=end,
                    duration=duration,
                    size=size,
                    completed=completed,
                    progress_message=progress,
                    messages=messages,
                    error=error,
                    user=user if kind == "M" else None,
                ),
            )
        )
    return records


def variety(records: list[tuple[str, dict[str, Any]]], now: datetime, fqdn: str) -> tuple[str, str, str]:
    """Add the rarer statuses and types (in place): a LOCAL_BACKUP job, one BLOCKED, one PENDING.

    `LOCAL_BACKUP` exists from API 9.0 on, so the appliance was upgraded to a 9.0 build just before
    that job: it and every newer record carry the 9.0 build (ids and folders too). Returns that build.
    """
    build = catalog.BUILD_9
    base, location_user = catalog.LOCAL_TARGET
    for index, (ident, info) in enumerate(records[1:6], start=1):
        if info["type"] == "MANUAL" or index == 5:
            for newer in range(index + 1):
                records[newer] = _rebuilt(*records[newer], build)
            ident, info = records[index]
            start = datetime.strptime(ident[:15], "%Y%m%d-%H%M%S").replace(tzinfo=now.tzinfo)
            info = dict(info, type="LOCAL_BACKUP", location=folder(base, fqdn, "L", build[1], start))
            info["location_user"] = location_user
            records[index] = (ident, info)
            break
    for minutes, status in ((50, "BLOCKED"), (40, "PENDING")):
        start = (now - timedelta(minutes=minutes)).replace(microsecond=0)
        records.insert(
            0,
            (
                job_id(start, build[2]),
                make_info(
                    job_type="MANUAL",
                    status=status,
                    location=folder(catalog.TARGETS[0][0], fqdn, "M", build[1], start),
                    location_user=catalog.TARGETS[0][1],
                    build=build,
                    start=start,
                    messages=[
                        message("com.vmware.applmgmt.backup.job.queued", "Waiting for another operation")
                    ],
                    user="administrator@vsphere.local",
                    cancelable=True,
                ),
            ),
        )
    return build


def _rebuilt(ident: str, info: dict[str, Any], build: tuple[str, str, str]) -> tuple[str, dict[str, Any]]:
    """The record as the same job run on `build`: id suffix, `build` and the folder's version."""
    old_version = info["build"]["version"]
    info = dict(info, build={"version_name": build[0], "version": build[1], "build_number": build[2]})
    info["location"] = info["location"].replace(f"_{old_version}_", f"_{build[1]}_")
    return ident[:15] + "-" + build[2], info


def unreadable(records: list[tuple[str, dict[str, Any]]], count: int) -> None:
    """Give `count` finished records after the newest a `size` that is text, not a number (in
    place): what a client must report as an unreadable record without losing the others."""
    damaged = 0
    for index, (ident, info) in enumerate(records[1:], start=1):
        if damaged >= count:
            return
        if "size" in info:
            records[index] = (ident, dict(info, size=f"{info['size'] // 2**30} GB"))
            damaged += 1
