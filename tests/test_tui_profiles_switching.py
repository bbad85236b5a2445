"""Saved profiles in the monitor: `-p NAME`, the default profile, switching appliance with `a`."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable, Iterator
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from pilot_waits import prompt_ready, wait_until

from backuptui.cli import build_parser
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profile_session import client_for
from backuptui.core.settings.profiles import Profile, ProfileStore, RefreshIntervals
from backuptui.core.settings.secrets import PasswordSource, keyring_get
from backuptui.core.watch.monitor import Monitor, RefreshSettings
from backuptui.simulator import Simulator
from backuptui.tui.app import MonitorApp
from backuptui.tui.launch import UsageError, target_from_profiles
from backuptui.tui.screens.profiles import ConfirmScreen, ProfileChoice, ProfilePickerScreen
from backuptui.tui.switching import ProfileSession
from backuptui.tui.widgets.status_line import StatusLine
from tests.test_secrets import MemoryKeyring

SLOW = RefreshSettings(idle=3600.0, running=3600.0, backoff_initial=3600.0, backoff_max=3600.0)


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def save(name: str, sim: Simulator, **fields: Any) -> Profile:
    profile = Profile(name, sim.url, sim.user, **fields)
    ProfileStore().add_profile(profile)
    return profile


def monitor_app(profile: Profile, password: str, session: ProfileSession, **kwargs: Any) -> MonitorApp:
    session.current = profile
    monitor = Monitor(client_for(profile, Secret(password)), SLOW)
    return MonitorApp(monitor, appliance_name=profile.name, user=profile.username, profiles=session, **kwargs)


def args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


# --- switching in the app -------------------------------------------------------------------------


async def test_switch_appliance_with_a_key_logs_out_of_the_one_left(
    simulator_factory: Callable[..., Simulator],
) -> None:
    lab, prod = simulator_factory(jobs=20), simulator_factory(jobs=30, seed=2)
    lab_profile = save("lab", lab, password_source=PasswordSource.ENV)
    save(
        "prod",
        prod,
        password_source=PasswordSource.ENV,
        refresh=RefreshIntervals(idle=3600.0, running=3600.0),
    )
    session = ProfileSession(ProfileStore(), env={"BACKUPTUI_PASSWORD": lab.password})
    app = monitor_app(lab_profile, lab.password, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 20, "lab's jobs")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerScreen), "the picker")
        picker = app.screen
        assert isinstance(picker, ProfilePickerScreen)
        assert picker.selected_name == "lab"  # the one being watched
        session.env = {"BACKUPTUI_PASSWORD": prod.password}
        picker.env = session.env
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 30, "prod's jobs")
        assert app.screen is app.screen_stack[0]
        assert " · prod (" in app.query_one(StatusLine).text  # after the verdict
        assert app.appliance_name == "prod"
        assert lab.stats()["logouts"] == 1
        assert lab.stats()["active_sessions"] == 0
        assert prod.stats()["active_sessions"] == 1
        assert session.current is not None and session.current.name == "prod"
        assert app.stale_after == 2 * 3600.0 + 10  # prod's own refresh
        await pilot.press("q")
    assert prod.stats()["active_sessions"] == 0


async def test_switching_resolves_the_picked_profile_with_the_one_resolver(simulator: Simulator) -> None:
    """The picked profile goes through core's `resolve_profile` (`--refresh` still beats its own
    intervals), and the monitor switched to is built from that Resolution."""
    from backuptui.core.settings.resolution import resolve_profile

    profile = save("prod", simulator, refresh=RefreshIntervals(idle=45.0))
    override = RefreshIntervals(12.0, 1.0)
    session = ProfileSession(ProfileStore(), refresh_override=override)
    choice = ProfileChoice(profile, Secret(simulator.password), session.settings)
    monitor, resolution = session.open(choice)
    try:
        expected = resolve_profile(
            profile,
            None,
            session.settings,
            password=choice.password,
            password_from="profile picker",
            override=override,
        )
        assert resolution == expected
        assert (monitor.settings.idle, monitor.settings.running) == (12.0, 1.0)
        assert (await monitor.poll()).appliance == "prod"
    finally:
        await monitor.close()


async def test_a_refused_password_after_switching_says_where_it_came_from(
    simulator_factory: Callable[..., Simulator],
) -> None:
    """The picker's password source reaches the resolution, so the prompt can name it."""
    lab, prod = simulator_factory(jobs=3), simulator_factory(jobs=4, seed=2)
    lab_profile = save("lab", lab, password_source=PasswordSource.ENV)
    save("prod", prod, password_source=PasswordSource.ENV)
    session = ProfileSession(ProfileStore(), env={"BACKUPTUI_PASSWORD": "not-prods-password"})
    app = monitor_app(lab_profile, lab.password, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 3, "lab's jobs")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerScreen), "the picker")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: prompt_ready(app), "the prompt")
        origin = app.screen.query_one("#password-origin")
        assert str(origin.content) == "The refused password came from BACKUPTUI_PASSWORD."
        assert prod.stats()["failed_logins"] == 1
        await pilot.press("escape")
    assert prod.stats()["failed_logins"] == 1  # never retried


async def test_escape_in_the_picker_keeps_watching(simulator: Simulator) -> None:
    profile = save("lab", simulator)
    app = monitor_app(profile, simulator.password, ProfileSession(ProfileStore()))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 50, "jobs")
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerScreen), "the picker")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0], "the monitor")
        assert simulator.stats()["logouts"] == 0
        assert app.monitor.snapshot.appliance == "lab"


async def test_the_palette_offers_switch_appliance(simulator: Simulator) -> None:
    profile = save("lab", simulator)
    app = monitor_app(profile, simulator.password, ProfileSession(ProfileStore()))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 50, "jobs")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Switch appliance" in titles
        await pilot.press("ctrl+p", *"switch appliance")
        await pilot.pause(0.3)  # the palette searches asynchronously
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerScreen), "the picker")


async def test_switching_from_a_wrong_password_prompt(simulator_factory: Callable[..., Simulator]) -> None:
    lab, prod = simulator_factory(jobs=5), simulator_factory(jobs=7, seed=3)
    lab_profile = save("lab", lab)
    save("prod", prod, password_source=PasswordSource.ENV)
    session = ProfileSession(ProfileStore(), env={"BACKUPTUI_PASSWORD": prod.password})
    app = monitor_app(lab_profile, "wrong", session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: prompt_ready(app), "the password prompt")
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerScreen), "the picker")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 7, "prod's jobs")
        assert app.screen is app.screen_stack[0]  # the old prompt is gone


async def test_a_typed_password_is_offered_to_the_keyring_once_accepted(simulator: Simulator) -> None:
    keyring.set_keyring(MemoryKeyring())
    profile = save("lab", simulator)
    launched = target_from_profiles(build_parser().parse_args(["-p", "lab"]), environ={})
    assert launched is not None
    target, session, _problem, _refresh = launched
    assert target.password is None
    assert session.offer_keyring
    app = monitor_app(profile, "", session, ask_password=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: prompt_ready(app), "the prompt")
        await pilot.press(*simulator.password, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the keyring offer")
        await pilot.press("y")
        await wait_until(pilot, lambda: keyring_get("lab") is not None, "the keyring entry")
        await wait_until(pilot, lambda: app.main_screen.job_list.total_count == 50, "jobs")
    assert keyring_get("lab") == Secret(simulator.password)
    assert session.passwords == {"lab": Secret(simulator.password)}


async def test_the_first_prompt_says_why_the_password_is_asked(simulator: Simulator) -> None:
    profile = save("lab", simulator, password_source=PasswordSource.COMMAND, password_command="exit 3")
    launched = target_from_profiles(build_parser().parse_args(["-p", "lab"]), environ={})
    assert launched is not None
    _target, session, problem, _refresh = launched
    assert problem == "the password command of profile 'lab' failed with exit code 3"
    app = monitor_app(profile, "", session, ask_password=True, password_problem=problem)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: prompt_ready(app), "the prompt")
        assert str(app.screen.query_one("#password-problem").content) == problem


# --- from the command line to a target ------------------------------------------------------------


def test_dash_p_resolves_the_profile(simulator: Simulator) -> None:
    save("lab", simulator, password_source=PasswordSource.ENV, refresh=RefreshIntervals(idle=45.0))
    found = target_from_profiles(args("-p", "lab"), environ={"BACKUPTUI_PASSWORD": "pw"})
    assert found is not None
    target, session, problem, refresh = found
    assert (target.url, target.user, target.name, target.verify) == (
        simulator.url,
        simulator.user,
        "lab",
        True,
    )
    assert target.password == Secret("pw")
    assert target.credentials_from == "BACKUPTUI_PASSWORD"
    assert problem is None
    assert (refresh.idle, refresh.running) == (45.0, 2.0)
    assert session.current is not None and session.current.name == "lab"


def test_no_arguments_opens_the_default_profile(simulator: Simulator) -> None:
    save("lab", simulator)
    ProfileStore().add_profile(Profile("prod", "vcsa01.example.com", "u", verify_tls=False, flavor="rest"))
    ProfileStore().set_default("prod")
    found = target_from_profiles(args("--refresh", "10,1"), environ={})
    assert found is not None
    target, _, _, refresh = found
    assert (target.name, target.verify, str(target.flavor), target.password) == ("prod", False, "rest", None)
    assert (refresh.idle, refresh.running) == (10.0, 1.0)  # --refresh beats the profile and settings


def test_password_stdin_beats_the_profile_sources(simulator: Simulator) -> None:
    save("lab", simulator, password_source=PasswordSource.ENV)
    found = target_from_profiles(
        args("-p", "lab", "--password-stdin"),
        environ={"BACKUPTUI_PASSWORD": "env"},
        stdin=io.StringIO("typed\n"),
    )
    assert found is not None
    assert found[0].password == Secret("typed")
    assert found[0].credentials_from == "stdin"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-p", "lbb"], "no profile named 'lbb'; did you mean 'lab'?"),
        (["-p", "lab", "--url", "h"], "give either --url or -p/--profile, not both"),
    ],
)
def test_profile_usage_errors(simulator: Simulator, argv: list[str], message: str) -> None:
    from backuptui.tui.launch import url_launch

    save("lab", simulator)
    with pytest.raises(UsageError) as info:
        namespace = args(*argv)
        if url_launch(namespace) is None:
            target_from_profiles(namespace, environ={})
    assert message in str(info.value)


def test_a_broken_file_is_a_usage_error_with_line_and_key(simulator: Simulator) -> None:
    save("lab", simulator)
    path = ProfileStore().path
    path.write_text(path.read_text().replace("username", "user_name"))
    before = path.read_bytes()
    with pytest.raises(UsageError) as info:
        target_from_profiles(args("-p", "lab"), environ={})
    assert f"{path}, line 9, key 'profiles.lab.user_name': unknown key; did you mean 'username'?" in str(
        info.value
    )
    assert path.read_bytes() == before


def test_no_profile_and_no_terminal_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # `backuptui < /dev/null`: never the picker
    with pytest.raises(UsageError, match="backuptui --demo"):
        target_from_profiles(args(), environ={})


# --- launch: app settings from the file -----------------------------------------------------------

SETTINGS = 'mouse = false\ntheme = "nord"\nrefresh = { idle = 40, running = 3 }\n\n'


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace MonitorApp.run: record how the app would have run, without a terminal."""
    runs: list[dict[str, Any]] = []

    def run(self: MonitorApp, *, mouse: bool = True, **kwargs: Any) -> int:
        runs.append(
            {
                "mouse": mouse,
                "theme": self.theme,
                "refresh": (self.monitor.settings.idle, self.monitor.settings.running),
                "stale_after": self.stale_after,
                "name": self.appliance_name,
                "ask_password": self.ask_password,
                "password_problem": self.password_problem,
                "profiles": self.profiles,
                "refresh_override": self.profiles.refresh_override if self.profiles else None,
            }
        )
        return 0

    monkeypatch.setattr(MonitorApp, "run", run)
    monkeypatch.setattr("backuptui.tui.launch.ensure_terminal", lambda environ=None: None)
    return runs


def write_config(text: str) -> None:
    path = ProfileStore().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_dash_p_runs_the_monitor_with_the_app_settings(
    simulator: Simulator, launched: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backuptui.tui.launch import run_monitor

    write_config(SETTINGS + f'[profiles.lab]\nurl = "{simulator.url}"\nusername = "{simulator.user}"\n')
    monkeypatch.setenv("BACKUPTUI_PASSWORD", simulator.password)
    assert run_monitor(args("-p", "lab")) == 0
    run = launched[0]
    assert (run["mouse"], run["theme"], run["refresh"], run["stale_after"]) == (
        False,
        "nord",
        (40.0, 3.0),
        90.0,
    )
    assert (run["name"], run["ask_password"]) == ("lab", False)
    assert isinstance(run["profiles"], ProfileSession)
    assert run_monitor(args("-p", "lab", "--no-mouse", "--refresh", "20")) == 0
    assert (launched[1]["mouse"], launched[1]["refresh"]) == (False, (20.0, 2.0))


def test_url_runs_use_the_app_settings_too(simulator: Simulator, launched: list[dict[str, Any]]) -> None:
    from backuptui.tui.launch import run_monitor

    write_config(SETTINGS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKUPTUI_PASSWORD", simulator.password)
        assert run_monitor(args("--url", simulator.url, "--user", simulator.user)) == 0
    run = launched[0]
    assert (run["mouse"], run["theme"], run["refresh"]) == (False, "nord", (40.0, 3.0))
    assert run["profiles"].current is None  # switching to a saved profile still works


def test_url_runs_take_their_intervals_from_the_resolution(
    simulator: Simulator, launched: list[dict[str, Any]]
) -> None:
    """`--url`: the app settings' intervals come through the one resolver (no second path), and
    `--refresh` still beats them and every saved profile switched to later."""
    from backuptui.tui.launch import run_monitor, url_launch

    write_config(SETTINGS)
    found = url_launch(args("--url", simulator.url, "--user", simulator.user), environ={})
    assert found is not None
    assert found[0].refresh == RefreshIntervals(40.0, 3.0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKUPTUI_PASSWORD", simulator.password)
        assert run_monitor(args("--url", simulator.url, "--user", simulator.user, "--refresh", "20")) == 0
    run = launched[0]
    assert (run["refresh"], run["stale_after"]) == ((20.0, 2.0), 50.0)
    assert run["refresh_override"] == RefreshIntervals(20.0, 2.0)


def test_a_profile_that_needs_a_prompt_says_why(simulator: Simulator, launched: list[dict[str, Any]]) -> None:
    from backuptui.tui.launch import run_monitor

    save("lab", simulator, password_source=PasswordSource.ENV)
    assert run_monitor(args("-p", "lab")) == 0
    assert launched[0]["ask_password"] is True
    assert launched[0]["password_problem"] == "neither BACKUPTUI_PASSWORD_LAB nor BACKUPTUI_PASSWORD is set"


def test_an_unknown_theme_names_line_and_key(
    simulator: Simulator, launched: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    from backuptui.tui.launch import run_monitor

    write_config(
        SETTINGS.replace("nord", "nrod") + f'[profiles.lab]\nurl = "{simulator.url}"\nusername = "u"\n'
    )
    assert run_monitor(args("-p", "lab")) == 2
    err = capsys.readouterr().err
    assert "config.toml, line 2, key 'theme': unknown theme 'nrod'; did you mean 'nord'?" in err
    assert launched == []
