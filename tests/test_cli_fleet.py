"""`backuptui check --all` and `status --all` (and `-g`, several `-p`) against a simulated fleet:
the status line, perfdata per appliance, the exit code of the worst, the table and the JSON."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from backuptui.cli import main
from backuptui.commands.simulate_fleet import write_profiles
from backuptui.simulator.fleet import FleetAppliance, FleetSimulator, parse_mix


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetSimulator]:
    mix = parse_mix("healthy:2,latest-failed:1,schedule-missed:1,unreachable:1,password-refused:1")
    with FleetSimulator(mix=mix, jobs=30, seed=5) as simulated:
        yield simulated


@pytest.fixture
def profiles(fleet: FleetSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "fleet.toml"
    write_profiles(path, fleet.appliances, force=False)
    monkeypatch.setenv("BACKUPTUI_CONFIG", str(path))
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return path


def named(fleet: FleetSimulator, scenario: str) -> FleetAppliance:
    return next(appliance for appliance in fleet.appliances if appliance.scenario == scenario)


def run(capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str]:
    code = main(list(words))
    return code, capsys.readouterr().out


@pytest.mark.usefixtures("profiles")
def test_check_all_names_the_appliances_at_fault(
    fleet: FleetSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "check", "--all")
    (line,) = out.splitlines()
    assert code == 2
    text, perfdata = line.split(" | ")
    assert text.startswith("BACKUP CRITICAL - 4 of 6 appliances: ")
    faults = text.split(": ", 1)[1].split("; ")
    assert faults[0].startswith(f"{named(fleet, 'latest-failed').name} last backup FAILED")  # the worst first
    assert f"{named(fleet, 'unreachable').name} unreachable" in faults
    assert f"{named(fleet, 'password-refused').name} login refused" in faults
    assert faults[-1].startswith(f"{named(fleet, 'schedule-missed').name} scheduled backup")  # WARNING last
    healthy = named(fleet, "healthy").name
    assert f"{healthy}_last_success_age=" in perfdata and f"{healthy} " not in text
    assert "appliances_critical=1 appliances_unknown=2" in perfdata
    for appliance in fleet.appliances:
        if appliance.sim is not None:
            stats = appliance.sim.stats()
            assert stats["logins"] == stats["logouts"]  # every session ended


@pytest.mark.usefixtures("profiles")
def test_the_exit_code_is_the_worst_of_the_selection(
    fleet: FleetSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "check", "-g", "healthy")
    assert code == 0 and out.startswith("BACKUP OK - 2 of 2 appliances OK | ")
    missed, healthy = named(fleet, "schedule-missed").name, named(fleet, "healthy").name
    code, out = run(capsys, "check", "-p", missed, "-p", healthy)
    assert code == 1 and out.startswith(f"BACKUP WARNING - 1 of 2 appliances: {missed} scheduled backup")
    code, out = run(capsys, "check", "-p", healthy, "-g", "unreachable")
    assert code == 3 and out.startswith(
        f"BACKUP UNKNOWN - 1 of 2 appliances: {named(fleet, 'unreachable').name} unreachable"
    )


@pytest.mark.usefixtures("profiles")
def test_check_of_one_profile_stays_as_it_was(
    fleet: FleetSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "check", "-p", named(fleet, "healthy").name)
    assert code == 0 and out.startswith("BACKUP OK - last backup succeeded") and "appliances" not in out


@pytest.mark.usefixtures("profiles")
def test_a_selection_that_names_nothing_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "check", "-g", "nope")
    assert code == 3 and out.startswith("BACKUP UNKNOWN - no profile is in group 'nope'; groups: ")
    code, out = run(capsys, "check", "--all", "--user", "someone")
    assert code == 3 and "--user applies to one appliance" in out


@pytest.mark.usefixtures("profiles")
def test_check_all_json_and_verbose(fleet: FleetSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "check", "--all", "--json")
    document = json.loads(out)
    assert code == 2 and document["status"] == "CRITICAL" and document["exit_code"] == 2
    assert document["counts"] == {"OK": 2, "WARNING": 1, "CRITICAL": 1, "UNKNOWN": 2}
    assert [each["status"] for each in document["appliances"]][:1] == ["CRITICAL"]
    code, out = run(capsys, "check", "--all", "-v")
    lines = out.splitlines()
    assert len(lines) == 7 and lines[1].startswith(f"{named(fleet, 'latest-failed').name}: CRITICAL: ")


@pytest.mark.usefixtures("profiles")
def test_status_all_prints_the_fleet_table(fleet: FleetSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "status", "--all")
    lines = out.splitlines()
    assert code == 1  # two appliances could not be asked
    assert lines[0] == "6 appliances: 2 OK, 1 WARNING, 1 CRITICAL, 2 UNKNOWN"
    assert lines[1].split()[:3] == ["NAME", "VERDICT", "LAST"]
    assert lines[2].startswith(named(fleet, "latest-failed").name) and "CRITICAL" in lines[2]
    assert all(len(line) <= 80 for line in lines)
    unreachable = next(i for i, line in enumerate(lines) if line.startswith(named(fleet, "unreachable").name))
    assert lines[unreachable + 1].startswith("    ↳ unreachable: ")
    code, out = run(capsys, "status", "-g", "healthy")
    assert code == 0 and out.startswith("2 appliances: 2 OK\n")


@pytest.mark.usefixtures("profiles")
def test_status_all_json_follows_the_schema(
    fleet: FleetSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "status", "--all", "--json")
    document = json.loads(out)
    assert code == 1 and document["format"] == "backuptui.fleet" and document["version"] == 1
    assert document["summary"] == "6 appliances: 2 OK, 1 WARNING, 1 CRITICAL, 2 UNKNOWN"
    by_name = {each["name"]: each for each in document["appliances"]}
    failed = by_name[named(fleet, "latest-failed").name]
    assert failed["status"] == "CRITICAL" and failed["latest_job"]["status"] == "FAILED"
    assert failed["failure_cause"] and failed["reasons"][0]["code"] == "latest-failed"
    refused = by_name[named(fleet, "password-refused").name]
    assert refused["state"] == "login refused" and refused["latest_job"] is None
    assert set(failed) >= {
        "host",
        "last_success_at",
        "running",
        "failures_24h",
        "failures_7d",
        "next_run",
        "problem",
    }


@pytest.mark.usefixtures("profiles")
def test_status_all_refuses_the_job_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--all", "--limit", "3"]) == 2
    assert "--limit select jobs of one appliance" in capsys.readouterr().err


def test_a_stuck_appliance_is_unknown_within_the_bound(
    simulator_factory: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from backuptui.simulator import Simulator

    make = simulator_factory
    assert callable(make)
    quick: Simulator = make(scenario="healthy", jobs=10)
    stuck: Simulator = make(scenario="healthy", jobs=10)
    stuck.set_fault(latency=30)
    path = tmp_path / "two.toml"
    path.write_text(
        "".join(
            f'[profiles.{name}]\nurl = "{sim.url}"\nusername = "{sim.user}"\npassword_source = "env"\n\n'
            for name, sim in (("quick", quick), ("stuck", stuck))
        )
    )
    monkeypatch.setenv("BACKUPTUI_CONFIG", str(path))
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    code, out = run(capsys, "check", "--all", "-t", "1")
    assert code == 3
    assert out.startswith("BACKUP UNKNOWN - 1 of 2 appliances: stuck unreachable | quick_last_success_age=")
    assert quick.stats()["logouts"] == 1  # the one that answered was logged out at once


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_goes_to_stderr_only_on_a_terminal(profiles: Path) -> None:
    from backuptui.commands.fleet_round import gather_rows
    from backuptui.core.settings.profiles import ProfileStore

    config = ProfileStore(profiles).load()
    names = tuple(config.profiles)
    terminal, pipe = _Terminal(), io.StringIO()
    assert len(gather_rows(names, config, bound=20, err=terminal)) == 6
    shown = terminal.getvalue()
    assert "asking 6 appliances: 0 answered" in shown and "asking 6 appliances: 6 answered" in shown
    assert shown.endswith("\r\x1b[K")  # the line is cleared before the table
    gather_rows(names, config, bound=20, err=pipe)
    assert pipe.getvalue() == ""


def test_headless_never_asks_a_password(
    fleet: FleetSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy = named(fleet, "healthy")
    path = tmp_path / "prompt.toml"
    path.write_text(
        f'[profiles.asks]\nurl = "{healthy.url}"\nusername = "{healthy.user}"\npassword_source = "prompt"\n\n'
        f'[profiles.knows]\nurl = "{healthy.url}"\nusername = "{healthy.user}"\npassword_source = "env"\n'
    )
    monkeypatch.setenv("BACKUPTUI_CONFIG", str(path))
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    code, out = run(capsys, "check", "--all")
    assert code == 3 and out.startswith("BACKUP UNKNOWN - 1 of 2 appliances: asks password needed | knows_")
