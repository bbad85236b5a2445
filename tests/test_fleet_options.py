"""The command line's target options reach every appliance of a fleet (`--all`, `-p a -p b`, `-g`)
as they reach one: `--refresh` sets each member's poll intervals, `--no-verify` and `--ca-bundle`
each member's TLS rule, `--read-only` each member's actions; a bad value is refused once, in one
line; `--user` and `--password-stdin` (one appliance's login) are refused, the same way everywhere."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from backuptui.cli import build_parser, main
from backuptui.commands.exporter import select_appliances
from backuptui.core.settings.profiles import Profile, ProfileStore, RefreshIntervals
from backuptui.core.settings.resolution import Resolution, TargetOptions, resolve
from backuptui.core.settings.secrets import PasswordSource
from backuptui.core.watch.fleet import Fleet
from backuptui.simulator import Simulator, SimulatorConfig
from backuptui.simulator.server import ApplianceServer
from backuptui.tui.fleet_launch import FleetUsageError, fleet_launch


def save_profiles(path: Path, urls: dict[str, str], *, refresh: RefreshIntervals | None = None) -> None:
    store = ProfileStore(path)
    for name, url in urls.items():
        store.add_profile(
            Profile(
                name, url, "administrator@vsphere.local", password_source=PasswordSource.ENV, refresh=refresh
            )
        )


@pytest.fixture
def two_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    save_profiles(
        path,
        {"lab": "https://lab.example.com", "prod": "https://prod.example.com"},
        refresh=RefreshIntervals(idle=45.0, running=3.0),
    )
    monkeypatch.setenv("BACKUPTUI_CONFIG", str(path))
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return path


def launched(*words: str) -> dict[str, Resolution]:
    launch = fleet_launch(build_parser().parse_args(list(words)))
    assert launch is not None
    found = dict(launch.resolutions)
    assert all(isinstance(each, Resolution) for each in found.values()), found
    return found  # type: ignore[return-value]


@pytest.mark.usefixtures("two_profiles")
async def test_refresh_reaches_every_fleet_members_monitor() -> None:
    fleet = Fleet(launched("--all", "--refresh", "7,1"))
    try:
        for member in fleet:
            assert member.monitor is not None
            assert (member.monitor.settings.idle, member.monitor.settings.running) == (7.0, 1.0)
    finally:
        await fleet.close()
    (lab,) = [launched("-p", "lab", "-p", "prod", "--refresh", "9")["lab"]]
    assert (lab.idle, lab.running) == (9.0, 2.0)  # IDLE alone: as for one appliance
    assert (launched("--all")["prod"].idle) == 45.0  # without it, each profile's own


@pytest.mark.usefixtures("two_profiles")
async def test_no_verify_reaches_every_member_as_it_reaches_one() -> None:
    config = ProfileStore().load()
    one = resolve(TargetOptions(profile="lab", no_verify=True), config)
    assert one is not None and one.target.verify is False
    fleet = Fleet(launched("--all", "--no-verify", "--read-only"))
    try:
        for member in fleet:
            assert member.resolution is not None and member.client is not None
            assert member.resolution.target.verify is False and not member.client.verify_tls
            assert member.resolution.read_only == "--read-only"
    finally:
        await fleet.close()
    args = build_parser().parse_args(["exporter", "--all", "--no-verify"])
    selected = select_appliances(args)
    assert isinstance(selected, dict)
    assert all(isinstance(each, Resolution) and each.target.verify is False for each in selected.values())


@pytest.mark.usefixtures("two_profiles")
@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["--refresh", "0"], "--refresh"),
        (["--ca-bundle", "/nonexistent/ca.pem"], "no such file"),
        (["--no-verify", "--ca-bundle", "ca.pem"], "contradict"),
        (["--user", "bob"], "--user applies to one appliance"),
    ],
)
def test_a_bad_option_is_refused_once_for_the_whole_fleet(
    words: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(FleetUsageError) as info:
        fleet_launch(build_parser().parse_args(["--all", *words]))
    assert said in str(info.value) and "\n" not in str(info.value)
    if words[0] == "--refresh":
        return  # status and check have no --refresh
    assert main(["check", "--all", *words]) == 3
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("BACKUP UNKNOWN - ") and said in line and line.count(said) == 1
    assert main(["exporter", "--all", *words]) == 2
    err = capsys.readouterr().err
    assert err.startswith("backuptui exporter: ") and said in err and err.count("\n") == 1


def serve_tls(sim: Simulator, ca: trustme.CA) -> tuple[ApplianceServer, threading.Thread]:
    server = ApplianceServer(("127.0.0.1", 0), sim)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def tls_fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two appliances behind a certificate of a CA the system does not trust (its PEM: the path)."""
    ca = trustme.CA()
    ca_bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_bundle))
    served = [serve_tls(Simulator(SimulatorConfig(jobs=5, seed=i)), ca) for i in range(2)]
    path = tmp_path / "config.toml"
    save_profiles(
        path,
        {
            f"vcsa-{i}": f"https://127.0.0.1:{server.server_address[1]}"
            for i, (server, _) in enumerate(served)
        },
    )
    monkeypatch.setenv("BACKUPTUI_CONFIG", str(path))
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    try:
        yield ca_bundle
    finally:
        for server, thread in served:
            server.shutdown()
            server.server_close()
            server.close_connections()
            thread.join(timeout=5)


def test_check_all_takes_no_verify_and_ca_bundle_for_every_appliance(
    tls_fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--all", "--timeout", "20"]) == 3  # verified by default: both refused
    assert "appliances_unknown=2" in capsys.readouterr().out
    for option in (["--no-verify"], ["--ca-bundle", str(tls_fleet)]):
        assert main(["check", "--all", "--timeout", "20", *option]) in (0, 1, 2), option
        assert "appliances_unknown=0" in capsys.readouterr().out  # both answered
