"""Keeping the health verdict current in a long-running app: the schedules, fetched now and then,
joined with the monitor's latest snapshot.

The monitor polls jobs; schedules change rarely, so they are fetched on the first good poll, then
every `schedule_refresh` seconds and whenever someone asks (the health panel opening, `r`). A
failed schedule fetch keeps the last schedules it had and says why; the verdict then judges the
jobs with what is known. No Textual: the app drives it from a worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.models import Schedule
from backuptui.core.watch.health import HealthLevel, HealthThresholds, HealthVerdict, unknown_verdict
from backuptui.core.watch.health_rules import evaluate_health
from backuptui.core.watch.health_text import one_line_problem
from backuptui.core.watch.snapshot import ConnectionState, Snapshot

if TYPE_CHECKING:
    from backuptui.core.watch.monitor import Monitor

ScheduleLoader = Callable[[], Awaitable[Sequence[Schedule]]]

#: seconds between schedule fetches while the app runs
SCHEDULE_REFRESH = 600.0


def schedule_loader(monitor: Monitor) -> ScheduleLoader | None:
    """The monitor's own way to read the schedules (None: its client reads none)."""
    return monitor.schedule_loader


class HealthWatch:
    """Schedules plus thresholds; turns a snapshot into a verdict."""

    def __init__(
        self,
        loader: ScheduleLoader | None,
        *,
        thresholds: HealthThresholds | None = None,
        tz: tzinfo = UTC,
        schedule_refresh: float = SCHEDULE_REFRESH,
        local_times: bool = True,
    ) -> None:
        """`local_times`: the verdict names times in the machine's zone, as the rest of the
        screen does (`backuptui check` keeps UTC)."""
        self.loader = loader
        self.thresholds = thresholds or HealthThresholds()
        self.tz = tz
        self.schedule_refresh = schedule_refresh
        self.local_times = local_times
        self.schedules: tuple[Schedule, ...] | None = None
        self.schedule_error: str | None = None
        self.fetched_at: datetime | None = None
        self.fetching = False
        #: bumped whenever the schedules (or their error) change, so views know to redraw
        self.generation = 0
        self._cached: tuple[Snapshot, int, datetime, HealthVerdict] | None = None

    def due(self, now: datetime) -> bool:
        """Should the schedules be fetched now?"""
        if self.loader is None or self.fetching:
            return False
        if self.fetched_at is None:
            return True
        return now - self.fetched_at >= timedelta(seconds=self.schedule_refresh)

    async def refresh(self, now: datetime) -> None:
        """Fetch the schedules; never raises an `ApplianceError` (it becomes `schedule_error`)."""
        if self.loader is None:
            return
        self.fetching = True
        try:
            schedules = tuple(await self.loader())
        except ApplianceError as exc:
            error = exc.message
            if error != self.schedule_error:
                self.schedule_error = error
                self.generation += 1
        else:
            if schedules != self.schedules or self.schedule_error is not None:
                self.schedules = schedules
                self.schedule_error = None
                self.generation += 1
        finally:
            self.fetching = False
            self.fetched_at = now

    def verdict(self, snapshot: Snapshot, now: datetime) -> HealthVerdict:
        """The verdict on the snapshot's jobs (UNKNOWN until the first successful poll)."""
        if snapshot.last_success is None:
            if snapshot.connection == ConnectionState.CONNECTING:
                reason = "no data yet: connecting to the appliance"
            elif snapshot.error is not None:
                reason = snapshot.error.message
            else:
                reason = f"no data yet ({snapshot.connection})"
            return unknown_verdict(reason, now=now, thresholds=self.thresholds)
        if not snapshot.complete:  # only the newest jobs so far: the verdict waits for the history
            return unknown_verdict("loading the job history…", now=now, thresholds=self.thresholds)
        return evaluate_health(
            snapshot.jobs,
            self.schedules,
            now=now,
            thresholds=self.thresholds,
            tz=self.tz,
            problems=snapshot.problems,
            local_times=self.local_times,
        )

    def current(self, snapshot: Snapshot, now: datetime) -> HealthVerdict:
        """`verdict()`, worked out again only when the snapshot, the schedules or the minute changed
        (the status line asks every second; ages and the missed-run window move by the minute)."""
        minute = now.replace(second=0, microsecond=0)
        cached = self._cached
        if cached is None or cached[0] is not snapshot or (cached[1], cached[2]) != (self.generation, minute):
            cached = (snapshot, self.generation, minute, self.verdict(snapshot, minute))
            self._cached = cached
        return cached[3]


def level_word(verdict: HealthVerdict) -> str:
    """`OK`, `WARNING`, `CRITICAL`, `UNKNOWN`."""
    return verdict.level.name


def short_summary(verdict: HealthVerdict, limit: int = 60) -> str:
    """The summary's first reason, cut for a status line."""
    first = verdict.summary.split("; ", 1)[0]
    return one_line_problem(first, limit)


__all__ = [
    "SCHEDULE_REFRESH",
    "HealthLevel",
    "HealthWatch",
    "ScheduleLoader",
    "level_word",
    "schedule_loader",
    "short_summary",
]
