"""A fleet of simulated appliances in one process: the mix, each appliance's own port, seed, build
and flavour, the unreachable and password-refused ones, the event-loop server, and
`backuptui simulate --appliances N --write-profiles FILE` as a real process."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import AuthenticationFailed
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profile_schema import parse_config
from backuptui.simulator.fleet import DEFAULT_MIX, FleetSimulator, parse_mix, spread

USER, PASSWORD = "administrator@vsphere.local", "VMware1!"


def test_the_mix_is_parsed_and_scaled() -> None:
    assert parse_mix("healthy:8, latest-failed:1,stale") == (
        ("healthy", 8),
        ("latest-failed", 1),
        ("stale", 1),
    )
    for bad, said in [
        ("healty:2", "unknown scenario 'healty'"),
        ("healthy:x", "whole number"),
        ("healthy:0", "no"),
    ]:
        with pytest.raises(ValueError, match=said):
            parse_mix(bad)
    assert Counter(spread(DEFAULT_MIX)) == Counter(dict(DEFAULT_MIX))  # the demo's twelve
    hundred = Counter(spread(DEFAULT_MIX, 100))
    assert sum(hundred.values()) == 100 and set(hundred) == {name for name, _ in DEFAULT_MIX}
    assert spread(DEFAULT_MIX, 12, seed=1) == spread(DEFAULT_MIX, 12, seed=1)  # reproducible


@pytest.fixture(scope="module")
def fleet() -> FleetSimulator:
    mix = parse_mix("healthy:3,latest-failed:1,unreachable:1,password-refused:1,running:1")
    with FleetSimulator(mix=mix, jobs=40) as simulated:
        yield simulated


def test_every_appliance_is_its_own(fleet: FleetSimulator) -> None:
    appliances = fleet.appliances
    assert (
        len({a.port for a in appliances})
        == len({a.name for a in appliances})
        == len({a.seed for a in appliances})
        == 7
    )
    assert {a.flavor for a in appliances} == {"both", "api", "rest"}
    assert any(a.build.startswith("6.7") and a.flavor == "rest" for a in appliances)


def test_the_unreachable_one_refuses_connections(fleet: FleetSimulator) -> None:
    (unreachable,) = [a for a in fleet.appliances if a.scenario == "unreachable"]
    assert unreachable.sim is None
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", unreachable.port), 2):
        pass


async def test_the_client_works_against_the_event_loop_server(fleet: FleetSimulator) -> None:
    for appliance in fleet.appliances:
        if appliance.sim is None:
            continue
        client = ApplianceClient(appliance.url, USER, Secret(PASSWORD), name=appliance.name)
        try:
            if appliance.scenario == "password-refused":
                with pytest.raises(AuthenticationFailed):
                    await client.login()
                assert appliance.sim.stats()["failed_logins"] == 1
                continue
            result = await client.list_job_details()
            expected = {"rest": ApiFlavor.REST}.get(appliance.flavor, ApiFlavor.API)
            assert client.flavor is expected
            assert len(result.jobs) == 40 + (appliance.scenario == "running")
            assert any(job.is_running for job in result.jobs) == (appliance.scenario == "running")
        finally:
            await client.close()
        stats = appliance.sim.stats()
        assert stats["logins"] == stats["logouts"] == 1 and stats["connections"] >= 1


def test_a_rest_only_appliance_answers_404_on_api(fleet: FleetSimulator) -> None:
    rest = next(a for a in fleet.appliances if a.flavor == "rest" and a.sim is not None)
    with httpx.Client(base_url=rest.url, timeout=10) as http:
        assert http.post("/api/session", auth=(USER, PASSWORD)).status_code == 404
        assert http.post("/rest/com/vmware/cis/session", auth=(USER, PASSWORD)).status_code == 200


def test_faults_work_on_the_event_loop_server(fleet: FleetSimulator) -> None:
    healthy = next(a for a in fleet.appliances if a.scenario == "healthy" and a.sim is not None)
    assert healthy.sim is not None
    with httpx.Client(base_url=healthy.url, timeout=10) as http:
        assert http.post("/_simulator/fault", json={"error_503": 1}).status_code == 200
        assert http.post("/api/session", auth=(USER, PASSWORD)).status_code == 503
        assert http.post("/api/session", auth=(USER, PASSWORD)).status_code == 201


def test_simulate_writes_profiles_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    command = [sys.executable, "-m", "backuptui", "simulate", "--appliances", "4", "--jobs", "10"]
    process = subprocess.Popen(
        [*command, "--write-profiles", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    try:
        text = "".join(lines)
        assert len(re.findall(r"vcsa-0\d\s+http://127\.0\.0\.1:\d+", text)) == 4, text
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        config = parse_config(path, path.read_text())
        assert list(config.profiles) == ["vcsa-01", "vcsa-02", "vcsa-03", "vcsa-04"]
        assert all("simulated" in profile.groups for profile in config.profiles.values())
        assert PASSWORD not in path.read_text()
        again = subprocess.run(
            [*command, "--write-profiles", str(path)], capture_output=True, text=True, timeout=30
        )
        assert again.returncode == 2 and "already exists; give --force" in again.stderr
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Simulators stopped." in out


def test_write_profiles_replaces_only_with_force_and_always_as_0600(tmp_path: Path) -> None:
    from backuptui.commands.simulate_fleet import write_profiles
    from backuptui.simulator.fleet import FleetAppliance

    appliances = [FleetAppliance("vcsa-01", "healthy", "http://127.0.0.1:1", "both", "8.0.3 U3d", 1)]
    path = tmp_path / "old.toml"
    path.write_text("# the user's own\n")
    path.chmod(0o644)
    with pytest.raises(FileExistsError):
        write_profiles(path, appliances, force=False)
    assert path.read_text() == "# the user's own\n"
    link = tmp_path / "link.toml"
    link.symlink_to(path)
    write_profiles(link, appliances, force=True)
    assert link.is_symlink() and "[profiles.vcsa-01]" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["--appliances", "2", "--port", "8080"], "--port apply to one appliance"),
        (["--mix", "healty:2"], "unknown scenario 'healty'"),
        (["--appliances", "0"], "must be 1 or more"),
    ],
)
def test_simulate_fleet_usage_errors(words: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    from backuptui.cli import main

    try:
        code = main(["simulate", *words])
    except SystemExit as exit_:  # argparse's own refusal
        code = int(exit_.code or 0)
    assert code == 2 and said in capsys.readouterr().err
