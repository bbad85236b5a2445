"""A saved profile pointed at the simulator connects (over loopback HTTP, no mocks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backuptui.core.appliance.errors import ApplianceUnreachable, AuthenticationFailed
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profile_session import check_connection
from backuptui.core.settings.profiles import AppSettings, Profile, ProfileStore, RefreshIntervals
from backuptui.core.settings.resolution import refresh_for, resolve_profile
from backuptui.core.settings.secrets import PasswordSource, resolve_password
from backuptui.core.watch.monitor import ConnectionState
from backuptui.core.watch.resolved_monitor import monitor_for_resolution
from backuptui.simulator import Simulator


def saved_profile(sim: Simulator, **changes: Any) -> Profile:
    """The profile as `backuptui profile add lab --url SIM --user USER --password-source env` saves it."""
    fields: dict[str, Any] = {"password_source": PasswordSource.ENV}
    fields.update(changes)
    store = ProfileStore()
    store.add_profile(Profile("lab", sim.url, sim.user, **fields))
    return store.load().profile("lab")


async def test_a_profile_pointed_at_the_simulator_connects(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", simulator.password)
    profile = saved_profile(simulator)
    resolution = resolve_password(profile)
    assert resolution.source == "BACKUPTUI_PASSWORD"
    assert resolution.secret is not None
    check = await check_connection(profile, resolution.secret)
    assert check.ok, check.message
    assert check.flavor is ApiFlavor.API
    assert check.job_count == 50
    assert check.message == "lab: connection ok, API flavour /api, 50 backup jobs"
    assert simulator.stats()["active_sessions"] == 0  # the test logged out


async def test_the_profile_flavour_is_used(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(flavor="rest", jobs=3)
    check = await check_connection(saved_profile(sim, flavor="rest"), Secret(sim.password))
    assert (check.ok, check.flavor, check.job_count) == (True, ApiFlavor.REST, 3)


async def test_a_wrong_password_is_the_exact_error(simulator: Simulator) -> None:
    check = await check_connection(saved_profile(simulator), Secret("wrong"))
    assert not check.ok
    assert isinstance(check.error, AuthenticationFailed)
    assert check.message == str(check.error)
    assert check.message.startswith("lab: ")


async def test_an_unreachable_appliance_is_the_exact_error(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(jobs=1)
    profile = saved_profile(sim)
    sim.stop()
    check = await check_connection(profile, Secret(sim.password))
    assert isinstance(check.error, ApplianceUnreachable)


async def test_a_monitor_for_a_resolved_profile_polls_the_simulator(simulator: Simulator) -> None:
    profile = saved_profile(simulator, refresh=RefreshIntervals(idle=45.0))
    settings = AppSettings(RefreshIntervals(running=1.0))
    monitor = monitor_for_resolution(
        resolve_profile(profile, None, settings, password=Secret(simulator.password))
    )
    try:
        assert (monitor.settings.idle, monitor.settings.running) == (45.0, 1.0)
        snapshot = await monitor.poll()
        assert snapshot.connection is ConnectionState.LIVE
        assert len(snapshot.jobs) == 50
        assert snapshot.appliance == "lab"
    finally:
        await monitor.close()
    assert simulator.stats()["active_sessions"] == 0


def test_refresh_precedence() -> None:
    profile = Profile("p", "h", "u", refresh=RefreshIntervals(idle=45.0))
    settings = AppSettings(RefreshIntervals(idle=60.0, running=1.0))
    assert refresh_for(profile, settings) == RefreshIntervals(45.0, 1.0)
    assert refresh_for(profile, settings, RefreshIntervals(idle=10.0)) == RefreshIntervals(10.0, 1.0)
    assert refresh_for(None, AppSettings()) == RefreshIntervals(30.0, 2.0)
