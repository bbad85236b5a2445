"""End to end: the installed `backuptui` in a real terminal (tmux), read from the screen like a person.

- `backuptui --demo` at 120x40 and 80x24: the job list appears, a running job's progress advances,
  Enter shows a job's messages, Esc goes back, `q` quits with status 0 and the terminal is restored.
- `backuptui --url ... --user ...` (password from BACKUPTUI_PASSWORD) against a simulator that is
  stopped and started again mid-session: the screen says unreachable/stale, then live again by itself.
- Closing the terminal (tmux kill-session, SIGHUP) ends the process within seconds, and it stops
  polling the appliance.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import free_port, quit_and_check_restored, rows, running_percent
from tmux_driver import TmuxSession, pid_alive

from backuptui.simulator import Simulator, SimulatorConfig

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _clipboard_job(session: TmuxSession) -> tuple[str, dict[str, Any]] | None:
    """The job in tmux's paste buffer, once OSC 52 put it there."""
    result = session.tmux("show-buffer", check=False)
    if result.returncode != 0:
        return None
    try:
        data = json.loads(result.stdout)
    except ValueError:
        return None
    [(job_id, record)] = data.items()
    return job_id, record


@pytest.mark.parametrize(("width", "height"), [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_demo_list_drill_down_and_quit(
    script: Path, tmux: Callable[[int, int], TmuxSession], width: int, height: int
) -> None:
    session = tmux(width, height)
    session.start([str(script), "--demo"])

    screen = session.wait_for(lambda s: "live" in s and "RUNNING" in s and len(rows(s)) >= 5, timeout=30)
    listed = rows(screen)
    assert "RUNNING" in listed
    assert "SUCCEEDED" in listed
    assert "demo" in screen

    # the running job's progress visibly advances (the demo runs backups 20x faster)
    first = running_percent(screen)
    assert first is not None, screen
    session.wait_for(lambda s: (p := running_percent(s)) is not None and p > first, timeout=40)

    # Enter on the selected (newest, running) job: its messages and progress message
    session.send_keys("Enter")
    screen = session.wait_for("Progress message", timeout=10)
    assert "Messages (" in screen and "Backup job" in screen
    session.send_keys("Escape")
    session.wait_gone("Progress message", timeout=10)
    session.wait_for(lambda s: len(rows(s)) >= 5, timeout=10)

    # a failed job: filter to it with /, then its messages and the error tree
    session.send_keys("/")
    session.wait_for("Clear filter", timeout=10)  # the footer shows the bar's keys: it has the focus
    session.type_text("status:failed")
    session.wait_for(lambda s: (found := rows(s)) != [] and set(found) == {"FAILED"}, timeout=10)
    session.send_keys("Enter")  # keep the filter; the focus goes back to the list
    session.wait_gone("Clear filter", timeout=10)
    session.send_keys("Enter")  # open the selected failed job
    screen = session.wait_for("BackupManager encountered an exception", timeout=10)
    assert "✖ FAILED" in screen

    # y: the job's JSON reaches tmux's clipboard through OSC 52 (set-clipboard on, as over SSH)
    session.send_keys("y")
    copied = session.wait_value(lambda: _clipboard_job(session), timeout=10, what="the JSON in tmux's buffer")
    job_id, record = copied
    assert record["status"] == "FAILED" and job_id in screen
    # s: the same JSON in a file in the directory backuptui was started from; the toast names it
    session.send_keys("s")
    saved = session.workdir / f"backuptui-job-{job_id}.json"
    session.wait_for(f"{job_id} saved", timeout=10)
    assert json.loads(saved.read_text()) == {job_id: record}
    session.send_keys("2")
    session.wait_for("raw error", timeout=10)
    session.send_keys("Escape")
    session.wait_gone("raw error", timeout=10)
    session.wait_for(lambda s: (found := rows(s)) != [] and set(found) == {"FAILED"}, timeout=10)

    quit_and_check_restored(session)


def test_unreachable_then_recovers_by_itself(script: Path, tmux: Callable[[int, int], TmuxSession]) -> None:
    port = free_port()
    simulator = Simulator(SimulatorConfig(jobs=30, seed=5, port=port)).start()
    try:
        session = tmux(120, 40)
        session.start(
            [str(script), "--url", simulator.url, "--user", simulator.user, "--refresh", "2,1"],
            env={"BACKUPTUI_PASSWORD": simulator.password},
        )
        # the status line can count the jobs a frame before the list has painted them: wait for both
        screen = session.wait_for(
            lambda s: " live " in s and "30 jobs" in s and len(rows(s)) >= 20, timeout=30
        )
        assert simulator.password not in screen
        listed = rows(screen)

        simulator.stop()  # the appliance goes away mid-session
        screen = session.wait_for("unreachable", timeout=30)
        # the last data stays on screen (the longer status line may take a row from the list) ...
        assert rows(screen) == listed[: len(rows(screen))] and len(rows(screen)) >= 20
        session.wait_for(lambda s: "stale for" in s and "retrying" in s, timeout=30)  # ... marked stale

        simulator.expire_sessions()  # as after a reboot: the app must log in again by itself
        simulator.start()  # back on the same port
        screen = session.wait_for(lambda s: " live " in s and "unreachable" not in s, timeout=60)
        assert "30 jobs" in screen
        assert rows(screen) == listed[: len(rows(screen))] and len(rows(screen)) >= 20

        quit_and_check_restored(session)
        assert simulator.stats()["logouts"] >= 1  # q logged out of the appliance
    finally:
        simulator.stop()


def test_closing_the_terminal_ends_the_process(script: Path, tmux: Callable[[int, int], TmuxSession]) -> None:
    simulator = Simulator(SimulatorConfig(jobs=20, seed=2, running_at_start=True, speed=0.01)).start()
    try:
        session = tmux(100, 30)
        session.start(
            [str(script), "--url", simulator.url, "--user", simulator.user, "--refresh", "2,1"],
            env={"BACKUPTUI_PASSWORD": simulator.password},
        )
        session.wait_for(lambda s: " live " in s and "RUNNING" in s, timeout=30)
        pid = session.program_pid()
        assert pid_alive(pid)

        session.kill_session()  # the SSH connection drops: the terminal is gone (SIGHUP)
        deadline = time.monotonic() + 8  # it logs out first (up to 5 s), then ends
        while pid_alive(pid):
            assert time.monotonic() < deadline, f"backuptui (pid {pid}) still runs after its terminal closed"
            time.sleep(0.05)

        # it logged out on the way, and nothing polls the appliance any more
        assert simulator.stats()["logouts"] == 1
        requests = simulator.stats()["requests_total"]
        time.sleep(3)  # longer than the 1 s running-job poll interval
        assert simulator.stats()["requests_total"] == requests
    finally:
        simulator.stop()
