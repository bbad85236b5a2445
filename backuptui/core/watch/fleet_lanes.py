"""The fleet's bound on round trips in flight, in lanes, so appliances that fail never starve those
that answer.

Members whose last round trip was answered start theirs in the main lane (`max_in_flight`
permits); members whose last round trip failed (no answer, a timeout, an error) start theirs in a
small lane of their own. So however many appliances of a dead site hang until their timeouts, once
each has failed they hold that small lane's permits only, and the polls of those that answer go on;
a member answering again starts its next round trip in the main lane. Before anyone failed (the
first round, a site that just went dark) a round trip of the main lane still unanswered after
`slow_after` seconds moves to the slow lane (as many permits as the main lane) when it has room
and gives its main permit back, so the main lane keeps room for those that answer at once.

A round trip holds exactly one permit at a time: round trips starting at once never exceed the
main and failing lanes' permits, round trips in flight never the three lanes' (`bound`). No Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

__all__ = ["FAILING_IN_FLIGHT", "SLOW_AFTER", "Lanes"]

#: round trips in flight of the members that failed, across the whole fleet (at most the main lane's)
FAILING_IN_FLIGHT = 4
#: seconds after which an unanswered round trip of the main lane moves to the slow lane
SLOW_AFTER = 2.0


class Lanes:
    """The main lane of `answering` permits, the failing lane of a few, the slow lane of `answering`."""

    def __init__(
        self, answering: int, failing: int = FAILING_IN_FLIGHT, *, slow_after: float = SLOW_AFTER
    ) -> None:
        if answering < 1 or failing < 1:
            raise ValueError("each lane needs at least one permit")
        self.answering = answering
        self.failing = min(failing, answering)
        self.slow_after = slow_after
        self._main = asyncio.Semaphore(answering)
        self._failing = asyncio.Semaphore(self.failing)
        self._slow = asyncio.Semaphore(answering)
        #: round trips in flight now, by lane (for tests and the benchmarks)
        self.in_main = 0
        self.in_failing = 0
        self.in_slow = 0

    @property
    def bound(self) -> int:
        """Round trips in flight at most, the three lanes together."""
        return 2 * self.answering + self.failing

    @contextlib.asynccontextmanager
    async def trip(self, *, failing: bool) -> AsyncIterator[None]:
        """Hold a permit for one round trip: in the failing lane (`failing`: the member's last
        round trip failed) or in the main lane, moving to the slow lane once it is slow."""
        if failing:
            async with self._failing:
                self.in_failing += 1
                try:
                    yield
                finally:
                    self.in_failing -= 1
            return
        await self._main.acquire()
        self.in_main += 1
        moved: list[bool] = [False]
        mover = asyncio.create_task(self._move_when_slow(moved))
        try:
            yield
        finally:
            mover.cancel()
            if moved[0]:
                self.in_slow -= 1
                self._slow.release()
            else:
                self.in_main -= 1
                self._main.release()

    async def _move_when_slow(self, moved: list[bool]) -> None:
        """After `slow_after` seconds, take a free permit of the slow lane and give the main one
        back; with none free, stay (the round trip holds one permit either way)."""
        await asyncio.sleep(self.slow_after)
        if self._slow.locked():
            return
        # not locked: acquire() takes the permit before its first await, so nothing runs between
        await self._slow.acquire()
        moved[0] = True
        self.in_main -= 1
        self.in_slow += 1
        self._main.release()
