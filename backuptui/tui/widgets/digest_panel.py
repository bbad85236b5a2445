"""The "since you last looked" panel: shown once on open above the job list, until dismissed."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


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

    def show_lines(self, lines: list[str], dismiss_key: str) -> None:
        """The headline (with the key that dismisses it), then at most `MAX_FINDINGS` lines."""
        head, *rest = lines
        content = Content.assemble(
            (head, "bold"),
            (f"  ({dismiss_key}: dismiss)", "$text-muted"),
            *[("\n" + line) for line in rest[: self.MAX_FINDINGS]],
        )
        self.update(content)
        self.add_class("-shown")

    def dismiss(self) -> bool:
        """Hide it; False if it was not shown."""
        shown = self.has_class("-shown")
        self.remove_class("-shown")
        return shown
