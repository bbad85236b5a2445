"""End to end: acting on the demo appliance from the installed `backuptui` in tmux, read from the
screen: cancel the running backup (c, confirmed), start a new one through the schedule (b,
confirmed), see it run and be followed; `--demo --read-only` offers neither."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_helpers import quit_and_check_restored, running_percent
from tmux_driver import TmuxSession

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

RUNNING_ID = re.compile(r"▶ RUNNING\s+(SCHEDULED|MANUAL)\s+(\d{8}-\d{6}-\d+)")


def running_job(screen: str) -> tuple[str, str] | None:
    match = RUNNING_ID.search(screen)
    return (match.group(1), match.group(2)) if match else None


def test_demo_cancel_then_back_up_now(script: Path, tmux: Callable[[int, int], TmuxSession]) -> None:
    session = tmux(80, 24)
    session.start([str(script), "--demo"])
    screen = session.wait_for(lambda s: running_job(s) is not None and "c Cancel" in s, timeout=30)
    first = running_job(screen)
    assert first is not None
    assert "b Backup" in screen.splitlines()[-1]

    session.send_keys("c")
    session.wait_for(f"Cancel backup {first[1]}", timeout=10)
    session.send_keys("Tab")  # from "Keep it running" to "Cancel the backup"
    session.send_keys("Enter")
    session.wait_for(lambda s: "OK: Backup job" in s and "No backup is running" in s, timeout=15)

    session.send_keys("b")
    session.wait_for("Back up demo now?", timeout=10)
    session.wait_for("sftp://192.0.2.10/backups/vcsa01", timeout=10)
    session.send_keys("Enter")  # in the comment: no start
    session.wait_for("Enter does not start", timeout=10)
    session.send_keys("C-s")

    def followed(screen: str) -> bool:
        """The new job runs and is the selected one: the footer offers to cancel it (a toast may
        cover the detail pane's title)."""
        job = running_job(screen)
        return job is not None and job[1] != first[1] and "c Cancel" in screen.splitlines()[-1]

    screen = session.wait_for(followed, timeout=15)
    new = running_job(screen)
    assert new is not None and new[0] == "SCHEDULED"  # through the schedule
    percent = running_percent(screen)
    assert percent is not None
    session.wait_for(lambda s: (p := running_percent(s)) is not None and p > percent, timeout=40)
    quit_and_check_restored(session)


def test_demo_read_only_offers_neither(script: Path, tmux: Callable[[int, int], TmuxSession]) -> None:
    session = tmux(80, 24)
    session.start([str(script), "--demo", "--read-only"])
    screen = session.wait_for(lambda s: running_job(s) is not None and "read-only" in s, timeout=30)
    footer = screen.splitlines()[-1]
    assert "Backup" not in footer and "Cancel" not in footer and "Quit" in footer
    session.send_keys("b")
    session.send_keys("c")
    session.send_keys("?")  # keys are handled in order: had b or c opened a modal, no help would show
    screen = session.wait_for("backuptui help", timeout=10)
    assert "Back up demo now?" not in screen and "Cancel backup " not in screen
    session.send_keys("Escape")
    session.wait_gone("backuptui help", timeout=10)
    quit_and_check_restored(session)
