"""While a profile's password_command runs (a vault CLI may take seconds), the app says what it
waits for; Esc stops the command and asks for the password instead. Keys typed before a prompt
opened do not land in it."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from pilot_waits import wait_until
from screen_text import screen_text
from test_tui_app import make_app, wait_for_jobs
from test_tui_password_origin import flat, prompt_shown
from textual import events
from textual.widgets import Input

from backuptui.core.settings.profiles import Profile
from backuptui.core.settings.secrets import PasswordSource, resolve_password
from backuptui.simulator import Simulator
from backuptui.tui.access import PasswordLookup
from backuptui.tui.password import PasswordScreen
from backuptui.tui.screens.waiting import WaitingScreen


def gated_command(tmp_path: Path, password: str) -> tuple[PasswordLookup, Path, Path]:
    """A password command that writes its pid, waits until `gate` exists, then prints `password`."""
    gate, pid = tmp_path / "gate", tmp_path / "pid"
    script = f'echo $$ > "{pid}"; while [ ! -e "{gate}" ]; do sleep 0.02; done; echo "{password}"'
    profile = Profile(
        "lab", "h", "u", password_source=PasswordSource.COMMAND, password_command=("sh", "-c", script)
    )
    lookup = PasswordLookup(
        "the password command of profile 'lab'", lambda cancel: resolve_password(profile, cancel=cancel)
    )
    return lookup, gate, pid


def started(pid_file: Path) -> bool:
    return pid_file.exists() and pid_file.read_text().strip() != ""


def alive(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text()), 0)
    except ProcessLookupError:
        return False
    return True


async def test_the_app_says_it_waits_for_the_password_command_then_logs_in(
    simulator: Simulator, tmp_path: Path
) -> None:
    lookup, gate, pid = gated_command(tmp_path, simulator.password)
    app = make_app(simulator, password="", password_lookup=lookup)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot, lambda: pid.exists() and pid.read_text().strip() != "", "the command to start"
        )
        await pilot.pause()
        assert isinstance(app.screen, WaitingScreen)
        text = flat(screen_text(app))
        assert "Waiting for the password command of profile 'lab'…" in text and "Esc" in text
        assert simulator.stats()["logins"] == 0
        gate.touch()
        await wait_for_jobs(pilot)
        assert not isinstance(app.screen, WaitingScreen)
        assert simulator.stats()["logins"] == 1 and simulator.stats()["failed_logins"] == 0
        assert app.credentials_from == "password_command"


async def test_esc_stops_the_command_and_asks_for_the_password(simulator: Simulator, tmp_path: Path) -> None:
    lookup, _gate, pid = gated_command(tmp_path, simulator.password)
    app = make_app(simulator, password="", password_lookup=lookup)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(
            pilot, lambda: pid.exists() and pid.read_text().strip() != "", "the command to start"
        )
        await pilot.press("escape")
        await wait_until(pilot, lambda: prompt_shown(app), "the password prompt")
        await pilot.pause()
        assert not alive(pid)
        assert "the password command of profile 'lab' was cancelled" in flat(screen_text(app))
        assert simulator.stats()["logins"] == 0


async def test_keys_typed_before_the_prompt_opened_do_not_land_in_it(simulator: Simulator) -> None:
    app = make_app(simulator, poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        typed_before = [events.Key(char, char) for char in "hunter2"]  # stamped now: before the prompt
        app._ask_password(None)
        await wait_until(pilot, lambda: prompt_shown(app), "the password prompt")
        await pilot.pause()
        for key in typed_before:  # read late, as when the loop was busy while they were typed
            app.post_message(key)
        await pilot.pause()
        assert isinstance(app.screen, PasswordScreen)
        prompt = app.screen.query_one("#password-input", Input)
        assert prompt.value == ""
        await pilot.press(*"ok")
        assert prompt.value == "ok"


def test_the_launch_leaves_a_password_command_to_the_app(tmp_path: Path) -> None:
    """With a terminal, `backuptui -p lab` runs no password command before the app shows it waits."""
    from backuptui.cli import build_parser
    from backuptui.core.settings.profiles import ProfileStore
    from backuptui.tui.launch import target_from_profiles

    ran = tmp_path / "ran"
    store = ProfileStore()
    store.add_profile(
        Profile(
            "lab",
            "http://127.0.0.1:9",
            "u",
            password_source=PasswordSource.COMMAND,
            password_command=("sh", "-c", f'touch "{ran}"; echo pw'),
        ),
        make_default=True,
    )
    args = build_parser().parse_args(["-p", "lab"])
    found = target_from_profiles(args, environ={"TEXTUAL_DRIVER": "headless"})
    assert found is not None
    target, session, _, _ = found
    assert target.password is None and not ran.exists()
    assert session.password_lookup is not None
    assert session.password_lookup.what == "the password command of profile 'lab'"
    result = session.password_lookup.run(threading.Event())
    assert ran.exists() and result.secret is not None and result.source == "password_command"
