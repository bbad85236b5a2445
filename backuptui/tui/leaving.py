"""How an app ends: `q`, a signal, or the terminal going away. Every way out logs out first, bounded
by `LOGOUT_TIMEOUT`, and never polls on.

`Leaving` is the one path out, for the monitor app and the fleet app alike; each says how it logs
out (`_logout`) and, if it has a poll loop of its own, how that stops (`_stop_polling`).
`LeavingAppliance` is the monitor app's: one appliance, its password command and its history.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, ClassVar

from backuptui.tui.app_base import AppParts
from backuptui.tui.terminal import exit_soon, install_hangup_handler, install_stop_handlers

if TYPE_CHECKING:
    from textual.app import App

    LeavingBase = App[int]
else:
    LeavingBase = object

#: how long logging out may take when quitting before we leave anyway
LOGOUT_TIMEOUT = 5.0


class Leaving(LeavingBase):
    """The app's part that logs out and ends (the app sets `_quitting` False in its `__init__`)."""

    _quitting: bool
    #: whether a signal's way out says "Logging out…" too (the fleet's says nothing)
    NOTICE_ON_SIGNAL: ClassVar[bool] = True

    async def _logout(self) -> None:
        """Log out of what the app watches, bounded; never raises."""
        raise NotImplementedError

    def _stop_polling(self) -> None:
        """Nothing is polled once leaving has begun (an app whose polls are its own stops them)."""

    def _leaving_notice(self) -> str:
        return "Logging out…"

    async def action_quit(self) -> None:
        """Log out, then leave (the terminal is restored by Textual)."""
        if self._quitting:
            return
        self._quitting = True
        self._stop_polling()
        self.notify(self._leaving_notice(), timeout=LOGOUT_TIMEOUT, markup=False)
        await self._logout()
        self.exit(0)

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
        self._stop_polling()

        async def leave() -> None:
            if self.NOTICE_ON_SIGNAL:
                self.notify(self._leaving_notice(), timeout=LOGOUT_TIMEOUT, markup=False)
            await self._logout()
            self.exit(128 + signum)

        exit_soon(LOGOUT_TIMEOUT + 5.0, 128 + signum)  # even if logging out or Textual hangs
        self.run_worker(leave(), group="quit")

    def _hang_up(self) -> None:
        """The terminal went away (SSH dropped, tmux killed): log out and end, never poll on."""
        if self._quitting:
            return
        self._quitting = True
        self._stop_polling()

        async def leave() -> None:
            await self._logout()
            exit_soon(1.0)  # logged out: give Textual a second to wind down, no more
            self.exit(1)

        exit_soon(LOGOUT_TIMEOUT + 2.0)  # even if logging out hangs
        self.run_worker(leave(), group="quit")


class LeavingAppliance(Leaving, AppParts):
    """The monitor app's way out: its poll loop stops, then the appliance and its history close."""

    def _stop_polling(self) -> None:
        self.workers.cancel_group(self, "poll")

    async def _logout(self) -> None:
        if self._lookup_cancel is not None:  # a password command still running stops now
            self._lookup_cancel.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.monitor.close(), timeout=LOGOUT_TIMEOUT)
        with contextlib.suppress(Exception):
            await self.close_history()
