"""Rows F1-F5: the fleet (`backuptui --all`) of 100 simulated appliances with 1,000 jobs each,
against one appliance's monitor measured in the same run.

The fleet is `backuptui simulate --appliances 100 --jobs 1000 --mix healthy:100 --write-profiles`
in its own process (its CPU never counts against the app); the app runs in the private tmux
server at 120x40 with BACKUPTUI_CONFIG pointing at the written profiles (the password from
BACKUPTUI_PASSWORD). The one-appliance baselines watch `-p vcsa-001` of the same file, so both
sides talk to the same kind of appliance over the same loopback.

- F1 launch → every row shows its verdict: the header counts "100 appliances: 100 OK" (a row
  shows its verdict when the header counts it); baseline: the monitor's first job rows painted.
- F2 CPU per minute while idle (nothing running, default intervals), after every verdict is in.
- F3 peak RSS (VmHWM) of the fleet after that window; baseline: the monitor of one appliance.
- F4 bytes the appliances sent per appliance per minute in the same idle window (the simulators'
  own counts); baseline: one monitor's idle window on its appliance.
- F5 key press (`o`: the next order, the header says which) → changed screen, p95, while 10 of
  the 100 appliances answer only after 3 s; baseline: the same keys in a fleet of one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from context import Context
from harness import PASSWORD, Result, Sample, cpu_seconds, fmt, proc_status_kb, wait_quiet
from registry import Row

APPLIANCES = 100
JOBS = 1000
STUCK = 10
ORDERS = ("· by name", "· oldest good backup first", "· most failures first", "· worst first")


def _script() -> list[str]:
    script = Path(sys.executable).with_name("backuptui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "backuptui"]


@dataclass
class FleetBench:
    """The simulated fleet (one process) and the profiles written for it, shared by F1-F5."""

    ctx: Context
    proc: subprocess.Popen[str]
    config: Path
    one: Path  # a profiles file with only the first appliance (F5's fleet of one)
    urls: list[str]
    results: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, ctx: Context) -> FleetBench:
        config = ctx.ws.root / "fleet.toml"
        command = [
            *_script(),
            "simulate",
            "--appliances",
            str(APPLIANCES),
            "--jobs",
            str(JOBS),
            "--mix",
            f"healthy:{APPLIANCES}",
            "--write-profiles",
            str(config),
        ]
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.PIPE,
            text=True,
            env=ctx.ws.child_env(),
        )
        deadline = time.monotonic() + 300
        while not config.exists() and time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"simulate --appliances ended: {proc.stderr.read() if proc.stderr else ''}"
                )
            time.sleep(0.2)
        time.sleep(0.5)  # the file is written once every appliance listens
        text = config.read_text()
        blocks = text.split("[profiles.")
        one = ctx.ws.root / "fleet-one.toml"
        one.write_text(blocks[0] + "[profiles." + blocks[1])
        one.chmod(0o600)
        urls = [line.split('"')[1] for line in text.splitlines() if line.startswith("url = ")]
        return cls(ctx, proc, config, one, urls)

    def env(self, config: Path | None = None) -> dict[str, str]:
        return {"BACKUPTUI_CONFIG": str(config or self.config), "BACKUPTUI_PASSWORD": PASSWORD, "TZ": "UTC"}

    def stats(self, url: str) -> dict[str, Any]:
        with urllib.request.urlopen(url + "/_simulator/stats", timeout=30) as response:
            result: dict[str, Any] = json.loads(response.read())
        return result

    def sent(self, urls: list[str]) -> int:
        return sum(int(self.stats(url).get("bytes_sent", 0)) for url in urls)

    def fault(self, url: str, spec: dict[str, Any]) -> None:
        request = urllib.request.Request(
            url + "/_simulator/fault",
            data=json.dumps(spec).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30):
            pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


_BENCH: dict[int, FleetBench] = {}


def bench(ctx: Context) -> FleetBench:
    if id(ctx) not in _BENCH:
        fleet = FleetBench.start(ctx)
        _BENCH[id(ctx)] = fleet
        close = ctx.close

        def closing() -> None:
            fleet.stop()
            close()

        ctx.close = closing  # type: ignore[method-assign]
    return _BENCH[id(ctx)]


def _painted_single(screen: str) -> bool:
    return "SUCCEEDED" in screen and "vcsa-001" in screen


def _all_verdicts(screen: str) -> bool:
    return f"{APPLIANCES} appliances: {APPLIANCES} OK" in screen


def _launch(
    ctx: Context, words: list[str], env: dict[str, str], ready: Callable[[str], bool]
) -> tuple[str, int, float, float]:
    target, pid, t0 = ctx.tmux.start([*_script(), *words], ctx.ws.child_env(**env))
    t1, _ = ctx.tmux.wait_for(target, ready, timeout=240, poll=0.02)
    return target, pid, t0, t1


def f1(ctx: Context) -> Result:
    fleet = bench(ctx)
    runs = 1 if ctx.settings.quick else 3
    ours, single = Sample([], "s"), Sample([], "s")
    for _ in range(runs):
        target, pid, t0, t1 = _launch(ctx, ["-p", "vcsa-001"], fleet.env(), _painted_single)
        single.values.append(t1 - t0)
        ctx.tmux.kill_session(target, pid)
        target, pid, t0, t1 = _launch(ctx, ["--all"], fleet.env(), _all_verdicts)
        ours.values.append(t1 - t0)
        ctx.tmux.kill_session(target, pid)
    ratio = ours.median / single.median
    return Result(
        "F1",
        "launch → every row of a 100-appliance fleet shows its verdict",
        fmt(ours.median, "s"),
        f"one appliance's monitor, first paint: {fmt(single.median, 's')}",
        f"{ratio:.2f}x",
        "≤ 3x",
        ratio <= 3.0,
        "tmux 120x40, `tmux new-session` → the header counts 100 OK (every row has its verdict) / the "
        "monitor's job rows are on screen; 100 appliances x 1,000 jobs in one `simulate "
        f"--appliances` process; interleaved, {runs} run(s), medians",
        [f"fleet: {ours.describe()}", f"one appliance: {single.describe()}"],
        {"fleet": ours.values, "single": single.values},
    )


def _idle_window(
    ctx: Context, fleet: FleetBench, words: list[str], urls: list[str], ready: Callable[[str], bool]
) -> dict[str, float]:
    """Launch, wait for `ready` and a quiet app, then measure CPU and the appliances' bytes over
    the idle window; also the peak RSS."""
    target, pid, _, _ = _launch(ctx, words, fleet.env(), ready)
    try:
        wait_quiet(pid, quiet_for=1.0, timeout=60)
        window = 60.0 if not ctx.settings.quick else 30.0
        cpu0, sent0, t0 = cpu_seconds(pid), fleet.sent(urls), time.monotonic()
        time.sleep(window)
        cpu1, sent1, t1 = cpu_seconds(pid), fleet.sent(urls), time.monotonic()
        minutes = (t1 - t0) / 60
        return {
            "cpu_share": (cpu1 - cpu0) / (t1 - t0),
            "bytes_per_appliance_minute": (sent1 - sent0) / len(urls) / minutes,
            "rss_peak_mb": proc_status_kb(pid, "VmHWM") / 1024,
            "window": t1 - t0,
        }
    finally:
        ctx.tmux.kill_session(target, pid)


def _idle(ctx: Context) -> tuple[dict[str, float], dict[str, float]]:
    fleet = bench(ctx)
    if "idle" not in fleet.results:
        single = _idle_window(ctx, fleet, ["-p", "vcsa-001"], fleet.urls[:1], _painted_single)
        many = _idle_window(ctx, fleet, ["--all"], fleet.urls, _all_verdicts)
        fleet.results["idle"] = (many, single)
    result: tuple[dict[str, float], dict[str, float]] = fleet.results["idle"]
    return result


def f2(ctx: Context) -> Result:
    many, single = _idle(ctx)
    share = many["cpu_share"] * 100
    return Result(
        "F2",
        "CPU per minute, 100 appliances x 1,000 jobs, nothing running",
        f"{share:.2f} % of a core",
        f"one core (one appliance's monitor: {single['cpu_share'] * 100:.2f} %)",
        f"{share:.2f} %",
        "≤ 3 %",
        share <= 3.0,
        f"/proc schedstat of the app over a {many['window']:.0f} s idle window, after every verdict "
        "is in and the app was quiet for 1 s; default intervals (30 s idle)",
    )


def f3(ctx: Context) -> Result:
    many, single = _idle(ctx)
    extra = many["rss_peak_mb"] - single["rss_peak_mb"]
    return Result(
        "F3",
        "peak RSS, 100 appliances x 1,000 jobs",
        fmt(many["rss_peak_mb"], "MB"),
        f"one appliance with 1,000 jobs: {fmt(single['rss_peak_mb'], 'MB')}",
        f"+{extra:.1f} MB",
        "≤ +60 MB",
        extra <= 60.0,
        "VmHWM of the app after the idle window (the fleet keeps the newest 100 jobs of each "
        "appliance, the monitor all 1,000)",
    )


def f4(ctx: Context) -> Result:
    many, single = _idle(ctx)
    ours, theirs = many["bytes_per_appliance_minute"], single["bytes_per_appliance_minute"]
    ratio = ours / theirs if theirs else float("inf")
    return Result(
        "F4",
        "bytes received per appliance per minute while idle",
        f"{ours / 1024:.1f} KiB",
        f"one appliance's monitor idle: {theirs / 1024:.1f} KiB",
        f"{ratio:.2f}x",
        "≤ 1x",
        ratio <= 1.0,
        "the simulators' bytes_sent over the same idle windows as F2, divided by appliances and minutes",
    )


#: F5's presses are spread over one idle interval (30 s by default), so every appliance polls
#: (and the stuck ones hang) while the keys are pressed
KEY_WINDOW = 30.0


def _key_latencies(ctx: Context, target: str, presses: int) -> Sample:
    sample = Sample([], "ms")
    gap = KEY_WINDOW / presses
    for n in range(presses):
        expect = ORDERS[n % len(ORDERS)]
        t0 = time.monotonic()
        ctx.tmux.send_keys(target, "o")
        t1, _ = ctx.tmux.wait_for(target, lambda screen, text=expect: text in screen, timeout=15, poll=0.002)
        sample.values.append((t1 - t0) * 1000)
        time.sleep(max(0.12, gap - (time.monotonic() - t0)))
    return sample


def f5(ctx: Context) -> Result:
    fleet = bench(ctx)
    presses = ctx.settings.key_presses * 2
    target, pid, _, _ = _launch(
        ctx, ["--all"], fleet.env(fleet.one), lambda s: "1 appliances: 1 OK" in s or "1 appliance: 1 OK" in s
    )
    try:
        wait_quiet(pid, quiet_for=1.0, timeout=60)
        alone = _key_latencies(ctx, target, presses)
    finally:
        ctx.tmux.kill_session(target, pid)
    target, pid, _, _ = _launch(ctx, ["--all"], fleet.env(), _all_verdicts)
    stuck = fleet.urls[:STUCK]
    try:
        for url in stuck:
            fleet.fault(url, {"latency": 3.0})
        many = _key_latencies(ctx, target, presses)
    finally:
        for url in stuck:
            fleet.fault(url, {"clear": True})
        ctx.tmux.kill_session(target, pid)
    ratio = many.quantile(0.95) / alone.quantile(0.95)
    return Result(
        "F5",
        "key press → changed screen (p95), 100 appliances, 10 stuck 3 s",
        fmt(many.quantile(0.95), "ms"),
        f"a fleet of one: {fmt(alone.quantile(0.95), 'ms')}",
        f"{ratio:.2f}x",
        "≤ 1.2x",
        ratio <= 1.2,
        f"`o` (the next order; the header says which) → capture-pane shows it, {presses} presses per "
        f"phase spread over {KEY_WINDOW:.0f} s (one idle interval: every appliance polls meanwhile); "
        "the first 10 appliances answer after 3 s",
        [f"100 appliances: {many.describe(0.95)}", f"one: {alone.describe(0.95)}"],
    )


ROWS = [
    Row("F1", "launch → every row of a 100-appliance fleet shows its verdict", "≤ 3x", f1, tmux=True),
    Row("F2", "CPU per minute, 100 appliances x 1,000 jobs, nothing running", "≤ 3 %", f2, tmux=True),
    Row("F3", "peak RSS, 100 appliances x 1,000 jobs", "≤ +60 MB", f3, tmux=True),
    Row("F4", "bytes received per appliance per minute while idle", "≤ 1x", f4, tmux=True),
    Row("F5", "key press → changed screen (p95), 100 appliances, 10 stuck 3 s", "≤ 1.2x", f5, tmux=True),
]
