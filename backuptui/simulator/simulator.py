"""`Simulator`: one simulated vCenter appliance served over HTTP on 127.0.0.1."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

from backuptui.simulator import catalog, wire
from backuptui.simulator.config import SimulatorConfig
from backuptui.simulator.faults import Faults, parse_spec
from backuptui.simulator.history import generate, unreadable, variety
from backuptui.simulator.live import JobStore
from backuptui.simulator.replay import ReplayLog
from backuptui.simulator.scenarios import schedule_info, shape_for
from backuptui.simulator.server import ApplianceServer
from backuptui.simulator.sessions import SessionStore

#: appliance requests whose times `request_times()` keeps
REQUEST_TIMES = 10_000


class Listener(Protocol):
    """Where a simulator served by an outside loop listens (`loop_server.LoopListener`)."""

    @property
    def port(self) -> int: ...
    @property
    def accepted(self) -> int: ...


def _now() -> datetime:
    return datetime.now(UTC)


def _skewed(clock: Callable[[], datetime], seconds: float) -> Callable[[], datetime]:
    """`clock`, running `seconds` ahead (the appliance's own clock may be off)."""
    if not seconds:
        return clock
    skew = timedelta(seconds=seconds)

    def skewed() -> datetime:
        return clock() + skew

    return skewed


class Simulator:
    """A simulated appliance. `with Simulator(cfg) as sim:` serves it at `sim.url` until the block ends."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = cfg = config or SimulatorConfig()
        self.clock = _skewed(cfg.clock or _now, cfg.clock_skew)
        now = self.clock().astimezone(UTC)
        shape = shape_for(cfg.scenario, cfg.jobs, now)
        records = generate(
            shape,
            seed=cfg.seed,
            now=now,
            fqdn=cfg.appliance_fqdn,
            fail_rate=cfg.fail_rate,
            user=cfg.user,
            runs=cfg.build,
        )
        build = catalog.build_named(cfg.build)
        if cfg.variety:
            build = variety(records, now, cfg.appliance_fqdn)
        if cfg.unreadable:
            unreadable(records, cfg.unreadable)
        self.schedule: dict[str, Any] | None = schedule_info(shape, *catalog.TARGETS[0])
        self.flavors = ("api", "rest") if cfg.flavor == "both" else (cfg.flavor,)
        self.jobs = JobStore(
            records,
            seed=cfg.seed,
            speed=cfg.speed,
            clock=self.clock,
            fqdn=cfg.appliance_fqdn,
            fail_rate=cfg.fail_rate,
            auto_backup_every=cfg.auto_backup_every,
            default_user=cfg.user,
            build=build,
        )
        self.sessions = SessionStore(
            cfg.user,
            cfg.password,
            cfg.idle_timeout,
            self.clock,
            cfg.lockout_failures,
            cfg.lockout_window,
            cfg.lockout_time,
            {cfg.unprivileged_user: cfg.password} if cfg.unprivileged_user else {},
            {cfg.readonly_user: cfg.password} if cfg.readonly_user else {},
        )
        #: why starting a backup is refused now (400 not_allowed_in_current_state); None: allowed
        self.actions_not_allowed: str | None = cfg.actions_not_allowed
        version = self.jobs.build[1]
        realm = hashlib.sha256(f"{cfg.appliance_fqdn}-{cfg.seed}".encode()).hexdigest()[:32]
        modern = int(version.split(".")[0]) >= 7
        #: the 401 `challenge`: sent by builds from 7.0 on
        self.challenge = wire.challenge(cfg.appliance_fqdn, realm) if modern else None
        #: a recording served instead of the generated history (`replay=PATH`); speed sets its pace
        self.replay: ReplayLog | None = None
        if cfg.replay is not None:
            self.replay = ReplayLog.load(cfg.replay, speed=cfg.speed, loop=cfg.replay_loop)
            if self.replay.flavor in ("api", "rest"):  # a client detecting the flavour finds the recorded one
                self.flavors = (self.replay.flavor,)
        self.faults = Faults()
        self.faults.update_all(cfg.faults)
        self._stats_lock = threading.Lock()
        self._requests: dict[str, int] = {}
        #: (path, start, end) of the latest appliance requests, `time.monotonic()` seconds
        self._request_times: deque[tuple[str, float, float]] = deque(maxlen=REQUEST_TIMES)
        self._bytes_sent = 0
        self.root_password = cfg.password if cfg.root_password is None else cfg.root_password
        self._server: ApplianceServer | None = None
        #: served by someone else (a fleet's event loop): the port it listens on and its accept count
        self.listener: Listener | None = None
        self._vami: ApplianceServer | None = None
        self._vami_thread: threading.Thread | None = None
        self._thread: threading.Thread | None = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        if cfg.running_at_start:
            self.jobs.start("MANUAL", cfg.user)

    def __repr__(self) -> str:
        serving = self._server is not None or self.listener is not None
        return f"Simulator(url={self.url if serving else None!r}, jobs={self.config.jobs})"

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> Simulator:
        """Bind the port and serve in a daemon thread."""
        if self._server is not None:
            return self
        if self.replay is not None:
            self.replay.restart()  # the recording's timeline starts when serving does
        self._server = ApplianceServer((self.config.host, self.config.port), self)
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="simulator", daemon=True
        )
        self._thread.start()
        if self.config.vami:
            self._vami = ApplianceServer((self.config.host, self.config.vami_port), self, vami=True)
            self._vami_thread = threading.Thread(
                target=self._vami.serve_forever, kwargs={"poll_interval": 0.1}, name="vami", daemon=True
            )
            self._vami_thread.start()
        if self.config.auto_backup_every is not None:
            self._ticker = threading.Thread(target=self._tick, name="simulator-ticker", daemon=True)
            self._ticker.start()
        return self

    def stop(self) -> None:
        """Stop serving: close the listening socket and every open connection, join the threads."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        vami, self._vami = self._vami, None
        for each in (server, vami):
            if each is not None:
                each.shutdown()
                each.server_close()
                each.close_connections()
        for thread in (self._thread, self._ticker, self._vami_thread):
            if thread is not None:
                thread.join(timeout=5)
        self._thread = self._ticker = self._vami_thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _tick(self) -> None:
        while not self._stopping.wait(0.2):
            self.jobs.tick()

    # --- what tests and the CLI use -----------------------------------------------------------
    @property
    def port(self) -> int:
        if self.listener is not None:
            return self.listener.port
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    @property
    def vami_url(self) -> str:
        """The management-port listener (`vami=True`): Basic auth per request, `root` too."""
        if self._vami is None:
            raise RuntimeError("the simulator has no VAMI listener (vami=False) or is not running")
        return f"http://{self.config.host}:{self._vami.server_address[1]}"

    @property
    def user(self) -> str:
        return self.config.user

    @property
    def password(self) -> str:
        return self.config.password

    def stats(self) -> dict[str, Any]:
        """Counts of what was served (the body of `GET /_simulator/stats`)."""
        with self._stats_lock:
            requests = dict(self._requests)
            bytes_sent = self._bytes_sent
        return {
            "logins": self.sessions.logins,
            "failed_logins": self.sessions.failed_logins,
            "logouts": self.sessions.logouts,
            "active_sessions": self.sessions.active(),
            "requests": requests,
            "requests_total": sum(requests.values()),
            "bytes_sent": bytes_sent,
            "connections": (self._server.accepted if self._server else 0)
            + (self.listener.accepted if self.listener else 0)
            + (self._vami.accepted if self._vami else 0),  # TCP connections accepted
            "running_job": self.jobs.running,
            "faults": self.faults.state(),
        }

    def count_request(self, path: str) -> None:
        with self._stats_lock:
            self._requests[path] = self._requests.get(path, 0) + 1

    def note_request(self, path: str, started: float, ended: float) -> None:
        with self._stats_lock:
            self._request_times.append((path, started, ended))

    def request_times(self) -> list[tuple[str, float, float]]:
        """(path, start, end) of the latest appliance requests served, in `time.monotonic()`
        seconds (comparable across simulators of one process): how many were in flight at once."""
        with self._stats_lock:
            return list(self._request_times)

    def count_bytes(self, n: int) -> None:
        with self._stats_lock:
            self._bytes_sent += n

    def set_fault(self, spec: str | Mapping[str, Any] | None = None, **change: Any) -> dict[str, Any]:
        """Switch faults now, like `POST /_simulator/fault`; returns the fault state.

        `sim.set_fault(error_500=2)`, `sim.set_fault({"drop": 1})`, `sim.set_fault("latency=0.3")`,
        `sim.set_fault(expire_sessions=True)`, `sim.set_fault(clear=True)`. Keys: see `faults.py`.
        """
        merged: dict[str, Any] = {}
        if isinstance(spec, str):
            merged.update(parse_spec(spec))
        elif spec is not None:
            merged.update(spec)
        merged.update(change)
        if self.faults.update(merged):
            self.sessions.expire_all()
        return self.faults.state()

    def expire_sessions(self) -> None:
        """End every session now: the next call with an old token gets 401."""
        self.sessions.expire_all()

    def start_backup(self) -> str:
        """Start a manual backup now (like `POST .../job`); returns its id. Raises `InProgress`."""
        return self.jobs.start("MANUAL", self.config.user).ident
