"""The fleet's lanes against a simulated fleet over loopback: a dead site larger than the bound on
requests in flight never starves the appliances that answer, on the first round (its round trips
move to the slow lane) or after it failed (its round trips go through the failing lane), and an
appliance that answers again is back. Asserted by poll counts and row states in generous windows,
never by how long a poll took."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from backuptui.core.appliance.client import Timeouts
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profile_model import RefreshIntervals
from backuptui.core.settings.resolution import Resolution, ResolutionError
from backuptui.core.settings.target import ConnectionTarget
from backuptui.core.watch.fleet import IN_FLIGHT, Fleet
from backuptui.core.watch.fleet_lanes import Lanes
from backuptui.core.watch.fleet_row import MemberState
from backuptui.simulator.fleet import FleetAppliance, FleetSimulator

STUCK = 20  # more than the main lane's IN_FLIGHT permits
HEALTHY = 5
#: reads wait longer than the stuck appliances' latency: their round trips hang, then answer
PATIENT = Timeouts(connect=5.0, read=120.0)


@pytest.fixture
def site() -> Iterator[list[FleetAppliance]]:
    """STUCK + HEALTHY healthy appliances served from one loop, the ones to get stuck first."""
    with FleetSimulator(STUCK + HEALTHY, mix=[("healthy", STUCK + HEALTHY)], jobs=30, seed=5) as simulated:
        yield simulated.appliances


def resolutions(appliances: list[FleetAppliance]) -> dict[str, Resolution | ResolutionError]:
    return {
        a.name: Resolution(
            ConnectionTarget(a.url, a.user, Secret(a.password), credentials_from="test", name=a.name),
            RefreshIntervals(idle=0.5, running=0.5),
        )
        for a in appliances
    }


def fault(appliances: list[FleetAppliance], **change: object) -> None:
    for appliance in appliances:
        assert appliance.sim is not None
        appliance.sim.set_fault(**change)


async def until(condition: Callable[[], bool], what: str, limit: float) -> None:
    """Wait for a condition the fleet brings about (a guard against hanging, not a timing)."""
    try:
        async with asyncio.timeout(limit):
            while not condition():  # noqa: ASYNC110 - the fleet and the simulators move on their own
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not within {limit:g} s: {what}") from None


async def test_a_dead_site_on_the_first_round_holds_no_permit_of_those_that_answer(
    site: list[FleetAppliance],
) -> None:
    stuck, healthy = site[:STUCK], site[STUCK:]
    fault(stuck, latency=40)  # before the fleet starts: their first round trips take the main lane
    assert IN_FLIGHT < STUCK
    fleet = Fleet(resolutions(site), timeouts=PATIENT)
    fleet.start()
    try:
        await until(
            lambda: all(fleet.member(a.name).polls >= 5 for a in healthy),
            "the healthy appliances polled again and again while the stuck ones hang",
            limit=30,
        )
        assert all(fleet.row(a.name).state is MemberState.LIVE for a in healthy)
        assert all(fleet.row(a.name).state is MemberState.CONNECTING for a in stuck)  # still hanging
        assert fleet.lanes.in_slow == IN_FLIGHT  # the slow lane is full, the main lane free again
        assert fleet.lanes.in_main + fleet.lanes.in_slow <= fleet.lanes.bound
    finally:
        await fleet.close(timeout=1.0)


async def test_a_failed_site_hangs_in_its_own_lane_and_an_appliance_answering_again_is_back(
    site: list[FleetAppliance],
) -> None:
    stuck, healthy = site[:STUCK], site[STUCK:]
    fault(stuck, error_503=-1)  # every round trip of theirs fails at once
    fleet = Fleet(resolutions(site), timeouts=PATIENT)
    fleet.start()
    try:
        await until(
            lambda: (
                all(fleet.member(a.name).failing for a in stuck)
                and all(fleet.row(a.name).state is MemberState.LIVE for a in healthy)
            ),
            "the stuck appliances failed, the healthy ones are live",
            limit=30,
        )
        fault(stuck, clear=True, latency=40)  # and now they hang
        await until(lambda: fleet.lanes.in_failing == fleet.lanes.failing, "the failing lane is full", 30)
        polls = {a.name: fleet.member(a.name).polls for a in healthy}
        await until(
            lambda: all(fleet.member(name).polls >= count + 5 for name, count in polls.items()),
            "the healthy appliances polled again and again while the stuck ones hang",
            limit=30,
        )
        assert all(fleet.row(a.name).state is MemberState.LIVE for a in healthy)
        assert all(fleet.member(a.name).failing for a in stuck)  # none answered yet
        assert fleet.lanes.in_failing <= fleet.lanes.failing and fleet.lanes.in_slow == 0

        fault(stuck, clear=True)  # the hanging round trips answer after their latency, the rest at once
        await until(
            lambda: all(fleet.row(a.name).state is MemberState.LIVE for a in stuck),
            "every stuck appliance answers again",
            limit=120,
        )
        polls = {a.name: fleet.member(a.name).polls for a in stuck}
        await until(
            lambda: all(fleet.member(name).polls >= count + 3 for name, count in polls.items()),
            "the appliances that answered again poll on their interval",
            limit=30,
        )
        assert not any(fleet.member(a.name).failing for a in stuck) and fleet.lanes.in_failing == 0
    finally:
        await fleet.close(timeout=1.0)


async def test_each_lane_holds_its_permits_and_a_round_trip_one_at_a_time() -> None:
    lanes = Lanes(2, failing=1, slow_after=0.05)
    seen: list[tuple[int, int, int]] = []

    async def trip(failing: bool, seconds: float) -> None:
        async with lanes.trip(failing=failing):
            for _ in range(int(seconds / 0.01)):
                seen.append((lanes.in_main, lanes.in_slow, lanes.in_failing))
                await asyncio.sleep(0.01)

    await asyncio.gather(*(trip(False, 0.3) for _ in range(6)), *(trip(True, 0.1) for _ in range(3)))
    assert max(main for main, _, _ in seen) == 2 and max(slow for _, slow, _ in seen) == 2
    assert max(failing for _, _, failing in seen) == 1
    assert max(sum(each) for each in seen) <= lanes.bound == 5
    assert (lanes.in_main, lanes.in_slow, lanes.in_failing) == (0, 0, 0)
    with pytest.raises(ValueError):
        Lanes(0)
