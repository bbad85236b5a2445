"""`backuptui simulate` as a real process: prints URL and credentials, serves, exits 0 on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import httpx
import pytest

from backuptui.simulator import Simulator


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_simulate_serves_and_stops_cleanly(sig: int) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backuptui",
            "simulate",
            "--jobs",
            "120",
            "--seed",
            "3",
            "--running",
            "--speed",
            "5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", first)
        assert match, first
        url = match.group(0)
        lines = [process.stdout.readline() for _ in range(6)]
        assert any("administrator@vsphere.local" in line for line in lines)
        assert any("VMware1!" in line for line in lines)
        with httpx.Client(base_url=url, timeout=10) as http:
            token = http.post("/api/session", auth=("administrator@vsphere.local", "VMware1!")).json()
            jobs = http.get(
                "/api/appliance/recovery/backup/job/details", headers={"vmware-api-session-id": token}
            ).json()
            assert len(jobs) == 121  # the history plus the running backup
            rest = http.post("/rest/com/vmware/cis/session", auth=("administrator@vsphere.local", "VMware1!"))
            listed = http.get(
                "/rest/appliance/recovery/backup/job/details",
                headers={"vmware-api-session-id": rest.json()["value"]},
            ).json()
            assert len(listed["value"]) == 121
        process.send_signal(sig)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "Simulator stopped." in out


def test_simulate_rejects_bad_fault_without_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backuptui", "simulate", "--fault", "explode=1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "unknown fault" in result.stderr
    assert "Traceback" not in result.stderr


def test_simulate_reports_a_busy_port_without_traceback(simulator: Simulator) -> None:
    port = simulator.port
    result = subprocess.run(
        [sys.executable, "-m", "backuptui", "simulate", "--port", str(port), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_simulator_imports_no_tui_and_no_client() -> None:
    code = (
        "import sys, backuptui.simulator, backuptui.commands.simulate\n"
        "banned = ('textual', 'rich', 'backuptui.tui', 'backuptui.core.appliance.client')\n"
        "bad = [m for m in sys.modules if m.startswith(banned)]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.strip() == ""
