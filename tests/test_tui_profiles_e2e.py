"""End to end: the installed `backuptui` with saved profiles, in a real terminal (tmux).

The saved-profile path a new user takes: with XDG_CONFIG_HOME pointing at an empty directory,
`backuptui profile add lab --url SIM --user USER --password-source env`, then
`BACKUPTUI_PASSWORD=... backuptui -p lab` shows the simulator's jobs; the file is 0600 and holds no
password; a hand-broken file gives a precise error and stays as it was. Also: the first run with no
profiles opens the picker with a --demo hint."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_helpers import SCRIPT
from tmux_driver import TmuxSession

from backuptui.simulator import Simulator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ROW = re.compile(r"^(✔|✖|▶|…|⏸|\?) (SUCCEEDED|FAILED|RUNNING|PENDING|BLOCKED)\s", re.MULTILINE)


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    home = tmp_path / "empty-xdg-config"
    home.mkdir()
    return home


@pytest.fixture
def terminal(tmux: Callable[[int, int], TmuxSession]) -> TmuxSession:
    """A 120x40 terminal (killed at the end with every other session of the test)."""
    return tmux(120, 40)


def run_cli(config_home: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BACKUPTUI", "TEXTUAL"))}
    environment.update(XDG_CONFIG_HOME=str(config_home), **env)
    return subprocess.run(
        [str(SCRIPT), *argv],
        env=environment,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def test_profile_add_then_dash_p_shows_the_simulators_jobs(
    simulator: Simulator, config_home: Path, terminal: TmuxSession
) -> None:
    added = run_cli(
        config_home, "profile", "add", "lab", "--url", simulator.url, "--user", simulator.user,
        "--password-source", "env",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    path = config_home / "backuptui" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert simulator.password not in path.read_text()

    terminal.start(
        [str(SCRIPT), "-p", "lab"],
        env={"XDG_CONFIG_HOME": str(config_home), "BACKUPTUI_PASSWORD": simulator.password},
    )
    screen = terminal.wait_for(lambda text: len(ROW.findall(text)) >= 10, timeout=30)
    assert "lab" in screen.splitlines()[0]  # the status line names the profile
    terminal.send_keys("a")  # the appliance picker, over the monitor
    screen = terminal.wait_for("Appliance profiles")
    assert "http://127.0.0.1" in screen
    terminal.send_keys("Escape")
    terminal.wait_gone("Appliance profiles")
    terminal.send_keys("q")
    assert terminal.wait_exit(timeout=20) == 0
    assert simulator.stats()["active_sessions"] == 0  # logged out on quit
    assert simulator.password not in path.read_text()


def test_first_run_opens_the_picker_with_a_demo_hint(config_home: Path, terminal: TmuxSession) -> None:
    terminal.start([str(SCRIPT)], env={"XDG_CONFIG_HOME": str(config_home)})
    screen = terminal.wait_for(lambda text: "backuptui --demo" in " ".join(text.split()), timeout=30)
    assert "Appliance profiles" in screen
    terminal.send_keys("q")
    assert terminal.wait_exit(timeout=20) == 0
    assert not (config_home / "backuptui" / "config.toml").exists()  # nothing written by looking


def test_a_hand_broken_file_gives_a_precise_error_and_stays_as_it_was(
    simulator: Simulator, config_home: Path
) -> None:
    assert (
        run_cli(config_home, "profile", "add", "lab", "--url", simulator.url, "--user", "u").returncode == 0
    )
    path = config_home / "backuptui" / "config.toml"
    path.write_text(path.read_text().replace("verify_tls = true", "verify_tls = ture"))
    before = path.read_bytes()
    for argv in (["-p", "lab"], [], ["profile", "edit", "lab", "--url", "h2"], ["config", "check"]):
        result = run_cli(config_home, *argv, BACKUPTUI_PASSWORD=simulator.password)
        assert result.returncode == 2, (argv, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert f"{path}, line 10, key 'profiles.lab.verify_tls': invalid TOML: invalid value" in result.stderr
        assert result.stderr.count("\n") == 1
        assert path.read_bytes() == before


def test_at_80x24_the_picker_fits_and_tests_the_scheme_before_a_password(
    simulator: Simulator, config_home: Path, tmux: Callable[[int, int], TmuxSession]
) -> None:
    """The installed program's picker over the monitor (`a`): every column on an 80x24 screen with
    a long name and user; `t` on an https:// profile of the simulator's plain-HTTP port says so and
    asks no password; keys typed ahead ("j Enter") switch to the row moved to."""
    https = simulator.url.replace("http://", "https://")
    for name, url, source in (
        ("production-frankfurt-primary", https, "prompt"),
        ("lab", simulator.url, "env"),
    ):
        added = run_cli(
            config_home, "profile", "add", name, "--url", url, "--user", simulator.user,
            "--password-source", source,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    terminal = tmux(80, 24)
    terminal.start(
        [str(SCRIPT), "-p", "lab"],
        env={"XDG_CONFIG_HOME": str(config_home), "BACKUPTUI_PASSWORD": simulator.password},
    )
    terminal.wait_for(lambda text: len(ROW.findall(text)) >= 5, timeout=30)
    terminal.send_keys("a")
    screen = terminal.wait_for("Appliance profiles", timeout=20)
    header = next(line for line in screen.splitlines() if "Name" in line)
    assert header.split()[-2:] == ["Password", "User"]
    assert "administrator@" in next(line for line in screen.splitlines() if "production-" in line)
    terminal.send_keys("k", "t")  # up from lab (connected) to the https:// one
    screen = terminal.wait_for("Not tested", timeout=20)
    assert "plain HTTP, not HTTPS" in " ".join(screen.split())
    assert "Password for" not in screen
    terminal.send_keys("j", "Enter")  # typed ahead: they act in order
    terminal.wait_for(lambda text: "Watching lab" in " ".join(text.split()), timeout=30)
    terminal.send_keys("q")
    assert terminal.wait_exit(timeout=20) == 0
    assert simulator.stats()["failed_logins"] == 0 and simulator.stats()["active_sessions"] == 0
