"""Rows 1-10: one appliance, the monitor, the client and `check` (the measurements live in
rows_terminal, rows_inprocess and rows_check; this module declares them for the runner)."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable

import rows_check
import rows_inprocess
import rows_terminal
from context import Context
from harness import Result
from registry import Row


def row3(ctx: Context) -> list[Result]:
    results = []
    for key, label in (("1k", "a"), ("10k", "b")):
        try:
            app, notes = rows_terminal.refresh_cpu(ctx, key, ctx.history(key))
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            app, notes = None, [f"app not measured: {type(exc).__name__}: {exc}"]
        results.append(rows_inprocess.row3(ctx, key, label, app, notes))
    return results


def begin_row5(ctx: Context) -> Callable[[], Result]:
    """Row 5's CPU window spans the whole run (at least `idle_window`): the idle app's CPU time is
    its own whatever else runs, and an app at a fraction of a percent of a core barely disturbs the
    others. It watches its own simulator, so its polls never count in another row's figures."""
    idle = rows_terminal.IdleCpu(ctx)
    idle.start()
    return idle.finish


# in the order they run (the table is sorted by row number): the terminal rows first, then those
# measured from the harness; row 5's window is open meanwhile
ROWS = [
    Row("1", "launch → job list painted, 1,000 jobs", "≤ 1.1x", rows_terminal.row1, tmux=True),
    Row(
        "2",
        "launch → job list painted, 10,000 jobs (row 9: whole history loaded)",
        "≤ 1.5x (9: ≤ 1.3x)",
        rows_terminal.row2_and_9,
        tmux=True,
        keys=("2", "9"),
    ),
    Row(
        "3",
        "CPU of one refresh, nothing changed",
        "≤ 1x (3a), ≤ 3x (3b)",
        row3,
        tmux=True,
        keys=("3a", "3b"),
    ),
    Row(
        "5",
        "CPU per minute, nothing running, default intervals, 1,000 jobs",
        "≤ 0.25 %",
        begin=begin_row5,
        tmux=True,
    ),
    Row(
        "6",
        "key press → changed screen (p95), poll stuck 3 s",
        "≤ 1.15x and < 40 ms",
        rows_terminal.row6,
        tmux=True,
    ),
    Row("7", "peak RSS, 10,000 jobs", "≤ +20 MB", rows_terminal.row7, tmux=True),
    Row("10", "`backuptui check` wall time, one appliance, 1,000 jobs", "≤ 1.3x", rows_check.row10),
    Row(
        "4",
        "bytes received per minute watching a running job, 1,000 jobs",
        "≥ 50x fewer",
        rows_inprocess.row4,
    ),
    Row("8", "fetch + parse 10,000 job details", "≥ 15x faster", rows_inprocess.row8),
]
