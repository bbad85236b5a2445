"""`backuptui exporter`'s bad input, in-process: one line on stderr, exit 2 (exit 1 for a taken
port), never a traceback, and no appliance asked anything."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from backuptui.cli import main
from tests.exporter_driver import write_config


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = write_config(tmp_path / "c.toml", {"one": "http://127.0.0.1:1", "two": "http://127.0.0.1:2"})
    monkeypatch.setenv("BACKUPTUI_CONFIG", str(path))
    return path


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("listen", "message"),
    [
        ("127.0.0.1", "write HOST:PORT"),
        ("127.0.0.1:99999", "the port must be a number from 0 to 65535"),
        ("[::1", "write an IPv6 address as [ADDRESS]:PORT"),
        ("[::1]9847", "write an IPv6 address as [ADDRESS]:PORT"),
    ],
)
def test_a_bad_listen_address(
    listen: str, message: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["exporter", "--all", "--listen", listen]) == 2
    assert message in one_line(capsys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tls-cert", "x.pem"], "TLS needs both --tls-cert and --tls-key"),
        (["--tls-client-ca", "ca.pem"], "--tls-client-ca needs --tls-cert and --tls-key"),
        (["--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.pem"], "could not be loaded"),
    ],
)
def test_bad_tls_options(
    args: list[str], message: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["exporter", "--all", *args]) == 2
    assert message in one_line(capsys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "nope"], "nope"),
        (["-g", "nogroup"], "no profile is in group 'nogroup'"),
        ([], "which appliances? Give --all, -p NAME (repeatable) or -g GROUP"),
        (["--all", "-p", "one"], "--all already takes every profile"),
    ],
)
def test_a_bad_selection(
    args: list[str], message: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["exporter", *args]) == 2
    assert message in one_line(capsys)


def test_a_taken_port_says_so(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["exporter", "--all", "--listen", f"127.0.0.1:{port}"]) == 1
    line = one_line(capsys)
    assert f"cannot listen on http://127.0.0.1:{port}" in line and "--listen" in line


def test_the_help_names_the_default_port(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["exporter", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "127.0.0.1:9847" in out and "--tls-cert" in out and "-g GROUP" in out and "--all" in out


@pytest.mark.parametrize(
    ("text", "host", "port", "loopback"),
    [
        ("9847", "127.0.0.1", 9847, True),
        (":9847", "127.0.0.1", 9847, True),
        ("localhost:1", "localhost", 1, True),
        ("[::1]:9847", "::1", 9847, True),
        ("0.0.0.0:9847", "0.0.0.0", 9847, False),
        ("[::]:0", "::", 0, False),
        ("vcsa-mon.example.com:9847", "vcsa-mon.example.com", 9847, False),
    ],
)
def test_listen_forms(text: str, host: str, port: int, loopback: bool) -> None:
    from backuptui.exporter.http import parse_listen

    listen = parse_listen(text)
    assert (listen.host, listen.port, listen.is_loopback) == (host, port, loopback)
