"""Rows X1-X2: `backuptui exporter` watching 100 simulated appliances.

X1: scrape latency p95 of its /metrics, against a prometheus-client registry holding one gauge,
served by prometheus-client's own HTTP server in a process of its own, scraped the same way in the
same run (alternately, each scrape on a new connection as Prometheus' first scrape is).
X2: the exporter's CPU (utime + stime, so the HTTP server's finished request threads count too) over
an idle window with the default poll intervals, scraped every 15 s as Prometheus would, as a
percentage of one core.
"""

from __future__ import annotations

import http.client
import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from context import Context
from harness import PASSWORD, REPO, Result, Sample, cpu_ticks_seconds, fmt
from registry import Row

APPLIANCES = 100
BACKUPTUI = str(Path(sys.executable).parent / "backuptui")

# 100 simulated appliances in one process of their own (their CPU never counts as the exporter's)
_FLEET_SIM = textwrap.dedent(
    """
    import sys, time
    from backuptui.simulator import Simulator, SimulatorConfig
    count, path = int(sys.argv[1]), sys.argv[2]
    sims = [Simulator(SimulatorConfig(jobs=50, seed=n + 1, scenario="healthy")).start() for n in range(count)]
    lines = []
    for n, sim in enumerate(sims):
        lines += [f"[profiles.vcsa{n:03d}]", f'url = "{sim.url}"', f'username = "{sim.user}"',
                  'password_source = "env"', ""]
    with open(path + ".tmp", "w") as out:
        out.write("\\n".join(lines))
    import os; os.replace(path + ".tmp", path)
    print("ready", flush=True)
    sys.stdin.read()
    """
)

# the comparison: prometheus-client's own server with a registry of one gauge
_ONE_GAUGE = textwrap.dedent(
    """
    import sys
    from prometheus_client import CollectorRegistry, Gauge, start_http_server
    registry = CollectorRegistry()
    Gauge("one_gauge", "a single gauge", registry=registry).set(1)
    server, _ = start_http_server(0, addr="127.0.0.1", registry=registry)
    print(server.server_port, flush=True)
    sys.stdin.read()
    """
)


@dataclass
class Running:
    sims: subprocess.Popen[str]
    exporter: subprocess.Popen[str]
    url: str

    def stop(self) -> None:
        for process in (self.exporter, self.sims):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)


def _child(ctx: Context, code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env=ctx.ws.child_env(),
    )


def start_exporter(ctx: Context, tag: str) -> Running:
    """100 simulated appliances and `backuptui exporter --all` watching them, every one polled."""
    config = ctx.ws.root / f"exporter-{tag}.toml"
    sims = _child(ctx, _FLEET_SIM, str(APPLIANCES), str(config))
    assert sims.stdout is not None
    if sims.stdout.readline().strip() != "ready":
        raise RuntimeError("the 100 simulated appliances did not start")
    env = ctx.ws.child_env(BACKUPTUI_CONFIG=str(config), BACKUPTUI_PASSWORD=PASSWORD)
    exporter = subprocess.Popen(
        [BACKUPTUI, "exporter", "--all", "--listen", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert exporter.stderr is not None
        for line in exporter.stderr:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    running = Running(sims, exporter, "")
    deadline = time.monotonic() + 60
    while not running.url:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            running.stop()
            raise RuntimeError("the exporter did not say where it serves") from None
        if "serving metrics on " in line:
            running.url = line.split("serving metrics on ", 1)[1].split()[0]
    while time.monotonic() < deadline:  # every appliance answered once
        text = httpx.get(running.url, timeout=10).text
        if (
            sum(
                1
                for line in text.splitlines()
                if line.startswith("vcsa_backup_up{") and line.endswith(" 1.0")
            )
            == APPLIANCES
        ):
            return running
        time.sleep(0.5)
    running.stop()
    raise RuntimeError("not every appliance was polled within 60 s")


def _scrape(url: str) -> float:
    """One GET on a new connection, with the standard library's client (httpx builds a TLS context
    per call, which would dwarf a one-gauge scrape)."""
    parts = urlsplit(url)
    start = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request("GET", parts.path, headers={"Accept": "text/plain"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise RuntimeError(f"{url}: HTTP {response.status}")
    return elapsed


def x1(ctx: Context) -> Result:
    measure, target = "scrape latency p95, 100 appliances", "≤ 5x and < 20 ms"
    scrapes = 100 if ctx.settings.quick else 400
    running = start_exporter(ctx, "x1")
    baseline = _child(ctx, _ONE_GAUGE)
    try:
        assert baseline.stdout is not None
        one_gauge = f"http://127.0.0.1:{int(baseline.stdout.readline())}/metrics"
        for _ in range(10):  # warm-up: imports, caches, first connections
            _scrape(running.url)
            _scrape(one_gauge)
        ours, theirs = Sample([], "s"), Sample([], "s")
        for _ in range(scrapes):
            ours.values.append(_scrape(running.url))
            theirs.values.append(_scrape(one_gauge))
        size = len(httpx.get(running.url, timeout=10).content)
    finally:
        running.stop()
        baseline.terminate()
        baseline.wait(timeout=10)
    p95, base = ours.quantile(0.95), theirs.quantile(0.95)
    ratio = p95 / base
    return Result(
        "X1",
        measure,
        fmt(p95, "s") if p95 >= 0.001 else f"{p95 * 1000:.2f} ms",
        f"one-gauge registry p95 {base * 1000:.2f} ms",
        f"{ratio:.2f}x",
        target,
        ratio <= 5 and p95 < 0.020,
        f"{scrapes} alternating GETs of each /metrics (http.client, a new connection each) after 10 warm-up",
        [
            f"backuptui exporter: {ours.describe(0.95)}; one gauge: {theirs.describe(0.95)}",
            f"exposition {size} bytes",
        ],
        {"p95_ms": p95 * 1000, "baseline_p95_ms": base * 1000},
    )


def x2(ctx: Context) -> Result:
    measure, target = "exporter CPU per minute, 100 appliances, nothing running", "≤ 3 %"
    window = ctx.settings.idle_window
    running = start_exporter(ctx, "x2")
    try:
        time.sleep(2.0)  # the first polls' schedule fetches and verdicts settle
        pid = running.exporter.pid
        c0, t0 = cpu_ticks_seconds(pid), time.monotonic()
        next_scrape = t0
        while (now := time.monotonic()) < t0 + window:
            if now >= next_scrape:
                httpx.get(running.url, timeout=10)
                next_scrape += 15.0
            time.sleep(min(0.5, max(0.0, t0 + window - now)))
        cpu, wall = cpu_ticks_seconds(pid) - c0, time.monotonic() - t0
    finally:
        running.stop()
    percent = 100 * cpu / wall
    return Result(
        "X2",
        measure,
        f"{percent:.2f} % of a core",
        "one core (100 %)",
        f"{percent / 100:.4f}x",
        target,
        percent <= 3.0,
        f"utime+stime of the exporter over {wall:.0f} s after every appliance answered once; default "
        "intervals (idle 30 s); a scrape every 15 s",
        [f"{cpu:.2f} s CPU in {wall:.0f} s", f"{os.cpu_count()} CPUs on this machine"],
        {"percent": percent},
    )


ROWS = [
    Row("X1", "scrape latency p95, 100 appliances", "≤ 5x and < 20 ms", x1),
    Row("X2", "exporter CPU per minute, 100 appliances, nothing running", "≤ 3 %", x2),
]
