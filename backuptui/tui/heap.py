"""Keeping the cyclic garbage collector's pauses off the keys, and out of the start.

A full collection walks every live object: the monitor's history and widgets, or a fleet's
hundred clients, monitors and rows. That is a 30-100 ms pause, and a key press can land on it.
Once what the app keeps is loaded, `freeze_heap` collects once and moves every live object out
of the collector's reach (`gc.freeze`); later collections walk only what came after.

Starting the monitor allocates hundreds of thousands of objects that live for the whole run
(modules, classes, the stored history, the widgets) and almost no cyclic garbage, yet the
collector ran ~150 times over them before the first paint (40-60 ms of CPU, a tenth of the
start). `pause_collector` stops it for the start; `resume_collector` turns it back on, at the
first paint or whenever the start ends some other way.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_heap", "pause_collector", "resume_collector"]

#: the collector was turned off by `pause_collector` (and not yet back on)
_paused = False


def freeze_heap() -> None:
    """Collect, then freeze every object alive now (call once what the app keeps is loaded;
    never under run_test: frozen objects of one test would outlive it in the test runner)."""
    gc.collect()
    gc.freeze()


def pause_collector() -> None:
    """No cyclic collection until `resume_collector` (a no-op if the collector is off already)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector(*, freeze: bool = False) -> None:
    """Undo `pause_collector` (nothing if it did not turn the collector off). `freeze`: first move
    what the start left alive out of the collector's reach (not under run_test, as above)."""
    global _paused
    if not _paused:
        return
    _paused = False
    if freeze:
        gc.freeze()
    gc.enable()
