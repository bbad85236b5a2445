"""Keys typed before a screen opened are not meant for it.

While the app is busy (a password command runs, a login is slow) the terminal keeps reading keys;
when a password prompt or a yes/no question then opens, those keys must not become its answer.
A screen that takes an answer mixes in `FreshKeys`; the app (`DropsTypeAhead`) drops every key
event stamped before the screen on top was opened. Textual stamps each event with its own clock
when the driver reads the key; `FreshKeys` takes its stamp from the same clock.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App


def _now() -> float:
    """Textual's clock, as it stamps events (`Message.time`)."""
    return events.Event().time


class FreshKeys:
    """Mixin for a screen whose answer matters (a password, yes/no, a file name): it takes only
    the keys typed after it was opened (made, just before it is pushed)."""

    opened_at: float = float("inf")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened_at = _now()


class DropsTypeAhead(App[Any]):
    """The app's side of `FreshKeys`: a key typed before the top screen opened is dropped."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            stack = self.screen_stack
            screen = stack[-1] if stack else None
            opened_at = getattr(screen, "opened_at", None)  # a FreshKeys screen on top
            if isinstance(opened_at, float) and event.time < opened_at:
                return
        await super().on_event(event)
