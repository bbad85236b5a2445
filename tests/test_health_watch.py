"""HealthWatch: schedules fetched on demand and every few minutes, a verdict for each snapshot,
against the real simulator's schedules endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import ApiError, ApplianceUnreachable
from backuptui.core.appliance.models import ApiFlavor, Schedule
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.health import HealthLevel
from backuptui.core.watch.health_watch import HealthWatch, schedule_loader, short_summary
from backuptui.core.watch.monitor import Monitor, RefreshSettings
from backuptui.core.watch.snapshot import ConnectionState, Snapshot
from backuptui.simulator import Simulator

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def empty_snapshot(
    connection: ConnectionState = ConnectionState.CONNECTING, error: object = None
) -> Snapshot:
    return Snapshot("vcsa01", "https://vcsa01", ApiFlavor.API, True, connection=connection, error=error)  # type: ignore[arg-type]


def test_unknown_until_the_first_good_poll() -> None:
    watch = HealthWatch(None)
    verdict = watch.verdict(empty_snapshot(), NOW)
    assert verdict.level is HealthLevel.UNKNOWN
    assert verdict.summary == "no data yet: connecting to the appliance"
    failed = empty_snapshot(
        ConnectionState.UNREACHABLE, ApplianceUnreachable("vcsa01", "no answer", "Check the address")
    )
    assert watch.verdict(failed, NOW).summary == "vcsa01: no answer. Check the address"


async def test_due_refresh_and_generation() -> None:
    calls: list[int] = []
    schedules: list[tuple[Schedule, ...]] = [()]

    async def loader() -> tuple[Schedule, ...]:
        calls.append(1)
        return schedules[0]

    watch = HealthWatch(loader, schedule_refresh=600)
    assert watch.due(NOW)
    await watch.refresh(NOW)
    assert watch.schedules == () and watch.generation == 1 and watch.fetched_at == NOW
    assert not watch.due(NOW + timedelta(seconds=599))
    assert watch.due(NOW + timedelta(seconds=600))
    await watch.refresh(NOW + timedelta(seconds=600))
    assert watch.generation == 1  # nothing changed: nothing to redraw
    assert len(calls) == 2


async def test_a_failed_fetch_keeps_the_last_schedules() -> None:
    state: dict[str, object] = {"fail": False}
    schedule = Schedule("default", "sftp://x/y", "u", True)

    async def loader() -> tuple[Schedule, ...]:
        if state["fail"]:
            raise ApiError("vcsa01", "HTTP 500", status_code=500)
        return (schedule,)

    watch = HealthWatch(loader)
    await watch.refresh(NOW)
    state["fail"] = True
    await watch.refresh(NOW + timedelta(minutes=10))
    assert watch.schedules == (schedule,)
    assert watch.schedule_error == "vcsa01: HTTP 500"
    assert not watch.fetching


async def test_against_the_simulator(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(scenario="schedule-disabled", clock=lambda: NOW)
    client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
    monitor = Monitor(client, RefreshSettings(idle=3600, running=3600), clock=lambda: NOW)
    try:
        loader = schedule_loader(monitor)
        assert loader is not None
        watch = HealthWatch(loader)
        snapshot = await monitor.poll()
        assert watch.verdict(snapshot, NOW).level is HealthLevel.OK  # schedules not read yet
        await watch.refresh(NOW)
        verdict = watch.verdict(snapshot, NOW)
        assert verdict.level is HealthLevel.WARNING
        assert verdict.summary == "backup schedule 'default' is disabled"
        assert short_summary(verdict, 20) == "backup schedule '..."
    finally:
        await monitor.close()
    assert sim.stats()["logouts"] == 1


async def test_a_poll_that_changed_nothing_is_not_judged_again(
    simulator_factory: Callable[..., Simulator],
) -> None:
    """The verdict is kept per jobs, schedules and minute: a new snapshot of the same jobs (a poll
    that changed nothing) gets the same verdict object; a new minute or other jobs, a new one."""
    sim = simulator_factory(clock=lambda: NOW)
    client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
    monitor = Monitor(client, RefreshSettings(idle=3600, running=3600), clock=lambda: NOW)
    try:
        watch = HealthWatch(None)
        first = await monitor.poll(full=True)
        second = await monitor.poll(full=True)
        assert second is not first and second.jobs is first.jobs  # nothing changed on the appliance
        verdict = watch.current(first, NOW)
        assert watch.current(second, NOW + timedelta(seconds=30)) is verdict
        later = watch.current(second, NOW + timedelta(minutes=1))
        assert later is not verdict  # ages move by the minute
        fewer = replace(second, jobs=second.jobs[1:])
        assert watch.current(fewer, NOW + timedelta(minutes=1)) is not later  # other jobs: judged again
    finally:
        await monitor.close()
