"""The fleet app's side of the local history: each member's cached state read off the loop and
attached (its row paints from it at once, `cached 12 min` until its first poll answers), "since
you last looked" per row (`since last: 1 failed` until `x`, or the appliance is opened: then its
monitor shows the whole digest), what the store has to say told once, and on the way out every
session ended and the writes flushed."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from backuptui.core.store.digest import Digest
from backuptui.tui.digest_text import digest_lines
from backuptui.tui.keys import keys_text

if TYPE_CHECKING:
    from backuptui.core.store.fleet_history import FleetHistory
    from backuptui.core.watch.fleet import Fleet, FleetMember
    from backuptui.tui.screens.member import MemberScreen

#: seconds leaving waits for the history's last writes
CLOSE_TIMEOUT = 3.0


class FleetMemory:
    """The history of an app's fleet (`history` None: none kept, every method does nothing)."""

    def __init__(self, app: Any, history: FleetHistory | None, notice: str | None = None) -> None:
        """`app`: the `FleetApp` (its `fleet`, `clock`, `row_changed`, `notify`, `key_lookup`)."""
        self.app = app
        self.history = history
        self.notice = notice
        #: "since you last looked" per appliance, until dismissed or opened
        self.digests: dict[str, Digest] = {}
        self._task: asyncio.Task[None] | None = None

    # -- since you last looked ------------------------------------------------------------

    def polled(self, member: FleetMember) -> None:
        """After each poll: the digest, once, with the member's first live answer."""
        history = self.history.histories.get(member.name) if self.history is not None else None
        snapshot = member.snapshot
        if history is None or snapshot is None:
            return
        found = history.digest(snapshot, self.app.clock())
        if found is not None:
            self.digests[member.name] = found
            self.app.row_changed(member.row)

    def since_last(self, name: str) -> tuple[str, str] | None:
        """The row's marker and the detail line's headline (None: nothing to say)."""
        found = self.digests.get(name)
        if found is None:
            return None
        if found.failed:
            marker = f"since last: {found.failed} failed"
        elif found.canceled:  # a cancel is no failure, but news: someone stopped a backup
            marker = f"since last: {found.canceled} canceled"
        elif found.moves:
            marker = f"since last: {len(found.moves)} unusual"
        else:
            marker = f"since last: {found.succeeded} ok"
        return marker, digest_lines(found)[0]

    def dismiss(self, name: str) -> None:
        if self.digests.pop(name, None) is not None:
            self.app.row_changed(self.app.fleet.row(name))

    def opened(self, screen: MemberScreen, name: str) -> None:
        """The appliance's monitor opened: it shows the whole digest; the row's marker goes."""
        found = self.digests.get(name)
        if found is None:
            return
        key = keys_text(self.app.key_lookup(), "dismiss-digest") or "x"
        screen.call_after_refresh(screen.show_digest, digest_lines(found), key)
        self.dismiss(name)

    def mounted(self) -> None:
        """Say the notice, listen for the writer's problem, read the cached states in a thread."""
        if self.notice:
            self._tell(self.notice)
        history = self.history
        if history is None:
            return
        app = self.app

        def told(message: str) -> None:
            with contextlib.suppress(Exception):  # the app may be gone by then
                app.call_from_thread(self._tell, message)

        history.writer.on_problem = told
        fleet: Fleet = app.fleet
        self._task = asyncio.create_task(self._attach(history, fleet), name="fleet history")

    async def _attach(self, history: FleetHistory, fleet: Fleet) -> None:
        cached = await asyncio.to_thread(history.load, fleet)
        history.attach(fleet, cached)
        for member in fleet:  # a first answer that came before the history: its digest now
            self.polled(member)
        for name, problem in history.problems.items():
            self._tell(f"{name}: the backup history could not be read: {problem}")

    async def close(self) -> None:
        """Every member's session ended and the queued writes written (bounded), off the loop."""
        history, self.history = self.history, None
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if history is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(history.close, None, CLOSE_TIMEOUT)

    def _tell(self, message: str) -> None:
        self.app.notify(message, title="Backup history", severity="warning", timeout=15, markup=False)


__all__ = ["CLOSE_TIMEOUT", "FleetMemory"]
