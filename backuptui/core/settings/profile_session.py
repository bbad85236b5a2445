"""From a saved profile (and its password) to a client, or a one-shot connection test.

The profile picker's Test builds its client here, from the one resolver's answer for the profile
and the password it found; a monitor of a profile is built from its `Resolution` too
(`core.watch.resolved_monitor`). No Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from backuptui.core.appliance.client import ApplianceClient, Timeouts
from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import AppSettings, Profile
from backuptui.core.settings.resolution import resolve_profile


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
    return resolve_profile(profile, None, settings, password=password).target.client(timeouts)


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


async def check_reachable(profile: Profile, *, timeouts: Timeouts | None = None) -> ApplianceError | None:
    """Whether the profile's address answers as its URL says (scheme, port, TLS), before any password
    is looked up or asked for: None, or the error that says why not. Sends no credentials."""
    client = resolve_profile(profile, lookup_password=False).target.client(timeouts)
    try:
        await client.check_reachable()
    except ApplianceError as exc:
        return exc
    finally:
        await client.close()
    return None


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
