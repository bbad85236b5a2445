"""`-t SECONDS` bounds the whole run of `check` and `status`: the password command is given what
is left of it, and a logout that does not fit is abandoned (the connection is still closed)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

import pytest

from backuptui.cli import build_parser
from backuptui.commands import check, status
from backuptui.commands.deadline import Deadline
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import Profile, ProfileStore
from backuptui.core.settings.secrets import PasswordSource
from backuptui.simulator import Simulator


@pytest.fixture
def slow_command_profile(simulator_factory: Callable[..., Simulator]) -> Simulator:
    """The default profile's password comes from a command that never finishes in time."""
    sim = simulator_factory(jobs=3)
    profile = Profile(
        name="lab",
        url=sim.url,
        username=sim.user,
        password_source=PasswordSource.COMMAND,
        password_command="sleep 100",
    )
    ProfileStore().add_profile(profile, make_default=True)  # conftest: a private XDG_CONFIG_HOME
    return sim


def test_check_gives_the_password_command_only_the_time_left(slow_command_profile: Simulator) -> None:
    args = build_parser().parse_args(["check", "-p", "lab", "-t", "1"])
    out = io.StringIO()
    assert check.run(args, out=out) == 3
    line = out.getvalue()
    assert line.startswith("BACKUP UNKNOWN - ")
    assert "did not finish within 1 s and was stopped" in line, line
    assert slow_command_profile.stats()["requests_total"] == 0


def test_status_has_the_same_deadline(slow_command_profile: Simulator) -> None:
    args = build_parser().parse_args(["status", "-p", "lab", "-t", "1"])
    out, err = io.StringIO(), io.StringIO()
    assert status.run(args, out=out, err=err) != 0
    assert "did not finish within 1 s and was stopped" in err.getvalue(), err.getvalue()


def test_status_timeout_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["status", "--url", "x", "--user", "u", "-t", "0"])
    assert stop.value.code == 2
    assert "must be more than 0 seconds" in capsys.readouterr().err


async def test_a_logout_that_does_not_fit_is_abandoned(simulator: Simulator) -> None:
    client = ApplianceClient(simulator.url, simulator.user, Secret(simulator.password))
    await client.list_job_details()  # logged in
    simulator.set_fault(latency=60, match="/session")  # the logout would now hang for a minute
    async with asyncio.timeout(30):  # a guard against a hanging test, not a measurement
        await Deadline(0.2).close(client)
    assert client._closed  # the connection is closed all the same
    simulator.set_fault(clear=True)
