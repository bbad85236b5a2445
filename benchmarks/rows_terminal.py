"""Rows measured on real processes in a real terminal (a private tmux server): 1, 2, 3, 5, 6, 7."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from context import Context, History
from harness import (
    HERE,
    Result,
    Sample,
    SimProcess,
    app_env,
    backuptui_command,
    cpu_seconds,
    cpu_ticks_seconds,
    fmt,
    proc_status_kb,
    wait_quiet,
)
from profiles import extra_imports, importtime

TZ = {"TZ": "UTC"}
DETAILS_PATHS = ("/api/appliance/recovery/backup/job/details", "/rest/appliance/recovery/backup/job/details")


@dataclass
class Running:
    target: str
    pid: int
    started: float  # monotonic, just before `tmux new-session`
    first_frame: float  # monotonic, first capture-pane with any text
    painted: float  # monotonic, first capture-pane that showed the list


def has_text(screen: str) -> bool:
    return bool(screen.strip())


def app_command(sim: SimProcess, *extra: str) -> list[str]:
    return backuptui_command(sim.url, *extra)


def bare_command(ctx: Context, key: str | None) -> list[str]:
    args = ["--rows", str(ctx.rows_file(key))] if key else ["--empty"]
    return [sys.executable, str(HERE / "bare_app.py"), *args]


@contextmanager
def launched(
    ctx: Context, command: list[str], painted: Callable[[str], bool], env: dict[str, str], timeout: float = 60
) -> Iterator[Running]:
    target, pid, t0 = ctx.tmux.start(command, {**env, **TZ})
    try:
        first, screen = ctx.tmux.wait_for(target, has_text, timeout=timeout)
        t1 = first if painted(screen) else ctx.tmux.wait_for(target, painted, timeout=timeout)[0]
        yield Running(target, pid, t0, first, t1)
    finally:
        ctx.tmux.kill_session(target, pid)


def paint_time(
    ctx: Context,
    command: list[str],
    painted: Callable[[str], bool],
    env: dict[str, str],
    loaded: Callable[[str], bool] | None = None,
) -> tuple[float, float, float | None]:
    """(launch → first frame, launch → list painted, launch → `loaded` holds) in seconds."""
    with launched(ctx, command, painted, env) as run:
        done = ctx.tmux.wait_for(run.target, loaded, timeout=60)[0] - run.started if loaded else None
        return run.first_frame - run.started, run.painted - run.started, done


def interleaved_paints(
    ctx: Context,
    cases: dict[str, tuple[list[str], Callable[[str], bool], dict[str, str]]],
    loaded: dict[str, Callable[[str], bool]] | None = None,
) -> tuple[dict[str, Sample], dict[str, Sample], dict[str, Sample]]:
    """Launch each case in turn, `paint_runs` times, after `warm_runs` discarded launches each.
    Returns (list painted, first frame, `loaded[case]` holds) samples per case."""
    samples = {name: Sample([], "s") for name in cases}
    firsts = {name: Sample([], "s") for name in cases}
    dones = {name: Sample([], "s") for name in cases}
    warm = ctx.settings.warm_runs
    for run in range(ctx.settings.paint_runs + warm):
        for name, (command, painted, env) in cases.items():
            first, seconds, done = paint_time(ctx, command, painted, env, (loaded or {}).get(name))
            if run >= warm:
                samples[name].values.append(seconds)
                firsts[name].values.append(first)
                if done is not None:
                    dones[name].values.append(done)
    return samples, firsts, dones


def warm_up(ctx: Context) -> None:
    """Launch backuptui and the bare app once each, unmeasured, so that every later launch finds
    its modules compiled in the private bytecode cache (as an installed package would)."""
    key = next(iter(ctx.sims), "1k")
    hist = ctx.history(key)
    paint_time(ctx, app_command(ctx.sim(key)), hist.list_painted, app_env())
    paint_time(ctx, bare_command(ctx, key), hist.list_painted, {})


def row1(ctx: Context) -> Result:
    hist = ctx.history("1k")
    s, first, _ = interleaved_paints(
        ctx,
        {
            "app": (app_command(ctx.sim("1k")), hist.list_painted, app_env()),
            "bare": (bare_command(ctx, "1k"), hist.list_painted, {}),
        },
    )
    ratio = s["app"].median / s["bare"].median
    env = ctx.ws.child_env()
    app_imports = importtime([sys.executable, "-c", "import backuptui.tui.launch, backuptui.tui.app"], env)
    bare_imports = importtime([sys.executable, str(HERE / "bare_app.py"), "--help"], env)
    return Result(
        "1",
        "launch → job list painted, 1,000 jobs",
        fmt(s["app"].median, "s"),
        f"bare DataTable, same 1,000 rows: {fmt(s['bare'].median, 's')}",
        f"{ratio:.2f}x",
        "≤ 1.1x",
        ratio <= 1.1,
        "process wall time in tmux 120x40: `tmux new-session` → first capture-pane (polled every "
        "3 ms) showing the start times of list rows 1 and 6; the app logs in and fetches over "
        "loopback HTTP, the bare app reads the preformatted rows from a local JSON file; runs "
        f"interleaved, {ctx.settings.warm_runs} warm-up launch(es) per case discarded, medians",
        [
            f"backuptui: {s['app'].describe()}; first frame (any text) {first['app'].describe()}",
            f"bare DataTable app: {s['bare'].describe()}; first frame {first['bare'].describe()}",
            f"ratio of the fastest launches (least disturbed by other load): "
            f"{min(s['app'].values) / min(s['bare'].values):.2f}x",
            f"-X importtime of the app's modules (backuptui.tui.launch, .app): {app_imports.summary()}",
            f"-X importtime of the bare app (bare_app.py --help): {bare_imports.summary()}",
            f"app vs bare: {extra_imports(app_imports, bare_imports)}",
        ],
        {"app": s["app"].values, "bare": s["bare"].values},
    )


def row2_and_9(ctx: Context) -> list[Result]:
    h10k, h100 = ctx.history("10k"), ctx.history("100")
    s, first, full = interleaved_paints(
        ctx,
        {
            "10k": (app_command(ctx.sim("10k")), h10k.list_painted, app_env()),
            "100": (app_command(ctx.sim("100")), h100.list_painted, app_env()),
        },
        {"10k": shows(f"{len(h10k.jobs)} jobs"), "100": shows(f"{len(h100.jobs)} jobs")},
    )
    ratio = s["10k"].median / s["100"].median
    loaded = full["10k"].median / s["100"].median
    row9 = Result(
        "9",
        "launch → the whole 10,000-job history loaded",
        fmt(full["10k"].median, "s"),
        f"launch → painted at 100 jobs: {fmt(s['100'].median, 's')}",
        f"{loaded:.2f}x",
        "≤ 1.3x",
        loaded <= 1.3,
        "the launches of row 2: `tmux new-session` → first capture-pane whose status line counts the "
        f"whole history ('{len(h10k.jobs)} jobs') on the 10,000-job simulator, vs backuptui's launch → "
        "list painted on the 100-job simulator; interleaved, medians",
        [
            f"10,000 jobs, whole history counted: {full['10k'].describe()}; list painted "
            f"{s['10k'].describe()}",
            f"100 jobs, list painted: {s['100'].describe()}",
        ],
        {"loaded_10k": full["10k"].values, "painted_100": s["100"].values},
    )
    return [
        Result(
            "2",
            "launch → job list painted, 10,000 jobs",
            fmt(s["10k"].median, "s"),
            f"backuptui at 100 jobs: {fmt(s['100'].median, 's')}",
            f"{ratio:.2f}x",
            "≤ 1.5x",
            ratio <= 1.5,
            "as row 1, backuptui against simulators with 10,000 and 100 finished jobs; interleaved, "
            f"{ctx.settings.warm_runs} warm-up launch(es) per case discarded, medians",
            [
                f"10,000 jobs: {s['10k'].describe()}; first frame (any text) {first['10k'].describe()}",
                f"100 jobs: {s['100'].describe()}; first frame {first['100'].describe()}",
                f"ratio of the fastest launches (least disturbed by other load): "
                f"{min(s['10k'].values) / min(s['100'].values):.2f}x",
                f"launch → the status line counts the whole history ('{len(h10k.jobs)} jobs'): "
                f"{full['10k'].describe()} at 10,000 jobs, {full['100'].describe()} at 100",
            ],
            {"10k": s["10k"].values, "100": s["100"].values},
        ),
        row9,
    ]


# --------------------------------------------------------------------------- row 3 (app part)


def details_requests(sim: SimProcess) -> int:
    """How many job-details requests the simulator has answered (any flavour, filtered or not)."""
    stats = sim.stats()
    per_path = stats.get("requests_per_path") or stats.get("requests") or {}
    if isinstance(per_path, dict):
        return sum(int(v) for k, v in per_path.items() if str(k).split("?")[0].startswith(DETAILS_PATHS))
    raise RuntimeError(f"simulator stats have no per-path request counts: {sorted(stats)}")


def idle_rate(pid: int, window: float = 2.0) -> float:
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(window)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def refresh_cpu(ctx: Context, key: str, hist: History) -> tuple[Sample, list[str]]:
    """CPU seconds the app process spends on one refresh when nothing changed.

    The app runs with `--refresh 1`: with nothing running it fetches the full history one second
    after the end of each poll, driven by its own timer (pressing `r` would also show a toast, which
    is not part of a refresh). Over each window, CPU time of the process divided by the number of
    details requests the simulator answered; the once-a-second status tick is included (at most
    one per poll), so the figure errs high.
    """
    sim = ctx.sim(key)
    sample = Sample([], "s")
    polls_seen = 0
    with launched(ctx, app_command(sim, "--refresh", "1"), hist.list_painted, app_env()) as run:
        time.sleep(2.0)  # past the first poll and its render
        for _ in range(ctx.settings.refresh_runs):
            p0, c0 = details_requests(sim), cpu_seconds(run.pid)
            time.sleep(ctx.settings.refresh_window)
            c1, p1 = cpu_seconds(run.pid), details_requests(sim)
            if p1 > p0:
                sample.values.append((c1 - c0) / (p1 - p0))
                polls_seen += p1 - p0
    if not sample.values:
        raise RuntimeError("the app made no polls with --refresh 1")
    notes = [
        f"{polls_seen} timer-driven polls over {ctx.settings.refresh_runs} windows of "
        f"{ctx.settings.refresh_window:.0f} s (app started with --refresh 1)",
    ]
    return sample, notes


# --------------------------------------------------------------------------- row 5


class IdleCpu:
    """Row 5, split in two so that its long window can overlap the other rows: start() launches
    the app (and the bare app as a reference) and begins the window, finish() ends it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.sim = ctx.sim("idle")
        self.hist = ctx.history("idle")
        self._cm = launched(ctx, app_command(self.sim), self.hist.list_painted, app_env())
        self._bare_cm = launched(ctx, bare_command(ctx, "idle"), self.hist.list_painted, {})
        self.run: Running | None = None
        self.bare: Running | None = None

    def start(self) -> None:
        self.run = self._cm.__enter__()
        try:
            self.bare = self._bare_cm.__enter__()
        except BaseException:
            self._cm.__exit__(None, None, None)
            raise
        time.sleep(3)  # the first full poll and its render are launch cost, not idle cost
        wait_quiet(self.run.pid, quiet_for=0.5)
        self.polls0 = details_requests(self.sim)
        self.c0 = cpu_ticks_seconds(self.run.pid)
        self.b0 = cpu_ticks_seconds(self.bare.pid)
        self.t0 = time.monotonic()
        self.rss0 = proc_status_kb(self.run.pid, "VmRSS")

    def finish(self) -> Result:
        assert self.run is not None and self.bare is not None
        try:
            remaining = self.ctx.settings.idle_window - (time.monotonic() - self.t0)
            if remaining > 0:
                time.sleep(remaining)
            c1, t1 = cpu_ticks_seconds(self.run.pid), time.monotonic()
            b1 = cpu_ticks_seconds(self.bare.pid)
            polls = details_requests(self.sim) - self.polls0
            rss1 = proc_status_kb(self.run.pid, "VmRSS")
        finally:
            self._bare_cm.__exit__(None, None, None)
            self._cm.__exit__(None, None, None)
        window = t1 - self.t0
        share = (c1 - self.c0) / window * 100
        per_minute = (c1 - self.c0) / window * 60
        bare_share = (b1 - self.b0) / window * 100
        return Result(
            "5",
            "CPU per minute, nothing running, default intervals, 1,000 jobs",
            f"{per_minute * 1000:.0f} ms/min",
            "one core (60 s/min)",
            f"{share:.2f} %",
            "≤ 0.25 %",
            share <= 0.25,
            f"utime+stime of the app process (/proc/<pid>/stat, 10 ms ticks) over a {window:.0f} s "
            "window in tmux, after the first poll had settled; default refresh intervals; one run; "
            "the window spans the other rows of the run (CPU time, not wall time, is counted)",
            [
                f"{polls} job-details request(s) served to the app during the window (idle interval 30 s)",
                f"reference in the same window: the bare DataTable app with the same 1,000 rows, idle, "
                f"used {bare_share:.2f} % of a core",
                f"RSS {self.rss0 / 1024:.1f} MB at the start of the window, {rss1 / 1024:.1f} MB at the end",
            ],
            {"cpu_s": c1 - self.c0, "window_s": window, "polls": polls},
        )


# --------------------------------------------------------------------------- row 6


def shows(text: str) -> Callable[[str], bool]:
    def predicate(screen: str) -> bool:
        return text in screen

    return predicate


def key_latencies(
    ctx: Context,
    run: Running,
    hist: History,
    presses: int,
    sim: SimProcess | None,
    marker: Callable[[str], str] = str,
) -> Sample:
    """Down (then Up) key → the screen shows marker(id) of the newly selected job.

    backuptui shows the selected job's id in its detail pane. With `sim`, keys come in cycles of
    four, timed the same way in both phases: `r` starts a full poll; 0.3 s after the simulator has
    received its request, the four keys; then wait until the poll has completed (the simulator has
    sent the body) and until 2.5 s after `r` (the toast `r` shows has gone), and for a quiet app.
    With latency injected the keys land while the poll hangs (3 s); without, after it completed.
    """
    sample = Sample([], "ms")
    ids = hist.ids
    # The newest job's id is always on screen (the "last job" panel), so the cursor moves between
    # list rows 2 and 10 only: each of those ids shows only when its row is selected.
    screen = ctx.tmux.screen(run.target)
    on_screen = [i for i in range(1, 11) if marker(ids[i]) in screen]
    if on_screen:
        index = on_screen[0]
    else:
        ctx.tmux.send_keys(run.target, "Down")
        ctx.tmux.wait_for(run.target, shows(marker(ids[1])), timeout=15)
        index = 1
    direction = "Down"
    cycle: Cycle | None = None
    for n in range(presses):
        if sim is not None and n % 4 == 0:
            if cycle is not None:
                finish_cycle(ctx, run, sim, cycle)
            cycle = start_cycle(ctx, run, sim)
        if index >= 9:
            direction = "Up"
        elif index <= 1:
            direction = "Down"
        expect = marker(ids[index + 1] if direction == "Down" else ids[index - 1])
        t0 = time.monotonic()
        ctx.tmux.send_keys(run.target, direction)
        t1, _ = ctx.tmux.wait_for(run.target, shows(expect), timeout=15, poll=0.002)
        sample.values.append((t1 - t0) * 1000)
        index += 1 if direction == "Down" else -1
        time.sleep(0.12)
    if sim is not None and cycle is not None:
        finish_cycle(ctx, run, sim, cycle)
    return sample


@dataclass
class Cycle:
    pressed: float  # monotonic time of `r`
    sent_before: int  # simulator bytes_sent when `r` was pressed


def start_cycle(ctx: Context, run: Running, sim: SimProcess) -> Cycle:
    """Press `r`; return once the simulator has the poll's request, plus 0.3 s."""
    before = details_requests(sim)
    cycle = Cycle(time.monotonic(), int(sim.stats()["bytes_sent"]))
    ctx.tmux.send_keys(run.target, "r")
    deadline = time.monotonic() + 10
    while details_requests(sim) <= before and time.monotonic() < deadline:
        time.sleep(0.01)  # counted on arrival: from here on the poll is in flight
    time.sleep(0.3)
    return cycle


def finish_cycle(ctx: Context, run: Running, sim: SimProcess, cycle: Cycle) -> None:
    """Wait until the poll's body has been sent, 2.5 s have passed since `r`, and the app is quiet."""
    deadline = time.monotonic() + 15
    while int(sim.stats()["bytes_sent"]) - cycle.sent_before < 100_000 and time.monotonic() < deadline:
        time.sleep(0.02)
    remaining = cycle.pressed + 2.5 - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
    wait_quiet(run.pid, quiet_for=0.2)


def row6(ctx: Context) -> Result:
    sim = ctx.sim("fault")
    hist = ctx.history("fault")
    presses = ctx.settings.key_presses
    with launched(ctx, app_command(sim), hist.list_painted, app_env()) as run:
        wait_quiet(run.pid, quiet_for=0.5)
        calm = key_latencies(ctx, run, hist, presses, sim)
        sim.set_fault({"latency": 3.0})
        try:
            stuck = key_latencies(ctx, run, hist, presses, sim)
        finally:
            sim.set_fault({"clear": True})
    bare_cmd = [*bare_command(ctx, "fault"), "--cursor-label"]
    with launched(ctx, bare_cmd, hist.list_painted, {}) as run:
        wait_quiet(run.pid, quiet_for=0.5)
        bare = key_latencies(ctx, run, hist, presses, None, marker=lambda i: f"Selected: {i}")
    p_stuck, p_bare = stuck.quantile(0.95), bare.quantile(0.95)
    ratio = p_stuck / p_bare
    ok = ratio <= 1.15 and p_stuck < 40
    return Result(
        "6",
        "key press → changed screen (p95), poll stuck 3 s",
        fmt(p_stuck, "ms"),
        f"bare DataTable app, same keys: {fmt(p_bare, 'ms')}",
        f"{ratio:.2f}x",
        "≤ 1.15x and < 40 ms",
        ok,
        "tmux send-keys Down/Up → first capture-pane showing the newly selected job's id (detail "
        "pane); in cycles of 4 keys, 0.3 s after `r` started a full poll, which the simulator holds "
        "for 3 s in the stuck phase (fault: latency 3 s), timed alike in both phases; 1,000 jobs; "
        "p95 over presses, vs the bare DataTable app updating a one-line Static with the selected "
        "id, same keys; keys sent and the pane "
        "read through one tmux control-mode client (no process start per command), pane polled "
        "every 2 ms",
        [
            f"stuck poll: {stuck.describe(q=0.95)}",
            f"no latency: {calm.describe(q=0.95)}",
            f"bare DataTable app, same keys: {bare.describe(q=0.95)}",
            f"backuptui stuck / backuptui with no latency: {p_stuck / calm.quantile(0.95):.2f}x",
        ],
        {"stuck_ms": stuck.values, "calm_ms": calm.values, "bare_ms": bare.values},
    )


# --------------------------------------------------------------------------- row 7


def row7(ctx: Context) -> Result:
    hist = ctx.history("10k")
    app, bare = Sample([], "MB"), Sample([], "MB")

    def empty_painted(screen: str) -> bool:
        return "Location" in screen

    small = Sample([], "MB")
    for _ in range(ctx.settings.rss_runs):
        with launched(ctx, app_command(ctx.sim("100")), ctx.history("100").list_painted, app_env()) as run:
            wait_quiet(run.pid, quiet_for=0.5)
            ctx.tmux.send_keys(run.target, "r")
            time.sleep(0.5)
            wait_quiet(run.pid, quiet_for=0.5)
            small.values.append(proc_status_kb(run.pid, "VmHWM") / 1024)
        with launched(ctx, app_command(ctx.sim("10k")), hist.list_painted, app_env()) as run:
            wait_quiet(run.pid, quiet_for=0.5)
            ctx.tmux.send_keys(run.target, "r")  # one full refresh of 10,000 jobs on top
            time.sleep(0.5)
            wait_quiet(run.pid, quiet_for=0.5)
            app.values.append(proc_status_kb(run.pid, "VmHWM") / 1024)
        with launched(ctx, bare_command(ctx, None), empty_painted, {}) as run:
            wait_quiet(run.pid, quiet_for=0.5)
            bare.values.append(proc_status_kb(run.pid, "VmHWM") / 1024)
    extra = app.median - bare.median
    return Result(
        "7",
        "peak RSS, 10,000 jobs",
        fmt(app.median, "MB"),
        f"bare app, empty DataTable: {fmt(bare.median, 'MB')}",
        f"+{extra:.1f} MB",
        "≤ +20 MB",
        extra <= 20,
        "VmHWM (peak resident set) from /proc/<pid>/status of the process in tmux; backuptui after its "
        "first paint plus one full `r` refresh of 10,000 jobs; bare app after painting; medians",
        [
            f"backuptui: {app.describe()}",
            f"bare app: {bare.describe()}",
            f"backuptui with 100 jobs, same procedure: {small.describe()} (what the 10,000-job history "
            f"adds: {app.median - small.median:.1f} MB)",
        ],
        {"app_mb": app.values, "bare_mb": bare.values, "app_100_mb": small.values},
    )
