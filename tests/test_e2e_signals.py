"""End to end: `kill` and `kill -INT` sent to the installed `backuptui` in a real terminal (tmux).

Either signal takes the same way out as `q`: the session on the appliance is logged out (read
from the simulator's own count, `GET /_simulator/stats`), the terminal is restored (the shell's
screen is back, no mouse reporting, the cursor visible) and the process ends with 128 + the signal.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from e2e_helpers import assert_terminal_restored
from tmux_driver import SHELL_MARKER, TmuxSession

from backuptui.simulator import Simulator, SimulatorConfig

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def logouts(simulator: Simulator) -> int:
    with urllib.request.urlopen(f"{simulator.url}/_simulator/stats", timeout=5) as answer:
        return int(json.loads(answer.read())["logouts"])


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    running = Simulator(SimulatorConfig(jobs=20, seed=3, running_at_start=True, speed=0.01)).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize(
    ("signum", "size"),
    [(signal.SIGTERM, (80, 24)), (signal.SIGINT, (120, 40))],
    ids=["SIGTERM-80x24", "SIGINT-120x40"],
)
def test_a_signal_logs_out_restores_the_terminal_and_ends(
    script: Path,
    tmux: Callable[[int, int], TmuxSession],
    simulator: Simulator,
    signum: signal.Signals,
    size: tuple[int, int],
) -> None:
    session = tmux(*size)
    session.start(
        [str(script), "--url", simulator.url, "--user", simulator.user, "--refresh", "2,1"],
        env={"BACKUPTUI_PASSWORD": simulator.password},
    )
    session.wait_for(lambda s: " live " in s and "RUNNING" in s, timeout=30)
    assert logouts(simulator) == 0

    os.kill(session.program_pid(), signum)

    assert session.wait_exit(timeout=20) == 128 + signum
    session.wait_for(SHELL_MARKER, timeout=10)
    assert logouts(simulator) == 1
    assert_terminal_restored(session)
