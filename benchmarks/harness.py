"""Shared machinery of the benchmarks: statistics, the results table, simulator processes, tmux.

Everything here measures from the outside, the way a user would see it: real processes, a real
terminal (a private tmux server), loopback HTTP to the simulator running in its own process.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
USER = "administrator@vsphere.local"
PASSWORD = "VMware1!"  # the simulator's documented default, not a secret
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- statistics


@dataclass
class Sample:
    """Repeated measurements of one quantity, in `unit`."""

    values: list[float]
    unit: str

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def quantile(self, q: float) -> float:
        """Nearest-rank quantile (q=0.95 is the p95 of the values)."""
        ordered = sorted(self.values)
        rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 1))))
        return ordered[rank - 1]

    def describe(self, q: float | None = None) -> str:
        if not self.values:
            return "no data"
        centre = f"p95 {fmt(self.quantile(0.95), self.unit)}, median " if q else ""
        return (
            f"{centre}{fmt(self.median, self.unit)} "
            f"[{fmt(min(self.values), self.unit)}..{fmt(max(self.values), self.unit)}] n={len(self.values)}"
        )


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "B":
        if value >= 1e6:
            return f"{value / 1e6:.2f} MB"
        if value >= 1e3:
            return f"{value / 1e3:.1f} kB"
        return f"{value:.0f} B"
    if unit == "%":
        return f"{value:.3f} %"
    return f"{value:.3g} {unit}"


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    """One line of the table: a figure, its comparison from the same run, and the verdict."""

    row: str
    measure: str
    figure: str
    baseline: str
    ratio: str
    target: str
    passed: bool | None  # None: could not be measured
    method: str
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.method == "not built":  # the feature does not exist yet: no figure, no verdict
            return "not built"
        return {True: "PASS", False: "MISS", None: "ERROR"}[self.passed]


def failed_result(row: str, measure: str, target: str, error: BaseException | str) -> Result:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    text = text.splitlines()[0] if text else text
    return Result(row, measure, "-", "-", "-", target, None, "not measured", [text])


def render_table(results: Sequence[Result]) -> str:
    headers = ("#", "measure", "figure", "compared with (same run)", "ratio", "target", "result")
    lines = [(r.row, r.measure, r.figure, r.baseline, r.ratio, r.target, r.verdict) for r in results]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]

    def join(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [join(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [join(line) for line in lines]
    out.append("")
    out.append("How each row was measured:")
    for r in results:
        out.append(f"  {r.row}. {r.method}")
        out.extend(f"     - {note}" for note in r.notes)
    return "\n".join(out)


# --------------------------------------------------------------------------- environment


class Workspace:
    """A private temp dir for one benchmark run: config dirs, bytecode cache, tmux config."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="backuptui-bench-"))
        for sub in ("config", "data", "state", "cache", "pycache"):
            (self.root / sub).mkdir()

    def child_env(self, **extra: str) -> dict[str, str]:
        """The environment of every process the benchmark starts.

        No COLUMNS/LINES/NO_COLOR/TEXTUAL*/TMUX*; XDG dirs isolated so no user profile is read; a
        private bytecode cache so that (after one warm-up run) no process compiles sources on start,
        as with an installed package.
        """
        env = {
            k: v
            for k, v in os.environ.items()
            if k
            not in (
                "COLUMNS",
                "LINES",
                "NO_COLOR",
                "FORCE_COLOR",
                "TMUX",
                "TMUX_PANE",
                "PYTHONDONTWRITEBYTECODE",
            )
            and not k.startswith(("TEXTUAL", "BACKUPTUI_"))
        }
        env.update(
            XDG_CONFIG_HOME=str(self.root / "config"),
            XDG_DATA_HOME=str(self.root / "data"),
            XDG_STATE_HOME=str(self.root / "state"),
            XDG_CACHE_HOME=str(self.root / "cache"),
            PYTHONPYCACHEPREFIX=str(self.root / "pycache"),
            TERM="xterm-256color",
        )
        env.update(extra)
        return env

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- simulator process


class SimProcess:
    """The simulator in its own process (benchmarks/sim_server.py), so that its CPU never counts
    against the client being measured. Controlled over HTTP like any appliance."""

    def __init__(self, ws: Workspace, jobs: int, seed: int = 1, **config: Any) -> None:
        self.jobs = jobs
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = {"jobs": jobs, "seed": seed, "port": self.port, **config}
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "sim_server.py"), json.dumps(args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=ws.child_env(),
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            err = self.proc.stderr.read() if self.proc.stderr else ""
            self.stop()
            raise RuntimeError(f"simulator did not start: {line!r} {err[-2000:]}")

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as resp:
            return json.loads(resp.read())

    def post(self, path: str, body: Any) -> Any:
        req = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            data = resp.read()
        return json.loads(data) if data else None

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.get("/_simulator/stats")
        return result

    def set_fault(self, spec: dict[str, Any]) -> None:
        self.post("/_simulator/fault", spec)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(Exception):
                assert self.proc.stdin is not None
                self.proc.stdin.close()  # sim_server exits when its stdin closes
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


# --------------------------------------------------------------------------- /proc


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of every live thread of a process, in seconds, ns resolution.

    Sums /proc/<pid>/task/*/schedstat (on-CPU ns); falls back to utime+stime ticks of
    /proc/<pid>/stat, which also includes threads that have already exited.
    """
    total = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
        return total / 1e9
    except (FileNotFoundError, PermissionError):
        return cpu_ticks_seconds(pid)


def cpu_ticks_seconds(pid: int) -> float:
    """utime + stime from /proc/<pid>/stat (10 ms ticks; includes exited threads)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def wait_quiet(pid: int, quiet_for: float = 0.3, idle_rate: float = 0.02, timeout: float = 20.0) -> float:
    """Wait until the process uses less than `idle_rate` of a core for `quiet_for` seconds."""
    deadline = time.monotonic() + timeout
    last = cpu_seconds(pid)
    last_t = time.monotonic()
    quiet_since = last_t
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now_cpu, now_t = cpu_seconds(pid), time.monotonic()
        if now_cpu - last > idle_rate * (now_t - last_t):
            quiet_since = now_t
        last, last_t = now_cpu, now_t
        if now_t - quiet_since >= quiet_for:
            return now_t
    return time.monotonic()


# --------------------------------------------------------------------------- tmux


class Tmux:
    """A private tmux server (own -L socket), one 120x40 pane per app under test.

    A placeholder session keeps the server up, so starting an app measures the app, not tmux.
    """

    def __init__(self, ws: Workspace, width: int = 120, height: int = 40) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed")
        self.ws = ws
        self.socket = f"bench-{uuid.uuid4().hex[:10]}"
        self.conf = ws.root / "tmux.conf"
        self.conf.write_text("set -g remain-on-exit on\nset -g status off\nset -g history-limit 0\n")
        self.width, self.height = width, height
        self.env = ws.child_env()
        self._windows = 0
        self.tmux("new-session", "-d", "-s", "hold", "-x", str(width), "-y", str(height), "sleep 86400")
        self.control = TmuxControl(
            ["tmux", "-L", self.socket, "-f", str(self.conf), "-C", "attach", "-t", "hold"], self.env
        )

    def tmux(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args],
            check=check,
            capture_output=True,
            text=True,
            env=self.env,
        )
        return proc.stdout

    def start(self, command: Sequence[str], env: dict[str, str] | None = None) -> tuple[str, int, float]:
        """Start `command` in a new session; return (target, pid, monotonic start time)."""
        self._windows += 1
        target = f"app{self._windows}"
        env_args = [a for k, v in (env or {}).items() for a in ("-e", f"{k}={v}")]
        t0 = time.monotonic()
        self.tmux(
            "new-session",
            "-d",
            "-s",
            target,
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            *env_args,
            "exec " + shlex.join(command),
        )
        pid = int(self.tmux("display-message", "-p", "-t", target, "#{pane_pid}").strip())
        return target, pid, t0

    def screen(self, target: str) -> str:
        """The pane's text now (capture-pane through the control-mode client: no process start)."""
        _, lines = self.control.command(f"capture-pane -p -t {target}")
        return "\n".join(lines)

    def send_keys(self, target: str, *keys: str) -> None:
        error, lines = self.control.command(shlex.join(["send-keys", "-t", target, *keys]))
        if error:
            raise RuntimeError(f"tmux send-keys failed: {' '.join(lines)}")

    def wait_for(
        self, target: str, predicate: Callable[[str], bool], timeout: float = 30.0, poll: float = 0.003
    ) -> tuple[float, str]:
        """Poll the pane until predicate(screen) holds; return (monotonic time seen, screen).

        Polls every `poll` seconds, not in a busy loop: on 2 cores a spinning harness (and the
        tmux server answering it) would take CPU from the app being measured."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(target)
            if predicate(screen):
                return time.monotonic(), screen
            if poll:
                time.sleep(poll)
        raise TimeoutError(f"screen condition not met within {timeout} s; screen was:\n{screen}")

    def kill_session(self, target: str, pid: int | None = None) -> None:
        self.tmux("kill-session", "-t", target, check=False)
        if pid is not None:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
                if _is_zombie(pid):
                    break
                time.sleep(0.02)
            if Path(f"/proc/{pid}").exists() and not _is_zombie(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def kill_server(self) -> None:
        self.control.close()
        self.tmux("kill-server", check=False)


class TmuxControl:
    """A tmux control-mode client (`tmux -C attach`): commands go over a pipe, answers come back as
    %begin/%end blocks. Sending a key or reading the pane costs microseconds instead of starting a
    tmux process (~3 ms, more on a loaded machine), so key-latency figures measure the app."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.answers: queue.Queue[tuple[bool, list[str]] | None] = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, name="tmux-control", daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        block: tuple[str, list[str]] | None = None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if block is None:
                if line.startswith("%begin"):
                    block = (line.split()[3] if len(line.split()) > 3 else "1", [])
                continue  # notifications (%sessions-changed, %output ...) are not answers
            if line.startswith(("%end", "%error")):
                flags, lines = block
                block = None
                if flags != "0":  # 0: the attach itself, not one of our commands
                    self.answers.put((line.startswith("%error"), lines))
                continue
            block[1].append(line)
        self.answers.put(None)

    def command(self, command: str, timeout: float = 15.0) -> tuple[bool, list[str]]:
        """Run one tmux command; (is_error, output lines)."""
        with self.lock:
            assert self.proc.stdin is not None
            self.proc.stdin.write(command.encode() + b"\n")
            self.proc.stdin.flush()
            answer = self.answers.get(timeout=timeout)
        if answer is None:
            raise RuntimeError("the tmux control client has exited")
        return answer

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


@contextlib.contextmanager
def tmux_server(ws: Workspace) -> Iterator[Tmux]:
    tmux = Tmux(ws)
    try:
        yield tmux
    finally:
        tmux.kill_server()


def backuptui_base() -> list[str]:
    """The installed console script (as a user runs it), else `python -m backuptui`."""
    script = Path(sys.executable).with_name("backuptui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "backuptui"]


def backuptui_command(url: str, *extra: str) -> list[str]:
    """The monitor on `url`, without the local history store where the program has one: the app
    rows measure the path through the network (a second launch would paint the stored list)."""
    return [*backuptui_base(), "--url", url, "--user", USER, *no_history(), *extra]


_NO_HISTORY: list[list[str]] = []


def no_history() -> list[str]:
    """`--no-history` if this backuptui has that option (asked once per run)."""
    if not _NO_HISTORY:
        proc = subprocess.run([*backuptui_base(), "--help"], capture_output=True, text=True, check=False)
        _NO_HISTORY.append(["--no-history"] if "--no-history" in proc.stdout else [])
    return _NO_HISTORY[0]


def app_env() -> dict[str, str]:
    return {"BACKUPTUI_PASSWORD": PASSWORD, "TERM": "xterm-256color"}
