"""The fleet app's side of the local history: each member's cached state read off the loop and
attached (its row paints from it at once, `cached 12 min` until its first poll answers), what the
store has to say told once, and on the way out every session ended and the writes flushed."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from backuptui.core.store.fleet_history import FleetHistory
    from backuptui.core.watch.fleet import Fleet

#: seconds leaving waits for the history's last writes
CLOSE_TIMEOUT = 3.0


class FleetMemory:
    """The history of an app's fleet (`history` None: none kept, every method does nothing)."""

    def __init__(self, app: App[int], history: FleetHistory | None, notice: str | None = None) -> None:
        self.app = app
        self.history = history
        self.notice = notice
        self._task: asyncio.Task[None] | None = None

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
        fleet: Fleet = app.fleet  # type: ignore[attr-defined]
        self._task = asyncio.create_task(self._attach(history, fleet), name="fleet history")

    async def _attach(self, history: FleetHistory, fleet: Fleet) -> None:
        cached = await asyncio.to_thread(history.load, fleet)
        history.attach(fleet, cached)
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
