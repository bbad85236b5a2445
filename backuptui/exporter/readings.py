"""What a scrape reads of a fleet: one `ApplianceReading` per member, from references the fleet's
event loop replaced (immutable snapshots and verdicts), so the HTTP threads never wait on it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from backuptui.core.metrics import ApplianceReading, PollStats
from backuptui.core.watch.fleet import Fleet, FleetMember
from backuptui.core.watch.health import unknown_verdict
from backuptui.core.watch.snapshot import ConnectionState, Snapshot


def member_reading(member: FleetMember, stats: PollStats | None = None) -> ApplianceReading:
    """The member's latest state; a member that cannot poll (its profile does not resolve, or no
    password source gave a password) is down with an UNKNOWN verdict saying why."""
    row = member.row
    snapshot = member.snapshot
    verdict = row.verdict or unknown_verdict(row.reason, now=row.polled_at or datetime.now(UTC))
    if snapshot is None:
        snapshot = Snapshot(member.name, "", None, True, connection=ConnectionState.ERROR)
    return ApplianceReading(
        member.name,
        snapshot,
        verdict,
        host=member.host,
        poll_duration=None if stats is None else stats.last_duration,
        poll_errors={} if stats is None else stats.errors,
    )


def fleet_readings(fleet: Fleet, stats: Mapping[str, PollStats]) -> list[ApplianceReading]:
    return [member_reading(member, stats.get(member.name)) for member in fleet]


__all__ = ["fleet_readings", "member_reading"]
