"""httpx, imported without its command-line tool, and httpcore without trio.

`httpx/__init__` imports `httpx._main` (and with it rich, click and pygments) whenever click is
installed, e.g. by textual-dev. core/ must not load rich, and the headless commands should not pay
~60 ms for a CLI they never use, so that one optional import is made to fail. Core modules import
httpx from here: `from backuptui.core.appliance._httpx import httpx`.

httpcore (which httpx imports when it builds its first client) imports trio whenever trio is
installed, only to have trio's locks ready in case it runs under trio. backuptui runs under
asyncio only (httpcore then uses anyio), and importing trio costs ~60 ms of CPU, as much as
httpx and httpcore together: a quarter of the gap between the monitor's start and a bare Textual
app's. So httpcore is imported here, with that one optional import made to fail; a later
`import trio` elsewhere in the process works as usual.
"""

from __future__ import annotations

import sys
from typing import Any


def _import_blocking(name: str, blocked: tuple[str, ...]) -> Any:
    """Import module `name` while the optional modules `blocked` (not imported yet) cannot be."""
    if name in sys.modules:
        return sys.modules[name]
    stubbed = [module for module in blocked if module not in sys.modules]
    for module in stubbed:
        sys.modules[module] = None  # type: ignore[assignment]  # `import module` raises ImportError
    try:
        return __import__(name)
    finally:
        for module in stubbed:
            if module in sys.modules and sys.modules[module] is None:
                del sys.modules[module]


_import_blocking("httpx", ("httpx._main",))
_import_blocking("httpcore", ("trio",))
import httpx as httpx  # noqa: E402  (already loaded above, without its CLI)

__all__ = ["httpx"]
