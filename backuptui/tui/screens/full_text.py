"""`f` in the drill-down: the full text of a string shown cut, a page at a time.

A cut string may be 50 MB. Only the page on screen is escaped and laid out (`PAGE` characters,
the same as the most any string shows elsewhere), so opening it or turning a page costs the same
for a 20 kB message and for a 50 MB one. Appliance text: through `safe_text`, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from backuptui.tui.format import MAX_SHOWN, safe_text

#: characters on one page
PAGE = MAX_SHOWN

_NEXT, _PREVIOUS = "fulltext.next-page", "fulltext.previous-page"


class FullTextScreen(Screen[None]):
    """The full text of each long string of a record: `n`/`b` turn pages, `]`/`[` change string."""

    DEFAULT_CSS = """
    FullTextScreen #full-text-title { height: auto; padding: 0 1; background: $panel; }
    FullTextScreen #full-text-scroll { height: 1fr; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="fulltext.back"),
        # priority: PgDn/PgUp turn pages, not scroll the page's own view
        Binding("n,pagedown,space", "page(1)", "Next", key_display="n", priority=True, id=_NEXT),
        Binding("b,pageup", "page(-1)", "Previous", key_display="b", priority=True, id=_PREVIOUS),
        Binding("g,home", "first_page", "First page", show=False, id="fulltext.first-page"),
        Binding("G,end", "last_page", "Last page", show=False, id="fulltext.last-page"),
        Binding("right_square_bracket", "string(1)", "Next string", id="fulltext.next-string"),
        Binding(
            "left_square_bracket", "string(-1)", "Previous string", show=False, id="fulltext.previous-string"
        ),
        Binding("j,down", "scroll_lines(1)", "Down", show=False, id="fulltext.down"),
        Binding("k,up", "scroll_lines(-1)", "Up", show=False, id="fulltext.up"),
    ]

    AUTO_FOCUS = "#full-text-scroll"

    def __init__(self, job_id: str, strings: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        """`strings`: (where it sits in the record, the text), at least one."""
        super().__init__(id=id)
        if not strings:
            raise ValueError("FullTextScreen needs at least one string")
        self.job_id = job_id
        self.strings = list(strings)
        self.string_index = 0
        self.page_index = 0

    @property
    def text(self) -> str:
        return self.strings[self.string_index][1]

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.text) // PAGE))

    def compose(self) -> ComposeResult:
        yield Static(id="full-text-title")
        with VerticalScroll(id="full-text-scroll"):
            yield Static(id="full-text-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show()

    def page_text(self) -> str:
        """The page on screen, as it is shown (escaped)."""
        start = self.page_index * PAGE
        return safe_text(self.text[start : start + PAGE], limit=None)

    def _show(self) -> None:
        where, text = self.strings[self.string_index]
        start = self.page_index * PAGE
        end = min(len(text), start + PAGE)
        parts: list[str | tuple[str, str]] = [
            ("Full text  ", "bold"),
            (safe_text(where, keep_newlines=False), "bold $text-accent"),
            ("  ·  ", "$text-muted"),
            f"job {safe_text(self.job_id, keep_newlines=False)}",
            "\n",
            f"page {self.page_index + 1:,} of {self.pages:,}",
            ("  ·  ", "$text-muted"),
            f"characters {start + 1:,} to {end:,} of {len(text):,}",
        ]
        if len(self.strings) > 1:
            parts += [("  ·  ", "$text-muted"), f"string {self.string_index + 1} of {len(self.strings)}"]
        self.query_one("#full-text-title", Static).update(Content.assemble(*parts))
        self.query_one("#full-text-body", Static).update(Content(self.page_text()))
        self.query_one("#full-text-scroll", VerticalScroll).scroll_home(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "string":
            return len(self.strings) > 1  # one string: no key to change it in the footer
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_page(self, step: int) -> None:
        page = max(0, min(self.pages - 1, self.page_index + step))
        if page != self.page_index:
            self.page_index = page
            self._show()

    def action_first_page(self) -> None:
        self.action_page(-self.page_index)

    def action_last_page(self) -> None:
        self.action_page(self.pages)

    def action_string(self, step: int) -> None:
        index = (self.string_index + step) % len(self.strings)
        if index != self.string_index:
            self.string_index, self.page_index = index, 0
            self._show()

    def action_scroll_lines(self, lines: int) -> None:
        self.query_one("#full-text-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)
