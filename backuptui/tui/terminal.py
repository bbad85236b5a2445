"""The terminal going away (SSH dropped, tmux killed): notice it, and never linger as an orphan
that keeps polling a vCenter (a process whose SSH session dropped gets SIGHUP, or nothing at all
when the hang-up is lost, and then finds its terminal gone)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any


def install_hangup_handler(on_hangup: Callable[[], None]) -> None:
    """Call `on_hangup` on SIGHUP (from the running event loop); silently not where unsupported."""
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, on_hangup)


def install_stop_handlers(on_stop: Callable[[int], None]) -> None:
    """Call `on_stop(signum)` on SIGTERM or SIGINT (from the running event loop).

    Without it `kill` ends the process at once (the appliance session stays open and the terminal
    is left in the alternate screen) and `kill -INT` quits without logging out; through the loop
    both take the same way out as `q`.
    """
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(ValueError, OSError):
                loop.add_signal_handler(signum, on_stop, int(signum))


def exit_soon(seconds: float, status: int = 1) -> None:
    """End the process in `seconds` whatever the event loop is doing.

    Restoring a terminal that is gone can block Textual's shutdown for good (its writer thread
    dies on the hung-up tty and the output queue fills), so after a hang-up a daemon thread, not
    an app timer, makes sure the process ends.
    """
    watchdog = threading.Timer(seconds, os._exit, args=(status,))
    watchdog.daemon = True
    watchdog.start()


def terminal_alive() -> bool:
    """Is the input still a terminal? (False once it is closed or gone.)"""
    stream: Any = sys.__stdin__
    try:
        return stream is not None and os.isatty(stream.fileno())
    except (OSError, ValueError):
        return False


def discard_type_ahead() -> None:
    """Drop the keys typed before the app started (as `login` does before its prompt): they were
    typed at the shell or at nothing, never at the password prompt that may open first."""
    with contextlib.suppress(ImportError, OSError, ValueError, AttributeError):
        import termios

        if sys.stdin is not None and sys.stdin.isatty():
            termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)
