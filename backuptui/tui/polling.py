"""The monitor app's poll loop and what each snapshot does: one fetch at a time, the next scheduled
from its completion (or now, when `r` wakes it); each snapshot shown on the main screen, with a
notification for what changed and, now and then, the schedules re-read for the health verdict.
"""

from __future__ import annotations

import asyncio
import contextlib

from textual import work
from textual.worker import WorkerState

from backuptui.core.watch.monitor import ConnectionState, Snapshot
from backuptui.tui.app_base import AppParts
from backuptui.tui.heap import freeze_heap
from backuptui.tui.notices import connection_notices, job_notices, show_notices
from backuptui.tui.views import appliance_label


class Polling(AppParts):
    """The app's part that polls the monitor and shows what it gets."""

    def start_polling(self, *, wait_first: bool = False) -> None:
        """Start (or restart) the poll loop; `wait_first`: the monitor just polled (a login)."""
        self._poll_loop(wait_first)

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def _poll_loop(self, wait_first: bool = False) -> None:
        """The one poll loop: poll, show, sleep until the next poll is due or `r` wakes it."""
        monitor = self.monitor
        if wait_first:
            await self._sleep(monitor.next_delay())
        while not self._stopping() and monitor is self.monitor:
            self._wake.clear()
            full, self._full_requested = self._full_requested, False
            snapshot = await monitor.poll(full=full)
            if self._stopping() or monitor is not self.monitor:
                return
            self.apply_snapshot(snapshot)
            if snapshot.connection == ConnectionState.AUTH_FAILED:
                self._ask_password(snapshot.error)
                return  # the prompt restarts the loop once a password was entered
            if not snapshot.complete:
                # the first page on screen before the whole history is fetched: its decoding
                # holds the loop for tens of milliseconds, and the paint would wait behind it
                await self._painted()
            if not self._wake.is_set():
                await self._sleep(monitor.next_delay())

    async def _painted(self) -> None:
        """Until the job list has been refreshed (what was just shown is on the terminal). Asked
        of the list itself: it first handles what it has queued (its new rows), then the screen
        repaints; asked of the app, the callback could run before the list asked to be redrawn."""
        if self.main_screen.ready:
            await self.main_screen.job_list.wait_for_refresh()

    async def _sleep(self, delay: float | None) -> None:
        """Until the next poll is due (None: until `r`), or `r` (refresh now) wakes the loop."""
        if delay is None:
            await self._wake.wait()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, delay))

    def _stopping(self) -> bool:
        return self._quitting

    def _poll_running(self) -> bool:
        live = (WorkerState.PENDING, WorkerState.RUNNING)
        return any(worker.group == "poll" and worker.state in live for worker in self.workers)

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Show a snapshot: the status line always, the jobs unless paused; notify what happened.
        The local history gets the poll and adds the jobs the appliance no longer lists."""
        previous = self.snapshot
        snapshot = self.remember(snapshot)
        self.snapshot = snapshot
        if self._ui_gone():
            return  # a poll or login that ended while the app was shutting down
        self._notify_changes(previous, snapshot)
        if snapshot.connection == ConnectionState.LIVE and self.health.due(self.clock()):
            self._refresh_schedules()
        self._render_status()
        if not self.paused:
            on_top = self.main_screen.ready and self.main_screen.job_list.cursor_row == 0
            self._render_jobs(snapshot)
            if on_top and previous.cached_at is not None and snapshot.cached_at is None:
                # live data replaced the cached list: newer jobs come on top; a cursor the
                # user left on the first row stays there instead of following its job down
                self.main_screen.job_list.action_cursor_first()
        if snapshot.complete and snapshot.jobs and not self._heap_frozen and not self.is_headless:
            # once the whole history is on screen (not the first page): each full collection
            # would walk it, a ~30 ms pause at 1,000 jobs that a key press can land on
            self._heap_frozen = True
            self.call_after_refresh(freeze_heap)

    @work(exclusive=True, group="schedules", exit_on_error=False)
    async def _refresh_schedules(self) -> None:
        """Read the backup schedules for the health verdict (a failure becomes the verdict's note)."""
        await self.health.refresh(self.clock())
        self.remember_schedules()
        if not self._ui_gone():
            self._render_status()

    def _notify_changes(self, previous: Snapshot, snapshot: Snapshot) -> None:
        before, self._last_connection = self._last_connection, snapshot.connection
        notices = connection_notices(
            self._appliance_label(snapshot), before, snapshot.connection, snapshot.error
        )
        if previous.last_success is not None:  # the first history load is not news
            notices += job_notices(snapshot.events)
        show_notices(self, notices)

    # -- rendering (the main screen draws) -------------------------------------------------

    def _ui_gone(self) -> bool:
        # Private attributes of Textual's App: it has no public "shutting down" state (is_running
        # stays true while it exits), and a render then would touch widgets being removed.
        return self._exit or self._closing or self._closed or not self.screen_stack

    def _appliance_label(self, snapshot: Snapshot) -> str:
        return appliance_label(snapshot, self.appliance_name)

    def _render_status(self) -> None:
        if self.main_screen.ready:
            self.main_screen.show_status()

    def _render_jobs(self, snapshot: Snapshot) -> None:
        if self.main_screen.ready:
            self.main_screen.show_jobs(snapshot)
