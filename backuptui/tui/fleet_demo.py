"""`backuptui --demo --appliances N`: a demo fleet on the built-in multi-appliance simulator, in
this process.

Every state the fleet screen can show is in it from the first seconds (the simulator's default
mix, scaled to N: healthy ones, one whose latest backup failed, one stale, one whose schedule
missed a run, one unreachable, one whose password is refused, two running a backup). Nothing is
written to the user's configuration: each appliance is resolved here, from the simulator's list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import RefreshIntervals
from backuptui.core.settings.resolution import Resolution, ResolutionError
from backuptui.core.settings.target import ConnectionTarget

__all__ = ["DEMO_JOBS", "DEMO_SPEED", "demo_fleet"]

#: jobs in each demo appliance's history, and how much faster than real a backup runs there
#: (the running ones visibly progress)
DEMO_JOBS = 200
DEMO_SPEED = 20.0


@contextmanager
def demo_fleet(count: int, refresh: RefreshIntervals) -> Iterator[Mapping[str, Resolution | ResolutionError]]:
    """Start the demo fleet's simulator; yields each appliance resolved (stops it after)."""
    from backuptui.simulator.fleet import FleetSimulator

    with FleetSimulator(count, jobs=DEMO_JOBS, speed=DEMO_SPEED) as simulated:
        yield {
            appliance.name: Resolution(
                ConnectionTarget(
                    appliance.url,
                    appliance.user,
                    Secret(appliance.password),  # the shared one: the password-refused appliance refuses it
                    credentials_from="demo",
                    name=appliance.name,
                ),
                refresh,
            )
            for appliance in simulated.appliances
        }
