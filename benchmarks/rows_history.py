"""Rows H1-H3: the local history (`backuptui.core.store`).

H1: launch → the job list painted from the store, 1,000 jobs, the appliance 1 s away (a latency
    fault on the job paths), against the bare DataTable app painting the same rows (row 1's).
H2: CPU of the store's write for a poll that changed one running job, 10,000 stored jobs, against
    the CPU of that poll itself (the monitor and client in this process; the simulator elsewhere).
H3: the database's size for 10,000 jobs against the same jobs as the appliance's JSON.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import rows_terminal
from context import Context
from harness import PASSWORD, USER, Result, Sample, app_env, backuptui_base, fmt
from registry import Row

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.store import HistoryStore, Identity
from backuptui.core.store.records import record_text
from backuptui.core.watch.monitor import Monitor, RefreshSettings

H1_TARGET, H2_TARGET, H3_TARGET = "≤ 1.05x", "≤ 0.2x", "≤ 1x"


def _identity(url: str) -> Identity:
    return Identity.of(None, url)  # `backuptui --url URL`: no profile name


async def _fill(url: str, path: Path) -> None:
    """One full poll written to the store at `path`, and the session's end."""
    async with ApplianceClient(url, USER, Secret(PASSWORD)) as client:
        monitor = Monitor(client)
        store = HistoryStore.open(path)
        try:
            store.record_poll(_identity(url), await monitor.poll())
            store.end_session(_identity(url))
        finally:
            store.close()


def h1(ctx: Context) -> Result:
    sim = ctx.sim("h1", 1000, seed=11)
    hist = ctx.history("h1")
    data = ctx.ws.root / "history-h1"
    asyncio.run(_fill(sim.url, data / "history.sqlite3"))
    sim.set_fault({"latency": 1.0, "match": "/recovery/backup/job"})  # the jobs are 1 s away
    try:
        s, first, _ = rows_terminal.interleaved_paints(
            ctx,
            {
                "app": (
                    # not rows_terminal.app_command: that one adds --no-history (the network path)
                    [*backuptui_base(), "--url", sim.url, "--user", USER],
                    hist.list_painted,
                    {**app_env(), "BACKUPTUI_DATA": str(data)},
                ),
                "bare": (rows_terminal.bare_command(ctx, "h1"), hist.list_painted, {}),
            },
        )
    finally:
        sim.set_fault({"clear": True})
    ratio = s["app"].median / s["bare"].median
    return Result(
        "H1",
        "launch → list painted from the store, 1,000 jobs, appliance 1 s away",
        fmt(s["app"].median, "s"),
        f"bare DataTable, same 1,000 rows: {fmt(s['bare'].median, 's')}",
        f"{ratio:.2f}x",
        H1_TARGET,
        ratio <= 1.05,
        "as row 1 (tmux 120x40, `tmux new-session` → first capture-pane showing list rows 1 and 6), "
        "with the store filled by one earlier session and 1 s of latency on every job path of the "
        "simulator: the list can only come from the store; interleaved, medians",
        [
            f"backuptui: {s['app'].describe()}; first frame {first['app'].describe()}",
            f"bare DataTable app: {s['bare'].describe()}; first frame {first['bare'].describe()}",
        ],
        {"app": s["app"].values, "bare": s["bare"].values},
    )


async def _h2(url: str, path: Path, rounds: int) -> tuple[Sample, Sample, int]:
    identity = _identity(url)
    async with ApplianceClient(url, USER, Secret(PASSWORD)) as client:
        monitor = Monitor(client, RefreshSettings(idle=3600, running=0.5))
        store = HistoryStore.open(path)
        try:
            store.record_poll(identity, await monitor.poll())  # the whole history, stored once
            polls, writes = Sample([], "s"), Sample([], "s")
            written = 0
            while len(polls.values) < rounds:
                await asyncio.sleep(0.6)  # the running job moves on
                before = time.process_time()
                snapshot = await monitor.poll()
                polled = time.process_time()
                changed = store.record_poll(identity, snapshot)
                done = time.process_time()
                if changed != 1:
                    continue  # only polls that changed exactly the running job count
                written += changed
                polls.values.append(polled - before)
                writes.values.append(done - polled)
            return polls, writes, written
        finally:
            store.close()


def _in_ms(sample: Sample) -> Sample:
    """The same figures in milliseconds, so the notes show tenths of a millisecond."""
    return Sample([value * 1000 for value in sample.values], "ms")


def h2(ctx: Context) -> Result:
    sim = ctx.sim("h2", 10000, seed=12, running_at_start=True, speed=0.2)
    rounds = 5 if ctx.settings.quick else 15
    polls, writes, _ = asyncio.run(_h2(sim.url, ctx.ws.root / "history-h2" / "history.sqlite3", rounds))
    ratio = writes.median / polls.median
    return Result(
        "H2",
        "store write per poll that changed one running job, 10,000 stored jobs",
        fmt(writes.median * 1000, "ms"),
        f"the poll's own CPU: {fmt(polls.median * 1000, 'ms')}",
        f"{ratio:.2f}x",
        H2_TARGET,
        ratio <= 0.2,
        "in one process: `time.process_time()` around the monitor's poll of the running job (client, "
        "parsing, merging) and around `HistoryStore.record_poll` of its snapshot (the jobs the "
        "monitor's merge says changed, compared and written in one transaction); only polls where "
        "exactly that job changed; medians",
        [f"poll: {_in_ms(polls).describe()}", f"store write: {_in_ms(writes).describe()}"],
        {"poll": polls.values, "write": writes.values},
    )


def h3(ctx: Context) -> Result:
    sim = ctx.sim("10k")
    hist = ctx.history("10k")
    path = ctx.ws.root / "history-h3" / "history.sqlite3"
    asyncio.run(_fill(sim.url, path))
    size = sum(p.stat().st_size for p in path.parent.iterdir() if p.name.startswith(path.name))
    body = len(json.dumps({job.id: json.loads(record_text(job)) for job in hist.jobs}, separators=(",", ":")))
    ratio = size / body
    return Result(
        "H3",
        "database size, 10,000 jobs",
        fmt(size, "B"),
        f"the same jobs as the appliance's JSON (/api form, compact): {fmt(body, 'B')}",
        f"{ratio:.2f}x",
        H3_TARGET,
        ratio <= 1.0,
        "the database file and its WAL after one session stored the 10,000-job history (records "
        "zlib-compressed, plus the queried columns and a digest per job) against the compact JSON "
        "text of the same records keyed by id",
        [f"database: {size:,} bytes; JSON: {body:,} bytes"],
        {"db_bytes": size, "json_bytes": body},
    )


ROWS = [
    Row(
        "H1", "launch → list painted from the store, 1,000 jobs, appliance 1 s away", H1_TARGET, h1, tmux=True
    ),
    Row("H2", "store write per poll that changed one running job, 10,000 stored jobs", H2_TARGET, h2),
    Row("H3", "database size, 10,000 jobs", H3_TARGET, h3),
]
