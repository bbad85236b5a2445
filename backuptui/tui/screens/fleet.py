"""The fleet view: every appliance on one line, the worst first, the verdicts counted on top.

The screen renders `FleetEntry`s (made from the fleet core's rows by `backuptui.tui.fleet_view`)
and owns what belongs to the view: the order, the filter, the appliance under the cursor. It
posts `FleetScreen.Opened` for Enter; the app owns the fleet (polling, passwords, opening an
appliance's monitor, quitting).

Adding a key that acts on the fleet: a `Binding(..., id=...)` in `BINDINGS` and an `action_...`
method here; a key that works on every screen belongs to the app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from backuptui.core.counting import counted
from backuptui.tui.fleet_filter import PLACEHOLDER, FleetFilter
from backuptui.tui.widgets.filter_bar import FilterBar
from backuptui.tui.widgets.fleet_table import FleetLine, FleetTable

#: verdict words in the order the header counts them
LEVELS = ("OK", "WARNING", "CRITICAL", "UNKNOWN")

#: worst first: CRITICAL, UNKNOWN, WARNING, OK (as `check --all` ranks them)
WORST_FIRST: Mapping[str, int] = {"CRITICAL": 0, "UNKNOWN": 1, "WARNING": 2, "OK": 3}


@dataclass(frozen=True, slots=True)
class FleetEntry:
    """One appliance as the fleet screen keeps it: its line, and the facts the orders sort by."""

    line: FleetLine
    level: str  # OK, WARNING, CRITICAL, UNKNOWN
    last_good_age: float | None = None  # seconds; None: never, or not known
    failures_24h: int = 0
    failures_7d: int = 0
    detail: str = ""  # the line under the table for the selected appliance (host, start, cause)

    @property
    def name(self) -> str:
        return self.line.key


def _worst(entry: FleetEntry) -> tuple[int, str]:
    return WORST_FIRST.get(entry.level, 1), entry.name.casefold()


def _by_name(entry: FleetEntry) -> tuple[str]:
    return (entry.name.casefold(),)


def _oldest_good(entry: FleetEntry) -> tuple[float, str]:
    age = entry.last_good_age
    return (-age if age is not None else float("-inf")), entry.name.casefold()


def _most_failures(entry: FleetEntry) -> tuple[int, int, str]:
    return -entry.failures_7d, -entry.failures_24h, entry.name.casefold()


#: the orders `o` steps through: (what the header says, the sort key)
ORDERS: tuple[tuple[str, Callable[[FleetEntry], tuple[object, ...]]], ...] = (
    ("worst first", _worst),
    ("by name", _by_name),
    ("oldest good backup first", _oldest_good),
    ("most failures first", _most_failures),
)


def verdict_counts(entries: Sequence[FleetEntry]) -> str:
    """`12 appliances: 9 OK, 1 WARNING, 2 CRITICAL` (levels with none are left out)."""
    counts = dict.fromkeys(LEVELS, 0)
    for entry in entries:
        counts[entry.level] = counts.get(entry.level, 0) + 1
    parts = [f"{count} {level}" for level, count in counts.items() if count]
    head = counted(len(entries), "appliance")
    return f"{head}: {', '.join(parts)}" if parts else head


DETAIL_SEPARATOR = " · "


def fit_detail(detail: str, width: int) -> str:
    """The detail's first line (its facts, joined by " · ") broken between facts, never inside
    one: `next run 2026-12-03 05:00` stays whole at 80 columns; the cause below is as it is."""
    facts, newline, cause = detail.partition("\n")
    lines: list[str] = []
    for fact in facts.split(DETAIL_SEPARATOR):
        if lines and cell_len(lines[-1]) + len(DETAIL_SEPARATOR) + cell_len(fact) <= width:
            lines[-1] += DETAIL_SEPARATOR + fact
        else:
            lines.append(fact)
    return "\n".join(lines) + newline + cause


class FleetScreen(Screen[None]):
    """Every appliance of the fleet, kept current by the app."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="fleet-open"),
        Binding("slash", "filter", "Filter", key_display="/", id="fleet-filter"),
        Binding("o", "sort", "Sort", id="fleet-sort"),
        Binding("escape", "escape", "Clear filter", id="fleet-clear", show=False),
        Binding("x", "dismiss_digest", "Dismiss", id="fleet-dismiss-digest", show=False),
    ]

    class DigestDismissed(Message):
        """`x` on an appliance: its "since last" marker goes."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class Opened(Message):
        """Enter on an appliance: the user wants its monitor."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self) -> None:
        super().__init__()
        self._entries: dict[str, FleetEntry] = {}
        self._order = 0
        self._filter: FleetFilter | None = None
        self._texts: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="fleet-header", markup=False)
        yield FleetTable(id="fleet")
        yield Static("", id="fleet-detail", markup=False)
        yield FilterBar(parse=FleetFilter.parse, noun="appliance", placeholder=PLACEHOLDER, id="fleet-filter")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.table.empty_text = "Connecting to the appliances…"
        self._show_entries()

    @property
    def table(self) -> FleetTable:
        return self.query_one("#fleet", FleetTable)

    @property
    def ready(self) -> bool:
        return self.is_mounted and bool(self.query("#fleet"))

    @property
    def order_name(self) -> str:
        return ORDERS[self._order][0]

    @property
    def entries(self) -> Sequence[FleetEntry]:
        """Every appliance, in the order shown (before the filter)."""
        return sorted(self._entries.values(), key=ORDERS[self._order][1])

    @property
    def selected(self) -> str | None:
        return self.table.selected_key

    # -- rendering (called by the app) ----------------------------------------------------

    def show(self, entries: Sequence[FleetEntry]) -> None:
        """Show these appliances (all of them); rows that did not change are not redrawn."""
        self._entries = {entry.name: entry for entry in entries}
        if self.ready:
            self._show_entries()

    def update_entries(self, entries: Sequence[FleetEntry]) -> None:
        """Some appliances changed: their rows in place (and the order, if a place changed)."""
        changed = False
        for entry in entries:
            if self._entries.get(entry.name) != entry:
                self._entries[entry.name] = entry
                changed = True
        if changed and self.ready:
            self._show_entries()

    def update_entry(self, entry: FleetEntry) -> None:
        self.update_entries([entry])

    def _show_entries(self) -> None:
        ordered = self.entries
        shown = [entry for entry in ordered if self._filter is None or self._filter.matches(entry.line)]
        table = self.table
        table.empty_text = (
            "No appliance matches the filter."
            if self._filter is not None and ordered
            else ("Connecting to the appliances…" if not ordered else "")
        )
        table.set_lines([entry.line for entry in shown])
        self._set_text("#fleet-header", f"{verdict_counts(ordered)} · {self.order_name}")
        self.query_one(FilterBar).set_count(len(shown), len(ordered))
        self._render_detail()

    def _render_detail(self) -> None:
        key = self.table.selected_key
        entry = self._entries.get(key) if key is not None else None
        detail = self.query_one("#fleet-detail", Static)
        width = detail.content_size.width or self.app.size.width - 2  # before its first layout
        self._set_text("#fleet-detail", fit_detail(entry.detail, width) if entry else "")

    def on_resize(self, event: Resize) -> None:
        if self.ready:
            self._render_detail()  # its facts are packed to the width again

    def _set_text(self, selector: str, text: str) -> None:
        """Only when the text changed (the clock shows every row again each second, usually the
        same); a layout pass of the screen only when the widget's height may change (the header
        is one line; the detail as many as its text wraps to)."""
        if self._texts.get(selector) == text:
            return
        old = self._texts.get(selector)
        self._texts[selector] = text
        static = self.query_one(selector, Static)
        content = Content(text)
        layout = selector != "#fleet-header"
        if layout and old and text and static.size.width > 0:
            width = static.size.width
            layout = len(Content(old).wrap(width)) != len(content.wrap(width))
        static.update(content, layout=layout)

    @on(FleetTable.Highlighted)
    def _highlighted(self, event: FleetTable.Highlighted) -> None:
        self._render_detail()

    # -- actions --------------------------------------------------------------------------

    def action_dismiss_digest(self) -> None:
        key = self.table.selected_key
        if key is not None:
            self.post_message(self.DigestDismissed(key))

    def action_open(self) -> None:
        key = self.table.selected_key
        if key is not None:
            self.post_message(self.Opened(key))

    def action_sort(self) -> None:
        self._order = (self._order + 1) % len(ORDERS)
        self._show_entries()  # the header says the order

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    def action_escape(self) -> None:
        filter_bar = self.query_one(FilterBar)
        if filter_bar.is_open or filter_bar.is_active:
            filter_bar.clear()

    @on(FilterBar.Changed)
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        parsed = event.filter
        self._filter = parsed if isinstance(parsed, FleetFilter) and not parsed.is_empty else None
        self._show_entries()

    @on(FilterBar.Closed)
    def _filter_closed(self, event: FilterBar.Closed) -> None:
        self.table.focus()
