"""One round over a fleet for the headless commands (`status --all`, `check --all`): every
appliance polled once (newest jobs and schedules), each logged out as soon as it answered, the
whole round within one bound.

The appliances are asked at once under the fleet's bound on requests in flight (its `Lanes`: a
round trip still unanswered after a moment leaves the main lane when the failing lane has room), so
one that does not answer costs the round its bound, not the sum of everyone's timeouts. One still unanswered
when the bound passes is UNKNOWN ("no answer within 30 s"); it is closed without waiting for a
logout (it has not answered anything, a logout would not be answered either). No Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo

from backuptui.core.appliance.client import Timeouts
from backuptui.core.settings.resolution import Resolution, ResolutionError
from backuptui.core.watch.fleet import IN_FLIGHT
from backuptui.core.watch.fleet_lanes import Lanes
from backuptui.core.watch.fleet_member import FleetMember
from backuptui.core.watch.fleet_row import FleetRow, MemberState, waiting_row
from backuptui.core.watch.health import HealthThresholds
from backuptui.core.watch.snapshot import Snapshot

__all__ = ["fleet_round"]

#: seconds given to closing the connections of appliances that did not answer in time
_CLOSE_GRACE = 0.5


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def fleet_round(
    resolutions: Mapping[str, Resolution | ResolutionError],
    *,
    bound: float,
    thresholds: HealthThresholds | None = None,
    tz: tzinfo = UTC,
    max_in_flight: int = IN_FLIGHT,
    timeouts: Timeouts | None = None,
    on_row: Callable[[FleetRow], None] | None = None,
    on_snapshot: Callable[[str, Snapshot], None] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> list[FleetRow]:
    """Every appliance's row after one poll, in the order given, within `bound` seconds in all;
    `on_row(row)` as each answers (a progress line), `on_snapshot(name, snapshot)` with the poll's
    jobs for a caller that needs more than the row (the digest). Never raises for an appliance's
    failure: its row says what happened."""
    now = clock or _utc_now
    lanes = Lanes(max_in_flight)
    members = [
        FleetMember(
            name,
            resolved,
            lanes=lanes,
            clock=now,
            publish=lambda member: None,
            timeouts=timeouts,
            thresholds=thresholds,
            local_times=False,
            tz=tz,
        )
        for name, resolved in resolutions.items()
    ]
    started = time.monotonic()

    async def one(member: FleetMember) -> FleetRow:
        row = await member.once()
        snapshot = member.snapshot
        if on_snapshot is not None and snapshot is not None:
            on_snapshot(member.name, snapshot)
        if on_row is not None:
            on_row(row)
        return row

    tasks = {asyncio.create_task(one(member), name=f"round {member.name}"): member for member in members}
    if tasks:
        await asyncio.wait(tasks, timeout=max(0.0, bound - (time.monotonic() - started)))
    rows: list[FleetRow] = []
    late: list[FleetMember] = []
    for task, member in tasks.items():
        if task.done() and not task.cancelled() and task.exception() is None:
            rows.append(task.result())
            continue
        task.cancel()
        late.append(member)
        reason = f"no answer within {bound:g} s"
        if task.done() and not task.cancelled() and task.exception() is not None:
            reason = f"internal error: {task.exception()!r}"
        rows.append(
            waiting_row(member.name, member.host, MemberState.UNREACHABLE, reason, now=now(), problem=reason)
        )
        if on_row is not None:
            on_row(rows[-1])
    await asyncio.gather(*tasks, return_exceptions=True)
    if late:
        closing = [asyncio.create_task(member.close()) for member in late]
        _, pending = await asyncio.wait(closing, timeout=_CLOSE_GRACE)
        for unfinished in pending:
            unfinished.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*pending, return_exceptions=True)
    return rows
