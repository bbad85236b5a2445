"""Waiting in Pilot tests: for a condition on the app, and for the password prompt to take keys.

A test waits for what the app does, never for time; `within` only bounds how long a failure takes
to be reported, with the screen it was waiting on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from screen_text import screen_text
from textual.pilot import Pilot

from backuptui.tui.password import PasswordScreen


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], bool], what: str = "condition", within: float = 30.0
) -> None:
    """Let the app run until `condition()` holds; an AssertionError naming `what` (and showing
    the screen) if it does not within `within` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{screen_text(pilot.app)}")
        await pilot.pause(0.02)


def prompt_ready(app: Any) -> bool:
    """The password prompt is up and its field has the focus: keys typed before that are dropped
    (type-ahead never lands in a prompt), and the prompt opens only after a reachability check."""
    return isinstance(app.screen, PasswordScreen) and any(
        each.has_focus for each in app.screen.query("#password-input")
    )
