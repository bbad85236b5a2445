"""One appliance of a fleet: its own client, monitor and health watch, and the loop that polls it.

Each member polls on its own schedule (`Monitor.next_delay()`), so it backs off on its own; every
round trip to the appliance holds one permit of the fleet's `Lanes`, in the main lane while it
answers and in the small failing lane after a round trip that failed (no answer, a timeout, an
error), so a member never has more than one request in flight, the fleet never more than the lanes
allow, and appliances that hang never hold the permits of those that answer. A member whose
password must be typed asks only whether the appliance answers at all (until it does), then waits
for `provide_password`; one whose login was refused waits for it and asks nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from typing import Protocol
from urllib.parse import urlsplit

from backuptui.core.appliance.client import ApplianceClient, Timeouts
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.resolution import Resolution, ResolutionError, stale_after
from backuptui.core.watch.fleet_lanes import Lanes
from backuptui.core.watch.fleet_row import FleetRow, MemberState, member_row, waiting_row
from backuptui.core.watch.health import HealthThresholds
from backuptui.core.watch.health_watch import SCHEDULE_REFRESH, HealthWatch
from backuptui.core.watch.monitor import FLEET_PAGE, Monitor
from backuptui.core.watch.resolved_monitor import monitor_for_resolution
from backuptui.core.watch.snapshot import ConnectionState, Snapshot

__all__ = ["FleetMember", "MemberMemory"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: how a round trip failed, for the lane of the next: a refused login or a missing privilege is an
#: answer (at once), so those stay in the main lane
_FAILING = frozenset({ConnectionState.UNREACHABLE, ConnectionState.ERROR})


class MemberMemory(Protocol):
    """What a member remembers between sessions (the local history store's `ApplianceHistory`
    fits): the cached state to show before the first poll answers, each poll handed over to be
    written (off the loop), and what to show for a poll (its jobs and the stored ones it lacks)."""

    def cached_snapshot(self, base: Snapshot) -> Snapshot | None: ...

    def record(self, live: Snapshot) -> None: ...

    def merge(self, live: Snapshot) -> Snapshot: ...


class FleetMember:
    """One appliance of a `Fleet`. `client`, `monitor` and `health` are None for a profile whose
    resolution failed (`error` says why); `row` is always its latest row."""

    def __init__(
        self,
        name: str,
        resolved: Resolution | ResolutionError,
        *,
        lanes: Lanes,
        clock: Clock,
        publish: Callable[[FleetMember], None],
        polled: Callable[[FleetMember], None] | None = None,
        window: int = FLEET_PAGE,
        timeouts: Timeouts | None = None,
        thresholds: HealthThresholds | None = None,
        schedule_refresh: float = SCHEDULE_REFRESH,
        local_times: bool = True,
        tz: tzinfo = UTC,
    ) -> None:
        self.name = name
        self.window = window
        self._lanes = lanes
        self._clock = clock
        self._publish = publish
        self._polled = polled
        self._wake = asyncio.Event()
        self._password: Secret | None = None
        self._full_now = False
        self.resolution: Resolution | None = None
        self.error: ResolutionError | None = None
        self.client: ApplianceClient | None = None
        self.monitor: Monitor | None = None
        self.health: HealthWatch | None = None
        self.polls = 0  # finished polls (for tests and the benchmarks)
        #: seconds the last poll took holding its permit (waiting for one not counted); None before
        self.last_poll_seconds: float | None = None
        self.password_needed = False
        #: the appliance answered the check made before its password is asked for (`password_needed`)
        self.reached = False
        self._reaching = False
        #: the member's memory (None: no history store); `snapshot` is then what it shows
        self.memory: MemberMemory | None = None
        self._shown: Snapshot | None = None
        now = clock()
        if isinstance(resolved, ResolutionError):
            self.error = resolved
            self.host = ""
            self.row = _misconfigured(name, str(resolved), now)
            return
        self.resolution = resolved
        try:
            self.client = resolved.target.client(timeouts)
        except ValueError as exc:  # an address the client cannot use (the resolver checks most)
            self.error = ResolutionError(f"profile '{name}': {exc}")
            self.host = ""
            self.row = _misconfigured(name, str(self.error), now)
            return
        self.host = urlsplit(self.client.base_url).netloc
        self.monitor = monitor_for_resolution(resolved, client=self.client, first_page=None, light=window)
        self.health = HealthWatch(
            self.monitor.schedule_loader,
            thresholds=thresholds,
            schedule_refresh=schedule_refresh,
            local_times=local_times,
            tz=tz,
        )
        self.password_needed = resolved.asks_password
        self.row = self._current_row(now)

    # -- what the fleet asks of a member ------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        """The latest snapshot; with a memory, the cached state until a poll answers, then the
        live one with the stored jobs the appliance no longer lists (marked gone)."""
        if self._shown is not None:
            return self._shown
        return self.monitor.snapshot if self.monitor is not None else None

    @property
    def failing(self) -> bool:
        """The last round trip failed: no answer (a refused connection, a timeout, TLS) or an
        error for an answer; the next goes through the fleet's failing lane."""
        return self.monitor is not None and self.monitor.snapshot.connection in _FAILING

    def remember_with(self, memory: MemberMemory) -> None:
        """Show and record this member's history through `memory` from now on (its cached state
        at once, when nothing answered yet); the row is published if it changed."""
        if self.monitor is None:
            return
        self.memory = memory
        live = self.monitor.snapshot
        if live.connection is ConnectionState.CONNECTING:
            self._shown = memory.cached_snapshot(live)
        else:
            self._shown = self._merged(memory, live)
        self._update(self._clock())

    def _remember(self, live: Snapshot) -> None:
        memory = self.memory
        if memory is None:
            return
        memory.record(self._as_recorded(live))
        self._shown = self._merged(memory, live)

    def _merged(self, memory: MemberMemory, live: Snapshot) -> Snapshot:
        """What to show for `live`: merged as recorded, judged as complete as the monitor says."""
        shown = memory.merge(self._as_recorded(live))
        return shown if shown.complete == live.complete else replace(shown, complete=live.complete)

    def _as_recorded(self, live: Snapshot) -> Snapshot:
        """A light monitor's window is not the whole history: a job beyond it is not gone."""
        assert self.monitor is not None
        if self.monitor.light is not None and live.complete:
            return replace(live, complete=False)
        return live

    def provide_password(self, password: Secret) -> None:
        """Use this password for one login (the next poll, at once)."""
        if self.monitor is None:
            return
        self._password = password
        self._wake.set()

    def poll_now(self, *, full: bool = False) -> None:
        """Poll at once (full: the whole history, as `r` in an opened appliance asks)."""
        self._full_now = self._full_now or full
        self._wake.set()

    def set_full_history(self, full: bool) -> None:
        """Keep the whole history (the user opened this appliance) or poll lightly again."""
        if self.monitor is None:
            return
        self.monitor.set_light(None if full else self.window)
        if full:
            self._wake.set()

    async def run(self) -> None:
        """Poll until cancelled; never raises for an appliance's failure (the row shows it)."""
        monitor, client, health = self.monitor, self.client, self.health
        if monitor is None or client is None or health is None:
            return
        while True:
            try:
                delay = await self._round(monitor, client, health)
            except Exception:  # a bug must not end this appliance's watch; say it and go on
                log.exception("fleet member %s: unexpected error", self.name)
                delay = monitor.settings.backoff_max
            await self._sleep(delay)

    async def _round(self, monitor: Monitor, client: ApplianceClient, health: HealthWatch) -> float | None:
        """One poll (and the schedules when due); the seconds until the next (None: wait to be woken)."""
        if self.password_needed and self._password is None:
            return await self._reach(monitor)
        password, self._password = self._password, None
        full, self._full_now = self._full_now, False
        async with self._lanes.trip(failing=self.failing):
            began = time.monotonic()
            if password is None:
                snapshot = await monitor.poll(full)
            elif monitor.snapshot.connection is ConnectionState.AUTH_FAILED:
                snapshot = await monitor.retry_login(password)
            else:
                client.set_password(password)
                snapshot = await monitor.poll(full)
            self.last_poll_seconds = time.monotonic() - began
        self._remember(snapshot)
        if password is not None:
            self.password_needed = False
        self.polls += 1
        now = self._clock()
        if snapshot.connection is ConnectionState.LIVE and health.due(now):
            async with self._lanes.trip(failing=False):
                await health.refresh(now)
        self._update(now)
        if self._polled is not None:
            self._polled(self)
        return monitor.next_delay()

    async def _reach(self, monitor: Monitor) -> float | None:
        """Before a password is asked for, whether the appliance answers at all (one request
        without credentials, as the single monitor checks first): until it does, its row says why
        and the check is tried again with backoff; then nothing more until the password comes."""
        if self.reached:
            return None
        self._reaching = True
        self._update(self._clock())
        try:
            async with self._lanes.trip(failing=self.failing):
                error = await monitor.check_reachable()
        finally:
            self._reaching = False
        self.reached = error is None
        self._update(self._clock())
        return None if self.reached else monitor.next_delay()

    async def once(self) -> FleetRow:
        """One poll and the schedules, then log out at once: the headless commands' round. A
        member that cannot poll (misconfigured, no password) answers its row without a request."""
        monitor, health = self.monitor, self.health
        try:
            if monitor is not None and health is not None and not self.password_needed:
                async with self._lanes.trip(failing=False):
                    began = time.monotonic()
                    snapshot = await monitor.poll()
                    self.last_poll_seconds = time.monotonic() - began
                self.polls += 1
                now = self._clock()
                if snapshot.connection is ConnectionState.LIVE:
                    async with self._lanes.trip(failing=False):
                        await health.refresh(now)
                self.row = self._current_row(self._clock())
        finally:
            await self.close()
        return self.row

    async def close(self) -> None:
        """Log out (if logged in) and close the connection."""
        if self.monitor is not None:
            await self.monitor.close()

    # -- inside -------------------------------------------------------------------------------

    async def _sleep(self, delay: float | None) -> None:
        """Until `delay` seconds passed (None: forever) or someone woke the member."""
        try:
            if delay is None:
                await self._wake.wait()
            elif delay > 0:
                await asyncio.wait_for(self._wake.wait(), delay)
        except TimeoutError:
            pass
        self._wake.clear()

    def _update(self, now: datetime) -> None:
        row = self._current_row(now)
        if row != self.row:
            self.row = row
            self._publish(self)
        else:
            self.row = row  # the same to a person; the latest verdict and poll time ride along

    def _current_row(self, now: datetime) -> FleetRow:
        assert self.monitor is not None and self.health is not None and self.resolution is not None
        snapshot = self.snapshot or self.monitor.snapshot
        if self.password_needed and not self.reached and self.monitor.snapshot.error is not None:
            reason = f"{self.monitor.snapshot.error}; its password is asked for once it answers"
            return waiting_row(self.name, self.host, MemberState.UNREACHABLE, reason, now=now, problem=reason)
        if self.password_needed and self.monitor.snapshot.last_success is None:
            problem = self.resolution.password_problem
            reason = "password needed" + (f" ({problem})" if problem else "")
            if self._reaching and self.monitor.snapshot.error is None:
                reason += "; checking first that the appliance answers"
            state = MemberState.PASSWORD_NEEDED
            return waiting_row(self.name, self.host, state, reason, now=now, problem=problem)
        verdict = self.health.current(snapshot, now)
        return member_row(
            self.name, self.host, snapshot, verdict, now=now, stale_after=stale_after(self.resolution.idle)
        )


def _misconfigured(name: str, message: str, now: datetime) -> FleetRow:
    return waiting_row(name, "", MemberState.MISCONFIGURED, message, now=now, problem=message)
