"""The installed `backuptui` with its local history, in a real terminal (tmux), read off the screen:
quit, let the simulator run a failing and a succeeding backup, open again: the list shows at once,
marked cached, then live, and the digest names the failure and its cause; the simulator restarted
with a shorter history leaves the earlier jobs visible, marked."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_helpers import free_port
from tmux_driver import TmuxSession

from backuptui.simulator import Simulator, SimulatorConfig

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def one_failed_one_succeeded(sim: Simulator) -> dict[str, str]:
    """Manual backups until one failed and one succeeded (each ends in about a second)."""
    ended: dict[str, str] = {}
    deadline = time.monotonic() + 120
    while set(ended.values()) != {"FAILED", "SUCCEEDED"}:
        assert time.monotonic() < deadline, ended
        ident = sim.start_backup()
        while (info := sim.jobs.info(ident)) is not None and info["status"] not in ("FAILED", "SUCCEEDED"):
            time.sleep(0.1)
        assert info is not None
        ended[ident] = info["status"]
    return ended


def session(
    tmux: Callable[[int, int], TmuxSession], script: Path, sim: Simulator, size: tuple[int, int]
) -> TmuxSession:
    opened = tmux(*size)
    opened.start([str(script), "-p", "lab"], env={"BACKUPTUI_PASSWORD": sim.password})
    return opened


def quit_app(opened: TmuxSession) -> None:
    opened.send_keys("q")
    assert opened.wait_exit(timeout=30) == 0


@pytest.mark.parametrize("size", [(80, 24)], ids=["80x24"])
def test_cached_then_live_digest_and_jobs_the_appliance_dropped(
    tmux: Callable[[int, int], TmuxSession], script: Path, size: tuple[int, int]
) -> None:
    from backuptui.cli import main

    port = free_port()
    config = SimulatorConfig(jobs=30, seed=5, port=port, speed=600, fail_rate=0.25)
    sim = Simulator(config).start()
    try:
        assert (
            main(["profile", "add", "lab", "--url", sim.url, "--user", sim.user, "--password-source", "env"])
            == 0
        )
        first = session(tmux, script, sim, size)
        first.wait_for(lambda s: " live " in s and "30 jobs" in s, timeout=40)
        quit_app(first)

        ended = one_failed_one_succeeded(sim)
        sim.set_fault({"latency": 2.0, "match": "/recovery/backup/job"})  # the first answers wait
        second = session(tmux, script, sim, size)
        screen = second.wait_for("cached,", timeout=40)
        assert "30 jobs" in screen and "old" in screen  # the last known state, at once
        sim.set_fault({"clear": True})
        screen = second.wait_for(lambda s: " live " in s and "Since you last looked" in s, timeout=40)
        failed = sum(1 for status in ended.values() if status == "FAILED")
        panel = " ".join(screen.replace("█", " ").split())  # the panel's lines wrap at 80 columns
        assert f"{len(ended) - failed} backup" in panel and f"succeeded, {failed} failed." in panel
        assert "First failure" in panel and "(x: dismiss)" in panel
        second.send_keys("x")
        second.wait_gone("Since you last looked", timeout=15)
        quit_app(second)

        sim.stop()
        shorter = Simulator(SimulatorConfig(jobs=10, seed=5, port=port)).start()  # a shorter history
        try:
            third = session(tmux, script, shorter, size)
            screen = third.wait_for(lambda s: " live " in s and "no longer on appliance" in s, timeout=40)
            assert f"{30 + len(ended)} jobs" in screen  # nothing earlier went
            quit_app(third)
        finally:
            shorter.stop()
    finally:
        sim.stop()
