"""The `/` filter bar: type to filter the job list, see how many jobs pass, Esc to clear.

It renders the filter state and posts messages; the app owns the list and applies the filter
(`FilterBar.Changed.filter.matches` is the predicate), then reports the count back with
`set_count`. Parsing is `backuptui.core.filtering`, which never raises: a bad term shows here as
a message and the rest of the filter keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from backuptui.core.counting import counted
from backuptui.core.filtering import Clock, JobFilter

PLACEHOLDER = "words, status:failed, type:manual, -status:succeeded, since:2d, location:sftp …"


class TextFilter(Protocol):
    """What the bar needs of a parsed filter (the job list's `JobFilter`, the fleet's filter)."""

    @property
    def is_empty(self) -> bool: ...
    @property
    def error(self) -> str | None: ...
    @property
    def errors(self) -> tuple[str, ...]: ...


class FilterBar(Widget):
    """Hidden until `open()`; Enter keeps the filter (the bar stays to show it), Esc clears it."""

    DEFAULT_CSS = """
    FilterBar { height: auto; display: none; background: $panel; }
    FilterBar.-open { display: block; }
    FilterBar > Horizontal { height: 1; }
    FilterBar #filter-prompt { width: 3; padding-left: 1; color: $text-accent; text-style: bold; }
    FilterBar Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $panel; }
    FilterBar Input:focus { background: $surface; }
    FilterBar #filter-count { width: auto; padding: 0 1; color: $text-muted; }
    FilterBar #filter-error { height: auto; padding: 0 1 0 3; color: $text-error; display: none; }
    FilterBar.-error #filter-error { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter", id="filter.clear"),
    ]

    class Changed(Message):
        """The filter text changed (sent on every key press; only the newest one is handled)."""

        def __init__(self, filter: TextFilter) -> None:
            super().__init__()
            self.filter = filter

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, FilterBar.Changed)

    class Closed(Message):
        """The user left the bar: `kept` after Enter, not kept after Esc (the filter was cleared)."""

        def __init__(self, kept: bool) -> None:
            super().__init__()
            self.kept = kept

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        parse: Callable[[str], TextFilter] | None = None,
        noun: str = "job",
        placeholder: str = PLACEHOLDER,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`parse`: what the typed text becomes (default: the job list's `JobFilter`); `noun`:
        what the count counts."""
        super().__init__(id=id, classes=classes)
        self._parse: Callable[[str], TextFilter] = parse or (lambda text: JobFilter.parse(text, clock=clock))
        self._noun = noun
        self._placeholder = placeholder
        self.filter: TextFilter = self._parse("")
        self.shown: int | None = None
        self.total: int | None = None
        self._count_text = ""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("/", id="filter-prompt")
            field = Input(
                placeholder=self._placeholder, id="filter-input", compact=True, select_on_focus=False
            )
            field.can_focus = False  # hidden: must not take the app's first focus or a Tab
            yield field
            yield Static("", id="filter-count")
        yield Static("", id="filter-error")

    # -- what the app calls ---------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def is_active(self) -> bool:
        """A filter is on (something understood was typed)."""
        return not self.filter.is_empty

    def open(self) -> None:
        """Show the bar and put the cursor in it (the `/` key)."""
        self.add_class("-open")
        field = self.query_one(Input)
        field.can_focus = True
        field.focus()

    def clear(self) -> None:
        """Drop the filter and hide the bar (Esc in the bar; the app may call it too)."""
        field = self.query_one(Input)
        if field.value:
            field.value = ""  # posts Input.Changed -> FilterBar.Changed with the empty filter
        else:
            self._set_filter(self._parse(""))
        self._hide()
        self.post_message(self.Closed(kept=False))

    def set_count(self, shown: int, total: int) -> None:
        """Show how many pass the filter: `12 of 300 jobs`."""
        self.shown, self.total = shown, total
        self._show_count()

    # -- events ----------------------------------------------------------------------------------

    @on(Input.Changed, "#filter-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._set_filter(self._parse(event.value))

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.filter.is_empty and not self.filter.errors:
            self._hide()
        self.post_message(self.Closed(kept=True))

    def _hide(self) -> None:
        self.remove_class("-open", "-error")
        field = self.query_one(Input)
        field.can_focus = False
        if field.has_focus:
            field.blur()

    def action_clear(self) -> None:
        self.clear()

    def _set_filter(self, job_filter: TextFilter) -> None:
        self.filter = job_filter
        error = job_filter.error
        self.set_class(error is not None, "-error")
        self.query_one("#filter-error", Static).update(Content(error or ""))
        self._show_count()
        self.post_message(self.Changed(job_filter))

    def _show_count(self) -> None:
        if self.total is None:
            text = ""
        elif self.filter.is_empty:
            text = counted(self.total, self._noun)
        else:
            text = f"{self.shown} of {counted(self.total, self._noun)}"
        if text != self._count_text:
            # Static.update asks for a layout pass of the screen: only when the text changed
            # (the app reports the count after every poll, usually the same).
            self._count_text = text
            self.query_one("#filter-count", Static).update(Content(text))
