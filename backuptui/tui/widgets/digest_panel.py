"""The "since you last looked" panel: shown once on open above the job list, until dismissed.

Its lines are broken between phrases, never inside one ("1 failed." stays whole): each line is
cut at ", " and ": " outside parentheses, and the pieces are packed to the panel's width again
whenever it changes.
"""

from __future__ import annotations

from textual.content import Content
from textual.events import Resize
from textual.widgets import Static

from backuptui.tui.widgets.phrased_text import pack, phrases


class DigestPanel(Static):
    """The digest's lines (plain text from `digest_text`), and the key that dismisses it."""

    MAX_FINDINGS = 3  # with a headline of two lines at 80 columns: five lines at most

    DEFAULT_CSS = """
    DigestPanel {
        display: none;
        height: auto;
        max-height: 5;
        padding: 0 1;
        background: $boost;
        border-left: thick $warning;
    }
    DigestPanel.-shown { display: block; }
    """

    _lines: list[str] = []
    _dismiss_key = "x"

    def show_lines(self, lines: list[str], dismiss_key: str) -> None:
        """The headline (with the key that dismisses it), then at most `MAX_FINDINGS` lines."""
        self._lines, self._dismiss_key = list(lines), dismiss_key
        self._compose_content()
        self.add_class("-shown")

    def on_resize(self, event: Resize) -> None:
        if self._lines:
            self._compose_content()

    def _compose_content(self) -> None:
        head, *rest = self._lines
        hint = f"({self._dismiss_key}: dismiss)"
        width = self.content_size.width or self.app.size.width - 3  # before its first layout
        head_lines = pack([*phrases(head), hint], width)
        parts: list[str | tuple[str, str]] = []
        for index, text in enumerate(head_lines):
            prefix = "\n" if index else ""
            if text == hint:
                parts.append((prefix + hint, "$text-muted"))
            elif text.endswith(hint):  # the key's words in their own colour
                parts.extend([(prefix + text[: -len(hint)].rstrip(), "bold"), (" " + hint, "$text-muted")])
            else:
                parts.append((prefix + text, "bold"))
        for line in rest[: self.MAX_FINDINGS]:
            parts.extend("\n" + text for text in pack(phrases(line), width))
        self.update(Content.assemble(*parts))

    def dismiss(self) -> bool:
        """Hide it; False if it was not shown."""
        shown = self.has_class("-shown")
        self.remove_class("-shown")
        return shown
