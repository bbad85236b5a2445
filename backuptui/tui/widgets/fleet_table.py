"""The fleet table: one line per appliance, drawn a line at a time (Line API), like the job list.

Each row is a `FleetLine`: the texts of every column and their tones, worked out by
`backuptui.tui.fleet_view` from the fleet core's rows. The table chooses the columns that fit its
width (`fleet_columns`): a column gives way whole rather than being cut mid-phrase, the cause
takes what is left and is cut at a word boundary. The cursor is an appliance, not a row number:
it stays on the same appliance when the order changes, and a row repaints only when its line
changed (each line's strip is cached by appliance)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from backuptui.tui.format import Tone


@dataclass(frozen=True, slots=True)
class FleetLine:
    """What one appliance's row shows: a text per column id, and the tone of the coloured ones."""

    key: str  # the appliance's name: what the cursor follows
    cells: Mapping[str, str]
    tones: Mapping[str, Tone] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class FleetColumn:
    id: str
    title: str
    width: int  # 0: the cause, which takes the rest of the line
    priority: int  # lower stays longer when the terminal narrows
    align: str = "left"
    cell: str = ""  # the cell id it shows (default: its own id)

    @property
    def cell_id(self) -> str:
        return self.cell or self.id


#: the cause column keeps at least this many cells; a column that would squeeze it gives way
CAUSE_MIN = 22
#: ... and at least this many beside the columns that matter less (priority 3 and up)
CAUSE_ROOMY = 32

#: every column, left to right. At 80 columns the verdict, the name, the age of the last good
#: backup, the latest job (with a running job's progress and ETA in it), the failures and the
#: cause (led by a connection problem) fit; at 120 the connection and the next run join; the
#: progress in a column of its own, the start of the latest job and the host need a wider
#: terminal (the start and the host are on the line under the table).
COLUMNS: tuple[FleetColumn, ...] = (
    FleetColumn("verdict", "Verdict", 10, 0),
    FleetColumn("name", "Appliance", 14, 0),
    FleetColumn("host", "Host", 22, 9),
    FleetColumn("state", "Connection", 15, 3),
    FleetColumn("age", "Last good", 9, 1, "right"),
    FleetColumn("latest", "Latest job", 11, 2),
    FleetColumn("started", "Started", 11, 8),
    FleetColumn("progress", "Progress", 14, 6),
    FleetColumn("fails", "24h/7d", 6, 2, "right"),
    FleetColumn("next", "Next run", 11, 4),
    FleetColumn("cause", "Cause", 0, 0),
)

#: when the progress column gave way, the latest job's cell carries the running job's progress
#: (`▶ 47% 3m 05s`), two cells wider
_NARROW_LATEST = "latest_progress"
_NARROW_LATEST_EXTRA = 2
#: when the connection column gave way, the cause's cell leads with a connection problem
_NARROW_CAUSE = "cause_state"


def fleet_columns(width: int) -> tuple[FleetColumn, ...]:
    """The columns that fit a line of `width` cells, in their order; the cause takes the rest."""
    chosen = {column.id for column in COLUMNS if column.priority == 0}
    # each column but the cause, and one space between two columns
    used = sum(column.width + 1 for column in COLUMNS if column.id in chosen)
    for column in sorted(COLUMNS, key=lambda c: c.priority):
        if column.id in chosen:
            continue
        extra = _NARROW_LATEST_EXTRA if column.id == "progress" else 0
        room = CAUSE_MIN if column.priority < 3 else CAUSE_ROOMY
        if used + column.width + 1 - extra + room > width:
            continue
        chosen.add(column.id)
        used += column.width + 1
    shown: list[FleetColumn] = []
    for column in COLUMNS:
        if column.id not in chosen:
            continue
        if column.id == "latest" and "progress" not in chosen:
            column = replace(column, width=column.width + _NARROW_LATEST_EXTRA, cell=_NARROW_LATEST)
            used += _NARROW_LATEST_EXTRA
        elif column.id == "cause":
            column = replace(column, cell="cause" if "state" in chosen else _NARROW_CAUSE)
        shown.append(column)
    cause = max(CAUSE_MIN, width - used + 1)  # `used` counted a space after the cause too
    return tuple(replace(column, width=cause) if column.id == "cause" else column for column in shown)


def cut_at_word(text: str, width: int) -> str:
    """`text` in `width` cells: whole, or cut after the last whole word that fits, with `…`."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    head = set_cell_size(text, width - 1)
    if text[len(head) : len(head) + 1] != " ":  # the cut falls inside a word: drop that word
        space = head.rfind(" ")
        if space >= width // 3:  # unless it is one long word (a name, a path): cut inside it
            head = head[:space]
    return head.rstrip(" ,;:·-") + "…"


def fit_cell(text: str, column: FleetColumn) -> str:
    """The cell's text padded (or cut at a word) to the column's width."""
    text = cut_at_word(text, column.width)
    if column.align == "right":
        return " " * (column.width - cell_len(text)) + text
    return set_cell_size(text, column.width)


class FleetTable(ScrollView, can_focus=True):
    """A virtual list of appliances with a cursor that follows an appliance, not a row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="cursor-up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="cursor-down"),
        Binding("home,g", "cursor_first", "First", show=False, id="cursor-first"),
        Binding("end,G", "cursor_last", "Last", show=False, id="cursor-last"),
        Binding("pageup", "page_up", "Page up", show=False, id="page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page-down"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "fleet-table--header",
        "fleet-table--cursor",
        "fleet-table--cursor-blurred",
        "fleet-table--good",
        "fleet-table--bad",
        "fleet-table--active",
        "fleet-table--warning",
        "fleet-table--neutral",
        "fleet-table--empty",
    }

    DEFAULT_CSS = """
    FleetTable {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    FleetTable > .fleet-table--header { text-style: bold; color: $text-accent; }
    FleetTable > .fleet-table--cursor { background: $block-cursor-background;
                                        color: $block-cursor-foreground; text-style: bold; }
    FleetTable > .fleet-table--cursor-blurred { background: $block-cursor-blurred-background;
                                                text-style: bold; }
    FleetTable > .fleet-table--good { color: $text-success; }
    FleetTable > .fleet-table--bad { color: $text-error; text-style: bold; }
    FleetTable > .fleet-table--active { color: $text-accent; text-style: bold; }
    FleetTable > .fleet-table--warning { color: $text-warning; text-style: bold; }
    FleetTable > .fleet-table--neutral { color: $text-muted; text-style: bold; }
    FleetTable > .fleet-table--empty { color: $text-muted; text-style: italic; }
    """

    class Highlighted(Message):
        """The cursor moved to another appliance (or to none)."""

        def __init__(self, table: FleetTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> FleetTable:
            return self.table

    #: what the table says when it has no rows
    empty_text: var[str] = var("No appliances.")

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._lines: tuple[FleetLine, ...] = ()
        self._row_of: dict[str, int] = {}
        self._cursor = 0
        self._cursor_key: str | None = None
        self._columns: tuple[FleetColumn, ...] = fleet_columns(80)
        self._strips: dict[str, tuple[FleetLine, tuple[bool, bool], Strip]] = {}
        #: the widget's own style (Textual works it out from every ancestor on each call)
        self._base_style: Style | None = None
        self._rendered_width = -1
        self._line_width = 80  # the body's width, found once per repaint (`render_lines`)
        #: until the user moves the cursor, it stays on the first (the worst) row
        self._chosen = False
        #: how many rows were drawn since the last reset (tests prove unchanged rows are not)
        self.rows_rendered = 0

    def watch_empty_text(self) -> None:
        if not self._lines:
            self.refresh()

    # -- the data ---------------------------------------------------------------------------

    @property
    def lines(self) -> Sequence[FleetLine]:
        return self._lines

    @property
    def columns(self) -> tuple[FleetColumn, ...]:
        return self._columns

    @property
    def selected_key(self) -> str | None:
        return self._cursor_key

    @property
    def cursor_row(self) -> int:
        return self._cursor

    def set_lines(self, lines: Sequence[FleetLine]) -> None:
        """Show `lines` in this order; repaints rows whose line changed; the cursor stays on its appliance."""
        lines = tuple(lines)
        old_lines = self._lines
        old_keys = [line.key for line in old_lines]
        old_cursor, old_scroll = self._cursor, round(self.scroll_y)
        self._lines = lines
        self._row_of = {line.key: row for row, line in enumerate(lines)}
        row = self._row_of.get(self._cursor_key) if self._cursor_key is not None and self._chosen else None
        if row is None:
            row = min(old_cursor, max(0, len(lines) - 1)) if self._chosen else 0
        self._cursor = row
        self.virtual_size = Size(0, len(lines) + 1)
        if old_keys == [line.key for line in lines]:
            self._refresh_changed_rows()
        else:
            if row != old_cursor and old_scroll > 0:
                # the selected appliance keeps its screen line when others move around it
                self.scroll_to(y=max(0, old_scroll + row - old_cursor), animate=False, force=True)
            self._scroll_cursor_into_view()
            if len(lines) != len(old_lines) or round(self.scroll_y) != old_scroll:
                self.refresh()
            else:
                self._refresh_moved_rows(old_lines, old_cursor)
        new_key = lines[row].key if lines else None
        if new_key != self._cursor_key:
            self._cursor_key = new_key
            self.post_message(self.Highlighted(self, new_key))

    def select(self, key: str) -> bool:
        """Put the cursor on the appliance `key` if it is shown."""
        row = self._row_of.get(key)
        if row is None:
            return False
        self._move_cursor(row)
        return True

    def _refresh_changed_rows(self) -> None:
        top = round(self.scroll_y)
        changed = []
        for row in range(top, min(len(self._lines), top + self._body_height())):
            line = self._lines[row]
            cached = self._strips.get(line.key)
            if cached is None or cached[0] != line:
                changed.append(row)
        self._refresh_rows(changed)

    def _refresh_moved_rows(self, old_lines: tuple[FleetLine, ...], old_cursor: int) -> None:
        """The order changed, the rows and the scroll did not: repaint the screen lines that now
        show another line (a new order of a hundred rows repaints the body, never the header
        or the scroll bar)."""
        top = round(self.scroll_y)
        self._refresh_rows(
            row
            for row in range(top, min(len(self._lines), top + self._body_height()))
            if self._lines[row] != old_lines[row] or (row == self._cursor) != (row == old_cursor)
        )

    def _refresh_rows(self, rows: Iterable[int]) -> None:
        """Repaint these rows (ascending); neighbouring rows as one region, so a new order
        repaints the body with one refresh, not one per line (each costs a walk of the styles)."""
        start = end = -1
        for row in rows:
            if row != end:
                if start >= 0:
                    self.refresh_lines(start + 1, end - start)  # +1: the header line
                start = row
            end = row + 1
        if start >= 0:
            self.refresh_lines(start + 1, end - start)

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
        if not self._lines:
            return
        self._chosen = True
        row = max(0, min(len(self._lines) - 1, row))
        old, self._cursor = self._cursor, row
        self._scroll_cursor_into_view()
        self.refresh_line(old + 1)
        self.refresh_line(row + 1)
        key = self._lines[row].key
        if key != self._cursor_key:
            self._cursor_key = key
            self.post_message(self.Highlighted(self, key))

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_cursor_first(self) -> None:
        self._move_cursor(0)

    def action_cursor_last(self) -> None:
        self._move_cursor(len(self._lines) - 1)

    def action_page_up(self) -> None:
        body = self._body_height()
        self.scroll_to(y=max(0, round(self.scroll_y) - body), animate=False, force=True)
        self._move_cursor(self._cursor - body)

    def action_page_down(self) -> None:
        body = self._body_height()
        self.scroll_to(y=round(self.scroll_y) + body, animate=False, force=True)
        self._move_cursor(self._cursor + body)

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = round(self.scroll_y) + offset.y - 1
        if row < len(self._lines):
            self._move_cursor(row)

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh_line(self._cursor + 1)

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh_line(self._cursor + 1)

    def _on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    # -- rendering --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # the theme changed: the cached colours are wrong
        self._base_style = None

    def _check_width(self, width: int) -> None:
        if width != self._rendered_width:
            self._rendered_width = width
            self._columns = fleet_columns(width)
            self._strips.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        # the width once per repaint, not once per line: Textual works it out from the styles
        # and the scrollbars on each call, and a new order repaints every line of the body
        self._line_width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self._line_width
        self._check_width(width)
        base = self._base_style
        if base is None:
            base = self._base_style = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("fleet-table--header")
            text = " ".join(fit_cell(column.title, column) for column in self._columns)
            return Strip([Segment(set_cell_size(text, width), style)])
        row = round(self.scroll_y) + y - 1
        if row >= len(self._lines):
            if not self._lines and row == 0:
                empty = self.get_component_rich_style("fleet-table--empty")
                return Strip([Segment(set_cell_size(" " + self.empty_text, width), base + empty)])
            return Strip.blank(width, base)
        line = self._lines[row]
        cursor = row == self._cursor
        focused = cursor and self.has_focus
        cached = self._strips.get(line.key)
        if cached is not None and cached[0] == line and cached[1] == (cursor, focused):
            return cached[2]
        style = base
        if cursor:
            name = "fleet-table--cursor" if focused else "fleet-table--cursor-blurred"
            style = base + self.get_component_rich_style(name)
        strip = self._row_strip(line, width, style, cursor=cursor)
        self._strips[line.key] = (line, (cursor, focused), strip)
        return strip

    def _row_strip(self, line: FleetLine, width: int, base: Style, *, cursor: bool) -> Strip:
        self.rows_rendered += 1
        segments: list[Segment] = []
        for column in self._columns:
            style = base
            tone = line.tones.get(column.id)
            if tone is not None:
                style = base + self.get_component_rich_style(f"fleet-table--{tone}")
                if cursor:
                    style += base  # the cursor's colours win over the tone's
            if segments:
                segments.append(Segment(" ", base))
            segments.append(Segment(fit_cell(line.cells.get(column.cell_id, ""), column), style))
        # the cells without a tone and the spaces share a style: joined, the line is a few
        # segments instead of twenty, which every later step (the screen's styles, the
        # compositor, the terminal's escape codes) walks one by one
        return Strip(Segment.simplify(segments)).adjust_cell_length(width, base)
