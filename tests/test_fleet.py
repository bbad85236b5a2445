"""The fleet against real simulators over loopback: concurrency under one bound, a stuck appliance
that delays no one, exactly one login attempt when it is refused, a password typed later, light
polling, and a logout of every appliance on close. Asserted by the simulators' own counts and
request times, never by sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profile_model import RefreshIntervals
from backuptui.core.settings.resolution import Resolution, ResolutionError
from backuptui.core.settings.target import ConnectionTarget
from backuptui.core.watch.fleet import Fleet
from backuptui.core.watch.fleet_row import FleetRow, MemberState
from backuptui.core.watch.health import HealthLevel
from backuptui.simulator import Simulator

Factory = Callable[..., Simulator]


def resolution(
    sim: Simulator, name: str, *, password: str | None = "VMware1!", idle: float = 0.2
) -> Resolution:
    secret = Secret(password) if password is not None else None
    target = ConnectionTarget(sim.url, sim.user, secret, credentials_from="test", name=name)
    return Resolution(target, RefreshIntervals(idle=idle, running=0.2))


def served(sim: Simulator) -> int:
    return int(sim.stats()["requests_total"])


async def until(condition: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Wait for a condition the fleet brings about (a guard against hanging, not a timing)."""
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110 - the simulators count in their own threads
            await asyncio.sleep(0.01)
    assert condition(), what


def most_in_flight(times: list[tuple[str, float, float]]) -> int:
    edges = sorted([(start, 1) for _, start, _ in times] + [(end, -1) for _, _, end in times])
    peak = current = 0
    for _, step in edges:  # at the same instant an end (-1) sorts before a start (+1)
        current += step
        peak = max(peak, current)
    return peak


async def test_requests_in_flight_never_exceed_the_bound(simulator_factory: Factory) -> None:
    sims = [simulator_factory(seed=i) for i in range(6)]
    for sim in sims:
        sim.set_fault(latency=0.15)
    fleet = Fleet({f"vcsa-{i}": resolution(sim, f"vcsa-{i}") for i, sim in enumerate(sims)}, max_in_flight=2)
    fleet.start()
    try:
        await until(lambda: all(served(sim) >= 3 for sim in sims), "every appliance answered a few")
        times = [each for sim in sims for each in sim.request_times()]
    finally:
        await fleet.close()
    assert most_in_flight(times) == 2  # the bound, and used


async def test_a_stuck_appliance_delays_no_other(simulator_factory: Factory) -> None:
    stuck = simulator_factory(seed=9)
    stuck.set_fault(latency=10)
    others = [simulator_factory(seed=i) for i in range(3)]
    names = {"stuck": resolution(stuck, "stuck")} | {
        f"vcsa-{i}": resolution(sim, f"vcsa-{i}") for i, sim in enumerate(others)
    }
    fleet = Fleet(names, max_in_flight=4)
    fleet.start()
    try:
        await until(
            lambda: all(
                served(sim) >= 6 and fleet.member(f"vcsa-{i}").polls >= 3 for i, sim in enumerate(others)
            ),
            "the others polled again and again",
        )
        assert served(stuck) == 1  # its login is still waiting for an answer
        assert fleet.row("stuck").state is MemberState.CONNECTING
        assert all(fleet.row(f"vcsa-{i}").state is MemberState.LIVE for i in range(3))
        assert all((fleet.member(f"vcsa-{i}").last_poll_seconds or -1) >= 0 for i in range(3))
    finally:
        await fleet.close(timeout=2.0)


async def test_a_refused_login_is_tried_exactly_once_and_the_others_go_on(simulator_factory: Factory) -> None:
    refusing = simulator_factory(password="something else")
    others = [simulator_factory(seed=i) for i in range(2)]
    names = {"refusing": resolution(refusing, "refusing")} | {
        f"vcsa-{i}": resolution(sim, f"vcsa-{i}") for i, sim in enumerate(others)
    }
    fleet = Fleet(names)
    fleet.start()
    try:
        await until(lambda: fleet.row("refusing").login_refused, "the refusal shows")
        await until(lambda: all(served(sim) >= 6 for sim in others), "the others polled again and again")
        stats = refusing.stats()
        assert stats["failed_logins"] == 1 and stats["requests_total"] == 1 and stats["logins"] == 0
        row = fleet.row("refusing")
        assert row.state is MemberState.LOGIN_REFUSED and row.level is HealthLevel.UNKNOWN
        fleet.provide_password("refusing", Secret("something else"))  # typed again: one more login
        await until(lambda: fleet.row("refusing").state is MemberState.LIVE, "it logs in")
        assert refusing.stats()["failed_logins"] == 1 and refusing.stats()["logins"] == 1
    finally:
        await fleet.close()


async def test_a_member_without_a_password_waits_for_it(simulator_factory: Factory) -> None:
    waiting, other = simulator_factory(), simulator_factory(seed=2)
    fleet = Fleet(
        {"waiting": resolution(waiting, "waiting", password=None), "other": resolution(other, "other")}
    )
    fleet.start()
    try:
        await until(lambda: served(other) >= 6, "the other polls")
        row = fleet.row("waiting")
        assert row.password_needed and row.level is HealthLevel.UNKNOWN and "password needed" in row.reason
        stats = waiting.stats()  # only whether it answers at all, before anyone types its password
        assert stats["requests"] == {"/": 1} and stats["logins"] == stats["failed_logins"] == 0
        fleet.provide_password("waiting", Secret("VMware1!"))
        await until(lambda: fleet.row("waiting").state is MemberState.LIVE, "it polls once it has one")
        assert waiting.stats()["logins"] == 1
    finally:
        await fleet.close()


async def test_close_logs_out_of_every_appliance(simulator_factory: Factory) -> None:
    sims = [simulator_factory(seed=i) for i in range(4)]
    fleet = Fleet({f"vcsa-{i}": resolution(sim, f"vcsa-{i}") for i, sim in enumerate(sims)})
    fleet.start()
    await until(lambda: all(row.state is MemberState.LIVE for row in fleet.rows()), "all live")
    await fleet.close()
    for sim in sims:
        stats = sim.stats()
        assert stats["logins"] == 1 and stats["logouts"] == 1 and stats["active_sessions"] == 0


async def test_rows_worst_first_counted_and_told_only_when_they_change(simulator_factory: Factory) -> None:
    healthy, failed = simulator_factory(scenario="healthy"), simulator_factory(scenario="latest-failed")
    told: list[FleetRow] = []
    resolved: dict[str, Resolution | ResolutionError] = {
        "b-healthy": resolution(healthy, "b-healthy"),
        "c-failed": resolution(failed, "c-failed"),
        "a-broken": ResolutionError("profile 'a-broken': ca_bundle /nowhere.pem: no such file"),
    }
    fleet = Fleet(resolved, on_change=told.append)
    assert fleet.row("a-broken").state is MemberState.MISCONFIGURED
    assert "no such file" in fleet.row("a-broken").reason
    fleet.start()
    try:
        await until(
            lambda: all(fleet.row(n).state is MemberState.LIVE for n in ("b-healthy", "c-failed")), "live"
        )
        await until(
            lambda: fleet.member("b-healthy").health is not None and _has_schedules(fleet), "schedules"
        )
        polls = fleet.member("b-healthy").polls
        await until(lambda: fleet.member("b-healthy").polls >= polls + 3, "more idle polls")
        healthy_told = [row for row in told if row.name == "b-healthy"]
        settled = len(healthy_told)
        await until(lambda: fleet.member("b-healthy").polls >= polls + 6, "still more idle polls")
        assert len([row for row in told if row.name == "b-healthy"]) == settled  # nothing changed
        assert [row.name for row in fleet.worst_first()] == ["c-failed", "a-broken", "b-healthy"]
        assert fleet.row("c-failed").level is HealthLevel.CRITICAL and fleet.row("c-failed").failure_cause
        assert fleet.row("b-healthy").level is HealthLevel.OK
        assert fleet.counts_text() == "3 appliances: 1 OK, 1 CRITICAL, 1 UNKNOWN"
    finally:
        await fleet.close()


def _has_schedules(fleet: Fleet) -> bool:
    health = fleet.member("b-healthy").health
    return health is not None and health.schedules is not None


async def test_members_poll_lightly_until_one_is_opened(simulator_factory: Factory) -> None:
    sim = simulator_factory(jobs=300)
    fleet = Fleet({"big": resolution(sim, "big", idle=0.2)})
    fleet.start()
    member = fleet.member("big")
    try:
        await until(lambda: member.polls >= 4, "a few idle polls")
        requests: dict[str, Any] = sim.stats()["requests"]
        details = sum(count for path, count in requests.items() if path.endswith("/job/details"))
        assert details == 1  # the newest page once; after that only the id list
        snapshot = member.snapshot
        assert snapshot is not None and len(snapshot.jobs) == 100
        fleet.set_full_history("big", True)
        await until(lambda: member.snapshot is not None and len(member.snapshot.jobs) == 300, "all of it")
    finally:
        await fleet.close()


async def test_twenty_appliances_in_every_state_and_a_stuck_one_delays_no_row() -> None:
    """The simulated fleet of `simulate --appliances 20`: every state shows, and an appliance whose
    every answer takes 10 s holds back no other row (asserted by its request count)."""
    from backuptui.simulator.fleet import DEFAULT_MIX, FleetSimulator

    with FleetSimulator(20, mix=DEFAULT_MIX, jobs=30, seed=3) as simulated:
        stuck = next(a for a in simulated.appliances if a.scenario == "healthy")
        assert stuck.sim is not None
        stuck.sim.set_fault(latency=10)
        resolved: dict[str, Resolution | ResolutionError] = {
            a.name: Resolution(
                ConnectionTarget(a.url, a.user, Secret(a.password), credentials_from="test", name=a.name),
                RefreshIntervals(idle=0.5, running=0.2),
            )
            for a in simulated.appliances
        }
        fleet = Fleet(resolved, max_in_flight=4)
        fleet.start()
        try:
            others = [name for name in fleet.names if name != stuck.name]
            await until(
                lambda: all(fleet.row(name).state is not MemberState.CONNECTING for name in others),
                "every other appliance has its row",
            )
            assert served(stuck.sim) == 1 and fleet.row(stuck.name).state is MemberState.CONNECTING
            states = {fleet.row(name).state for name in others}
            assert {MemberState.LIVE, MemberState.UNREACHABLE, MemberState.LOGIN_REFUSED} <= states
            levels = {fleet.row(name).level for name in others}
            assert levels == {HealthLevel.OK, HealthLevel.WARNING, HealthLevel.CRITICAL, HealthLevel.UNKNOWN}
            running = [fleet.row(a.name) for a in simulated.appliances if a.scenario == "running"]
            assert running and all(row.progress is not None for row in running)
        finally:
            await fleet.close(timeout=2.0)
        for appliance in simulated.appliances:
            if appliance.sim is not None and appliance is not stuck:
                stats = appliance.sim.stats()
                assert stats["logins"] == stats["logouts"]


async def test_changes_tell_each_changed_row_and_end_when_the_fleet_closes(
    simulator_factory: Factory,
) -> None:
    sim = simulator_factory(scenario="healthy")
    polled: list[str] = []
    fleet = Fleet({"one": resolution(sim, "one")}, on_poll=lambda member: polled.append(member.name))
    told: list[FleetRow] = []

    async def listen() -> None:
        async for row in fleet.changes():
            told.append(row)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0)  # the listener is registered before the first row changes
    fleet.start()
    await until(lambda: any(row.state is MemberState.LIVE for row in told), "the live row is told")
    await until(lambda: len(polled) >= 3, "a few polls")
    await fleet.close()
    await asyncio.wait_for(listener, 5)  # ended by the close, not cancelled
    assert told[-1].name == "one" and len(told) < len(polled) + 1


async def test_a_member_without_a_password_is_asked_for_it_only_once_it_answers(
    simulator_factory: Factory,
) -> None:
    silent = simulator_factory()
    silent.set_fault(drop=2)  # its first two answers never come
    fleet = Fleet({"silent": resolution(silent, "silent", password=None)})
    fleet.start()
    try:
        await until(lambda: fleet.row("silent").state is MemberState.UNREACHABLE, "it does not answer")
        row = fleet.row("silent")
        assert not row.password_needed and "its password is asked for once it answers" in row.reason
        await until(lambda: fleet.row("silent").password_needed, "it answers, then needs its password")
        stats = silent.stats()
        assert stats["logins"] == stats["failed_logins"] == 0 and set(stats["requests"]) == {"/"}
        checks = stats["requests"]["/"]
        fleet.poll_now("silent")  # `r`: it answered, so nothing more is asked until a password comes
        await asyncio.sleep(0.3)
        assert silent.stats()["requests"] == {"/": checks}
        fleet.provide_password("silent", Secret("VMware1!"))
        await until(lambda: fleet.row("silent").state is MemberState.LIVE, "it logs in")
    finally:
        await fleet.close()
