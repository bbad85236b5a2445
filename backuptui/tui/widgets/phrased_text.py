"""Text whose lines break between phrases, never inside one ("running for 2s." stays whole).

A line is cut at ", " and ": " outside parentheses (`phrases`), or given as its phrases by the
caller; the pieces are packed to the widget's width (`pack`) again whenever it changes. Textual's
own wrapping breaks at any space (a no-break space included).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.events import Resize
from textual.widgets import Static


def phrases(line: str) -> list[str]:
    """`line` in the pieces it may break between: after ", " and ": " outside parentheses (a
    time such as 07:42 has no space after its colon, so it stays whole)."""
    pieces: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(line):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char in ",:" and depth == 0 and line[index + 1 : index + 2] == " ":
            pieces.append(line[start : index + 1])
            start = index + 2
    pieces.append(line[start:])
    return [piece for piece in pieces if piece]


def pack(pieces: Sequence[str], width: int) -> list[str]:
    """Whole pieces per line, as many as fit in `width` (a piece wider than that has a line of
    its own, which the widget wraps as it must)."""
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + 1 + len(piece) <= width:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return lines


Line = str | Sequence[str]  # a line cut by `phrases`, or its phrases as the caller gives them


class PhrasedText(Static):
    """Plain text (never markup) in lines packed by phrases to the widget's width."""

    def __init__(self, *lines: Line, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self._lines: tuple[Line, ...] = lines

    def set_lines(self, *lines: Line) -> None:
        self._lines = lines
        self._pack()

    def on_mount(self) -> None:
        self._pack()

    def on_resize(self, event: Resize) -> None:
        self._pack()

    def _pack(self) -> None:
        width = self.content_size.width or max(20, self.app.size.width - 8)  # before its first layout
        shown: list[str] = []
        for line in self._lines:
            shown.extend(pack(phrases(line) if isinstance(line, str) else line, width))
        self.update("\n".join(shown))
