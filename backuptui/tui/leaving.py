"""How the monitor app ends: `q`, a signal, or the terminal going away. Every way out logs out of
the appliance first, bounded by `LOGOUT_TIMEOUT`, and never polls on.
"""

from __future__ import annotations

import asyncio
import contextlib

from backuptui.tui.app_base import AppParts
from backuptui.tui.terminal import exit_soon, install_hangup_handler, install_stop_handlers

#: how long logging out may take when quitting before we leave anyway
LOGOUT_TIMEOUT = 5.0


class Leaving(AppParts):
    """The app's part that logs out and ends."""

    async def action_quit(self) -> None:
        """Log out of the appliance, then leave (the terminal is restored by Textual)."""
        if self._quitting:
            return
        self._quitting = True
        self.workers.cancel_group(self, "poll")
        self.notify("Logging out…", timeout=LOGOUT_TIMEOUT, markup=False)
        await self._logout()
        self.exit(0)

    async def _logout(self) -> None:
        if self._lookup_cancel is not None:  # a password command still running stops now
            self._lookup_cancel.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.monitor.close(), timeout=LOGOUT_TIMEOUT)
        with contextlib.suppress(Exception):
            await self.close_history()

    # -- the terminal going away ----------------------------------------------------------

    def _install_hangup_handler(self) -> None:
        if not self.is_headless:
            install_hangup_handler(self._hang_up)
            install_stop_handlers(self._stop_on_signal)

    def _stop_on_signal(self, signum: int) -> None:
        """SIGTERM or SIGINT: log out (bounded), restore the terminal, end with 128 + the signal."""
        if self._quitting:
            return
        self._quitting = True
        self.workers.cancel_group(self, "poll")

        async def leave() -> None:
            self.notify("Logging out…", timeout=LOGOUT_TIMEOUT, markup=False)
            await self._logout()
            self.exit(128 + signum)

        exit_soon(LOGOUT_TIMEOUT + 5.0, 128 + signum)  # even if logging out or Textual hangs
        self.run_worker(leave(), group="quit")

    def _hang_up(self) -> None:
        """The terminal went away (SSH dropped, tmux killed): log out and end, never poll on."""
        if self._quitting:
            return
        self._quitting = True
        self.workers.cancel_group(self, "poll")

        async def leave() -> None:
            await self._logout()
            exit_soon(1.0)  # logged out: give Textual a second to wind down, no more
            self.exit(1)

        exit_soon(LOGOUT_TIMEOUT + 2.0)  # even if logging out hangs
        self.run_worker(leave(), group="quit")
