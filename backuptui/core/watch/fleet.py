"""The fleet: many appliances watched at once from one event loop.

    fleet = Fleet(resolve_many(names, config), on_change=show_row)
    fleet.start()                      # one asyncio task per appliance
    ...
    fleet.provide_password("vcsa-eu", Secret(typed))
    fleet.set_full_history("vcsa-eu", True)   # the user opened it: its monitor keeps it all
    await fleet.close()                # logs out of every appliance, concurrently, bounded

Every member has its own client, monitor (light polling: the newest jobs and what is new, see
`Monitor`) and health watch, and polls on its own schedule; the fleet's `Lanes` bound the requests
in flight across the whole fleet (TLS handshakes of 200 appliances never start at once). A member
holds one permit per round trip, and the members whose last round trip failed share a small lane of
their own, so a dead site of any size holds only that lane and never delays the appliances that
answer. Listeners hear of a row only when it changed. No Textual.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime, tzinfo

from backuptui.core.appliance.client import Timeouts
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.resolution import Resolution, ResolutionError
from backuptui.core.watch.fleet_lanes import FAILING_IN_FLIGHT, Lanes
from backuptui.core.watch.fleet_member import FleetMember
from backuptui.core.watch.fleet_row import FleetRow, counts_text, worst_first
from backuptui.core.watch.health import HealthThresholds
from backuptui.core.watch.health_watch import SCHEDULE_REFRESH
from backuptui.core.watch.monitor import FLEET_PAGE

__all__ = ["FAILING_IN_FLIGHT", "IN_FLIGHT", "LOGOUT_WAIT", "Fleet", "FleetMember", "FleetRow"]

log = logging.getLogger(__name__)

#: the main lane: requests in flight across the members that answer (`Lanes` has the others)
IN_FLIGHT = 16
#: seconds `close()` waits for the logouts (each is also bounded by the client's own timeouts)
LOGOUT_WAIT = 5.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Fleet:
    """Appliances by name (the profile names, in the order given), each polled by its own task."""

    def __init__(
        self,
        resolutions: Mapping[str, Resolution | ResolutionError],
        *,
        on_change: Callable[[FleetRow], None] | None = None,
        on_poll: Callable[[FleetMember], None] | None = None,
        max_in_flight: int = IN_FLIGHT,
        window: int = FLEET_PAGE,
        timeouts: Timeouts | None = None,
        thresholds: HealthThresholds | None = None,
        schedule_refresh: float = SCHEDULE_REFRESH,
        local_times: bool = True,
        tz: tzinfo = UTC,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`resolutions`: what `resolve_many` returns. `on_change(row)` is called on the event loop
        each time a row changed; `on_poll(member)` after every poll of any member (the screen of
        the opened appliance redraws from `member.snapshot`). `local_times`: verdicts name times in
        the machine's zone (the headless commands keep UTC); `tz`: the appliances' time zone, in
        which their schedules are meant. `max_in_flight`: the main lane's permits (see `Lanes`)."""
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.max_in_flight = max_in_flight
        self.lanes = Lanes(max_in_flight)
        self._on_change = on_change
        self._on_poll = on_poll
        self._queues: list[asyncio.Queue[FleetRow | None]] = []  # None: the fleet closed
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._closed = False
        self._clock = clock or _utc_now
        self.members: dict[str, FleetMember] = {
            name: FleetMember(
                name,
                resolved,
                lanes=self.lanes,
                clock=self._clock,
                publish=self._changed,
                polled=self._polled if on_poll is not None else None,
                window=window,
                timeouts=timeouts,
                thresholds=thresholds,
                schedule_refresh=schedule_refresh,
                local_times=local_times,
                tz=tz,
            )
            for name, resolved in resolutions.items()
        }

    # -- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.members)

    def __iter__(self) -> Iterator[FleetMember]:
        return iter(self.members.values())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.members)

    def member(self, name: str) -> FleetMember:
        """The member of that name (KeyError for a name not in the fleet)."""
        return self.members[name]

    def row(self, name: str) -> FleetRow:
        return self.members[name].row

    def rows(self) -> tuple[FleetRow, ...]:
        """Every row, in the order the fleet was given."""
        return tuple(member.row for member in self.members.values())

    def worst_first(self) -> list[FleetRow]:
        """Every row, CRITICAL, UNKNOWN, WARNING, OK, then by name."""
        return worst_first(self.rows())

    def counts_text(self) -> str:
        """`12 appliances: 9 OK, 1 WARNING, 2 CRITICAL`."""
        return counts_text(self.rows())

    async def changes(self) -> AsyncIterator[FleetRow]:
        """Every changed row from now on, until the fleet closes (an alternative to `on_change`)."""
        queue: asyncio.Queue[FleetRow | None] = asyncio.Queue()
        self._queues.append(queue)
        try:
            while not self._closed:
                row = await queue.get()
                if row is None:
                    return
                yield row
        finally:
            self._queues.remove(queue)

    # -- acting -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start polling every member that can (call on the running event loop; twice is once)."""
        if self._closed:
            raise RuntimeError("the fleet is closed")
        for name, member in self.members.items():
            if name not in self._tasks and member.monitor is not None:
                self._tasks[name] = asyncio.create_task(member.run(), name=f"fleet member {name}")

    def provide_password(self, name: str, password: Secret) -> None:
        """The password of one appliance (typed by the user): one login with it, at once. After a
        refused login this is the only way that appliance tries again."""
        self.members[name].provide_password(password)

    def set_full_history(self, name: str, full: bool) -> None:
        """The appliance the user opened keeps its whole history (`True`), or polls lightly again."""
        self.members[name].set_full_history(full)

    def poll_now(self, name: str, *, full: bool = False) -> None:
        """Poll that appliance at once (`r`)."""
        self.members[name].poll_now(full=full)

    async def close(self, timeout: float = LOGOUT_WAIT) -> None:  # noqa: ASYNC109 - a bound on logouts, not on the call
        """Stop polling and log out of every appliance at once, waiting at most `timeout` seconds;
        a logout still unanswered then is abandoned (its connection closed). Never raises."""
        if self._closed:
            return
        self._closed = True
        for queue in self._queues:
            queue.put_nowait(None)  # every `changes()` ends
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for name, result in zip(self._tasks, results, strict=True):
            if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                log.error("fleet member %s stopped with %r", name, result)
        closing = [asyncio.create_task(member.close()) for member in self.members.values()]
        if not closing:
            return
        _, pending = await asyncio.wait(closing, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
            log.info("fleet: %d logouts did not finish within %.0f s", len(pending), timeout)

    async def __aenter__(self) -> Fleet:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- inside -------------------------------------------------------------------------------

    def _polled(self, member: FleetMember) -> None:
        if self._on_poll is not None:
            try:
                self._on_poll(member)
            except Exception:  # a listener's bug must not slow the member's polling
                log.exception("fleet: on_poll failed for %s", member.name)

    def _changed(self, member: FleetMember) -> None:
        row = member.row
        if self._on_change is not None:
            try:
                self._on_change(row)
            except Exception:  # a listener's bug must not stop the member's polling
                log.exception("fleet: on_change failed for %s", row.name)
        for queue in self._queues:
            queue.put_nowait(row)
