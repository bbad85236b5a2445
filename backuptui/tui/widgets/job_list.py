"""The job list: every backup job, newest first, drawn a line at a time (Line API).

A `DataTable` measures every cell of every row, which costs about a second for 10,000 jobs
(measured: a first paint of 1.1 s under `run_test`, most of it spent measuring cells). This list
only renders the rows on screen, caches each row's strip by job id, and repaints a row only when its
job changed, so the first paint does not grow with the length of the history. The cursor is a job
id, not a row number: it stays on the same job when new jobs arrive at the top. The selected job's
id is a reactive (`selected_id`) that the screen watches, so whatever shows the selected job is
updated in the same frame as the cursor: a message would reach the screen only after Textual had
painted the moved cursor, and the next frame waits for the screen's update timer (17-33 ms)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from backuptui.core.appliance.models import BackupJob
from backuptui.tui.format import (
    EMPTY,
    ellipsize,
    human_bytes,
    human_duration,
    job_status_label,
    job_status_tone,
    local_time,
    one_line,
    percent_text,
    shorten_location,
)

JobPredicate = Callable[[BackupJob], bool]

#: the location column of a job the appliance no longer lists (the local history kept it)
GONE_NOTE = "no longer on the appliance"
GONE_SHORT = "no longer on appliance"


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: int  # 0: takes the rest of the line
    align: str = "left"


#: the start time at the end of a backup folder's name: `M_8.0.3.00400_20261128-094100_`
_STAMP = re.compile(r"_?\d{8}-\d{6}_?$")


def columns_for(width: int) -> tuple[Column, ...]:
    """The columns that suit a line of `width` cells; the location takes what is left."""
    fixed: tuple[Column, ...]
    if width >= 100:
        fixed = (
            Column("Status", 12),
            Column("Type", 12),
            Column("Start", 19),
            Column("Duration", 8, "right"),
            Column("Data", 9, "right"),
            Column("Done", 4, "right"),
        )
    else:
        # Narrow (80 columns): the start keeps its year and the location its host; "Done" goes
        # (a running job's percentage is in the progress widget, a finished one's is 100%).
        fixed = (
            Column("Status", 11),
            Column("Type", 9),
            Column("Start", 16),
            Column("Took", 7, "right"),
            Column("Data", 8, "right"),
        )
    used = sum(c.width for c in fixed) + len(fixed)  # one space after each column
    return (*fixed, Column("Location", max(8, width - used - 1)))


def _cell(text: str, column: Column) -> str:
    if column.align == "right":
        return set_cell_size(text, column.width) if len(text) > column.width else text.rjust(column.width)
    return set_cell_size(text, column.width)


def row_cells(job: BackupJob, columns: Sequence[Column]) -> list[str]:
    """The texts of one job's row, one per column, in the order of `columns_for`."""
    wide = columns[2].width >= 19
    values = [
        job_status_label(job),
        one_line(str(job.type)),
        local_time(job.start_time, seconds=wide),
        human_duration(job.duration),
        human_bytes(job.size),
    ]
    if len(columns) > 6:
        values.append(percent_text(job.percent))
    width = columns[-1].width
    if job.gone:  # the appliance no longer lists it: say so where the location would be
        values.append(gone_note(job, width))
    elif job.location:
        values.append(narrow_location(job, width))
    else:  # an unreadable record shows its id here
        values.append(ellipsize(one_line(job.id), width) if job.unreadable else EMPTY)
    return values


def gone_note(job: BackupJob, width: int) -> str:
    """The location cell of a job the appliance no longer lists: the note, then the location if
    there is room for a useful part of it; a shorter note in a narrow column."""
    if width >= len(GONE_NOTE) + 14:
        return f"{GONE_NOTE} · {narrow_location(job, width - len(GONE_NOTE) - 3)}"
    if width >= len(GONE_NOTE):
        return GONE_NOTE
    return ellipsize(GONE_SHORT, width)


def narrow_location(job: BackupJob, width: int) -> str:
    """The location for a column `width` wide: its host whole, then the backup folder's tail.

    A folder name ends in the backup's start (`M_8.0.3.00400_20261128-094100_`), which the Start
    column already shows: when the whole path does not fit, that repeat goes first."""
    location = job.location or ""
    full = shorten_location(location, width)
    host, _, path = shorten_location(location, 1 << 20).partition("/")
    folder = next((part for part in reversed(path.split("/")) if part), "")
    if full.startswith(f"{host}/") and full.endswith(f"/{folder}"):
        return full  # the host and the whole folder name fit
    folder = _STAMP.sub("", folder) or folder
    room = width - len(host) - 2
    if not host or "://" not in location:
        return full
    if room < 4:  # the host alone fills the column: which server it went to matters most
        return ellipsize(host, width)
    return f"{host}/…{folder[-room:]}"


class JobList(ScrollView, can_focus=True):
    """A virtual list of backup jobs with a cursor that follows a job, not a row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="cursor-up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="cursor-down"),
        Binding("home,g", "cursor_first", "First", show=False, id="cursor-first"),
        Binding("end,G", "cursor_last", "Last", show=False, id="cursor-last"),
        Binding("pageup", "page_up", "Page up", show=False, id="page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page-down"),
        Binding("enter", "drill", "Open", id="open-job"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "job-list--header",
        "job-list--cursor",
        "job-list--cursor-blurred",
        "job-list--good",
        "job-list--bad",
        "job-list--active",
        "job-list--warning",
        "job-list--neutral",
        "job-list--empty",
        "job-list--gone",
    }

    DEFAULT_CSS = """
    JobList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    JobList > .job-list--header { text-style: bold; color: $text-accent; }
    JobList > .job-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground;
                                  text-style: bold; }
    JobList > .job-list--cursor-blurred { background: $block-cursor-blurred-background;
                                          text-style: bold; }
    JobList > .job-list--good { color: $text-success; }
    JobList > .job-list--bad { color: $text-error; text-style: bold; }
    JobList > .job-list--active { color: $text-accent; text-style: bold; }
    JobList > .job-list--warning { color: $text-warning; }
    JobList > .job-list--neutral { color: $text-muted; }
    JobList > .job-list--gone { color: $text-warning; text-style: italic; }
    JobList > .job-list--empty { color: $text-muted; text-style: italic; }
    """

    class Opened(Message):
        """Enter on a job: the user wants to see all of it."""

        def __init__(self, job_list: JobList, job: BackupJob) -> None:
            super().__init__()
            self.job_list = job_list
            self.job = job

        @property
        def control(self) -> JobList:
            return self.job_list

    #: what the list says when it has no rows
    empty_text: var[str] = var("No backup jobs.")
    #: the id of the job under the cursor (None: no job); watchers run as soon as it changes
    selected_id: var[str | None] = var(None)

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._all_jobs: tuple[BackupJob, ...] = ()
        self._predicate: JobPredicate | None = None
        self._jobs: list[BackupJob] = []
        self._row_of: dict[str, int] = {}
        self._cursor = 0
        self._columns: tuple[Column, ...] = columns_for(80)
        self._strips: LRUCache[str, tuple[BackupJob, Strip]] = LRUCache(1024)
        self._cursor_strip: tuple[BackupJob, bool, Strip] | None = None  # (job, focused, strip)
        self._rendered_width = -1
        #: how many rows were rendered since the last reset (tests prove the list stays virtual)
        self.rows_rendered = 0

    def watch_empty_text(self) -> None:
        if not self._jobs:
            self.refresh()

    # -- the data ---------------------------------------------------------------------------

    @property
    def jobs(self) -> Sequence[BackupJob]:
        """The jobs shown (after the filter), newest first."""
        return self._jobs

    @property
    def total_count(self) -> int:
        return len(self._all_jobs)

    @property
    def selected_job(self) -> BackupJob | None:
        if not self._jobs:
            return None
        return self._jobs[self._cursor]

    @property
    def cursor_row(self) -> int:
        return self._cursor

    def set_jobs(self, jobs: Sequence[BackupJob]) -> None:
        """Show `jobs` (newest first). Repaints only rows whose job changed; keeps the cursor on its job."""
        jobs = tuple(jobs)
        if jobs and jobs is self._all_jobs:
            return  # the same history (a poll that changed nothing): nothing to do
        self._all_jobs = jobs
        self._apply()

    def set_filter(self, predicate: JobPredicate | None) -> None:
        """Show only the jobs for which `predicate` is true (None shows all)."""
        self._predicate = predicate
        self._apply()

    def select_job(self, job_id: str) -> bool:
        """Put the cursor on the job `job_id` if it is shown."""
        row = self._row_of.get(job_id)
        if row is None:
            return False
        self._move_cursor(row)
        return True

    def _apply(self) -> None:
        old_ids = [job.id for job in self._jobs]
        old_cursor, old_scroll = self._cursor, round(self.scroll_y)
        predicate = self._predicate
        jobs = [job for job in self._all_jobs if predicate(job)] if predicate else list(self._all_jobs)
        self._jobs = jobs
        self._row_of = {job.id: row for row, job in enumerate(jobs)}
        row = self._row_of.get(self.selected_id) if self.selected_id is not None else None
        if row is None:
            row = min(old_cursor, max(0, len(jobs) - 1))
        self._cursor = row
        new_id = jobs[row].id if jobs else None
        self.virtual_size = Size(0, len(jobs) + 1)
        same_order = old_ids == [job.id for job in jobs]
        if same_order:
            self._refresh_changed_rows()
        else:
            if row != old_cursor and old_scroll > 0:
                # Keep the selected job on the same screen line: new jobs arrive above it unseen.
                # At the very top, the list follows the newest jobs instead (like `tail -f`).
                self.scroll_to(y=max(0, old_scroll + row - old_cursor), animate=False, force=True)
            self._scroll_cursor_into_view()
            self.refresh()
        self.selected_id = new_id

    def _refresh_changed_rows(self) -> None:
        top = round(self.scroll_y)
        body = self._body_height()
        for row in range(top, min(len(self._jobs), top + body)):
            job = self._jobs[row]
            if row == self._cursor:
                cursor = self._cursor_strip
                if cursor is None or (cursor[0] is not job and cursor[0] != job):
                    self.refresh_line(row + 1)
                continue
            cached = self._strips.get(job.id)
            if cached is None or (cached[0] is not job and cached[0] != job):
                self.refresh_line(row + 1)  # +1: the header line

    # -- the cursor -------------------------------------------------------------------------

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        body = self._body_height()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + body:
            self.scroll_to(y=self._cursor - body + 1, animate=False, force=True)

    def _move_cursor(self, row: int) -> None:
        if not self._jobs:
            return
        row = max(0, min(len(self._jobs) - 1, row))
        old = self._cursor
        self._cursor = row
        self._scroll_cursor_into_view()
        self.refresh_line(old + 1)
        self.refresh_line(row + 1)
        self.selected_id = self._jobs[row].id

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_cursor_first(self) -> None:
        self._move_cursor(0)

    def action_cursor_last(self) -> None:
        self._move_cursor(len(self._jobs) - 1)

    def action_page_up(self) -> None:
        body = self._body_height()
        self.scroll_to(y=max(0, round(self.scroll_y) - body), animate=False, force=True)
        self._move_cursor(self._cursor - body)

    def action_page_down(self) -> None:
        body = self._body_height()
        self.scroll_to(y=round(self.scroll_y) + body, animate=False, force=True)
        self._move_cursor(self._cursor + body)

    def action_drill(self) -> None:
        job = self.selected_job
        if job is not None:
            self.post_message(self.Opened(self, job))

    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = round(self.scroll_y) + offset.y - 1
        if row < len(self._jobs):
            if event.chain >= 2 and row == self._cursor:
                self.action_drill()
            self._move_cursor(row)

    def on_focus(self, event: events.Focus) -> None:
        self.refresh_line(self._cursor + 1)

    def on_blur(self, event: events.Blur) -> None:
        self.refresh_line(self._cursor + 1)

    # -- rendering --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # the theme changed: the cached colours are wrong
        self._cursor_strip = None

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    def _check_width(self, width: int) -> None:
        if width != self._rendered_width:
            self._rendered_width = width
            self._columns = columns_for(width)
            self._strips.clear()
            self._cursor_strip = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._check_width(width)
        base = self.rich_style
        if y == 0:
            return self._header_strip(width, base)
        row = round(self.scroll_y) + y - 1
        if row >= len(self._jobs):
            if not self._jobs:  # the empty list's text, wrapped at word boundaries, never cut
                lines = textwrap.wrap(self.empty_text, max(width - 1, 1), break_on_hyphens=False)
                if row < len(lines):
                    empty = self.get_component_rich_style("job-list--empty")
                    return Strip([Segment(set_cell_size(" " + lines[row], width), base + empty)])
            return Strip.blank(width, base)
        job = self._jobs[row]
        if row == self._cursor:
            focused = self.has_focus
            cursor = self._cursor_strip
            if cursor is not None and cursor[1] == focused and (cursor[0] is job or cursor[0] == job):
                return cursor[2]
            name = "job-list--cursor" if focused else "job-list--cursor-blurred"
            strip = self._row_strip(job, width, base + self.get_component_rich_style(name), cursor=True)
            self._cursor_strip = (job, focused, strip)
            return strip
        cached = self._strips.get(job.id)
        if cached is not None and (cached[0] is job or cached[0] == job):
            return cached[1]
        strip = self._row_strip(job, width, base, cursor=False)
        self._strips[job.id] = (job, strip)
        return strip

    def _header_strip(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("job-list--header")
        text = " ".join(_cell(column.title, column) for column in self._columns)
        return Strip([Segment(set_cell_size(text, width), style)])

    def _row_strip(self, job: BackupJob, width: int, base: Style, *, cursor: bool) -> Strip:
        self.rows_rendered += 1
        cells = row_cells(job, self._columns)
        segments: list[Segment] = []
        for index, (text, column) in enumerate(zip(cells, self._columns, strict=True)):
            style = base
            if index == 0:
                style = base + self.get_component_rich_style(f"job-list--{job_status_tone(job)}")
                if cursor:
                    style += base  # the cursor's colours win over the status colour
            elif job.gone and index == len(cells) - 1 and not cursor:
                style = base + self.get_component_rich_style("job-list--gone")
            segments.append(Segment(_cell(text, column), style))
            segments.append(Segment(" ", base))
        return Strip(segments).adjust_cell_length(width, base)
