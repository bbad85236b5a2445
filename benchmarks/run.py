"""backuptui benchmarks: every figure beside its comparison, measured in the same run.

    python benchmarks/run.py            # every row; writes benchmarks/RESULTS.md (~6 min, more if loaded)
    python benchmarks/run.py --quick    # ~1.5 min on a quiet 2-core machine (4 at load 10), noisier
    python benchmarks/run.py --rows 1,10 --json out.json

Rows come from the rows_*.py modules listed in registry.PLANNED (rows 1-10 in rows_core, the
fleet's F1-F5, the exporter's X1-X2, the history's H1-H3); a row whose module or feature does not
exist yet is printed as "not built". Needs tmux (the terminal rows drive the installed `backuptui`
in a private tmux server) and the test extra (row 8 compares with the official vmware-vcenter
bindings). Simulators run on 127.0.0.1 in their own processes; everything started here is
stopped here. A full run (no --rows, no --quick) rewrites RESULTS.md above its "## Notes" section;
other runs write it only with --results.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Every process here formats and reads times in UTC: the screen markers are start times.
os.environ["TZ"] = "UTC"
time.tzset()

import rows_terminal  # noqa: E402
from context import Context, Settings  # noqa: E402
from harness import HERE, Result, Tmux, Workspace, failed_result, render_table  # noqa: E402
from registry import NotBuilt, Row, load_rows, not_built, row_order  # noqa: E402
from report import machine, write_results  # noqa: E402


def as_list(outcome: Result | Sequence[Result]) -> list[Result]:
    return [outcome] if isinstance(outcome, Result) else list(outcome)


def guarded(row: Row, func: Callable[[], Result | Sequence[Result]]) -> list[Result]:
    started = time.monotonic()
    print(f"  row {row.key}: {row.measure} ...", file=sys.stderr, flush=True)
    try:
        results = as_list(func())
    except NotBuilt as exc:
        results = [not_built(key, row.measure, row.target, str(exc)) for key in row.all_keys]
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        results = [failed_result(key, row.measure, row.target, exc) for key in row.all_keys]
    verdicts = ", ".join(f"{r.row} {r.verdict}" for r in results)
    print(f"  row {row.key}: {verdicts} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    return results


def selected_by(row: Row, wanted: set[str] | None) -> bool:
    return wanted is None or bool(wanted & {row.key.lower(), *(k.lower() for k in row.all_keys)})


def run(rows: list[Row], quick: bool) -> list[Result]:
    settings = Settings.for_mode(quick)
    ws = Workspace()
    results: list[Result] = []
    tmux: Tmux | None = None
    if any(row.tmux for row in rows):
        try:
            tmux = Tmux(ws)
        except RuntimeError as exc:  # no tmux: the rows that need a real terminal cannot be measured
            for row in [r for r in rows if r.tmux]:
                results += [failed_result(key, row.measure, row.target, exc) for key in row.all_keys]
            rows = [r for r in rows if not r.tmux]
    ctx = Context(ws, settings, tmux)
    try:
        if tmux is not None:
            print("warming up (bytecode cache) ...", file=sys.stderr, flush=True)
            rows_terminal.warm_up(ctx)  # fills the private bytecode cache; measured runs load .pyc
        finishers: list[tuple[Row, Callable[[], Result | Sequence[Result]]]] = []
        for row in rows:
            if row.begin is None:
                continue
            try:
                finishers.append((row, row.begin(ctx)))
                print(f"  row {row.key}: window started", file=sys.stderr, flush=True)
            except NotBuilt as exc:
                results += [not_built(k, row.measure, row.target, str(exc)) for k in row.all_keys]
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                results += [failed_result(k, row.measure, row.target, exc) for k in row.all_keys]
        for row in rows:
            if row.run is not None:
                results += guarded(row, lambda row=row: row.run(ctx))  # type: ignore[misc]
        for row, finish in finishers:
            results += guarded(row, finish)
    finally:
        ctx.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions and shorter windows (~1.5 min)"
    )
    parser.add_argument("--rows", help="comma-separated rows to run, e.g. 1,3a,10,F1 (default: every row)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument(
        "--results",
        metavar="PATH",
        help="write the results page here (default: benchmarks/RESULTS.md on a full run of every row)",
    )
    args = parser.parse_args()
    loaded = load_rows()
    wanted = {r.strip().lower() for r in args.rows.split(",") if r.strip()} if args.rows else None
    known = {k.lower() for row in loaded.rows for k in (row.key, *row.all_keys)}
    known |= {r.row.lower() for r in loaded.not_built}
    if wanted is not None and wanted - known:
        parser.error(f"unknown rows: {', '.join(sorted(wanted - known))} (known: {', '.join(sorted(known))})")
    info = machine()
    started = time.monotonic()
    results = run([row for row in loaded.rows if selected_by(row, wanted)], args.quick)
    results += [r for r in loaded.not_built if wanted is None or r.row.lower() in wanted]
    results.sort(key=lambda r: row_order(r.row))
    elapsed = time.monotonic() - started
    info["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    mode = "quick" if args.quick else "full"
    print()
    print(
        f"backuptui {info['backuptui']} benchmarks ({mode} run, {elapsed:.0f} s) — "
        f"{info['cpus']} CPUs ({info['cpu_model']}), Python {info['python']}, Textual {info['textual']}, "
        f"commit {info['commit']}, {info['date']}, load average at start {info['loadavg']}, "
        f"at the end {info['loadavg_end']}"
    )
    print()
    print(render_table(results))
    target = args.results or (str(HERE / "RESULTS.md") if wanted is None and not args.quick else None)
    if target:
        write_results(Path(target), results, info, mode, elapsed)
        print(f"\nwrote {target}", file=sys.stderr)
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
    return 0 if all(r.passed is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
