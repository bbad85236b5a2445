"""The monitor of a resolved appliance: the client its `Resolution`'s target builds, polled at the
resolution's intervals. Every entry point that watches an appliance (`backuptui --url`, `-p NAME`,
switching in the app, a fleet) builds its monitor here, from the one resolver's answer.

Here rather than in `core.settings`, so that the settings never need the monitor.
"""

from __future__ import annotations

from backuptui.core.appliance.client import ApplianceClient, Timeouts
from backuptui.core.settings.resolution import Resolution
from backuptui.core.watch.monitor import FIRST_PAGE, Monitor, RefreshSettings

__all__ = ["monitor_for_resolution"]


def monitor_for_resolution(
    resolution: Resolution,
    *,
    timeouts: Timeouts | None = None,
    first_page: int | None = FIRST_PAGE,
    light: int | None = None,
    client: ApplianceClient | None = None,
) -> Monitor:
    """A monitor of the resolved appliance (its session is opened by the first poll). Building it
    never raises: the resolver read the CA bundle already. `first_page`: the newest jobs first
    (the app paints them at once, then loads the history); None fetches the whole history.
    `light`: poll lightly, keeping the newest this many jobs (a fleet member); `client`: the one
    the resolution's target built already (a fleet member keeps it, to log out and name its host)."""
    return Monitor(
        client if client is not None else resolution.target.client(timeouts),
        RefreshSettings(idle=resolution.idle, running=resolution.running),
        first_page=first_page,
        light=light,
    )
