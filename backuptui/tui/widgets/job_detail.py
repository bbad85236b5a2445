"""The detail pane: every field of the selected job, none hidden, as plain text.

Everything here came from the appliance, so it is assembled as `Content` from plain strings made
safe by `safe_text` (control characters shown, never sent to the terminal); nothing is parsed as
markup, so a message containing `[bold]` or `[/]` shows literally.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from backuptui.core.models import BackupJob, Message
from backuptui.tui.format import (
    EMPTY,
    Tone,
    human_bytes,
    human_duration,
    local_time_with_zone,
    one_line,
    percent_text,
    safe_text,
    status_label,
    status_tone,
)

LABEL_WIDTH = 15

TONE_STYLES: dict[Tone, str] = {
    Tone.GOOD: "$text-success bold",
    Tone.BAD: "$text-error bold",
    Tone.ACTIVE: "$text-accent bold",
    Tone.WARNING: "$text-warning bold",
    Tone.NEUTRAL: "bold",
}


def _yes_no(value: bool | None) -> str:
    if value is None:
        return EMPTY
    return "yes" if value else "no"


def _message_line(message: Message) -> str:
    text = one_line(message.text) or EMPTY
    return f"{text}  ({one_line(message.id)})" if message.id else text


def job_fields(job: BackupJob) -> Iterator[tuple[str, str]]:
    """(label, value) for every field of the record, in reading order; values are safe text."""
    yield "Job id", one_line(job.id)
    yield "Status", status_label(job.status)
    yield "Type", one_line(str(job.type))
    yield "Description", _message_line(job.description)
    yield "Started", local_time_with_zone(job.start_time)
    yield "Ended", local_time_with_zone(job.end_time)
    seconds = f"  ({job.duration} s)" if job.duration is not None else ""
    yield "Duration", human_duration(job.duration) + seconds
    yield "Data", human_bytes(job.size) + (f"  ({job.size:,} bytes)" if job.size is not None else "")
    if job.progress is not None:
        progress = job.progress
        yield "Progress", f"{percent_text(progress.percent)}  ({progress.completed} of {progress.total})"
        yield "Progress note", _message_line(progress.message)
    else:
        yield "Progress", EMPTY
    yield "Location", safe_text(job.location, keep_newlines=False) or EMPTY
    yield "Location user", one_line(job.location_user) or EMPTY
    yield "User", one_line(job.user) if job.user else EMPTY
    yield "Service", one_line(job.service) or EMPTY
    yield "Operation", one_line(job.operation) or EMPTY
    yield "Parent", one_line(job.parent) if job.parent else EMPTY
    yield "Target", f"{one_line(job.target.type)} {one_line(job.target.id)}" if job.target else EMPTY
    yield "Cancelable", _yes_no(job.cancelable)
    if job.build is not None:
        parts = [job.build.version_name, job.build.version, job.build.build_number]
        build = " ".join(one_line(part) for part in parts if part)
        yield "Build", build or EMPTY
    else:
        yield "Build", EMPTY
    yield "Fast backup", _yes_no(job.fast_backup)
    if job.messages:
        for index, message in enumerate(job.messages):
            yield ("Messages" if index == 0 else ""), _message_line(message)
    else:
        yield "Messages", "none"
    if job.error is not None:
        summary = one_line(job.error.summary) if job.error.summary else "(no message)"
        if job.error.error_type:
            summary += f"  [{one_line(job.error.error_type)}]"
        yield "Error", summary
        for message in job.error.messages[1:]:
            yield "", _message_line(message)
    else:
        yield "Error", EMPTY


def job_detail_content(job: BackupJob) -> Content:
    """The detail pane's text for `job`: a label column and the values, wrapped by the widget."""
    parts: list[str | tuple[str, str]] = []
    for label, value in job_fields(job):
        parts.append((label.ljust(LABEL_WIDTH), "$text-muted"))
        if label == "Status":
            parts.append((value, TONE_STYLES[status_tone(job.status)]))
        elif label == "Error" and job.error is not None:
            parts.append((value, "$text-error"))
        else:
            parts.append(value)
        parts.append("\n")
    parts.pop()
    return Content.assemble(*parts)


class JobDetail(VerticalScroll, can_focus=False):
    """Scrollable pane with all fields of one job; updates only when the job changed."""

    DEFAULT_CSS = """
    JobDetail { height: 1fr; scrollbar-size-vertical: 1; }
    JobDetail > #detail-body { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._job: BackupJob | None = None
        self._shown = False
        self._empty_text = "No job selected."

    def compose(self) -> ComposeResult:
        yield Static(Content(self._empty_text), id="detail-body", markup=False)

    @property
    def job(self) -> BackupJob | None:
        return self._job

    def show_job(self, job: BackupJob | None, empty_text: str = "No job selected.") -> None:
        """Show `job` (or `empty_text`); does nothing when it is the same record as shown."""
        if self._shown and job == self._job and (job is not None or empty_text == self._empty_text):
            return
        new_job = job is None or self._job is None or job.id != self._job.id
        self._job, self._empty_text, self._shown = job, empty_text, True
        body = self.query_one("#detail-body", Static)
        body.update(job_detail_content(job) if job is not None else Content(empty_text))
        if new_job:
            self.scroll_home(animate=False)
