"""From a saved profile (and its password) to a client, or a one-shot connection test.

The app's profile picker, its appliance switching and `backuptui -p NAME` all build their client
here (the monitor around it is `core.watch.profile_monitor`'s), so a profile means the same thing
everywhere. No Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from backuptui.core.appliance.client import ApplianceClient, Timeouts
from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import AppSettings, Profile
from backuptui.core.settings.resolution import check_profile_tls, max_body_for
from backuptui.core.settings.target import profile_target


def client_for(
    profile: Profile,
    password: Secret,
    *,
    timeouts: Timeouts | None = None,
    settings: AppSettings | None = None,
) -> ApplianceClient:
    """A client for the profile's appliance (not logged in yet; the caller closes it). Its CA bundle
    is read first: a missing or unusable file is a `ResolutionError`, never a half-built client.
    `settings`: the file's app settings (the body-size limit); None: the defaults."""
    target = profile_target(profile, password, verify=check_profile_tls(profile))
    return replace(target, max_body=max_body_for(settings)).client(timeouts)


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
