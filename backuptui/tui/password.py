"""The masked password prompt: when no password was given, or the appliance refused it.

The typed password goes straight into a `Secret`; the Input is cleared as soon as it is read, so
the clear text does not linger in a widget (or in a crash report that dumps widget state).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from backuptui.core.appliance.secret import Secret
from backuptui.tui.format import one_line
from backuptui.tui.typeahead import FreshKeys

#: where a password came from (a target's `credentials_from`) in the user's words
_ORIGINS = {
    "environment": "BACKUPTUI_PASSWORD",
    "stdin": "standard input (--password-stdin)",
    "keyring": "the system keyring",
    "password_command": "the profile's password_command",
    "typed": "what you typed",
}


def password_origin(source: str | None) -> str | None:
    """Where a refused password came from, for the prompt; None when it is not known."""
    if source is None:
        return None
    if source.startswith("BACKUPTUI_PASSWORD"):
        return source  # the environment variable's own name
    return _ORIGINS.get(source)


class PasswordScreen(FreshKeys, ModalScreen[Secret | None]):
    """Asks for the password of `user` on `appliance`; dismisses with a Secret, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="password-cancel"),
    ]

    DEFAULT_CSS = """
    PasswordScreen { align: center middle; }
    PasswordScreen > Vertical {
        width: 72; max-width: 100%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    PasswordScreen Label { width: 1fr; }
    PasswordScreen #password-problem { color: $text-error; margin-bottom: 1; }
    PasswordScreen #password-origin { margin-bottom: 1; }
    PasswordScreen #password-hint { color: $text-muted; margin-top: 1; }
    """

    #: the line under the field
    HINT = "Enter to log in, Esc to quit. Nothing is retried until you enter it."

    def __init__(
        self,
        appliance: str,
        user: str,
        problem: str | None = None,
        *,
        origin: str | None = None,
        hint: str | None = None,
    ) -> None:
        """`origin`: where the refused password came from (`password_origin`), said under the problem;
        `hint`: what Enter and Esc do, when not `HINT` (in the fleet Esc goes back to it)."""
        super().__init__()
        self.hint = hint or self.HINT
        self.appliance = appliance
        self.user = user
        self.problem = problem
        self.origin = origin

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.problem:
                yield Label(one_line(self.problem), id="password-problem", markup=False)
            if self.origin:
                yield Label(
                    f"The refused password came from {self.origin}.",
                    id="password-origin",
                    markup=False,
                )
            yield Label(
                f"Password for {one_line(self.user)} on {one_line(self.appliance)}:",
                id="password-label",
                markup=False,
            )
            yield Input(password=True, id="password-input", placeholder="password")
            yield Label(
                self.hint,
                id="password-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        secret = Secret(event.value)
        event.input.value = ""
        if secret:
            self.dismiss(secret)

    def action_cancel(self) -> None:
        self.query_one(Input).value = ""
        self.dismiss(None)
