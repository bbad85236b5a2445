"""`backuptui profile ...` and `backuptui config ...`: flags, prompts, one-line errors, exit codes."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from backuptui.cli import main
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.config import config_path
from backuptui.core.settings.profiles import Profile, ProfileStore, RefreshIntervals
from backuptui.core.settings.secrets import PasswordSource, keyring_get, keyring_set
from tests.test_secrets import MemoryKeyring

PASSWORD = "Sup3r-s3cret!pw"


class TerminalInput(io.StringIO):
    """Typed answers on a standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def run(*argv: str) -> int:
    return main(list(argv))


def test_config_path_prints_the_xdg_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """One line, the configuration file: `$(backuptui config path)` in a script is that file."""
    assert run("config", "path") == 0
    out, err = capsys.readouterr()
    config = tmp_path / "xdg-config" / "backuptui" / "config.toml"
    assert out == f"{config}\n"
    assert "does not exist yet" in err
    assert run("config", "path", "--config") == 0
    assert capsys.readouterr().out == f"{config}\n"
    assert run("config", "path", "--data") == 0
    assert capsys.readouterr().out == f"{tmp_path / 'xdg-data' / 'backuptui'}\n"


def test_config_path_honours_the_override(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BACKUPTUI_CONFIG", str(tmp_path / "my.toml"))
    monkeypatch.setenv("BACKUPTUI_DATA", str(tmp_path / "data"))
    run("config", "path")
    assert capsys.readouterr().out == f"{tmp_path / 'my.toml'}\n"
    run("config", "path", "--data")
    assert capsys.readouterr().out == f"{tmp_path / 'data'}\n"
    run("config", "path", "--history")
    assert capsys.readouterr().out == f"{tmp_path / 'data' / 'history.sqlite3'}\n"
    run("config", "path", "--all")
    assert capsys.readouterr().out.splitlines() == [
        f"config\t{tmp_path / 'my.toml'}",
        f"data\t{tmp_path / 'data'}",
        f"history\t{tmp_path / 'data' / 'history.sqlite3'}",
    ]


def test_config_path_takes_one_of_its_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run("config", "path", "--data", "--all")
    assert exited.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_add_with_flags_then_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            "profile", "add", "lab", "--url", "http://127.0.0.1:8080",
            "--user", "administrator@vsphere.local", "--password-source", "env",
        )
        == 0
    )  # fmt: skip
    assert "Added profile 'lab' (default)" in capsys.readouterr().out
    assert (
        run(
            "profile", "add", "prod", "--url", "vcsa01.example.com", "--user", "viewer@vsphere.local",
            "--password-command", "pass show vcsa/prod", "--no-verify", "--flavor", "rest",
            "--refresh", "60,3", "--default",
        )
        == 0
    )  # fmt: skip
    capsys.readouterr()
    config = ProfileStore().load()
    assert config.default_profile == "prod"
    assert config.profiles["prod"] == Profile(
        "prod",
        "vcsa01.example.com",
        "viewer@vsphere.local",
        verify_tls=False,
        password_source=PasswordSource.COMMAND,  # implied by --password-command
        password_command="pass show vcsa/prod",
        flavor="rest",
        refresh=RefreshIntervals(60.0, 3.0),
    )
    assert run("profile", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "URL", "USER", "PASSWORD", "TLS"]
    assert lines[1].split() == [
        "lab",
        "http://127.0.0.1:8080",
        "administrator@vsphere.local",
        "env",
        "no",
        "TLS",
    ]  # plain HTTP is not "verified"
    assert lines[2].split()[:5] == ["*", "prod", "vcsa01.example.com", "viewer@vsphere.local", "command"]
    assert run("profile", "show", "lab") == 0
    out = capsys.readouterr().out
    assert "from the environment: BACKUPTUI_PASSWORD_LAB or BACKUPTUI_PASSWORD" in out
    assert str(config_path()) in out


def test_show_never_shows_a_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    ProfileStore().add_profile(Profile("lab", "lab.example.com", "u"))
    keyring_set("lab", Secret(PASSWORD))
    monkeypatch.setenv("BACKUPTUI_PASSWORD", PASSWORD)
    assert run("profile", "show", "lab") == 0
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    assert "saved in the keyring" in out
    assert run("profile", "list") == 0
    assert PASSWORD not in capsys.readouterr().out


def test_list_with_no_profiles_hints_at_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("profile", "list") == 0
    assert "backuptui --demo" in capsys.readouterr().out


def test_the_file_holds_no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", PASSWORD)
    run("profile", "add", "lab", "--url", "h.example.com", "--user", "u", "--password-source", "env")
    path = config_path()
    assert PASSWORD not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["profile", "add", "lab", "--user", "u"], "--url is required"),
        (["profile", "add", "lab", "--url", "h"], "--user is required"),
        (["profile", "add", "lab", "--url", "https://h/x", "--user", "u"], "without a path"),
        (["profile", "add", "la b", "--url", "h", "--user", "u"], "invalid profile name"),
        (["profile", "add", "lab", "--url", "h", "--user", "u", "--refresh", "0"], "--refresh"),
        (["profile", "add", "lab", "--url", "h", "--user", "u", "--ca-bundle", "/nope.pem"], "no such file"),
        (["profile", "add", "lab", "--url", "h", "--user", "u", "--password-source", "command"], "needs"),
        (["profile", "show", "nope"], "no profile named 'nope'"),
        (["profile", "edit", "nope", "--url", "h"], "no profile named 'nope'"),
        (["profile", "remove", "nope"], "no profile named 'nope'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert run(*argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("backuptui: error: ")
    assert message in err
    assert not config_path().exists()


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run("profile", "add", "lab", "--password-source", "plaintext")
    assert info.value.code == 2


def test_add_existing_name_fails(capsys: pytest.CaptureFixture[str]) -> None:
    run("profile", "add", "lab", "--url", "h", "--user", "u")
    assert run("profile", "add", "lab", "--url", "h2", "--user", "u") == 2
    assert "already exists" in capsys.readouterr().err


def test_edit_with_flags_keeps_comments(capsys: pytest.CaptureFixture[str]) -> None:
    run(
        "profile",
        "add",
        "lab",
        "--url",
        "h",
        "--user",
        "u",
        "--password-source",
        "env",
        "--password-command",
        "x",
    )
    path = config_path()
    path.write_text(path.read_text().replace('url = "h"', 'url = "h"  # my lab'))
    assert run("profile", "edit", "lab", "--url", "h2", "--no-verify", "--password-command", "") == 0
    text = path.read_text()
    assert 'url = "h2"  # my lab' in text
    profile = ProfileStore().load().profiles["lab"]
    assert profile.verify_tls is False
    assert profile.password_command is None
    assert profile.password_source is PasswordSource.ENV
    capsys.readouterr()


def test_edit_refuses_command_source_without_command(capsys: pytest.CaptureFixture[str]) -> None:
    run("profile", "add", "lab", "--url", "h", "--user", "u")
    assert run("profile", "edit", "lab", "--password-source", "command") == 2
    assert "needs --password-command" in capsys.readouterr().err


def test_edit_without_flags_and_without_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    run("profile", "add", "lab", "--url", "h", "--user", "u")
    assert run("profile", "edit", "lab") == 2
    assert "nothing to change" in capsys.readouterr().err


def test_add_interactively(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", TerminalInput("vcsa01.example.com\n\nbogus\nenv\n"))
    assert run("profile", "add", "lab") == 0
    profile = ProfileStore().load().profiles["lab"]
    assert profile == Profile(
        "lab", "vcsa01.example.com", "administrator@vsphere.local", password_source=PasswordSource.ENV
    )
    assert "choose one of" in capsys.readouterr().err


def test_add_interactively_saves_the_password_in_a_working_keyring(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_keyring(MemoryKeyring())
    monkeypatch.setattr(sys, "stdin", TerminalInput(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)
    assert run("profile", "add", "lab", "--url", "h", "--user", "u", "--password-source", "keyring") == 0
    assert keyring_get("lab") == Secret(PASSWORD)
    assert "saved in the keyring" in capsys.readouterr().out
    assert PASSWORD not in config_path().read_text()


def test_add_with_keyring_source_and_no_keyring_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("profile", "add", "lab", "--url", "h", "--user", "u", "--password-source", "keyring") == 0
    assert "no OS keyring backend works here" in capsys.readouterr().err


def test_edit_interactively(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    run("profile", "add", "lab", "--url", "h", "--user", "u")
    monkeypatch.setattr(sys, "stdin", TerminalInput("\nnewuser\nno\ncommand\npass show lab\n"))
    assert run("profile", "edit", "lab") == 0
    profile = ProfileStore().load().profiles["lab"]
    assert (profile.url, profile.username, profile.verify_tls) == ("h", "newuser", False)
    assert (profile.password_source, profile.password_command) == (PasswordSource.COMMAND, "pass show lab")


def test_remove_asks_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run("profile", "add", "lab", "--url", "h", "--user", "u")
    monkeypatch.setattr(sys, "stdin", TerminalInput("n\n"))
    assert run("profile", "remove", "lab") == 0
    assert "lab" in ProfileStore().load().profiles
    monkeypatch.setattr(sys, "stdin", TerminalInput("y\n"))
    assert run("profile", "remove", "lab") == 0
    assert ProfileStore().load().profiles == {}


def test_remove_forgets_the_keyring_password(capsys: pytest.CaptureFixture[str]) -> None:
    keyring.set_keyring(MemoryKeyring())
    run("profile", "add", "lab", "--url", "h", "--user", "u")
    keyring_set("lab", Secret(PASSWORD))
    assert run("profile", "remove", "lab", "--yes") == 0
    assert keyring_get("lab") is None
    assert "removed from the keyring" in capsys.readouterr().out


def test_config_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("config", "check") == 0
    run("profile", "add", "lab", "--url", "h", "--user", "u")
    capsys.readouterr()
    assert run("config", "check") == 0
    assert "is valid: 1 profile, default 'lab'" in capsys.readouterr().out
    config_path().write_text(config_path().read_text().replace("verify_tls = true", "verify_tls = 1"))
    assert run("config", "check") == 2
    err = capsys.readouterr().err
    assert "line 10" in err and "'profiles.lab.verify_tls'" in err


@pytest.mark.skipif(shutil.which("backuptui") is None, reason="console script not installed")
def test_installed_script_broken_file_exit_2_no_traceback_file_untouched(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKUPTUI")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    path = tmp_path / "xdg-config" / "backuptui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('default_profile = "lab"\n\n[profiles.lab]\nurl = "h"\nusernme = "u"\n')
    before = path.read_bytes()
    for argv in (
        ["profile", "list"],
        ["profile", "add", "x", "--url", "h", "--user", "u"],
        ["profile", "remove", "lab", "-y"],
        ["-p", "lab"],
    ):
        result = subprocess.run(
            ["backuptui", *argv],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        assert result.returncode == 2, (argv, result.stderr)
        assert "Traceback" not in result.stderr
        assert (
            f"{path}, line 5, key 'profiles.lab.usernme': unknown key; did you mean 'username'?"
            in result.stderr
        )
        assert path.read_bytes() == before


def test_profile_list_fits_the_terminal_width(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://vcsa-frankfurt-datacenter-02.infrastructure.example.com:443"
    assert run("profile", "add", "fra", "--url", url, "--user", "monitor@vsphere.local") == 0
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", "60")  # the terminal's width, as shutil.get_terminal_size reads it
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert run("profile", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(len(line) <= 60 for line in lines), lines  # before: the URL ran past 60
    assert "monitor@vsphere.local" in lines[1] and "…" in lines[1]  # the URL gives way, the user stays
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert run("profile", "list") == 0  # into a pipe the table stays whole, whatever the width
    assert url in capsys.readouterr().out
