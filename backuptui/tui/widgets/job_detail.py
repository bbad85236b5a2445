"""The detail pane: every field of the selected job, none hidden, as plain text.

Everything here came from the appliance, so it is assembled as `Content` from plain strings made
safe by `safe_text` (control characters shown, never sent to the terminal); nothing is parsed as
markup, so a message containing `[bold]` or `[/]` shows literally.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import ComposeResult
from textual.cache import LRUCache
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from backuptui.core.appliance.models import BackupJob, JobStatus, Message
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
WHY_IT_FAILED = "Why it failed"

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
    """(label, value) for every field of the record, in reading order; values are safe text.

    A failed job starts with why it failed (the most specific message), before any other field."""
    if job.unreadable is not None:  # a stand-in: the record has no fields that could be read
        yield "Job id", one_line(job.id)
        yield "Status", status_label(job.status)
        yield "Field", one_line(job.unreadable.field_path) or "(the whole record)"
        yield "Problem", one_line(job.unreadable.reason)
        yield "", "The appliance's record of this job could not be read, so none of its fields show."
        return
    if job.status == JobStatus.FAILED and job.problem:
        yield WHY_IT_FAILED, one_line(job.problem)
    yield "Job id", one_line(job.id)
    yield "Status", status_label(job.status)
    if job.gone:
        yield GONE_LABEL, "no longer on the appliance: the local history kept this job"
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


GONE_LABEL = "Kept"


def _value_style(job: BackupJob, label: str) -> str:
    if label == GONE_LABEL:
        return "$text-warning"
    if label == "Status":
        return TONE_STYLES[status_tone(job.status)]
    if label in (WHY_IT_FAILED, "Problem") or (label == "Error" and job.error is not None):
        return "$text-error"
    return ""


def job_detail_lines(job: BackupJob, width: int) -> list[Content]:
    """The detail pane's lines at `width` cells: labels on the left, values wrapped beside them
    (a hanging indent keeps a long location or message readable in a narrow pane)."""
    value_width = max(12, width - LABEL_WIDTH)
    blank = Content(" " * LABEL_WIDTH)
    lines: list[Content] = []
    for label, value in job_fields(job):
        style = _value_style(job, label)
        value_content = Content.styled(value, style) if style else Content(value)
        wrapped = value_content.wrap(value_width) or [Content("")]
        head = Content.styled(label.ljust(LABEL_WIDTH), "$text-muted")
        lines.append(head + wrapped[0])
        lines.extend(blank + part for part in wrapped[1:])
    return lines


def job_detail_content(job: BackupJob, width: int = 200) -> Content:
    """All of `job` as one text, `width` cells wide."""
    return Content("\n").join(job_detail_lines(job, width))


class DetailBody(Widget):
    """The fields of one job, laid out for the pane's current width.

    Moving the cursor shows another job here on every key press, so this is kept cheap: the lines
    of recently shown records are cached (per job id, kept while the record is the same), and a new
    job with as many lines as the one before repaints only this widget; only a change of height
    needs a layout pass of the screen."""

    DEFAULT_CSS = """
    DetailBody { height: auto; width: 1fr; }
    """

    #: how many recently shown records keep their laid-out lines
    CACHE_SIZE = 64

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._job: BackupJob | None = None
        self._empty_text = "No job selected."
        self._lines: tuple[int, list[Content]] | None = None  # (width, lines) shown
        self._cache: LRUCache[str, tuple[BackupJob, int, list[Content]]] = LRUCache(self.CACHE_SIZE)
        #: how many times showing a job needed a layout pass (tests prove a same-height job needs none)
        self.layouts = 0

    def show(self, job: BackupJob | None, empty_text: str) -> None:
        shown = self._lines
        self._job, self._empty_text, self._lines = job, empty_text, None
        if shown is not None and len(self.lines(shown[0])) == len(shown[1]):
            self.refresh()  # same height at the same width: no layout needed
        else:
            self.layouts += 1
            self.refresh(layout=True)

    def lines(self, width: int) -> list[Content]:
        if self._lines is None or self._lines[0] != width:
            job = self._job
            if job is None:
                lines = Content(self._empty_text).wrap(max(1, width))
            else:
                cached = self._cache.get(job.id)
                if cached is not None and cached[1] == width and (cached[0] is job or cached[0] == job):
                    lines = cached[2]
                else:
                    lines = job_detail_lines(job, width)
                    self._cache[job.id] = (job, width, lines)
            self._lines = (width, lines)
        return self._lines[1]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()  # the theme changed: the cached colours are wrong
        self._lines = None

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_region.width or 80))


class JobDetail(VerticalScroll, can_focus=False):
    """Scrollable pane with all fields of one job; updates only when the job changed."""

    DEFAULT_CSS = """
    JobDetail { height: 1fr; scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._job: BackupJob | None = None
        self._shown = False
        self._empty_text = "No job selected."
        self._title = ""

    def compose(self) -> ComposeResult:
        yield DetailBody(id="detail-body")

    @property
    def job(self) -> BackupJob | None:
        return self._job

    def show_job(self, job: BackupJob | None, empty_text: str = "No job selected.") -> None:
        """Show `job` (or `empty_text`) and its id in the border title; does nothing when it is the
        same record as shown."""
        if self._shown and job == self._job and (job is not None or empty_text == self._empty_text):
            return
        new_job = job is None or self._job is None or job.id != self._job.id
        self._job, self._empty_text, self._shown = job, empty_text, True
        self.query_one(DetailBody).show(job, empty_text)
        title = f"Job {one_line(job.id)}" if job is not None else "Job"
        if title != self._title:
            self._title = self.border_title = title
        if new_job and self.scroll_y:
            self.scroll_home(animate=False)
