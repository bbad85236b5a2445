"""The local history of a whole fleet (the fleet screen, the exporter): one `ApplianceHistory` per
member that polls, all writing through one `HistoryWriter` thread.

    history = FleetHistory(writer)
    cached = await asyncio.to_thread(history.load, fleet)   # the reads, off the loop
    history.attach(fleet, cached)                            # on the loop: rows paint from the cache
    ...
    history.close()                                          # sessions ended, writes flushed (bounded)

The fleet core knows nothing of the store: a member takes any `MemberMemory` (`remember_with`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from backuptui.core.store.session import ApplianceHistory
from backuptui.core.store.values import Cached, Identity
from backuptui.core.store.writer import HistoryWriter
from backuptui.core.watch.fleet import Fleet, FleetMember

log = logging.getLogger(__name__)

#: seconds closing waits for the last writes
CLOSE_TIMEOUT = 5.0


def member_identity(member: FleetMember) -> Identity | None:
    """Which appliance the store keeps this member under (None: it cannot poll)."""
    if member.client is None:
        return None
    return Identity.of(member.name, member.client.base_url)


class FleetHistory:
    """The store's side of a fleet; `histories` by member name once attached."""

    def __init__(self, writer: HistoryWriter, *, limit: int | None = None) -> None:
        """`limit`: load only each member's newest stored jobs (the exporter: its window), None:
        all of them (the fleet screen: an opened appliance shows what the appliance dropped)."""
        self.writer = writer
        self.limit = limit
        self.histories: dict[str, ApplianceHistory] = {}
        #: members whose cached state could not be read (name: why); they go on without it
        self.problems: dict[str, str] = {}
        self._closed = False

    def load(self, fleet: Fleet) -> dict[str, Cached | None]:
        """Every polling member's cached state (reads the database: call off the event loop)."""
        found: dict[str, Cached | None] = {}
        for member in fleet:
            identity = member_identity(member)
            if identity is None:
                continue
            try:
                found[member.name] = (
                    self.writer.store.load(identity, limit=self.limit) if self.writer.enabled else None
                )
            except Exception as exc:  # a damaged row: this member goes on without its cached state
                log.warning("the backup history of %s could not be read: %s", member.name, exc)
                self.problems[member.name] = str(exc)
                found[member.name] = None
        return found

    def attach(self, fleet: Fleet, cached: Mapping[str, Cached | None]) -> None:
        """Give each member its history (on the fleet's loop): rows show the cached state at once."""
        for member in fleet:
            identity = member_identity(member)
            if identity is None or member.name in self.histories:
                continue
            history = ApplianceHistory(self.writer, identity, cached.get(member.name))
            self.histories[member.name] = history
            member.remember_with(history)

    def close(self, at: datetime | None = None, timeout: float = CLOSE_TIMEOUT) -> None:
        """End every member's session, then write what is queued (blocks up to `timeout`: call off
        the loop when it matters); a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        for history in self.histories.values():
            history.close(at)
        self.writer.close(timeout)


__all__ = ["CLOSE_TIMEOUT", "FleetHistory", "member_identity"]
