"""How headless commands print for a terminal: colour by the common conventions, and the width.

`NO_COLOR` (any value) turns colour off; `FORCE_COLOR` (any value but "0") turns it on even into a
pipe; otherwise colour only when the stream is a terminal and `TERM` is not "dumb".
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import TextIO

_CODES = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1"}


def wants_colour(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    if env.get("NO_COLOR"):
        return False
    forced = env.get("FORCE_COLOR")
    if forced is not None and forced != "0":
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and env.get("TERM") != "dumb"


def paint(text: str, colour: str, enabled: bool) -> str:
    return f"\x1b[{_CODES[colour]}m{text}\x1b[0m" if enabled else text


def width(limit: int = 120) -> int:
    """The terminal's width (80 when not a terminal), at most `limit` so lines stay readable."""
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, limit))
