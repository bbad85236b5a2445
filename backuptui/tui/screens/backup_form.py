"""A one-off backup to another location: where, who logs in there, the parts, then the
appliance's own validation, then an explicit start.

The two passwords are masked inputs. They are read into `Secret`s only to build the one request
being sent, never kept on the screen object, and cleared from their inputs after every request,
so a failed action leaves the form filled in except for them (correct, retype, send again).
"Start backup" is enabled only after "Validate" passed for exactly what the form holds now; the
validation's warnings are shown until the start. Dismisses with the `StartedJob`, or None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from backuptui.core.appliance.actions import (
    ActionAnswer,
    BackupPart,
    BackupRequest,
    LocationType,
    StartedJob,
)
from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.secret import Secret
from backuptui.tui.format import one_line
from backuptui.tui.screens.confirm_backup import size_text
from backuptui.tui.worker_failures import ReportsWorkerFailures

Validate = Callable[[BackupRequest], Awaitable[ActionAnswer]]
Start = Callable[[BackupRequest], Awaitable[StartedJob]]
LoadParts = Callable[[], Awaitable[Sequence[BackupPart]]]

PASSWORD_INPUTS = ("#form-location-password", "#form-backup-password")


class BackupFormScreen(ReportsWorkerFailures, ModalScreen[StartedJob | None]):
    """The "other location" form of Back up now."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", id="form-close"),
    ]

    DEFAULT_CSS = """
    BackupFormScreen { align: center middle; }
    BackupFormScreen > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    BackupFormScreen VerticalScroll { height: auto; max-height: 1fr; }
    BackupFormScreen .row { height: 1; }
    BackupFormScreen .row Label { width: 19; }
    BackupFormScreen .row Input, BackupFormScreen .row Select { width: 1fr; }
    BackupFormScreen #form-parts { height: auto; }
    BackupFormScreen #form-parts Checkbox { height: 1; }
    BackupFormScreen #form-problem { color: $error; height: auto; }
    BackupFormScreen #form-warnings { color: $warning; height: auto; }
    BackupFormScreen #form-buttons { height: 1; align-horizontal: right; }
    BackupFormScreen #form-buttons Button { margin-left: 1; }
    """

    def __init__(
        self,
        appliance: str,
        comment: str,
        *,
        validate: Validate,
        start: Start,
        load_parts: LoadParts | None = None,
    ) -> None:
        super().__init__()
        self.appliance = appliance
        self.comment = comment
        self._validate = validate
        self._start = start
        self._load_parts = load_parts
        self._parts: tuple[BackupPart, ...] = ()
        self._validated: BackupRequest | None = None  # passwords dropped: what "Validate" passed
        self._sending = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A send that broke (not a refusal: a bug) is reported, and the screen can be left."""
        super().on_worker_state_changed(event)
        if event.state == WorkerState.ERROR:
            self._sending = False

    def compose(self) -> ComposeResult:
        kinds = [(str(kind), kind) for kind in LocationType]
        with Vertical():
            yield Static(f"One-off backup of {self.appliance} to another location", markup=False)
            with VerticalScroll():
                with Horizontal(classes="row"):
                    yield Label("Location type")
                    yield Select(
                        kinds, value=LocationType.SFTP, allow_blank=False, id="form-type", compact=True
                    )
                with Horizontal(classes="row"):
                    yield Label("Location URL")
                    yield Input(placeholder="sftp://host/path", id="form-location", compact=True)
                with Horizontal(classes="row"):
                    yield Label("User there")
                    yield Input(id="form-user", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Its password")
                    yield Input(password=True, id="form-location-password", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Backup password")
                    yield Input(
                        password=True,
                        placeholder="optional: encrypts; 8-20, Aa, 0-9, !",
                        id="form-backup-password",
                        compact=True,
                    )
                yield Vertical(Static("Reading the parts…", markup=False), id="form-parts")
                with Horizontal(classes="row"):
                    yield Label("Comment")
                    yield Input(self.comment, id="form-comment", compact=True)
                yield Static("", id="form-problem", markup=False)
                yield Static("", id="form-warnings", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Validate", variant="primary", id="form-validate", compact=True)
                yield Button("Start backup", variant="warning", id="form-start", disabled=True, compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#form-location", Input).focus()
        if self._load_parts is not None:
            self._read_parts()

    @work(exclusive=True, group="form-parts", exit_on_error=False)
    async def _read_parts(self) -> None:
        assert self._load_parts is not None
        box = self.query_one("#form-parts", Vertical)
        try:
            self._parts = tuple(await self._load_parts())
        except ApplianceError as exc:
            await box.remove_children()
            await box.mount(Static(f"Parts: the appliance's defaults ({one_line(str(exc), limit=80)})"))
            return
        await box.remove_children()
        await box.mount_all(
            Checkbox(
                f"{part.name} ({size_text(part.size_mb)})" + ("" if part.optional else ", always included"),
                value=part.selected_by_default or not part.optional,
                disabled=not part.optional,
                id=f"part-{part.id}",
                compact=True,
            )
            for part in self._parts
        )

    # -- what the form holds ----------------------------------------------------------------

    def _request(self) -> BackupRequest:
        """The request the form describes now, its passwords read from the inputs."""
        kind = self.query_one("#form-type", Select).value
        location_type = kind if isinstance(kind, LocationType) else LocationType.SFTP
        parts = tuple(part.id for part in self._parts if self.query_one(f"#part-{part.id}", Checkbox).value)
        location_password = self.query_one("#form-location-password", Input).value
        backup_password = self.query_one("#form-backup-password", Input).value
        return BackupRequest(
            location_type=location_type,
            location=self.query_one("#form-location", Input).value.strip(),
            location_user=self.query_one("#form-user", Input).value.strip(),
            location_password=Secret(location_password) if location_password else None,
            backup_password=Secret(backup_password) if backup_password else None,
            parts=parts,
            comment=self.query_one("#form-comment", Input).value,
        )

    def _clear_passwords(self) -> None:
        for selector in PASSWORD_INPUTS:
            self.query_one(selector, Input).value = ""

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        """What was validated no longer holds: validate again before starting."""
        if isinstance(event, Input.Changed) and event.input.id == "form-location":
            found = LocationType.for_location(event.value)
            if found is not None:
                self.query_one("#form-type", Select).value = found
        if not self._sending:
            self._validated = None
            self.query_one("#form-start", Button).disabled = True

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field; it never starts a backup."""
        event.stop()
        self.focus_next()

    # -- buttons ----------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self._sending:
            return
        if event.button.id == "form-validate":
            self._begin("Asking the appliance to validate…")
            self._run_validate(self._request())
        elif event.button.id == "form-start":
            self._begin("Starting the backup…")
            self._run_start(self._request())
        else:
            self.dismiss(None)

    def action_close(self) -> None:
        if not self._sending:
            self.dismiss(None)

    def _begin(self, doing: str) -> None:
        self._sending = True
        self.query_one("#form-problem", Static).update(doing)
        self.query_one("#form-start", Button).disabled = True

    def _failed(self, exc: ApplianceError) -> None:
        self._sending = False
        self._validated = None
        self._clear_passwords()
        self.query_one("#form-problem", Static).update(
            one_line(str(exc), limit=600).rstrip(".") + ". The passwords were cleared: type them again."
        )

    @work(exclusive=True, group="form-send", exit_on_error=False)
    async def _run_validate(self, request: BackupRequest) -> None:
        try:
            answer = await self._validate(request)
        except ApplianceError as exc:
            self._failed(exc)
            return
        self._sending = False
        problem = self.query_one("#form-problem", Static)
        warnings = self.query_one("#form-warnings", Static)
        if not answer.ok:
            problem.update(f"The appliance does not accept it: {answer.describe()}")
            warnings.update("")
            return
        self._validated = request.without_passwords()
        problem.update("Validated: press “Start backup” to start it (passwords are sent again with it).")
        warnings.update("\n".join(f"▲ {one_line(text, limit=200)}" for text in answer.messages))
        self.query_one("#form-start", Button).disabled = False

    @work(exclusive=True, group="form-send", exit_on_error=False)
    async def _run_start(self, request: BackupRequest) -> None:
        if self._validated is None or request.without_passwords() != self._validated:
            self._sending = False
            self.query_one("#form-problem", Static).update(
                "The form changed since it was validated: validate again."
            )
            return
        try:
            started = await self._start(request)
        except ApplianceError as exc:
            self._failed(exc)
            return
        self._clear_passwords()
        self.dismiss(started)
