"""`-t SECONDS` for the headless commands: one deadline for the whole run.

The password command, every request and the logout all fit in it: the password command gets
what is left, and a logout that no longer fits is abandoned (the connection is still closed), so
`check -t 6` answers within about six seconds whatever the appliance does.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from backuptui.core.appliance.client import ApplianceClient

T = TypeVar("T")

#: the least a step is given, so that a deadline just reached still fails with its own reason
_LEAST = 0.05


class Deadline:
    """A point in time (monotonic) that the run must end by."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left (to a tenth, as messages show it), at least a moment."""
        return max(_LEAST, round(self.at - time.monotonic(), 1))

    def passed(self) -> bool:
        return time.monotonic() >= self.at

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """`work`, cancelled when the deadline passes (TimeoutError)."""
        async with asyncio.timeout(self.at - time.monotonic()):
            return await work

    async def close(self, client: ApplianceClient) -> None:
        """Log out and close, in the time that is left; if that is none, only close."""
        task = asyncio.ensure_future(client.close())
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(task), max(0.0, self.at - time.monotonic()))
        if not task.done():
            task.cancel()  # the logout does not fit: abandon it (close() still closes the connection)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
