"""A user who may log in but lacks the backup privilege (the simulator's unprivileged user: its
reads answer 403 with the appliance's real body): every entry point says so clearly, once, and
logs out."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from backuptui.cli import build_parser
from backuptui.commands import check, status
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import NotAuthorized
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.simulator import Simulator

OPERATOR = "operator@vsphere.local"


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return simulator_factory(jobs=5, unprivileged_user=OPERATOR)


@pytest.mark.parametrize("flavor", [ApiFlavor.API, ApiFlavor.REST])
async def test_the_client_raises_not_authorized_naming_the_user(sim: Simulator, flavor: ApiFlavor) -> None:
    async with ApplianceClient(sim.url, OPERATOR, Secret(sim.password), flavor=flavor) as client:
        with pytest.raises(NotAuthorized) as raised:
            await client.list_job_details()
    message = str(raised.value)
    assert f"the user '{OPERATOR}' is not allowed to do this (HTTP 403" in message
    assert "SystemConfiguration.Administrators" in message
    assert sim.stats()["logouts"] == 1


def test_status_says_the_user_lacks_the_privilege(sim: Simulator) -> None:
    args = build_parser().parse_args(["status", "--url", sim.url, "--user", OPERATOR])
    out, err = io.StringIO(), io.StringIO()
    assert status.run(args, out=out, err=err) == 1
    assert out.getvalue() == ""
    [line] = err.getvalue().splitlines()
    assert "is not allowed to do this (HTTP 403" in line and "Traceback" not in line
    assert sim.stats()["logouts"] == 1


def test_check_is_unknown_and_says_why(sim: Simulator) -> None:
    args = build_parser().parse_args(["check", "--url", sim.url, "--user", OPERATOR])
    out = io.StringIO()
    assert check.run(args, out=out) == 3
    line = out.getvalue()
    assert line.startswith("BACKUP UNKNOWN - ") and "is not allowed to do this (HTTP 403" in line
    assert sim.stats()["logouts"] == 1


async def test_the_monitor_shows_what_is_missing_and_logs_out_on_quit(sim: Simulator) -> None:
    import time

    from screen_text import screen_text

    from backuptui.core.watch.monitor import Monitor, RefreshSettings
    from backuptui.tui.app import MonitorApp

    slow = RefreshSettings(idle=3600.0, running=3600.0, backoff_initial=3600.0, backoff_max=3600.0)
    client = ApplianceClient(sim.url, OPERATOR, Secret(sim.password))
    app = MonitorApp(Monitor(client, slow), user=OPERATOR)
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.monotonic() + 15
        while "not allowed" not in screen_text(app):
            assert time.monotonic() < deadline, screen_text(app)
            await pilot.pause(0.02)
        text = screen_text(app)
        assert OPERATOR in text and "Traceback" not in text
        assert sim.stats()["logins"] == 1  # no retry of its own
        await pilot.press("q")
        await pilot.pause()
    assert sim.stats()["logouts"] == 1
