"""What the end-to-end tests share: the installed `backuptui` (run as a user runs it), a port for a
simulator that a test stops and starts again, the job rows read off a screen, and the check that
`q` left the terminal as it found it. The `script` and `tmux` fixtures are in conftest.py.
"""

from __future__ import annotations

import re
import socket
import sys
from pathlib import Path

from tmux_driver import SHELL_MARKER, TmuxSession

#: the console script of this environment (`pip install -e .` puts it next to the interpreter)
SCRIPT = Path(sys.executable).with_name("backuptui")

#: a job row of the list: the status symbol and word at the start of the line
ROW = re.compile(r"^(✔|✖|▶|…|⏸|\?) (SUCCEEDED|FAILED|RUNNING|PENDING|BLOCKED|\S+)\s", re.MULTILINE)
RUNNING_PERCENT = re.compile(r"^ *[█░]+ +(\d+)%", re.MULTILINE)  # the progress bar: at every width


def free_port() -> int:
    """A loopback port free right now (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rows(screen: str) -> list[str]:
    """The status word of each job row on the screen."""
    return [match.group(2) for match in ROW.finditer(screen)]


def running_percent(screen: str) -> int | None:
    match = RUNNING_PERCENT.search(screen)
    return int(match.group(1)) if match else None


def quit_and_check_restored(session: TmuxSession) -> None:
    """`q`, then: exit status 0, the shell's own screen is back, no terminal mode left on."""
    session.send_keys("q")
    assert session.wait_exit(timeout=20) == 0
    screen = session.wait_for(SHELL_MARKER, timeout=10)
    assert not rows(screen), "the app's screen is still shown after it exited"
    assert_terminal_restored(session)
    assert session.tmux("capture-pane", "-p", "-a", "-t", session.name, check=False).returncode != 0


def assert_terminal_restored(session: TmuxSession) -> None:
    """The alternate screen left, the cursor visible again, no mouse reporting on."""
    modes = session.terminal_modes()
    assert modes["alternate_on"] == "0", modes  # left the alternate screen
    assert modes["cursor_flag"] == "1", modes  # cursor visible again
    assert modes["mouse_any_flag"] == modes["mouse_button_flag"] == modes["mouse_all_flag"] == "0", modes
    assert modes["mouse_sgr_flag"] == "0", modes
