"""`backuptui status` against the running simulator: table, JSON (round trip), CSV, filters, --output."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backuptui.cli import build_parser
from backuptui.commands import status
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import JobStatus
from backuptui.core.appliance.secret import Secret
from backuptui.core.export import history_from_json
from backuptui.simulator import Simulator

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return simulator_factory(jobs=60, seed=3, scenario="latest-failed", clock=lambda: NOW)


def run_status(sim: Simulator, *extra: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(["status", "--url", sim.url, "--user", sim.user, *extra])
    out, err = io.StringIO(), io.StringIO()
    code = status.run(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def appliance_jobs(sim: Simulator):  # type: ignore[no-untyped-def]
    async with ApplianceClient(sim.url, sim.user, Secret(sim.password)) as client:
        return (await client.list_job_details()).jobs


def test_table_fits_80_columns(sim: Simulator) -> None:
    code, out, err = run_status(sim)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["START", "(UTC)", "STATUS", "TYPE", "DURATION", "SIZE", "ID"]
    assert max(len(line) for line in lines) <= 80
    assert lines[1].startswith("2026-11-28 09:00  FAILED     sched")
    assert lines[2] == "    ↳ getDbHealthStatus returns status as DEGRADED"  # the cause, indented
    job_lines = [line for line in lines[1:] if not line.startswith("    ")]
    assert len(job_lines) == 60
    assert sim.stats()["logouts"] == 1


def test_json_round_trips_into_the_model(sim: Simulator) -> None:
    code, out, _ = run_status(sim, "--json")
    assert code == 0
    document = json.loads(out)
    assert document["format"] == "backuptui.history"
    assert document["base_url"] == sim.url
    parsed = history_from_json(out)
    assert parsed.problems == ()
    import asyncio

    assert parsed.jobs == asyncio.run(appliance_jobs(sim))
    assert sim.password not in out


def test_status_limit_and_filter(sim: Simulator) -> None:
    code, out, _ = run_status(sim, "--status", "failed", "--format", "json")
    assert code == 0
    jobs = history_from_json(out).jobs
    assert jobs and all(job.status == JobStatus.FAILED for job in jobs)
    assert json.loads(out)["filter"] == {"status": ["FAILED"]}

    code, out, _ = run_status(sim, "--status", "failed,succeeded", "--limit", "5", "--json")
    jobs = history_from_json(out).jobs
    assert len(jobs) == 5
    assert jobs[0].status == JobStatus.FAILED  # newest first

    code, out, _ = run_status(sim, "--filter", "type:manual", "--json")
    assert all(str(job.type) == "MANUAL" for job in history_from_json(out).jobs)


def test_bad_status_is_a_usage_error(sim: Simulator) -> None:
    code, out, err = run_status(sim, "--status", "exploded")
    assert code == 2 and out == ""
    assert "no status 'exploded'" in err
    assert sim.stats()["logins"] == 0


def test_csv_to_stdout(sim: Simulator) -> None:
    code, out, _ = run_status(sim, "--format", "csv", "--limit", "3")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0][:3] == ["id", "status", "type"] and len(rows) == 4


def test_output_file_is_written_and_its_path_printed(sim: Simulator, tmp_path: Path) -> None:
    target = tmp_path / "history.csv"
    code, out, _ = run_status(sim, "--output", str(target))
    assert code == 0
    assert out == f"{target}\n"
    assert target.read_text().startswith("id,status,type,")
    json_target = tmp_path / "history.json"
    code, out, _ = run_status(sim, "--output", str(json_target), "--status", "failed")
    assert json.loads(json_target.read_text())["filter"] == {"status": ["FAILED"]}
    table_target = tmp_path / "history.txt"
    code, out, _ = run_status(sim, "--output", str(table_target))
    assert table_target.read_text().startswith("START")


def test_unwritable_output_is_a_clear_error(sim: Simulator, tmp_path: Path) -> None:
    code, out, err = run_status(sim, "--output", str(tmp_path / "missing-dir" / "h.csv"))
    assert code == 1 and out == ""
    assert err.startswith("backuptui status: cannot write") and "Traceback" not in err


def test_wrong_password_is_one_clear_line(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "wrong")
    code, out, err = run_status(sim)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and "refused the login" in err


def test_installed_command(sim: Simulator) -> None:
    env = dict(os.environ, BACKUPTUI_PASSWORD=sim.password)
    result = subprocess.run(
        [sys.executable, "-m", "backuptui", "status", "--url", sim.url, "--user", sim.user, "--limit", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert len([line for line in result.stdout.splitlines() if line[:4].isdigit()]) == 3


def test_unreachable(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "x")
    sim = simulator_factory()
    url, user = sim.url, sim.user
    sim.stop()
    args = build_parser().parse_args(["status", "--url", url, "--user", user])
    out_buffer, err_buffer = io.StringIO(), io.StringIO()
    code = status.run(args, out=out_buffer, err=err_buffer)
    out, err = out_buffer.getvalue(), err_buffer.getvalue()
    assert code == 1 and out == "" and "127.0.0.1" in err and "Traceback" not in err


def test_table_of_nothing() -> None:
    assert status.render_table([], now=NOW).splitlines()[1] == "(no backup jobs)"


def test_profile_and_default_profile(sim: Simulator) -> None:
    from backuptui.core.settings.profiles import Profile, ProfileStore
    from backuptui.core.settings.secrets import PasswordSource

    ProfileStore().add_profile(
        Profile(name="lab", url=sim.url, username=sim.user, password_source=PasswordSource.ENV),
        make_default=True,
    )
    for argv in (["status", "-p", "lab", "--json"], ["-p", "lab", "status", "--json"], ["status", "--json"]):
        args = build_parser().parse_args(argv)
        out, err = io.StringIO(), io.StringIO()
        assert status.run(args, out=out, err=err) == 0, err.getvalue()
        assert len(history_from_json(out.getvalue()).jobs) == 60
    args = build_parser().parse_args(["status", "-p", "nope"])
    out, err = io.StringIO(), io.StringIO()
    assert status.run(args, out=out, err=err) == 2
    assert "no profile named 'nope'" in err.getvalue()


def test_table_running_job_and_hostile_text() -> None:
    from backuptui.core.appliance.parsing import parse_job

    running = parse_job(
        "20261128-115000-1",
        {
            "status": "RUNNING",
            "type": "LOCAL_BACKUP",
            "location": "sftp://h/p",
            "location_user": "u",
            "description": {"id": "d", "default_message": "Backup job", "args": []},
            "service": "s",
            "operation": "o",
            "cancelable": True,
            "messages": [],
            "start_time": "2026-11-28T11:50:00.000Z",
            "duration": 600,
            "size": 3 * 1024**3,
            "progress": {
                "total": 100,
                "completed": 45,
                "message": {"id": "p", "default_message": "Backing up\x1b[2J [b]db[/b]", "args": []},
            },
        },
    )
    lines = status.render_table([running], now=NOW).splitlines()
    assert lines[1].startswith("2026-11-28 11:50  RUNNING    local   10m 00s  3.00 GiB  20261128-115000-1")
    assert lines[2].startswith("    ↳ 45% Backing up")
    assert "\x1b" not in lines[2] and "[b]db[/b]" in lines[2]
