"""What the app waits for before it can log in: a profile's password command (a vault CLI may take
seconds, up to its 30 s timeout). Esc stops the command and asks for the password instead; Ctrl-C
quits. Keys typed meanwhile are not kept for the prompt that may follow (`typeahead`)."""

from __future__ import annotations

import threading
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, LoadingIndicator

from backuptui.tui.format import one_line
from backuptui.tui.typeahead import FreshKeys


class WaitingScreen(FreshKeys, ModalScreen[None]):
    """`Waiting for the password command of profile 'lab'…`; Esc sets `cancel`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Stop it and type the password", id="waiting.cancel"),
    ]

    DEFAULT_CSS = """
    WaitingScreen { align: center middle; }
    WaitingScreen > Vertical {
        width: 72; max-width: 100%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    WaitingScreen Label { width: 1fr; }
    WaitingScreen LoadingIndicator { height: 1; margin: 1 0; }
    WaitingScreen #waiting-hint { color: $text-muted; }
    """

    def __init__(self, what: str, cancel: threading.Event) -> None:
        """`what`: what runs, in the user's words; `cancel`: set on Esc (and when this closes)."""
        super().__init__(id="waiting")
        self.what = what
        self.cancel = cancel

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Waiting for {one_line(self.what)}…", id="waiting-what", markup=False)
            yield LoadingIndicator()
            yield Label(
                "It may take a few seconds (30 s at most). Esc stops it and asks for the password; "
                "Ctrl-C quits.",
                id="waiting-hint",
                markup=False,
            )

    def action_cancel(self) -> None:
        self.cancel.set()
        self.query_one("#waiting-what", Label).update(f"Stopping {one_line(self.what)}…")

    def on_unmount(self) -> None:
        self.cancel.set()  # however this closes, the command does not outlive it
