"""From a saved profile (and its password) to a client, a monitor, or a one-shot connection test.

The app's profile picker, its appliance switching and `backuptui -p NAME` all build their client
here, so a profile means the same thing everywhere. No Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from backuptui.core.appliance.client import ApplianceClient, Timeouts
from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.settings.profiles import AppSettings, Profile, RefreshIntervals
from backuptui.core.settings.resolution import check_profile_tls
from backuptui.core.settings.secrets import Secret
from backuptui.core.settings.target import profile_target
from backuptui.core.watch.monitor import FIRST_PAGE, Monitor, RefreshSettings

#: the monitor's own defaults, for intervals neither the profile nor the app settings give
_MONITOR_DEFAULTS = RefreshSettings()
DEFAULT_REFRESH = RefreshIntervals(idle=_MONITOR_DEFAULTS.idle, running=_MONITOR_DEFAULTS.running)


def client_for(profile: Profile, password: Secret, *, timeouts: Timeouts | None = None) -> ApplianceClient:
    """A client for the profile's appliance (not logged in yet; the caller closes it). Its CA bundle
    is read first: a missing or unusable file is a `ResolutionError`, never a half-built client."""
    return profile_target(profile, password, verify=check_profile_tls(profile)).client(timeouts)


def refresh_for(
    profile: Profile | None, settings: AppSettings, override: RefreshIntervals | None = None
) -> RefreshIntervals:
    """Poll intervals by precedence: the command line, the profile, the app settings, the defaults."""
    intervals = override or RefreshIntervals()
    if profile is not None and profile.refresh is not None:
        intervals = intervals.over(profile.refresh)
    return intervals.over(settings.refresh).over(DEFAULT_REFRESH)


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
        client_for(profile, password, timeouts=timeouts),
        RefreshSettings(idle=intervals.idle, running=intervals.running),
        first_page=FIRST_PAGE,  # the app paints the newest jobs first, then loads the history
    )


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of "test connection": ok with the API flavour and job count, or the exact error."""

    profile: str
    ok: bool
    flavor: ApiFlavor | None = None
    job_count: int | None = None
    error: ApplianceError | None = None

    @property
    def message(self) -> str:
        if self.error is not None:
            return str(self.error)
        flavor = f"/{self.flavor.value}" if self.flavor else "unknown"
        jobs = f"{self.job_count} backup job{'s' if self.job_count != 1 else ''}"
        return f"{self.profile}: connection ok, API flavour {flavor}, {jobs}"


async def check_connection(
    profile: Profile, password: Secret, *, timeouts: Timeouts | None = None
) -> ConnectionCheck:
    """Log in, count the jobs, log out. Never raises an ApplianceError: it becomes the result."""
    client = client_for(profile, password, timeouts=timeouts)
    try:
        await client.login()
        ids = await client.list_job_ids()
        return ConnectionCheck(profile.name, True, flavor=client.flavor, job_count=len(ids))
    except ApplianceError as exc:
        return ConnectionCheck(profile.name, False, flavor=client.flavor, error=exc)
    finally:
        await client.close()
