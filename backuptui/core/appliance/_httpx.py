"""httpx, imported without its command-line tool.

`httpx/__init__` imports `httpx._main` (and with it rich, click and pygments) whenever click is
installed, e.g. by textual-dev. core/ must not load rich, and the headless commands should not pay
~60 ms for a CLI they never use, so that one optional import is made to fail. Core modules import
httpx from here: `from backuptui.core.appliance._httpx import httpx`.
"""

from __future__ import annotations

import sys
from typing import Any


def _import_httpx() -> Any:
    if "httpx" in sys.modules:
        return sys.modules["httpx"]
    blocked = "httpx._main" not in sys.modules
    if blocked:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx as module
    finally:
        if blocked and sys.modules.get("httpx._main") is None:
            del sys.modules["httpx._main"]
    return module


_import_httpx()
import httpx as httpx  # noqa: E402  (already loaded above, without its CLI)

__all__ = ["httpx"]
