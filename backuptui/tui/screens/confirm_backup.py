"""Back up now: the confirmation that says where the backup goes and starts it on an explicit press.

It shows the appliance, the schedule's location and parts (with their sizes, read when it opens)
and a comment to edit. Enter in the comment does not start anything: only the "Start backup"
button (or ctrl+s) does. The start is sent from here, once; a refusal is shown in place with the
comment kept, so the user can correct and send again. Dismisses with the `StartedJob`, with
`OTHER_LOCATION` for the one-off form, or None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar, Final, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from backuptui.core.appliance.actions import ActionRefused, BackupPart, Refusal, StartedJob
from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.models import Schedule
from backuptui.tui.format import one_line
from backuptui.tui.widgets.phrased_text import PhrasedText
from backuptui.tui.worker_failures import ReportsWorkerFailures

OTHER_LOCATION: Final = "other"

Outcome = StartedJob | Literal["other"] | None
StartSchedule = Callable[[str], Awaitable[StartedJob]]
LoadParts = Callable[[], Awaitable[Sequence[BackupPart]]]


def size_text(megabytes: int | None) -> str:
    if megabytes is None:
        return "size unknown"
    return f"{megabytes / 1024:.1f} GB" if megabytes >= 1024 else f"{megabytes} MB"


def parts_phrases(wanted: Sequence[str], parts: Sequence[BackupPart] | None) -> list[str]:
    """The parts a schedule backs up, by name and size (the always-included ones too), a phrase
    each: a part's own name may hold commas ("Stats, Events, and Tasks") and stays whole."""
    if parts is None:
        named = list(wanted)
    else:
        chosen = [part for part in parts if not part.optional or part.id in wanted]
        named = [f"{part.name} ({size_text(part.size_mb)})" for part in chosen]
    if not named:
        return ["the appliance's default parts"]
    return [f"{name}," for name in named[:-1]] + [named[-1]]


class ConfirmBackupScreen(ReportsWorkerFailures, ModalScreen[Outcome]):
    """Confirm "Back up now" through the appliance's schedule."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start backup", id="backup-confirm"),
        Binding("escape", "close", "Cancel", id="backup-close"),
    ]

    DEFAULT_CSS = """
    ConfirmBackupScreen { align: center middle; }
    ConfirmBackupScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
        border: thick $warning; background: $surface;
    }
    ConfirmBackupScreen .field { height: auto; }
    ConfirmBackupScreen #backup-comment { margin: 0; }
    ConfirmBackupScreen #backup-problem { color: $error; height: auto; }
    ConfirmBackupScreen #backup-hint { color: $text-muted; height: auto; }
    ConfirmBackupScreen #backup-buttons { height: auto; align-horizontal: right; }
    ConfirmBackupScreen #backup-buttons Button { margin-left: 1; }
    """

    def __init__(
        self,
        appliance: str,
        schedule: Schedule | None,
        comment: str,
        start: StartSchedule,
        load_parts: LoadParts | None = None,
        *,
        one_off: bool = True,
        no_schedule: bool = False,
    ) -> None:
        super().__init__()
        self.appliance = appliance
        self.schedule = schedule
        self.comment = comment
        self._start = start
        self._load_parts = load_parts
        self._one_off = one_off
        self._no_schedule = no_schedule  # the schedules were read: there is none
        self._sending = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A send that broke (not a refusal: a bug) is reported, and the screen can be left."""
        super().on_worker_state_changed(event)
        if event.state == WorkerState.ERROR:
            self._sending = False

    def compose(self) -> ComposeResult:
        schedule = self.schedule
        with Vertical():
            yield Static(f"Back up {self.appliance} now?", id="backup-title", markup=False)
            if schedule is None:
                where = (
                    "none: the appliance has no backup schedule (use “Other location…”)"
                    if self._no_schedule
                    else "through its backup schedule (not read yet)"
                )
                location = ["Location:", where]
                parts = ["as the schedule says"]
            else:
                location = ["Location:", f"to {one_line(schedule.location, limit=120)}"]
                if schedule.location_user:
                    location.append(f"as {schedule.location_user}")
                location.append(f"(schedule '{schedule.id}')")
                parts = parts_phrases(schedule.parts, None)
            yield PhrasedText(location, classes="field")
            yield PhrasedText(["Parts:", *parts], id="backup-parts", classes="field")
            yield Label("Comment:")
            yield Input(self.comment, id="backup-comment", compact=True)
            yield Static("", id="backup-problem", markup=False)
            yield Static(
                "Starts only on “Start backup” (Tab to it) or ctrl+s. Esc: back.",
                id="backup-hint",
                markup=False,
            )
            with Horizontal(id="backup-buttons"):
                yield Button("Start backup", variant="warning", id="backup-start", compact=True)
                if self._one_off:
                    yield Button("Other location…", id="backup-other", compact=True)
                yield Button("Cancel", id="backup-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#backup-comment", Input).focus()
        if self._load_parts is not None and self.schedule is not None:
            self._read_parts()

    @work(exclusive=True, group="backup-parts", exit_on_error=False)
    async def _read_parts(self) -> None:
        assert self._load_parts is not None and self.schedule is not None
        try:
            parts = await self._load_parts()
        except ApplianceError:
            return  # the part names from the schedule stay; the sizes are a nicety
        self.query_one("#backup-parts", PhrasedText).set_lines(
            ["Parts:", *parts_phrases(self.schedule.parts, parts)]
        )

    @on(Input.Submitted, "#backup-comment")
    def _comment_entered(self, event: Input.Submitted) -> None:
        """Enter in the comment is not a confirmation: it says how to confirm."""
        event.stop()
        self.query_one("#backup-hint", Static).update(
            "Enter does not start a backup: press “Start backup” (Tab, then Enter) or ctrl+s."
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "backup-start":
            self.action_start()
        elif event.button.id == "backup-other":
            self.dismiss(OTHER_LOCATION)
        else:
            self.dismiss(None)

    def action_close(self) -> None:
        if not self._sending:
            self.dismiss(None)

    def action_start(self) -> None:
        if self._sending:
            return
        self._sending = True
        self.query_one("#backup-problem", Static).update("Starting the backup…")
        self.query_one("#backup-start", Button).disabled = True
        self._send(self.query_one("#backup-comment", Input).value)

    @work(exclusive=True, group="backup-start", exit_on_error=False)
    async def _send(self, comment: str) -> None:
        try:
            started = await self._start(comment)
        except ApplianceError as exc:
            self._sending = False
            said = one_line(str(exc), limit=600)
            if isinstance(exc, ActionRefused) and exc.reason is Refusal.FEATURE_IN_USE and exc.running_job:
                said += ". It is selected in the list: Esc, then Enter opens it."
            self.query_one("#backup-problem", Static).update(said)
            self.query_one("#backup-start", Button).disabled = False
            return
        self.dismiss(started)
