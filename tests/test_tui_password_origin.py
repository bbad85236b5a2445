"""A refused password: the prompt says where it came from (environment, keyring, command, typed)."""

from __future__ import annotations

import pytest
from pilot_waits import wait_until
from screen_text import screen_text
from test_tui_app import make_app

from backuptui.core.watch.monitor import ConnectionState
from backuptui.simulator import Simulator
from backuptui.tui.password import PasswordScreen, password_origin


def prompt_shown(app: object) -> bool:
    screen = getattr(app, "screen", None)
    return isinstance(screen, PasswordScreen) and bool(screen.query("#password-input"))


def flat(text: str) -> str:
    return " ".join(" ".join(line.strip(" █▌▐┃").split()) for line in text.splitlines())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("environment", "BACKUPTUI_PASSWORD"),
        ("BACKUPTUI_PASSWORD_LAB", "BACKUPTUI_PASSWORD_LAB"),
        ("keyring", "the system keyring"),
        ("password_command", "the profile's password_command"),
    ],
)
async def test_the_prompt_names_where_the_refused_password_came_from(
    simulator: Simulator, size: tuple[int, int], source: str, said: str
) -> None:
    app = make_app(simulator, password="not-the-password", credentials_from=source)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: prompt_shown(app), "the password prompt")
        await pilot.pause()
        assert app.snapshot.connection == ConnectionState.AUTH_FAILED
        assert f"The refused password came from {said}." in flat(screen_text(app))
        failed = simulator.stats()["failed_logins"]
        await pilot.press(*"still-wrong", "enter")
        await wait_until(pilot, lambda: simulator.stats()["failed_logins"] == failed + 1, "the second login")
        await wait_until(pilot, lambda: prompt_shown(app), "the prompt again")
        await pilot.pause()
        assert "The refused password came from what you typed." in flat(screen_text(app))


def test_an_unknown_origin_says_nothing() -> None:
    assert password_origin(None) is None and password_origin("profile picker") is None
