"""A fleet of simulated appliances in one process: `backuptui simulate --appliances N`, the demo fleet.

Each appliance has its own port on 127.0.0.1, seed, name, build and flavour (every fifth a 6.7
that answers on /rest only, every fifth a 7.0 on /api only) and one scenario of the mix:

- the health scenarios of a single simulator: healthy, latest-failed, stale, schedule-missed
  (the single simulator's `missed-schedule`), not-configured, schedule-disabled;
- running: healthy, with a backup running from the start;
- password-refused: the appliance's password was changed, so the shared one is refused;
- unreachable: a port that refuses connections (bound, never listening).

All of them are served from one asyncio loop in one thread (`loop_server`), so two hundred cost
what two hundred listening sockets cost, not four hundred threads.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING

from backuptui.simulator.catalog import BUILDS, BUILDS_67
from backuptui.simulator.config import DEFAULT_PASSWORD, DEFAULT_USER, SimulatorConfig

if TYPE_CHECKING:
    from backuptui.simulator.loop_server import LoopListener
    from backuptui.simulator.simulator import Simulator

__all__ = [
    "DEFAULT_MIX",
    "FLEET_SCENARIOS",
    "REFUSED_PASSWORD",
    "FleetAppliance",
    "FleetSimulator",
    "parse_mix",
    "spread",
]

FLEET_SCENARIOS = (
    "healthy",
    "latest-failed",
    "stale",
    "schedule-missed",
    "not-configured",
    "schedule-disabled",
    "running",
    "password-refused",
    "unreachable",
)

#: the demo's twelve: every state the fleet view can show, within seconds
DEFAULT_MIX: tuple[tuple[str, int], ...] = (
    ("healthy", 5),
    ("latest-failed", 1),
    ("stale", 1),
    ("schedule-missed", 1),
    ("unreachable", 1),
    ("password-refused", 1),
    ("running", 2),
)

#: what a password-refused appliance's password was changed to (the shared one is refused)
REFUSED_PASSWORD = "changed-on-the-appliance"  # noqa: S105 - a simulated appliance's, on purpose

_SINGLE_SCENARIO = {"schedule-missed": "missed-schedule", "running": "healthy"}


def parse_mix(text: str) -> tuple[tuple[str, int], ...]:
    """`healthy:8,latest-failed:1` -> ((scenario, count), ...); a ValueError says what is wrong."""
    mix: dict[str, int] = {}
    for part in (part.strip() for part in text.split(",")):
        if not part:
            continue
        name, sep, count_text = part.partition(":")
        name = name.strip()
        if name not in FLEET_SCENARIOS:
            raise ValueError(f"unknown scenario {name!r} in --mix; choose from {', '.join(FLEET_SCENARIOS)}")
        try:
            count = int(count_text) if sep else 1
        except ValueError:
            raise ValueError(f"--mix {part!r}: the count after ':' must be a whole number") from None
        if count < 0:
            raise ValueError(f"--mix {part!r}: the count must be 0 or more")
        mix[name] = mix.get(name, 0) + count
    if sum(mix.values()) < 1:
        raise ValueError("--mix names no appliance (e.g. --mix healthy:8,latest-failed:1)")
    return tuple(mix.items())


def spread(mix: Sequence[tuple[str, int]], count: int | None = None, *, seed: int = 1) -> list[str]:
    """One scenario per appliance: the mix as given, or scaled to `count` (largest remainders,
    every scenario of the mix kept where `count` allows), shuffled by `seed`."""
    total = sum(weight for _, weight in mix)
    if count is None or count == total:
        scenarios = [name for name, weight in mix for _ in range(weight)]
    else:
        if count < 1:
            raise ValueError("--appliances must be 1 or more")
        exact = [(name, weight * count / total) for name, weight in mix]
        counts = {name: int(share) for name, share in exact}
        by_remainder = sorted(exact, key=lambda item: (-(item[1] - int(item[1])), item[0]))
        for name, _ in by_remainder[: count - sum(counts.values())]:
            counts[name] += 1
        scenarios = [name for name, _ in mix for _ in range(counts[name])]
    rng = random.Random(seed)
    rng.shuffle(scenarios)
    return scenarios


@dataclass(frozen=True)
class FleetAppliance:
    """One simulated appliance of the fleet, as `simulate` lists it and `--write-profiles` saves it."""

    name: str
    scenario: str
    url: str
    flavor: str  # "both", "api" or "rest"
    build: str  # version name
    seed: int
    user: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    sim: Simulator | None = field(default=None, compare=False, repr=False)  # None: unreachable

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


class FleetSimulator:
    """`count` appliances (or as many as the mix names), served from one loop in a daemon thread."""

    def __init__(
        self,
        count: int | None = None,
        *,
        mix: Sequence[tuple[str, int]] = DEFAULT_MIX,
        jobs: int = 300,
        seed: int = 1,
        speed: float = 1.0,
        prefix: str = "vcsa",
        host: str = "127.0.0.1",
    ) -> None:
        self.scenarios = spread(mix, count, seed=seed)
        self.jobs = jobs
        self.seed = seed
        self.speed = speed
        self.prefix = prefix
        self.host = host
        self.appliances: list[FleetAppliance] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listeners: list[LoopListener] = []
        self._refusing: list[socket.socket] = []
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._stop: asyncio.Event | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FleetSimulator:
        """Generate every appliance and listen; returns when all of them are ready (raises
        OSError when a port cannot be had)."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="simulator-fleet", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            self._thread.join(timeout=5)
            self._thread = None
            raise self._failure
        return self

    def stop(self) -> None:
        """Stop every listener and the loop's thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        stop = self._stop
        if stop is not None:
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        self._thread = self._loop = None
        for sock in self._refusing:
            sock.close()
        self._refusing.clear()

    def __enter__(self) -> FleetSimulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- inside -------------------------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start(), which raises it in the caller's thread
            self._failure = exc
        finally:
            self._ready.set()
            loop.close()

    async def _serve(self) -> None:
        from backuptui.simulator.loop_server import LoopListener
        from backuptui.simulator.simulator import Simulator

        self._stop = asyncio.Event()
        width = max(2, len(str(len(self.scenarios))))
        try:
            for index, scenario in enumerate(self.scenarios):
                name = f"{self.prefix}-{index + 1:0{width}d}"
                flavor, build = _flavor_and_build(index)
                seed = self.seed + index
                if scenario == "unreachable":
                    self.appliances.append(self._refusing_appliance(name, flavor, build, seed))
                    continue
                refused = scenario == "password-refused"
                password = REFUSED_PASSWORD if refused else DEFAULT_PASSWORD
                config = SimulatorConfig(
                    jobs=self.jobs,
                    seed=seed,
                    speed=self.speed,
                    flavor=flavor,
                    password=password,
                    host=self.host,
                    scenario=_SINGLE_SCENARIO.get(scenario, scenario)
                    if scenario != "password-refused"
                    else None,
                    running_at_start=scenario == "running",
                    appliance_fqdn=f"{name}.example.com",
                    build=build,
                )
                sim = Simulator(config)
                listener = await LoopListener(sim).start(self.host, 0)
                self._listeners.append(listener)
                url = f"http://{self.host}:{listener.port}"
                self.appliances.append(FleetAppliance(name, scenario, url, flavor, build, seed, sim=sim))
        except BaseException:
            await self._close_all()
            raise
        self._ready.set()
        await self._stop.wait()
        await self._close_all()

    def _refusing_appliance(self, name: str, flavor: str, build: str, seed: int) -> FleetAppliance:
        """A port that refuses: bound (so nobody else gets it) but never listening."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self._refusing.append(sock)
        port = sock.getsockname()[1]
        return FleetAppliance(name, "unreachable", f"http://{self.host}:{port}", flavor, build, seed)

    async def _close_all(self) -> None:
        await asyncio.gather(*(listener.close() for listener in self._listeners), return_exceptions=True)
        self._listeners.clear()


def _flavor_and_build(index: int) -> tuple[str, str]:
    """Every fifth a 6.7 on /rest only, every fifth a 7.0 on /api only, the rest 8.0 on both."""
    if index % 5 == 4:
        return "rest", BUILDS_67[(index // 5) % len(BUILDS_67)][0]
    seven = [build for build in BUILDS if build[0].startswith("7.")]
    eight = [build for build in BUILDS if build[0].startswith("8.")]
    if index % 5 == 2:
        return "api", seven[(index // 5) % len(seven)][0]
    return "both", eight[index % len(eight)][0]
