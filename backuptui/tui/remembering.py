"""The monitor app's use of the local history: the last known state painted before the first poll
answers, each poll handed to the writer thread (the UI never waits for the disk), the jobs the
appliance dropped kept in the list, the session's end written when the app leaves, and one notice
when the store cannot be used (the monitor goes on without it).
"""

from __future__ import annotations

import asyncio
import contextlib

from backuptui.core.watch.monitor import ConnectionState, Monitor, Snapshot
from backuptui.tui.app_base import AppParts
from backuptui.tui.digest_text import digest_lines
from backuptui.tui.keys import keys_text

#: how long leaving may wait for the history's last writes
HISTORY_CLOSE_TIMEOUT = 3.0


class Remembering(AppParts):
    """The app's part that keeps the local history (`self.history`; None: no history)."""

    def _history_mounted(self) -> None:
        """Say once what the store had to say (a corrupt file moved aside, the store off)."""
        history = self.history
        if self.history_notice:
            self.notify(
                self.history_notice, title="Backup history", severity="warning", timeout=15, markup=False
            )
        if history is None or history.writer is None:
            return
        writer = history.writer

        def told(message: str) -> None:
            with contextlib.suppress(Exception):  # the app may be gone by then
                self.call_from_thread(
                    self.notify, message, title="Backup history", severity="warning", timeout=15, markup=False
                )

        writer.on_problem = told

    def seeded_snapshot(self, monitor: Monitor) -> Snapshot:
        """The first snapshot to show: the cached state if the history has one."""
        history = self.history
        cached = history.cached_snapshot(monitor.snapshot) if history is not None else None
        return cached or monitor.snapshot

    def remember(self, snapshot: Snapshot) -> Snapshot:
        """Hand a poll's snapshot to the writer; what the list shows (stored jobs merged in)."""
        history = self.history
        if history is None:
            return snapshot
        history.record(snapshot)
        shown = history.merge(snapshot)
        if shown.connection is ConnectionState.LIVE and shown.complete and history.writer is not None:
            verdict = self.health.current(shown, self.clock())  # the status line's, cached per snapshot
            identity = history.identity
            level, summary, at = verdict.level.name, verdict.summary, verdict.checked_at
            history.writer.submit(lambda store: store.record_verdict(identity, level, summary, at))
        digest = history.digest(shown, self.clock())
        if digest is not None and self.main_screen.ready:
            key = keys_text(self.key_lookup(), "dismiss-digest") or "x"
            self.main_screen.show_digest(digest_lines(digest), key)
        return shown

    def remember_schedules(self) -> None:
        """The schedules just read, to the store (written only when they changed)."""
        history, schedules = self.history, self.health.schedules
        if history is None or history.writer is None or schedules is None:
            return
        identity = history.identity
        history.writer.submit(lambda store: store.record_schedules(identity, schedules))

    async def history_for(self, monitor: Monitor, name: str | None) -> None:
        """Switching appliance: end this one's session, load the next one's (off the loop)."""
        # imported here: a launch without the history store never loads sqlite
        from backuptui.core.store.session import ApplianceHistory
        from backuptui.core.store.values import Identity

        history = self.history
        if history is None or history.writer is None:
            return
        history.close(self.clock())
        writer = history.writer
        identity = Identity.of(name, monitor.snapshot.base_url)
        cached = await asyncio.to_thread(writer.store.load, identity) if writer.enabled else None
        self.history = ApplianceHistory(writer, identity, cached)

    async def close_history(self) -> None:
        """Leaving: the session's end, then the writer's last writes (bounded), off the loop."""
        history = self.history
        if history is None:
            return
        self.history = None
        history.close(self.clock())
        if history.writer is not None:
            await asyncio.to_thread(history.writer.close, HISTORY_CLOSE_TIMEOUT)
