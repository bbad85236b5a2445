"""`backuptui --demo --appliances N`: a demo fleet on built-in simulators, in this process.

Every state the fleet screen can show is in it from the first seconds: one whose latest backup
failed, one stale (no good backup for days), one whose schedule missed a run, one unreachable, one
whose password is refused, two running a backup, and healthy ones for the rest. Nothing is written
to the user's configuration: the appliances are resolved here, from the simulators' addresses.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import RefreshIntervals
from backuptui.core.settings.resolution import Resolution, ResolutionError
from backuptui.core.settings.target import ConnectionTarget

__all__ = ["DEMO_FLEET", "DemoAppliance", "demo_fleet", "demo_mix"]

#: jobs in each demo appliance's history, and how much faster than real a backup runs there
DEMO_JOBS = 200
DEMO_SPEED = 20.0
DEMO_BACKUP_EVERY = 120.0


@dataclass(frozen=True)
class DemoAppliance:
    name: str
    kind: str  # healthy, latest-failed, stale, missed-schedule, unreachable, refused, running


#: the appliances that show a state each, in the order they are added to a fleet
DEMO_FLEET: tuple[DemoAppliance, ...] = (
    DemoAppliance("vcsa-eu", "latest-failed"),
    DemoAppliance("vcsa-dr", "unreachable"),
    DemoAppliance("vcsa-paris", "running"),
    DemoAppliance("vcsa-us", "stale"),
    DemoAppliance("vcsa-lab", "refused"),
    DemoAppliance("vcsa-ap", "missed-schedule"),
    DemoAppliance("vcsa-tokyo", "running"),
)


def demo_mix(count: int) -> tuple[DemoAppliance, ...]:
    """The first `count` of `DEMO_FLEET`, then healthy ones (`vcsa-site01`, …) up to `count`."""
    if count < 1:
        raise ValueError("a demo fleet needs at least one appliance")
    healthy = tuple(
        DemoAppliance(f"vcsa-site{i:02d}", "healthy") for i in range(1, count - len(DEMO_FLEET) + 1)
    )
    return (*DEMO_FLEET[:count], *healthy)


def _simulator_config(appliance: DemoAppliance, seed: int) -> dict[str, Any]:
    config: dict[str, Any] = {"jobs": DEMO_JOBS, "seed": seed, "speed": DEMO_SPEED}
    if appliance.kind == "running":
        config.update(scenario="healthy", running_at_start=True, auto_backup_every=DEMO_BACKUP_EVERY)
    elif appliance.kind in ("latest-failed", "stale", "missed-schedule", "healthy"):
        config["scenario"] = appliance.kind
    return config


@contextmanager
def demo_fleet(count: int, refresh: RefreshIntervals) -> Iterator[Mapping[str, Resolution | ResolutionError]]:
    """Start the demo fleet's simulators; yields each appliance resolved (stops them after)."""
    from backuptui.simulator import Simulator, SimulatorConfig

    resolutions: dict[str, Resolution | ResolutionError] = {}
    with ExitStack() as stack:
        for seed, appliance in enumerate(demo_mix(count), start=1):
            if appliance.kind == "unreachable":
                url, user, password = _closed_port(stack), "administrator@vsphere.local", "demo"
            else:
                simulator = stack.enter_context(
                    Simulator(SimulatorConfig(**_simulator_config(appliance, seed)))
                )
                url, user, password = simulator.url, simulator.user, simulator.password
                if appliance.kind == "refused":
                    password = "not-the-password"  # noqa: S105 - the demo's refused login
            target = ConnectionTarget(
                url, user, Secret(password), credentials_from="demo", name=appliance.name
            )
            resolutions[appliance.name] = Resolution(target, refresh)
        yield resolutions


def _closed_port(stack: ExitStack) -> str:
    """An address where nothing listens: a port bound (so no one else takes it) but not listening,
    so every connection is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stack.callback(sock.close)
    sock.bind(("127.0.0.1", 0))
    return f"http://127.0.0.1:{sock.getsockname()[1]}"
