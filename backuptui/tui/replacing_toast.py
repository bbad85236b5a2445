"""A toast that is updated in place instead of stacked: a count that grows ("Login refused by 16
appliances") is one toast saying the latest count, not sixteen toasts.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.notifications import Notification, Notify

from backuptui.tui.notices import Notice


class ReplacingToast:
    """The one toast of a kind: showing it again withdraws the one still on screen."""

    def __init__(self) -> None:
        self._shown: Notification | None = None

    def show(self, app: App[Any], notice: Notice) -> None:
        if self._shown is not None:
            # Textual has no public way to change or withdraw one toast (`App.notify` returns
            # nothing; `clear_notifications` clears them all): `_unnotify` is its own way, as the
            # toast's timer uses it. A toast that already timed out is forgotten without error.
            app._unnotify(self._shown)
        timeout = notice.timeout if notice.timeout is not None else app.NOTIFICATION_TIMEOUT
        notification = Notification(notice.message, notice.title, notice.severity, timeout, markup=False)
        self._shown = notification
        app.post_message(Notify(notification))
