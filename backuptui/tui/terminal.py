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
