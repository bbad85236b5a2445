"""From arguments to a monitor: bad arguments end with one line and status 2; passwords never
come from an argument; the installed script starts the demo and quits cleanly."""

from __future__ import annotations

import argparse
import io
import os
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
import trustme
from e2e_helpers import SCRIPT

from backuptui.cli import build_parser, main
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import AppSettings, RefreshIntervals
from backuptui.core.settings.resolution import ResolutionError, TargetOptions, refresh_for
from backuptui.tui.launch import (
    ConnectionTarget,
    UsageError,
    read_password_from_stdin,
    url_launch,
)


def args_for(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "no appliance given. Try 'backuptui --demo'"),
        (["--refresh", "soon", "--demo"], "--refresh takes numbers of seconds"),
        (["--refresh", "30,2,1", "--demo"], "--refresh takes IDLE or IDLE,RUNNING"),
        (["--refresh", "0", "--demo"], "between 0.2 and 86400"),
        (["--url", "vcsa01.example.com"], "needs --user"),
        (["--user", "administrator@vsphere.local"], "--user needs --url"),
        (["--url", "h", "--user", "u", "-p", "lab"], "either --url or -p/--profile"),
        (["--demo", "--url", "vcsa01.example.com"], "--demo watches the built-in simulator"),
        (["--url", "h", "--user", "u", "--no-verify", "--ca-bundle", "ca.pem"], "contradict"),
        (["--url", "h", "--user", "u", "--ca-bundle", "/nonexistent/ca.pem"], "no such file"),
        (["--url", "   ", "--user", "u"], "--url is empty"),
    ],
)
def test_bad_arguments_end_with_one_line_and_status_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("backuptui: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_parse_refresh() -> None:
    """`--refresh` goes through the one parser and the one precedence rule of core's resolver."""

    def parse(text: str | None) -> RefreshIntervals:
        return refresh_for(None, AppSettings(), TargetOptions(refresh=text).refresh_override())

    assert parse(None) == RefreshIntervals(30.0, 2.0)
    assert parse("60") == RefreshIntervals(60.0, 2.0)
    assert parse("1") == RefreshIntervals(1.0, 1.0)
    assert parse("45, 1.5") == RefreshIntervals(45.0, 1.5)
    with pytest.raises(ResolutionError):
        parse("30,")


def test_no_appliance_named_gives_no_target() -> None:
    assert url_launch(args_for(), environ={}, stdin=io.StringIO()) is None


def test_password_from_the_environment() -> None:
    launched = url_launch(
        args_for("--url", "https://vcsa01.example.com", "--user", "admin", "--flavor", "rest", "--no-verify"),
        environ={"BACKUPTUI_PASSWORD": "s3cret!"},
        stdin=io.StringIO(),
    )
    assert launched is not None
    target = launched[0].target
    assert isinstance(target, ConnectionTarget)
    assert target.password == Secret("s3cret!") and target.credentials_from == "environment"
    assert target.verify is False and str(target.flavor) == "rest"
    assert "s3cret!" not in repr(target)


def test_password_from_stdin_wins_and_takes_the_first_line_only() -> None:
    launched = url_launch(
        args_for("--url", "vcsa01.example.com", "--user", "admin", "--password-stdin"),
        environ={"BACKUPTUI_PASSWORD": "from-env"},
        stdin=io.StringIO("pa ss word \r\nsecond line\n"),
    )
    assert launched is not None
    target = launched[0].target
    assert target is not None and target.password == Secret("pa ss word ")
    assert target.credentials_from == "stdin"
    with pytest.raises(UsageError, match="no password"):
        read_password_from_stdin(io.StringIO(""))


def test_without_a_password_the_app_asks(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))
    launched = url_launch(
        args_for("--url", "vcsa01.example.com", "--user", "admin", "--ca-bundle", str(ca)),
        environ={},
        stdin=io.StringIO(),
    )
    assert launched is not None
    target = launched[0].target
    assert target is not None and target.password is None and target.credentials_from == "prompt"
    assert isinstance(target.verify, ssl.SSLContext)  # read at resolution: building a client never raises


def test_there_is_no_password_option() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--url", "h", "--user", "u", "--password", "x"])


@pytest.mark.skipif(shutil.which("backuptui") is None, reason="the console script is not installed")
def test_installed_demo_starts_and_quits_cleanly(tmp_path: Path) -> None:
    """The README's command, headless: starts the simulator and the app, `q` quits with 0."""
    dropped = ("COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL") and k not in dropped}
    assert env["XDG_CONFIG_HOME"].startswith(str(tmp_path))
    env.update(
        TEXTUAL_DRIVER="textual.drivers.headless_driver:HeadlessDriver",
        TEXTUAL_PRESS="q",
        HOME=str(tmp_path),
    )
    result = subprocess.run(
        [str(SCRIPT), "--demo"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert b"Traceback" not in result.stderr
    config_dir = Path(env["XDG_CONFIG_HOME"])  # the test's private one (conftest)
    assert not config_dir.exists() or not any(path.is_file() for path in config_dir.rglob("*"))


@pytest.mark.skipif(shutil.which("backuptui") is None, reason="the console script is not installed")
def test_without_a_terminal_it_says_so_instead_of_hanging(tmp_path: Path) -> None:
    """No controlling terminal and stdin not a tty: one line and status 2, not an app that never exits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    result = subprocess.run(
        [str(SCRIPT), "--demo"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
    )
    assert result.returncode == 2
    assert result.stderr.decode().startswith("backuptui: there is no terminal")
