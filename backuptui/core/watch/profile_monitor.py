"""A monitor of a saved profile's appliance: its client and its poll intervals, from the settings.

Here rather than in `core.settings`, so that the settings never need the monitor.
"""

from __future__ import annotations

from backuptui.core.appliance.client import Timeouts
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profile_session import client_for
from backuptui.core.settings.profiles import AppSettings, Profile, RefreshIntervals
from backuptui.core.settings.resolution import refresh_for
from backuptui.core.watch.monitor import FIRST_PAGE, Monitor, RefreshSettings

__all__ = ["monitor_for"]


def monitor_for(
    profile: Profile,
    password: Secret,
    settings: AppSettings,
    *,
    override: RefreshIntervals | None = None,
    timeouts: Timeouts | None = None,
) -> Monitor:
    """A monitor of the profile's appliance with the profile's poll intervals."""
    intervals = refresh_for(profile, settings, override)
    assert intervals.idle is not None and intervals.running is not None
    return Monitor(
        client_for(profile, password, timeouts=timeouts, settings=settings),
        RefreshSettings(idle=intervals.idle, running=intervals.running),
        first_page=FIRST_PAGE,  # the app paints the newest jobs first, then loads the history
    )
