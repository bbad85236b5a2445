"""Rows measured with timers in the harness process, the simulator in another process: 3 (the
json.loads baseline and the core part), 4 and 8."""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from context import Context
from harness import PASSWORD, USER, Result, Sample, fmt

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.monitor import Monitor, RefreshSettings
from backuptui.simulator import Simulator, SimulatorConfig


def raw_details(url: str, flavor: str = "api") -> bytes:
    """The bytes of one unfiltered details response, fetched with plain httpx."""
    with httpx.Client(base_url=url, timeout=60) as http:
        if flavor == "api":
            token = http.post("/api/session", auth=(USER, PASSWORD)).json()
            path = "/api/appliance/recovery/backup/job/details"
        else:
            token = http.post("/rest/com/vmware/cis/session", auth=(USER, PASSWORD)).json()["value"]
            path = "/rest/appliance/recovery/backup/job/details"
        resp = http.get(path, headers={"vmware-api-session-id": token})
        resp.raise_for_status()
        return resp.content


def json_loads_cpu(body: bytes, runs: int) -> Sample:
    """CPU seconds of json.loads on the response bytes (process_time; GC as in normal use)."""
    sample = Sample([], "s")
    for _ in range(runs):
        t0 = time.process_time()
        json.loads(body)
        sample.values.append(time.process_time() - t0)
    return sample


async def _monitor_poll_cpu(url: str, runs: int) -> tuple[Sample, Sample]:
    """CPU of Monitor.poll(full=True) when nothing changed (fetch, parse, diff; no render), and
    of the client's list_job_details alone, both in this process."""
    poll, fetch = Sample([], "s"), Sample([], "s")
    async with ApplianceClient(url, USER, Secret(PASSWORD)) as client:
        monitor = Monitor(client, RefreshSettings())
        await monitor.poll(full=True)
        for _ in range(runs):
            t0 = time.process_time()
            await monitor.poll(full=True)
            poll.values.append(time.process_time() - t0)
            t0 = time.process_time()
            await client.list_job_details()
            fetch.values.append(time.process_time() - t0)
    return poll, fetch


def refresh_core(ctx: Context, key: str) -> tuple[Sample, Sample, Sample, int]:
    """json.loads baseline, Monitor.poll CPU and client fetch CPU for the simulator `key`."""
    body = raw_details(ctx.sim(key).url)
    loads = json_loads_cpu(body, ctx.settings.json_runs)
    poll, fetch = asyncio.run(_monitor_poll_cpu(ctx.sim(key).url, ctx.settings.refresh_runs))
    return loads, poll, fetch, len(body)


def row3(ctx: Context, key: str, label: str, app_refresh: Sample | None, app_notes: list[str]) -> Result:
    loads, poll, fetch, size = refresh_core(ctx, key)
    limit = 1.0 if label == "a" else 3.0
    target = f"≤ {limit:g}x"
    notes = [
        f"response: {size / 1e6:.2f} MB (/api flavour); json.loads: {loads.describe()}",
        f"in-process Monitor.poll(full=True), no render: {poll.describe()} "
        f"({poll.median / loads.median:.1f}x json.loads); of which client.list_job_details: "
        f"{fetch.describe()}",
        *app_notes,
    ]
    if app_refresh is None:
        figure, ratio_value = poll, poll.median / loads.median
        method = "in-process only (the app could not be measured): Monitor.poll(full=True) CPU time"
    else:
        figure, ratio_value = app_refresh, app_refresh.median / loads.median
        notes.insert(0, f"app refresh CPU: {app_refresh.describe()}")
        method = (
            "CPU time of the real app process in tmux (sum of /proc/<pid>/task/*/schedstat) per "
            "timer-driven full poll (app run with --refresh 1; CPU over a window / polls served in it; "
            "includes the status line's 1 s tick, so errs high); nothing changed on the simulator; vs "
            "time.process_time() of json.loads of the same /api response bytes in the harness; "
            "medians over windows"
        )
    return Result(
        f"3{label}",
        f"CPU of one refresh, nothing changed, {ctx.sim(key).jobs:,} jobs",
        fmt(figure.median, "s"),
        f"json.loads of the response: {fmt(loads.median, 's')}",
        f"{ratio_value:.2f}x",
        target,
        ratio_value <= limit,
        method,
        notes,
        {"figure_s": figure.values, "json_loads_s": loads.values, "monitor_poll_s": poll.values},
    )


# --------------------------------------------------------------------------- row 4


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def _watch(url: str, minutes: float) -> dict[str, Any]:
    clock = FakeClock()
    polls = 0
    full_polls = 0
    elapsed = 0.0
    running_seen = True
    async with ApplianceClient(url, USER, Secret(PASSWORD)) as client:
        monitor = Monitor(client, RefreshSettings(), clock=clock)
        await monitor.poll()  # the first, full poll: launch cost, not watching cost
        if not monitor.snapshot.running:
            raise RuntimeError("no running job on the simulator")
        start_bytes = client.bytes_received
        delays: list[float] = []
        while elapsed < minutes * 60:
            delay = monitor.next_delay()
            assert delay is not None
            clock.advance(delay)
            elapsed += delay
            delays.append(delay)
            before = client.bytes_received
            await monitor.poll()
            polls += 1
            if client.bytes_received - before > 100_000:
                full_polls += 1
            running_seen = running_seen and bool(monitor.snapshot.running)
        watch_bytes = client.bytes_received - start_bytes
    async with ApplianceClient(url, USER, Secret(PASSWORD)) as full_client:
        await full_client.login()
        start_full = full_client.bytes_received
        for _ in range(polls):
            await full_client.list_job_details()
        full_bytes = full_client.bytes_received - start_full
    return {
        "polls": polls,
        "full_polls": full_polls,
        "elapsed": elapsed,
        "watch_bytes": watch_bytes,
        "full_bytes": full_bytes,
        "running_throughout": running_seen,
        "median_delay": sorted(delays)[len(delays) // 2],
    }


def row4(ctx: Context) -> Result:
    minutes = ctx.settings.watch_minutes
    cfg = SimulatorConfig(jobs=1000, seed=4, running_at_start=True, speed=1.0)
    with Simulator(cfg) as sim:
        s0 = sim.stats()["bytes_sent"]
        t0 = time.monotonic()
        out = asyncio.run(_watch(sim.url, minutes))
        real = time.monotonic() - t0
        served = sim.stats()["bytes_sent"] - s0
    per_min = out["watch_bytes"] / (out["elapsed"] / 60)
    full_per_min = out["full_bytes"] / (out["elapsed"] / 60)
    ratio = full_per_min / per_min if per_min else float("inf")
    return Result(
        "4",
        "bytes received per minute watching a running job, 1,000 jobs",
        f"{fmt(per_min, 'B')}/min",
        f"full details list at the same cadence: {fmt(full_per_min, 'B')}/min",
        f"{ratio:.0f}x fewer",
        "≥ 50x fewer",
        ratio >= 50 and out["running_throughout"],
        f"client.bytes_received (response bodies) of backuptui's Monitor with default intervals over "
        f"{out['elapsed'] / 60:.1f} simulated minutes ({out['polls']} polls after the first full one), "
        "then a plain client fetching the full list the same number of times; compressed time: the "
        "monitor's clock is advanced by next_delay() instead of sleeping (in-process simulator, "
        f"{real:.1f} s real); one run (byte counts are deterministic up to the job's progress)",
        [
            f"median poll interval {out['median_delay']:.2f} s; full-history polls while watching: "
            f"{out['full_polls']}; job running throughout: {out['running_throughout']}",
            f"simulator bytes_sent (bodies + headers, both clients, incl. logins): {fmt(served, 'B')}",
        ],
        out,
    )


# --------------------------------------------------------------------------- row 8


async def _client_fetch(url: str, runs: int) -> tuple[Sample, Sample, int]:
    """`runs` calls on one fresh client: the first parses everything; later ones may be served by
    the client's memory of the last body (row 8 uses first calls only)."""
    wall, cpu = Sample([], "s"), Sample([], "s")
    count = 0
    async with ApplianceClient(url, USER, Secret(PASSWORD), flavor=ApiFlavor.REST) as client:
        await client.login()
        for _ in range(runs):
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            result = await client.list_job_details()
            wall.values.append(time.perf_counter() - t0)
            cpu.values.append(time.process_time() - c0)
            count = len(result.jobs)
    return wall, cpu, count


def _official_fetch(url: str, runs: int) -> tuple[Sample, Sample, int]:
    wall, cpu = Sample([], "s"), Sample([], "s")
    count = 0
    from official import OfficialDetails  # the test extra: vmware-vcenter, requests

    official = OfficialDetails(url, USER, PASSWORD)
    try:
        for _ in range(runs):
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            jobs = official.list()
            wall.values.append(time.perf_counter() - t0)
            cpu.values.append(time.process_time() - c0)
            count = len(jobs)
    finally:
        official.close()
    return wall, cpu, count


def row8(ctx: Context) -> Result:
    url = ctx.sim("10k").url
    runs = ctx.settings.fetch_runs
    ours_wall, ours_cpu, theirs_wall, theirs_cpu = (Sample([], "s") for _ in range(4))
    n_ours = n_theirs = 0
    asyncio.run(_client_fetch(url, 1))  # warm-up: imports, connection, simulator's cached body
    _official_fetch(url, 1)
    for _ in range(runs):  # interleaved, one fetch of each per round
        w, c, n_ours = asyncio.run(_client_fetch(url, 1))
        ours_wall.values += w.values
        ours_cpu.values += c.values
        w, c, n_theirs = _official_fetch(url, 1)
        theirs_wall.values += w.values
        theirs_cpu.values += c.values
    again, _, _ = asyncio.run(_client_fetch(url, 3))
    ratio = theirs_wall.median / ours_wall.median
    return Result(
        "8",
        "fetch + parse 10,000 job details",
        fmt(ours_wall.median, "s"),
        f"official bindings Details.list(): {fmt(theirs_wall.median, 's')}",
        f"{ratio:.1f}x faster",
        "≥ 15x faster",
        ratio >= 15 and n_ours == n_theirs,
        "wall time (perf_counter) in the harness process of the first details call of a fresh, "
        "logged-in client (a full fetch and parse: no memory of earlier bodies), /rest flavour for both, "
        "simulator in its own process; interleaved rounds after one warm-up each; medians",
        [
            f"backuptui ApplianceClient.list_job_details(): wall {ours_wall.describe()}, "
            f"CPU {ours_cpu.describe()}, {n_ours} jobs",
            f"vmware-vcenter 9.1.1.0 Details.list() (REST): wall {theirs_wall.describe()}, "
            f"CPU {theirs_cpu.describe()}, {n_theirs} jobs; CPU ratio "
            f"{theirs_cpu.median / ours_cpu.median:.1f}x",
            f"not counted: repeated calls on one backuptui client with an unchanged body "
            f"(its byte-identical shortcut) take {fmt(statistics.median(again.values[1:]), 's')} each",
        ],
        {"ours_s": ours_wall.values, "theirs_s": theirs_wall.values},
    )
