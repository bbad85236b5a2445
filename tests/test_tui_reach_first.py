"""The monitor's launch reaches the appliance before it asks for a password, as the picker does:
an https:// URL on a plain-HTTP port (the simulator) says so and never shows the prompt; an
address that answers once it comes back shows the prompt then. No login is sent meanwhile."""

from __future__ import annotations

import pytest
from pilot_waits import wait_until
from screen_text import screen_text

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.monitor import ConnectionState, Monitor, RefreshSettings
from backuptui.simulator import Simulator
from backuptui.tui.app import MonitorApp
from backuptui.tui.password import PasswordScreen

QUICK_RETRY = RefreshSettings(idle=3600.0, running=3600.0, backoff_initial=0.05, backoff_max=0.1)


def asking_app(url: str, sim: Simulator, settings: RefreshSettings) -> MonitorApp:
    """`backuptui -p NAME` with no password source: the app must ask for one."""
    client = ApplianceClient(url, sim.user, Secret(""), name="lab")
    return MonitorApp(Monitor(client, settings), user=sim.user, appliance_name="lab", ask_password=True)


def prompt_shown(app: MonitorApp) -> bool:
    screen = app.screen
    return isinstance(screen, PasswordScreen) and any(
        each.has_focus for each in screen.query("#password-input")
    )


def flat(text: str) -> str:
    return " ".join(" ".join(line.strip(" █▌▐┃").split()) for line in text.splitlines())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_wrong_scheme_is_said_before_any_password_prompt(
    simulator: Simulator, size: tuple[int, int]
) -> None:
    wrong = simulator.url.replace("http://", "https://")
    app = asking_app(
        wrong,
        simulator,
        RefreshSettings(idle=3600.0, running=3600.0, backoff_initial=3600.0, backoff_max=3600.0),
    )
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.snapshot.connection == ConnectionState.UNREACHABLE, "unreachable")
        await pilot.pause()
        assert not isinstance(app.screen, PasswordScreen)
        assert "the port answers in plain HTTP, not HTTPS" in flat(screen_text(app))
        await pilot.press("r")  # checks the address again: still no prompt, still no login
        await pilot.pause(0.2)
        assert not isinstance(app.screen, PasswordScreen)
        assert app.snapshot.connection == ConnectionState.UNREACHABLE
    stats = simulator.stats()
    assert stats["logins"] == 0 and stats["failed_logins"] == 0


async def test_the_prompt_opens_once_the_appliance_answers(simulator: Simulator) -> None:
    simulator.set_fault(drop=2)  # the first two requests get no answer at all
    app = asking_app(simulator.url, simulator, QUICK_RETRY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: prompt_shown(app), "the password prompt")
        await pilot.pause()
        assert simulator.stats()["logins"] == 0
        await pilot.press(*simulator.password, "enter")
        await wait_until(pilot, lambda: app.snapshot.connection == ConnectionState.LIVE, "live")
    assert simulator.stats()["logins"] == 1
