"""How a benchmark row is declared, and how the runner finds the rows of every module.

A rows module (`benchmarks/rows_<area>.py`) declares its rows in a module-level `ROWS` list:

    from registry import Row

    def f1(ctx: Context) -> Result: ...

    ROWS = [Row("F1", "launch → every row of a 100-appliance fleet shows its verdict", "≤ 3x", f1,
                tmux=True)]

`run` gets the shared `Context` (`ctx.sim(key, jobs, seed=...)` starts a simulator once per run,
`ctx.tmux` is the private tmux server) and returns one `Result` per key of the row, in `keys`
order. A row whose measurement spans the whole run (an idle CPU window) gives `begin` instead: it is
called before the other rows and returns the function that ends the window. A row whose feature is
not built raises `NotBuilt` (or its module is missing): the table says "not built", never a figure.

`PLANNED` lists every row of every issue, so a module that does not exist yet still shows its rows.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness import Result, failed_result


class NotBuilt(Exception):
    """The feature a row measures does not exist in this tree yet."""


@dataclass(frozen=True)
class Row:
    key: str  # "1", "F1": what --rows selects
    measure: str
    target: str
    run: Callable[[Any], Result | Sequence[Result]] | None = None
    # a measurement that spans the run: called first, returns what ends it (and gives the results)
    begin: Callable[[Any], Callable[[], Result | Sequence[Result]]] | None = None
    tmux: bool = False  # needs the private tmux server
    # rows measured by the same run; selecting any one of them runs it (e.g. "3a", "3b")
    keys: tuple[str, ...] = field(default=())

    @property
    def all_keys(self) -> tuple[str, ...]:
        return self.keys or (self.key,)


#: the modules the runner reads, in the order their rows run, and the rows each one will hold
PLANNED: dict[str, tuple[tuple[str, str, str], ...]] = {
    "rows_core": (),  # rows 1-10 of the redesign and performance issues (always present)
    "rows_fleet": (
        ("F1", "launch → every row of a 100-appliance fleet shows its verdict", "≤ 3x"),
        ("F2", "CPU per minute, 100 appliances x 1,000 jobs, nothing running", "≤ 3 %"),
        ("F3", "peak RSS, 100 appliances x 1,000 jobs", "≤ +60 MB"),
        ("F4", "bytes received per appliance per minute while idle", "≤ 1x"),
        ("F5", "key press → changed screen (p95), 100 appliances, 10 stuck 3 s", "≤ 1.2x"),
    ),
    "rows_exporter": (
        ("X1", "scrape latency p95, 100 appliances", "≤ 5x and < 20 ms"),
        ("X2", "exporter CPU per minute, 100 appliances, nothing running", "≤ 3 %"),
    ),
    "rows_history": (
        ("H1", "launch → list painted from the store, 1,000 jobs, appliance 1 s away", "≤ 1.05x"),
        ("H2", "store write per poll that changed one running job, 10,000 stored jobs", "≤ 0.2x"),
        ("H3", "database size, 10,000 jobs", "≤ 1x"),
    ),
}


@dataclass
class Loaded:
    rows: list[Row]
    not_built: list[Result]  # rows whose module is missing or holds no row of that key


def not_built(key: str, measure: str, target: str, why: str) -> Result:
    return Result(key, measure, "not built", "-", "-", target, None, "not built", [why])


def load_rows() -> Loaded:
    """Every declared row, and a "not built" result for each planned row nobody declares."""
    rows: list[Row] = []
    missing: list[Result] = []
    for name, planned in PLANNED.items():
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            why = (
                f"benchmarks/{name}.py does not exist"
                if exc.name == name
                else f"benchmarks/{name}.py needs {exc.name}, which this tree does not have"
            )
            missing += [not_built(k, m, t, why) for k, m, t in planned]
            continue
        except Exception as exc:  # a rows module that is broken: its rows say so, the others run
            traceback.print_exc(file=sys.stderr)
            missing += [failed_result(k, m, t, exc) for k, m, t in planned]
            continue
        declared: list[Row] = list(getattr(module, "ROWS", ()))
        rows += declared
        have = {key for row in declared for key in row.all_keys}
        missing += [
            not_built(k, m, t, f"benchmarks/{name}.py declares no row {k}")
            for k, m, t in planned
            if k not in have
        ]
    return Loaded(rows, missing)


def row_order(key: str) -> tuple[int, int, str]:
    """1, 2, 3a, 3b, ..., 10, then F1.., X1.., H1..: numbers in order, letters after."""
    prefix = "" if key[:1].isdigit() else key[:1]
    digits = "".join(c for c in key.lstrip(prefix) if c.isdigit())
    return ("", "F", "X", "H").index(prefix) if prefix in ("", "F", "X", "H") else 9, int(digits or 0), key
