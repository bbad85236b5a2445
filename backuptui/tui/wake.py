"""Waking a screen when the clock next changes what it says, instead of once a second.

Each view says the first moment at which time alone changes its text (`status_changes_at`,
`progress_changes_at`); `Wake` keeps those moments by name and one Textual timer for the earliest.
The moments are read on the app's injected clock; the timer runs on the event loop's, so it is
set for the moment's distance from the injected clock's now, and fires a little after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from textual.message_pump import MessagePump
from textual.timer import Timer

#: the timer fires this long after the moment (two clocks: a hair early would find nothing changed)
WAKE_LATE = 0.01
#: two moments this close are one (float seconds round to microseconds)
_SAME_MOMENT = timedelta(milliseconds=1)


class Wake:
    """One timer on `node` for the earliest of the named moments; `callback` runs then."""

    def __init__(
        self, node: MessagePump, clock: Callable[[], datetime], callback: Callable[[], None]
    ) -> None:
        self._node = node
        self._clock = clock
        self._callback = callback
        self._moments: dict[str, datetime | None] = {}
        self._at: datetime | None = None
        self._timer: Timer | None = None
        self._held = False

    @property
    def at(self) -> datetime | None:
        """When the timer fires (None: no timer)."""
        return self._at if self._timer is not None else None

    def set(self, name: str, moment: datetime | None) -> None:
        """`name`'s next change is at `moment` (None: none by the clock alone)."""
        self._moments[name] = moment
        if not self._held:
            self._plan()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Several `set`s, one plan at the end (a tick sets every moment again)."""
        self._held = True
        try:
            yield
        finally:
            self._held = False
            self._plan()

    def _plan(self) -> None:
        wake = min((m for m in self._moments.values() if m is not None), default=None)
        if self._timer is not None:
            if wake is not None and self._at is not None and abs(wake - self._at) < _SAME_MOMENT:
                return  # (a key that changed nothing of the clock's: the timer stands)
            self._timer.stop()
            self._timer = None
        self._at = wake
        if wake is None:
            return
        delay = max(0.0, (wake - self._clock()).total_seconds()) + WAKE_LATE
        self._timer = self._node.set_timer(delay, self._fired, name="wake")

    def _fired(self) -> None:
        self._timer = self._at = None
        self._callback()
