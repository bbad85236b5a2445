"""The order of the steps, and what each one needs of those before it."""

from __future__ import annotations

from urllib.parse import urlsplit

from backuptui.core.appliance.address import base_url_for
from backuptui.core.diagnosis import appliance_steps as http
from backuptui.core.diagnosis.network import Endpoint, check_tls, connect_tcp, resolve_name
from backuptui.core.diagnosis.step import Outcome, Step, failed, skipped
from backuptui.core.settings.target import ConnectionTarget

#: the steps after the network ones, in order
SESSION_STEPS = ("API flavours", "login", "privilege", "schedule", "clock", "logout")


async def diagnose(target: ConnectionTarget) -> list[Step]:
    """Every step from the name lookup to the logout; a step whose premise failed is SKIPPED.
    `target.password` None means the password step already failed: no login is tried."""
    try:
        base_url = base_url_for(target.url)
    except ValueError as exc:
        return [failed("address", str(exc), "Give the appliance as a host name or an https:// URL")]
    parts = urlsplit(base_url)
    tls = parts.scheme == "https"
    endpoint = Endpoint(parts.hostname or "", parts.port or (443 if tls else 80), tls)
    steps: list[Step] = []
    for check in (resolve_name, connect_tcp):
        step = await check(endpoint)
        steps.append(step)
        if step.failed:
            return steps + _skip(("TLS", *SESSION_STEPS), "the appliance was not reached")
    tls_step = await check_tls(endpoint, target.verify)
    steps.append(tls_step)
    if tls_step.failed:
        return steps + _skip(SESSION_STEPS, "TLS did not verify (no password was sent)")

    found = await http.probe_flavours(base_url, target.verify)
    if isinstance(found, Step):
        return [*steps, found, *_skip(SESSION_STEPS[1:], "no HTTP answer")]
    flavours = http.flavours_step(found, target.flavor)
    steps.append(flavours)
    why_not = "no API flavour to use" if flavours.failed else "no password" if target.password is None else ""
    if why_not:
        # the clock needs no login: the probe's Date header already told it
        unused = _skip(("login", "privilege", "schedule"), why_not)
        return [*steps, *unused, http.clock_step(found), *_skip(("logout",), "no login")]

    login, client = await http.log_in(target, http.login_flavor(found, target.flavor))
    steps.append(login)
    try:
        if login.failed:
            steps += _skip(("privilege", "schedule"), "the login failed")
        else:
            privilege = await http.check_privilege(client)
            steps.append(privilege)
            if privilege.failed:
                steps += _skip(("schedule",), "the user may not read backup jobs")
            else:
                steps.append(await http.check_schedule(client, endpoint.host))
        steps.append(http.clock_step(found))
    finally:
        steps.append(await http.log_out(client))
    return steps


def _skip(names: tuple[str, ...], because: str) -> list[Step]:
    return [skipped(name, because) for name in names]


def all_needed_work(steps: list[Step]) -> bool:
    """Exit 0: no step failed (warnings are worth fixing, but backuptui works)."""
    return not any(step.outcome is Outcome.FAILED for step in steps)
