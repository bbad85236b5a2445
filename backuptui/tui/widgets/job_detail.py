"""The detail pane: every field of the selected job, none hidden, as plain text.

Everything here came from the appliance, so it is assembled as `Content` from plain strings made
safe by `safe_text` (control characters shown, never sent to the terminal); nothing is parsed as
markup, so a message containing `[bold]` or `[/]` shows literally.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual import events
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import Visual
from textual.widget import Widget

from backuptui.core.appliance.failure_cause import canceled_by_user
from backuptui.core.appliance.models import BackupJob, JobStatus, Message
from backuptui.tui.format import (
    EMPTY,
    Tone,
    human_bytes,
    human_duration,
    job_status_label,
    job_status_tone,
    local_time,
    local_time_with_zone,
    one_line,
    percent_text,
    safe_text,
    status_label,
)

LABEL_WIDTH = 15
WHY_IT_FAILED = "Why it failed"
CANCELED = "Canceled"

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

    A failed job starts with why it failed (the most specific message), before any other field;
    one a user canceled, with when it was canceled and the appliance's words about it."""
    if job.unreadable is not None:  # a stand-in: the record has no fields that could be read
        yield "Job id", one_line(job.id)
        yield "Status", status_label(job.status)
        yield "Field", one_line(job.unreadable.field_path) or "(the whole record)"
        yield "Problem", one_line(job.unreadable.reason)
        yield "", "The appliance's record of this job could not be read, so none of its fields show."
        return
    canceled = canceled_by_user(job)
    if canceled:
        # the record says when the job ended, not who canceled it (`user` started it): the
        # appliance's own words say by whom, where they do
        said = [f"at {local_time_with_zone(job.end_time)}"] if job.end_time is not None else []
        said += [one_line(job.problem)] if job.problem else []
        yield CANCELED, ": ".join(said) or "by a user"
    elif job.status == JobStatus.FAILED and job.problem:
        yield WHY_IT_FAILED, one_line(job.problem)
    yield "Job id", one_line(job.id)
    # the appliance has no CANCELED status: the word it sent stays in sight
    yield (
        "Status",
        f"{job_status_label(job)}  (FAILED on the appliance)" if canceled else status_label(job.status),
    )
    if job.gone:
        since = f" since {local_time(job.gone_since, seconds=False)}" if job.gone_since else ""
        yield GONE_LABEL, f"no longer on the appliance{since}: the local history kept this job"
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
        return TONE_STYLES[job_status_tone(job)]
    if label == CANCELED or (label == "Error" and job.error is not None and canceled_by_user(job)):
        return "$text-warning"  # a cancel is no failure (the health verdict says WARNING)
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


class JobDetail(ScrollView, can_focus=False):
    """Scrollable pane with all fields of one job, drawn a line at a time (Line API).

    Moving the cursor shows another job here on every key press, so this is kept cheap: the lines
    of recently shown records are laid out and rendered once (cached per job id, kept while the
    record, the width and the theme are the same), and only the lines on screen are drawn. The
    pane's size comes from the stylesheet, never from its content, so a job with more or fewer
    lines changes only the scroll range: no layout pass of the screen, unless the scrollbar has to
    come or go (a layout for a size change costs Textual two passes and a full repaint)."""

    DEFAULT_CSS = """
    JobDetail { height: 1fr; overflow-x: hidden; overflow-y: auto; scrollbar-size-vertical: 1; }
    """

    #: how many recently shown records keep their rendered lines
    CACHE_SIZE = 64

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._job: BackupJob | None = None
        self._shown = False
        self._empty_text = "No job selected."
        self._title = ""
        self._view: _View | None = None  # the lines shown, at the width they were laid out for
        self._cache: LRUCache[str, _View] = LRUCache(self.CACHE_SIZE)
        self._selected: tuple[tuple[Selection, _View], list[Strip]] | None = None  # drawn with a selection
        #: how many times showing a job needed a layout pass (tests prove a job of another height
        #: needs none while the scrollbar stays)
        self.layouts = 0

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
        self._view = None
        title = f"Job {one_line(job.id)}" if job is not None else "Job"
        if title != self._title:
            self._title = self.border_title = title
        if new_job and self.scroll_y:
            self.scroll_to(y=0, animate=False)
        self._fit_scroll_range()
        self.refresh()

    # -- the lines ------------------------------------------------------------------------

    def lines(self) -> list[Content]:
        """The shown record's lines at the pane's current width."""
        return self._current_view().lines

    def render(self) -> Content:
        """All the shown lines as one text (what a selection copies from)."""
        return Content("\n").join(self.lines())

    def _current_view(self) -> _View:
        width = self.scrollable_content_region.width or 80
        style = self.visual_style
        view = self._view
        if view is not None and view.width == width and view.style == style:
            return view
        job = self._job
        if job is None:
            view = _View(None, width, style, Content(self._empty_text).wrap(max(1, width)))
        else:
            cached = self._cache.get(job.id)
            if cached is not None and cached.fits(job, width, style):
                view = cached
            else:
                view = _View(job, width, style, job_detail_lines(job, width))
                self._cache[job.id] = view
        self._view = view
        return view

    def _fit_scroll_range(self) -> None:
        """Make the scroll range as tall as the shown lines.

        Textual's `virtual_size` asks for a layout on every change; the pane's size does not depend
        on it, so while the scrollbar stays as it is, the new range is set without one (as
        Textual's own layout does, `set_reactive`) and the scrollbar told its new extent."""
        size = Size(0, len(self.lines()))
        if size == self.virtual_size:
            return
        visible = self.container_size.height
        scrollbar = size.height > visible
        if self.is_mounted and visible and scrollbar == self.show_vertical_scrollbar:
            self.set_reactive(ScrollView.virtual_size, size)
            if scrollbar:
                self.vertical_scrollbar.window_virtual_size = size.height
            self.scroll_y = self.scroll_y  # validated: kept within the new range
        else:
            self.layouts += 1
            self.virtual_size = size

    # -- rendering ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()  # the theme changed: the cached colours are wrong
        self._view = None

    def on_resize(self, event: events.Resize) -> None:
        self._fit_scroll_range()

    def watch_show_vertical_scrollbar(self) -> None:
        # the scrollbar came or went, so the lines are laid out one cell wider or narrower: the
        # range follows once Textual's layout has set the scrollbar (it writes the old range)
        self.call_next(self._fit_scroll_range)

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_y) + y
        view = self._current_view()
        selection = self.text_selection
        if selection is not None:
            # a selection is drawn into the text (its offsets count lines of the whole text)
            if self._selected is None or self._selected[0] != (selection, view):
                text = Content("\n").join(view.lines)
                drawn = Visual.to_strips(self, text, view.width, None, view.style)
                self._selected = ((selection, view), drawn)
            strips = self._selected[1]
        else:
            strips = view.strips(self)
        if row >= len(strips):
            return Strip.blank(view.width, view.style.rich_style)
        return strips[row]

    def selection_updated(self, selection: Selection | None) -> None:
        if selection is None:
            self._selected = None
        self.refresh()


class _View:
    """One record's lines laid out for a width, and (once drawn) rendered with a style."""

    __slots__ = ("_strips", "job", "lines", "style", "width")

    def __init__(self, job: BackupJob | None, width: int, style: VisualStyle, lines: list[Content]) -> None:
        self.job, self.width, self.style, self.lines = job, width, style, lines
        self._strips: list[Strip] | None = None

    def fits(self, job: BackupJob, width: int, style: VisualStyle) -> bool:
        """Still right for `job` (the same record) at `width` with `style`."""
        return self.width == width and self.style == style and (self.job is job or self.job == job)

    def strips(self, widget: Widget) -> list[Strip]:
        if self._strips is None:
            text = Content("\n").join(self.lines)
            self._strips = Visual.to_strips(widget, text, self.width, None, self.style)
        return self._strips
