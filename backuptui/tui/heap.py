"""Keeping the cyclic garbage collector's pauses off the keys.

A full collection walks every live object: the monitor's history and widgets, or a fleet's
hundred clients, monitors and rows. That is a 30-100 ms pause, and a key press can land on it.
Once what the app keeps is loaded, `freeze_heap` collects once and moves every live object out
of the collector's reach (`gc.freeze`); later collections walk only what came after.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_heap"]


def freeze_heap() -> None:
    """Collect, then freeze every object alive now (call once what the app keeps is loaded;
    never under run_test: frozen objects of one test would outlive it in the test runner)."""
    gc.collect()
    gc.freeze()
