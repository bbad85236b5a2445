"""Pilot tests of the profile picker: list, add, edit, delete, default, test connection, connect."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import keyring
import pytest
from keyring.backends import fail
from pilot_waits import prompt_ready, wait_until
from textual import events
from textual.widgets import Checkbox, DataTable, Input, Select

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import Profile, ProfileStore, profile_with
from backuptui.core.settings.secrets import PasswordSource, keyring_get, keyring_set
from backuptui.simulator import Simulator
from backuptui.tui.password import PasswordScreen
from backuptui.tui.screens.profile_form import ProfileFormScreen
from backuptui.tui.screens.profiles import (
    FIRST_RUN_HINT,
    ConfirmScreen,
    ProfileChoice,
    ProfilePickerScreen,
    ProfilesApp,
)
from tests.test_secrets import MemoryKeyring

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def make_app(env: dict[str, str] | None = None, **kwargs: object) -> ProfilesApp:
    return ProfilesApp(ProfilePickerScreen(env=env if env is not None else {}, **kwargs))  # type: ignore[arg-type]


def picker(app: ProfilesApp) -> ProfilePickerScreen:
    return app.picker


def rows(app: ProfilesApp) -> list[list[str]]:
    table = app.picker.query_one("#profiles", DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def add_lab(url: str = "http://127.0.0.1:9", **fields: object) -> Profile:
    profile = Profile("lab", url, "administrator@vsphere.local", **fields)  # type: ignore[arg-type]
    ProfileStore().add_profile(profile)
    return profile


async def test_first_run_shows_the_demo_hint_and_no_profiles() -> None:
    app = make_app(hint=FIRST_RUN_HINT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hint = str(app.picker.query_one("#picker-hint").content)
        assert "backuptui --demo" in hint
        assert app.picker.query_one("#picker-hint").display
        assert rows(app) == []
        await pilot.press("enter")
        await pilot.pause()
        assert "No profile selected" in app.picker.result_text
        await pilot.press("q")
    assert app.return_value is None
    assert not ProfileStore().path.exists()


async def test_the_list_shows_every_profile_with_the_default_marked() -> None:
    add_lab()
    prod = Profile("prod", "vcsa01.example.com", "viewer", verify_tls=False, password_command="pass x")
    ProfileStore().add_profile(profile_with(prod, password_source=PasswordSource.COMMAND))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert rows(app) == [
            ["*", "lab", "http://127.0.0.1:9", "no TLS", "auto", "administrator@vsphere.local"],
            ["", "prod", "vcsa01.example.com", "NOT verified", "command", "viewer"],
        ]
        assert app.picker.selected_name == "lab"  # the default is selected first
        await pilot.press("down", "asterisk")
        await pilot.pause()
        assert ProfileStore().load().default_profile == "prod"
        assert rows(app)[1][0] == "*"


async def test_add_a_profile_with_the_form() -> None:
    app = make_app(hint=FIRST_RUN_HINT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfileFormScreen), "the form")
        await pilot.press(*"lab")
        form = app.screen
        form.query_one("#url", Input).value = "https://vcsa-lab.example.com/api"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ProfileFormScreen)  # refused: a path
        assert "without a path" in str(form.query_one("#form-error").content)
        form.query_one("#url", Input).value = "vcsa-lab.example.com"
        form.query_one("#password-source", Select).value = "env"
        form.query_one("#verify-tls", Checkbox).value = False
        form.query_one("#refresh", Input).value = "60,3"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.picker, "the picker")
        assert rows(app) == [
            ["*", "lab", "vcsa-lab.example.com", "NOT verified", "env", "administrator@vsphere.local"]
        ]
        assert "Added profile 'lab'" in app.picker.result_text
        assert not app.picker.query_one("#picker-hint").display  # "no profiles yet" is gone
    saved = ProfileStore().load()
    assert saved.default_profile == "lab"
    profile = saved.profiles["lab"]
    assert (profile.url, profile.verify_tls, profile.password_source) == (
        "vcsa-lab.example.com",
        False,
        PasswordSource.ENV,
    )
    assert profile.refresh is not None and (profile.refresh.idle, profile.refresh.running) == (60.0, 3.0)


async def test_add_refuses_a_duplicate_name() -> None:
    add_lab()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfileFormScreen))
        await pilot.press(*"lab")
        app.screen.query_one("#url", Input).value = "h.example.com"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "already exists" in str(app.screen.query_one("#form-error").content)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.picker)
    assert list(ProfileStore().load().profiles) == ["lab"]


async def test_edit_keeps_the_files_comments() -> None:
    add_lab(password_source=PasswordSource.ENV)
    path = ProfileStore().path
    path.write_text(path.read_text().replace('username = "', '# who logs in\nusername = "'))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfileFormScreen))
        form = app.screen
        assert form.query_one("#name", Input).disabled
        assert form.query_one("#url", Input).value == "http://127.0.0.1:9"
        form.query_one("#url", Input).value = "http://127.0.0.1:10"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.picker)
        assert rows(app)[0][2] == "http://127.0.0.1:10"
    text = path.read_text()
    assert "# who logs in\n" in text
    assert 'url = "http://127.0.0.1:10"' in text
    assert ProfileStore().load().profiles["lab"].password_source is PasswordSource.ENV


async def test_delete_asks_and_removes_the_keyring_password() -> None:
    keyring.set_keyring(MemoryKeyring())
    add_lab()
    keyring_set("lab", Secret("pw"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is app.picker)
        assert rows(app) != []
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: rows(app) == [], "the row to go")
        await wait_until(pilot, lambda: "Deleted profile 'lab'" in app.picker.result_text)
        assert "removed from the keyring" in app.picker.result_text
    assert ProfileStore().load().profiles == {}
    assert keyring_get("lab") is None


async def test_a_broken_file_is_shown_with_line_and_key_and_never_written() -> None:
    add_lab()
    path = ProfileStore().path
    path.write_text(path.read_text().replace("verify_tls = true", "verify_tls = maybe"))
    before = path.read_bytes()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        message = app.picker.result_text
        assert f"{path}, line 10, key 'profiles.lab.verify_tls'" in message
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is app.picker  # no form over a file that could not be read
        await pilot.press("asterisk", "x", "e")
        await pilot.pause()
        path.write_text(before.decode().replace("verify_tls = maybe", "verify_tls = true"))
        await pilot.press("r")
        await pilot.pause()
        assert [row[1] for row in rows(app)] == ["lab"]
    assert "verify_tls = true" in path.read_text()


async def test_test_connection_ok_shows_flavour_and_job_count(simulator: Simulator) -> None:
    add_lab(simulator.url, password_source=PasswordSource.ENV)
    app = make_app(env={"BACKUPTUI_PASSWORD": simulator.password})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_until(pilot, lambda: app.picker.last_check is not None, "the test")
        assert app.picker.result_text == "lab: connection ok, API flavour /api, 50 backup jobs"
        assert app.picker.query_one("#picker-result").has_class("-ok")
    assert simulator.stats()["active_sessions"] == 0


async def test_test_connection_shows_the_exact_error(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=1)
    add_lab(sim.url, password_source=PasswordSource.ENV)
    app = make_app(env={"BACKUPTUI_PASSWORD": "wrong-password"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_until(pilot, lambda: app.picker.last_check is not None, "the test")
        check = app.picker.last_check
        assert check is not None and not check.ok
        assert app.picker.result_text == str(check.error)
        assert "lab" in app.picker.result_text
        assert app.picker.query_one("#picker-result").has_class("-error")
        assert "wrong-password" not in app.picker.result_text


async def test_test_connection_prompts_then_offers_the_keyring(simulator: Simulator) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    add_lab(simulator.url)  # auto: keyring (empty), no command, no environment -> ask
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, PasswordScreen), "the prompt")
        password_input = app.screen.query_one(Input)
        assert password_input.password  # masked
        password_input.value = simulator.password
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the keyring offer")
        await pilot.press("y")
        await wait_until(pilot, lambda: backend.passwords != {}, "the keyring")
        assert app.picker.result_text.startswith("lab: connection ok")
        assert app.picker.passwords == {"lab": Secret(simulator.password)}
    assert keyring_get("lab") == Secret(simulator.password)
    assert simulator.password not in ProfileStore().path.read_text()


async def test_a_failing_password_command_is_named_in_the_prompt(simulator: Simulator) -> None:
    add_lab(simulator.url, password_source=PasswordSource.COMMAND, password_command="echo nope >&2; exit 4")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, PasswordScreen), "the prompt")
        problem = str(app.screen.query_one("#password-problem").content)
        assert problem == "the password command of profile 'lab' failed with exit code 4"
        await pilot.press("escape")
        await wait_until(pilot, lambda: "cancelled" in app.picker.result_text)


@pytest.mark.parametrize(("key", "said"), [("t", "Not tested"), ("enter", "Not connected")])
async def test_a_scheme_that_does_not_match_the_port_is_said_before_any_password_prompt(
    simulator: Simulator, key: str, said: str
) -> None:
    """https:// on the simulator's plain-HTTP port: the picker says so, with the URL to use, and
    never asks for a password that could not be used."""
    add_lab(simulator.url.replace("http://", "https://"), password_source=PasswordSource.PROMPT)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await wait_until(pilot, lambda: app.picker.result_text.startswith(said), "the reason")
        text = app.picker.result_text
        assert "plain HTTP, not HTTPS" in text and f"{simulator.url} for a plain-HTTP service" in text
        assert app.picker.query_one("#picker-result").has_class("-error")
        assert not any(isinstance(screen, PasswordScreen) for screen in app.screen_stack)
        assert app.return_value is None and app.is_running
    assert simulator.stats()["failed_logins"] == 0


async def test_connect_returns_the_profile_and_its_password(simulator: Simulator) -> None:
    add_lab(simulator.url, password_source=PasswordSource.ENV)
    app = make_app(env={"BACKUPTUI_PASSWORD_LAB": simulator.password})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.return_value is not None or not app.is_running, "connect")
    choice = app.return_value
    assert isinstance(choice, ProfileChoice)
    assert choice.profile.name == "lab"
    assert choice.password == Secret(simulator.password)


@pytest.mark.parametrize("down", ["j", "down"])
async def test_keys_typed_ahead_act_in_order(simulator: Simulator, down: str) -> None:
    """A move and Enter that arrive together (one read from the terminal) connect the row moved to."""
    add_lab(simulator.url, password_source=PasswordSource.ENV)
    ProfileStore().add_profile(
        Profile("prod", simulator.url, simulator.user, password_source=PasswordSource.ENV)
    )
    app = make_app(env={"BACKUPTUI_PASSWORD": simulator.password})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.picker.selected_name == "lab"
        app.post_message(events.Key(down, None))
        app.post_message(events.Key("enter", "\r"))
        await wait_until(pilot, lambda: app.return_value is not None or not app.is_running, "connect")
    choice = app.return_value
    assert isinstance(choice, ProfileChoice) and choice.profile.name == "prod"


async def test_connect_with_a_typed_password_and_no_keyring_keeps_it_in_memory(simulator: Simulator) -> None:
    add_lab(simulator.url, password_source=PasswordSource.PROMPT)
    passwords: dict[str, Secret] = {}
    app = make_app(passwords=passwords)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: prompt_ready(app), "the prompt")
        app.screen.query_one(Input).value = simulator.password
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.return_value is not None or not app.is_running, "connect")
    assert passwords == {"lab": Secret(simulator.password)}
