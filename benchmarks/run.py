"""backuptui benchmarks: every figure beside its comparison, measured in the same run.

    python benchmarks/run.py            # full run, about 5 minutes on 2 cores
    python benchmarks/run.py --quick    # about 2 minutes, fewer repetitions (noisier)
    python benchmarks/run.py --rows 1,4 --json out.json

Needs tmux (rows 1, 2, 3, 5, 6, 7 drive the installed `backuptui` in a private tmux server) and the
test extra (row 8 compares with the official vmware-vcenter bindings). Simulators run on 127.0.0.1
in their own processes; everything started here is stopped here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Every process here formats and reads times in UTC: the screen markers are start times.
os.environ["TZ"] = "UTC"
time.tzset()

import rows_inprocess  # noqa: E402
import rows_terminal  # noqa: E402
from context import Context, Settings  # noqa: E402
from harness import Result, Tmux, Workspace, failed_result, render_table  # noqa: E402

ALL_ROWS = ("1", "2", "3", "4", "5", "6", "7", "8")

TARGETS = {
    "1": ("launch → job list painted, 1,000 jobs", "≤ 1.3x"),
    "2": ("launch → job list painted, 10,000 jobs", "≤ 1.5x"),
    "3a": ("CPU of one refresh, nothing changed, 1,000 jobs", "≤ 3x"),
    "3b": ("CPU of one refresh, nothing changed, 10,000 jobs", "≤ 3x"),
    "4": ("bytes received per minute watching a running job, 1,000 jobs", "≥ 50x fewer"),
    "5": ("CPU per minute, nothing running, default intervals, 1,000 jobs", "≤ 1 %"),
    "6": ("key press → changed screen (p95), poll stuck 3 s", "≤ 1.5x and < 50 ms"),
    "7": ("peak RSS, 10,000 jobs", "≤ +40 MB"),
    "8": ("fetch + parse 10,000 job details", "≥ 5x faster"),
}


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import textual

    from backuptui import __version__

    load = os.getloadavg()
    return {
        "cpus": str(os.cpu_count()),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "textual": textual.__version__,
        "backuptui": __version__,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "loadavg": " ".join(f"{x:.2f}" for x in load),
    }


def guarded(row: str, func: Callable[[], Result]) -> Result:
    measure, target = TARGETS[row]
    started = time.monotonic()
    print(f"  row {row}: {measure} ...", file=sys.stderr, flush=True)
    try:
        result = func()
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        result = failed_result(row, measure, target, exc)
    print(f"  row {row}: {result.verdict} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    return result


def run(selected: set[str], quick: bool) -> tuple[list[Result], dict[str, str]]:
    settings = Settings.for_mode(quick)
    ws = Workspace()
    info = machine()
    results: dict[str, Result] = {}
    terminal_rows = {"1", "2", "3", "5", "6", "7"}
    try:
        tmux = Tmux(ws)
    except RuntimeError as exc:  # no tmux: the rows that need a real terminal cannot be measured
        ws.cleanup()
        for row in sorted(selected & terminal_rows):
            for key in [f"3{x}" for x in "ab"] if row == "3" else [row]:
                results[key] = failed_result(key, *TARGETS[key], exc)
        selected = selected - terminal_rows
        if not selected:
            return [results[k] for k in sorted(results)], info
        ws = Workspace()
        tmux = None
    ctx = Context(ws, settings, tmux)
    try:
        print("starting simulators ...", file=sys.stderr, flush=True)
        if selected & {"2", "7"}:
            ctx.add_sim("100", 100, seed=3)
        if selected & {"1", "3"}:
            ctx.add_sim("1k", 1000, seed=1)
        if "5" in selected:
            ctx.add_sim("idle", 1000, seed=6)
        if selected & {"2", "3", "7", "8"}:
            ctx.add_sim("10k", 10000, seed=2)
        if "6" in selected:
            ctx.add_sim("fault", 1000, seed=5)
        for key in ctx.sims:
            ctx.history(key)  # fetch once with backuptui's client: ids and start times for markers
        if selected & {"1", "2", "3", "5", "6", "7"}:
            rows_terminal.warm_up(ctx)  # fills the private bytecode cache; measured runs load .pyc

        # Row 5's CPU window spans the whole run (at least `idle_window`): the idle app's CPU time
        # is its own whatever else runs, and an app at <1 % of a core barely disturbs the others.
        # It watches its own simulator, so its polls never count in another row's figures.
        idle: rows_terminal.IdleCpu | None = None
        if "5" in selected:
            try:
                idle = rows_terminal.IdleCpu(ctx)
                idle.start()
                print("  row 5: idle window started", file=sys.stderr, flush=True)
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                results["5"] = failed_result("5", *TARGETS["5"], exc)
                idle = None
        if "1" in selected:
            results["1"] = guarded("1", lambda: rows_terminal.row1(ctx))
        if "2" in selected:
            results["2"] = guarded("2", lambda: rows_terminal.row2(ctx))
        if "3" in selected:
            for key, label in (("1k", "a"), ("10k", "b")):

                def row3(key: str = key, label: str = label) -> Result:
                    try:
                        app, notes = rows_terminal.refresh_cpu(ctx, key, ctx.history(key))
                    except Exception as exc:
                        traceback.print_exc(file=sys.stderr)
                        app, notes = None, [f"app not measured: {type(exc).__name__}: {exc}"]
                    return rows_inprocess.row3(ctx, key, label, app, notes)

                results[f"3{label}"] = guarded(f"3{label}", row3)
        if "6" in selected:
            results["6"] = guarded("6", lambda: rows_terminal.row6(ctx))
        if "7" in selected:
            results["7"] = guarded("7", lambda: rows_terminal.row7(ctx))

        if "4" in selected:
            results["4"] = guarded("4", lambda: rows_inprocess.row4(ctx))
        if "8" in selected:
            results["8"] = guarded("8", lambda: rows_inprocess.row8(ctx))
        if idle is not None:
            results["5"] = guarded("5", idle.finish)
    finally:
        ctx.close()
    order = [k for k in ("1", "2", "3a", "3b", "4", "5", "6", "7", "8") if k in results]
    return [results[k] for k in order], info


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shorter windows (~2 min)")
    parser.add_argument(
        "--rows", default=",".join(ALL_ROWS), help="comma-separated rows to run (default all)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args()
    selected = {r.strip() for r in args.rows.split(",") if r.strip()}
    unknown = selected - set(ALL_ROWS)
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    results, info = run(selected, args.quick)
    elapsed = time.monotonic() - started
    mode = "quick" if args.quick else "full"
    print()
    print(
        f"backuptui {info['backuptui']} benchmarks ({mode} run, {elapsed:.0f} s) — "
        f"{info['cpus']} CPUs ({info['cpu_model']}), Python {info['python']}, Textual {info['textual']}, "
        f"{info['date']}, load average at start {info['loadavg']}"
    )
    print()
    print(render_table(results))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "machine": info,
                    "quick": args.quick,
                    "elapsed_s": elapsed,
                    "results": [r.__dict__ | {"verdict": r.verdict} for r in results],
                },
                indent=2,
                default=str,
            )
        )
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
