"""Row 10: `backuptui check` as a monitoring system runs it, a new process per appliance per
interval, against the least a check can be (benchmarks/httpx_check.py)."""

from __future__ import annotations

import subprocess
import sys
import time

from context import Context
from harness import HERE, PASSWORD, USER, Result, Sample, backuptui_base, fmt
from profiles import extra_imports, importtime


def _wall(command: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1, 2) or not proc.stdout.strip():  # 3 is UNKNOWN: not a check
        raise RuntimeError(f"{command[0]} exited {proc.returncode}: {(proc.stdout + proc.stderr)[-500:]}")
    return elapsed


def row10(ctx: Context) -> Result:
    sim = ctx.sim("check")
    env = ctx.ws.child_env(BACKUPTUI_PASSWORD=PASSWORD, TZ="UTC")
    arguments = ["check", "--url", sim.url, "--user", USER]
    check = [*backuptui_base(), *arguments]
    script = [sys.executable, str(HERE / "httpx_check.py"), sim.url, USER, PASSWORD]
    ours, theirs = Sample([], "s"), Sample([], "s")
    runs = 5 if ctx.settings.quick else 15
    for _ in range(2):  # warm-up: the private bytecode cache, the simulator's cached bodies
        _wall(check, env)
        _wall(script, env)
    for _ in range(runs):  # interleaved
        ours.values.append(_wall(check, env))
        theirs.values.append(_wall(script, env))
    ratio = ours.median / theirs.median
    module = [sys.executable, "-m", "backuptui", *arguments]
    profile_ours = importtime(module, env)
    profile_theirs = importtime(script, env)
    return Result(
        "10",
        "`backuptui check` wall time, one appliance, 1,000 jobs",
        fmt(ours.median, "s"),
        f"15-line httpx script: {fmt(theirs.median, 's')}",
        f"{ratio:.2f}x",
        "≤ 1.3x",
        ratio <= 1.3,
        "wall time of the whole process (start → exit, subprocess.run) of the installed "
        "`backuptui check --url … --user …` (password from BACKUPTUI_PASSWORD) vs "
        "benchmarks/httpx_check.py (httpx: login, details, json.loads, logout) against the same "
        f"1,000-job simulator in its own process; {runs} interleaved runs after 2 warm-ups each "
        "(private bytecode cache filled); medians; profile: one run of each with -X importtime",
        [
            f"backuptui check: {ours.describe()}",
            f"httpx script: {theirs.describe()}",
            f"-X importtime, check: {profile_ours.summary()}",
            f"-X importtime, httpx script: {profile_theirs.summary()}",
            f"check vs script: {extra_imports(profile_ours, profile_theirs)}",
            *(
                [
                    "the script's plain `import httpx` also loads httpx's command-line tool (rich, click, "
                    "pygments) because click is installed here; backuptui's core imports httpx without it"
                ]
                if "rich" in profile_theirs.self_us
                else []
            ),
        ],
        {"check_s": ours.values, "script_s": theirs.values},
    )
