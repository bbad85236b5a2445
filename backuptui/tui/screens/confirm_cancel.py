"""Cancel a running backup: the confirmation names the job and how far it got, and shows the
appliance's answer (OK, WARNING or FAIL with its messages). "Keep it running" has the focus, so a
stray Enter cancels nothing. Dismisses with the `ActionAnswer`, or None when nothing was sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from backuptui.core.appliance.actions import ActionAnswer
from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.models import BackupJob
from backuptui.tui.format import human_bytes, human_duration, one_line
from backuptui.tui.widgets.phrased_text import PhrasedText
from backuptui.tui.worker_failures import ReportsWorkerFailures

SendCancel = Callable[[str], Awaitable[ActionAnswer]]


def job_progress(job: BackupJob, now: datetime | None = None) -> str:
    """How far a running job got, in a line: percent, what it does, data so far, time running."""
    bits: list[str] = []
    if job.percent is not None:
        bits.append(f"{job.percent:.0f}%")
    if job.progress is not None and job.progress.message.text:
        bits.append(one_line(job.progress.message.text, limit=60))
    if job.size:
        bits.append(f"{human_bytes(job.size)} so far")
    if job.duration is not None:
        bits.append(f"running for {human_duration(job.duration)}")
    return ", ".join(bits) or job.status.value.lower()


class ConfirmCancelScreen(ReportsWorkerFailures, ModalScreen[ActionAnswer | None]):
    """Confirm canceling one backup job."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Keep it running", id="cancel-close"),
    ]

    DEFAULT_CSS = """
    ConfirmCancelScreen { align: center middle; }
    ConfirmCancelScreen > Vertical {
        width: 72; max-width: 100%; height: auto; padding: 1 2;
        border: thick $error; background: $surface;
    }
    ConfirmCancelScreen #cancel-answer { height: auto; margin-top: 1; }
    ConfirmCancelScreen #cancel-answer.-empty { display: none; }
    ConfirmCancelScreen #cancel-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmCancelScreen #cancel-buttons Button { margin-left: 2; }
    """

    def __init__(self, appliance: str, job: BackupJob, send: SendCancel) -> None:
        super().__init__()
        self.appliance = appliance
        self.job = job
        self._send_cancel = send
        self._sending = False
        self._answer: ActionAnswer | None = None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A send that broke (not a refusal: a bug) is reported, and the screen can be left."""
        super().on_worker_state_changed(event)
        if event.state == WorkerState.ERROR:
            self._sending = False

    def compose(self) -> ComposeResult:
        job = self.job
        with Vertical():
            yield PhrasedText(
                [f"Cancel backup {job.id}", f"on {self.appliance}?"],
                f"It is at {job_progress(job)}.",
                "What it has written so far is not a usable backup.",
                id="cancel-question",
            )
            yield Static("", id="cancel-answer", classes="-empty", markup=False)
            with Horizontal(id="cancel-buttons"):
                yield Button("Keep it running", variant="primary", id="cancel-keep", compact=True)
                yield Button("Cancel the backup", variant="error", id="cancel-confirm", compact=True)

    def on_mount(self) -> None:
        self.query_one("#cancel-keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel-confirm":
            if not self._sending:
                self._sending = True
                event.button.disabled = True
                self.query_one("#cancel-answer", Static).update("Asking the appliance to cancel…")
                self.query_one("#cancel-answer").remove_class("-empty")
                self._send(self.job.id)
        else:
            self.action_close()

    def action_close(self) -> None:
        if not self._sending:
            self.dismiss(self._answer)

    @work(exclusive=True, group="cancel-job", exit_on_error=False)
    async def _send(self, job_id: str) -> None:
        try:
            answer = await self._send_cancel(job_id)
        except ApplianceError as exc:
            self._sending = False
            self.query_one("#cancel-answer", Static).update(one_line(str(exc), limit=600))
            self.query_one("#cancel-keep", Button).label = "Close"
            return
        self._sending = False
        self._answer = answer
        if answer.status == "OK":
            self.dismiss(answer)
            return
        self.query_one("#cancel-answer", Static).update(f"The appliance answered {answer.describe()}")
        self.query_one("#cancel-keep", Button).label = "Close"
