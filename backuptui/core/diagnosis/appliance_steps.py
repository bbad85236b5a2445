"""The steps over HTTP: which API flavours answer, one login, the privilege, the schedule, the
clock, and the logout.

The flavour probe sends no credentials (a session lookup without a session answers 401 where the
flavour exists, 404 where it does not), so the login step is the only one that can count as a
failed login: vCenter SSO locks an account after a few, and doctor tries exactly once.
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass, replace
from datetime import UTC
from email.utils import parsedate_to_datetime

from backuptui.core.appliance._httpx import httpx
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import ApplianceError, AuthenticationFailed, NotAuthorized
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.diagnosis.network import STEP_TIMEOUT, _context
from backuptui.core.diagnosis.step import Step, failed, ok, warning
from backuptui.core.settings.target import ConnectionTarget

#: a clock difference beyond this makes every "ago" on screen visibly wrong
CLOCK_SKEW_LIMIT = 30.0

_PRIVILEGE_FIX = (
    "Add {user} to the SSO group SystemConfiguration.Administrators (vSphere Client: "
    "Administration > Single Sign On > Users and Groups > Groups), or use an account in it"
)


@dataclass(frozen=True)
class Flavours:
    """What the unauthenticated probe found: the flavours that answer, and the appliance's clock."""

    answered: tuple[ApiFlavor, ...]
    skew: float | None  # seconds the appliance's Date header is ahead of this machine's clock


async def probe_flavours(base_url: str, verify: bool | str | ssl.SSLContext) -> Flavours | Step:
    """Ask each flavour's session endpoint without credentials; a Step when nothing answers."""
    context, _ = _context(verify)
    answered: list[ApiFlavor] = []
    skew: float | None = None
    async with httpx.AsyncClient(
        base_url=base_url, verify=context, timeout=STEP_TIMEOUT, follow_redirects=False
    ) as http:
        for flavor, method, path in (
            (ApiFlavor.API, "GET", "/api/session"),
            (ApiFlavor.REST, "POST", "/rest/com/vmware/cis/session?~action=get"),
        ):
            before = time.time()
            try:
                response = await http.request(method, path, headers={"Accept": "application/json"})
            except httpx.HTTPError as exc:
                return failed(
                    "API flavours",
                    f"no HTTP answer from {base_url} ({type(exc).__name__})",
                    "Check that the address is the appliance itself, not a proxy or a load balancer",
                )
            after = time.time()
            if response.status_code in (200, 401):
                answered.append(flavor)
            if skew is None and "date" in response.headers:
                try:
                    stamp = parsedate_to_datetime(response.headers["date"]).astimezone(UTC)
                except (TypeError, ValueError):
                    pass
                else:
                    skew = stamp.timestamp() - (before + after) / 2
    return Flavours(tuple(answered), skew)


def flavours_step(found: Flavours, wanted: ApiFlavor | None) -> Step:
    name = "API flavours"
    if not found.answered:
        return failed(
            name,
            "neither /api nor /rest answers like a vCenter Server Appliance",
            "Check that the URL points at the appliance (vcsa01.example.com), not at an ESXi host "
            "or the management interface on port 5480",
        )
    listed = " and ".join(f"/{f.value}" for f in found.answered)
    if wanted is not None and wanted not in found.answered:
        other = found.answered[0].value
        return failed(
            name,
            f"the appliance answers {listed} only, but the {wanted.value} flavour was asked for",
            f'Set flavor = "{other}" (or "auto") in the profile, or give --flavor {other}',
        )
    if found.answered == (ApiFlavor.REST,):
        return ok(name, "/rest only (vSphere before 7.0 U2): backuptui uses /rest")
    return ok(name, f"{listed} answer")


def login_flavor(found: Flavours, wanted: ApiFlavor | None) -> ApiFlavor | None:
    """The flavour to log in with: the one asked for, else the best one that answered."""
    if wanted is not None:
        return wanted
    return found.answered[0] if found.answered else None


async def log_in(target: ConnectionTarget, flavor: ApiFlavor | None) -> tuple[Step, ApplianceClient]:
    """Exactly one login attempt; the client is returned either way (the caller closes it)."""
    client = replace(target, flavor=flavor).client()
    try:
        await client.login()
    except AuthenticationFailed as exc:
        return (
            failed(
                "login",
                f"{exc.problem}; doctor tries once only: SSO locks an account after a few failures",
                exc.hint or "Check the user name (with its SSO domain) and the password",
            ),
            client,
        )
    except ApplianceError as exc:
        return failed("login", exc.problem, exc.hint), client
    used = client.flavor.value if client.flavor else "?"
    return ok("login", f"logged in as {target.user} ({used} flavour)"), client


async def check_privilege(client: ApplianceClient) -> Step:
    name = "privilege"
    try:
        jobs = await client.list_job_ids()
    except NotAuthorized:
        return failed(
            name,
            f"{client.user} may not read backup jobs (HTTP 403)",
            _PRIVILEGE_FIX.format(user=client.user),
        )
    except ApplianceError as exc:
        return failed(name, f"reading the backup jobs failed: {exc.problem}", exc.hint)
    return ok(name, f"{client.user} can read backup jobs ({len(jobs)} on the appliance)")


async def check_schedule(client: ApplianceClient, host: str) -> Step:
    name = "schedule"
    try:
        schedules = await client.get_schedules()
    except NotAuthorized:
        return failed(
            name,
            f"{client.user} may not read backup schedules (HTTP 403)",
            _PRIVILEGE_FIX.format(user=client.user),
        )
    except ApplianceError as exc:
        return failed(name, f"reading the schedules failed: {exc.problem}", exc.hint)
    configure = f"Configure one in the appliance management interface (https://{host}:5480, Backup)"
    if not schedules:
        return warning(name, "no backup schedule is configured: no backup runs on its own", configure)
    enabled = [s for s in schedules if s.enabled]
    if not enabled:
        ids = ", ".join(s.id for s in schedules)
        return warning(
            name,
            f"the schedule {ids} is disabled: no backup runs on its own",
            f"Enable it (https://{host}:5480, Backup)",
        )
    first = enabled[0]
    return ok(name, f"schedule {first.id} is enabled, backing up to {first.location}")


def clock_step(found: Flavours) -> Step:
    name = "clock"
    if found.skew is None:
        return warning(name, "the appliance sent no Date header: its clock is unknown", "")
    skew = found.skew
    if abs(skew) <= CLOCK_SKEW_LIMIT:
        return ok(name, f"the appliance's clock is within {CLOCK_SKEW_LIMIT:g} s of this machine's")
    direction = "ahead of" if skew > 0 else "behind"
    return warning(
        name,
        f"the appliance's clock is {abs(skew):.0f} s {direction} this machine's: every age and "
        "duration on screen is off by that much",
        "Synchronise both clocks with NTP (appliance: https://<appliance>:5480, Time; "
        "here: timedatectl or chrony)",
    )


async def log_out(client: ApplianceClient) -> Step:
    was_logged_in = client.logged_in
    await client.close()
    if not was_logged_in:
        return ok("logout", "no session was open")
    if client.logout_failure is not None:
        return warning(
            "logout",
            f"the session was not closed: {client.logout_failure.problem}",
            "It expires on its own after the appliance's idle timeout (30 minutes by default)",
        )
    return ok("logout", "the session is closed")
