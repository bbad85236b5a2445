"""Drive a program in a real terminal (tmux) and read its screen, as a person would.

Every session gets a private tmux server (`-L` socket, `-f` config), so a test never touches the
developer's tmux and tests can run in parallel. The environment is cleaned of what changes how
Textual draws (COLUMNS/LINES override the pty size, NO_COLOR and TEXTUAL* change colours and
drivers, TMUX* would point at the developer's server). The program's exit status is written by
a wrapper (`#{pane_dead_status}` is unreliable under load), and everything waits on screen text,
never on fixed sleeps. `kill()` ends only this session's own server.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

TMUX = shutil.which("tmux")

#: environment variables that must not reach the program under test
DROP_ENV = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TMUX", "TMUX_PANE", "TMUX_TMPDIR")

#: printed by the wrapper after the program ended: proves the shell's normal screen is back
SHELL_MARKER = "WRAPPER-AFTER-EXIT"


class TmuxTimeout(AssertionError):
    """What a test waited for did not happen; the message includes the screen."""


class TmuxSession:
    """One program in one tmux pane of a private tmux server."""

    def __init__(self, workdir: Path, width: int = 120, height: int = 40, name: str = "app") -> None:
        if TMUX is None:
            raise RuntimeError("tmux is not installed")
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.socket = f"backuptui-test-{uuid.uuid4().hex[:10]}"
        self.name = name
        self.width = width
        self.height = height
        self.conf = workdir / "tmux.conf"
        self.exit_file = workdir / "exit-status"
        self.conf.write_text(
            "set -g remain-on-exit on\n"
            "set -g status off\n"
            "set -g set-clipboard on\n"
            "set -g escape-time 0\n"
            "set -g history-limit 2000\n"
        )
        self.started = False

    # -- tmux itself -------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        """The tmux server (and so the program) inherits this environment."""
        return {
            key: value
            for key, value in os.environ.items()
            if key not in DROP_ENV and not key.startswith("TEXTUAL") and not key.startswith("PYTEST")
        }

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run(
            [TMUX, "-L", self.socket, "-f", str(self.conf), *args],
            check=check,
            capture_output=True,
            text=True,
            env=self._env(),
            timeout=20,
        )

    # -- the program ------------------------------------------------------------------------

    def start(self, command: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        """Run `command` in a new session; its exit status goes to `exit_file`, then a marker line
        is printed on the shell's normal screen."""
        environment = {"TERM": "xterm-256color", "COLORTERM": "truecolor", **(env or {})}
        env_args = [arg for key, value in environment.items() for arg in ("-e", f"{key}={value}")]
        # After the program, the shell stays a while (until `kill`): a live pane reports its
        # terminal modes (a dead pane reports the cursor as hidden whatever the program did).
        wrapped = (
            f"cd {shlex.quote(str(self.workdir))}; {shlex.join(command)}; "
            f"echo $? > {shlex.quote(str(self.exit_file))}; echo {SHELL_MARKER}; exec sleep 600"
        )
        self.tmux(
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            *env_args,
            wrapped,
        )
        self.started = True

    def screen(self) -> str:
        """The visible pane as plain text (what a person sees)."""
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def display(self, fmt: str) -> str:
        """A tmux format of the pane, e.g. `#{alternate_on}`."""
        return self.tmux("display-message", "-p", "-t", self.name, fmt).stdout.strip()

    def send_keys(self, *keys: str) -> None:
        """tmux key names: "q", "Down", "Enter", "Escape", "C-c"; "-l" sends text literally."""
        self.tmux("send-keys", "-t", self.name, *keys)

    def type_text(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def pane_pid(self) -> int:
        """The pid of the pane's shell (the wrapper around the program)."""
        return int(self.display("#{pane_pid}"))

    def program_pid(self, timeout: float = 10.0) -> int:
        """The pid of the program under the wrapper shell (read from /proc, not by name)."""
        shell = self.pane_pid()

        def child() -> int | None:
            path = Path(f"/proc/{shell}/task/{shell}/children")
            try:
                children = path.read_text().split()
            except OSError:
                return None
            return int(children[0]) if children else None

        return self.wait_value(child, timeout, "the program's process under the tmux pane")

    # -- waiting -------------------------------------------------------------------------------

    def wait_value(self, probe: Callable[[], T | None], timeout: float, what: str) -> T:
        """Poll `probe` until it returns something other than None; that value."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value is not None:
                return value
            if time.monotonic() > deadline:
                raise TmuxTimeout(f"timed out after {timeout} s waiting for {what}\n{self._dump()}")
            time.sleep(0.02)

    def wait_for(self, predicate: str | Callable[[str], bool], timeout: float = 15.0) -> str:
        """Wait until the screen shows `predicate` (a text, or a test on the screen); the screen."""
        check = (lambda screen: predicate in screen) if isinstance(predicate, str) else predicate
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                raise TmuxTimeout(
                    f"timed out after {timeout} s waiting for {predicate!r}\n{self._dump(screen)}"
                )
            time.sleep(0.02)

    def wait_gone(self, text: str, timeout: float = 15.0) -> str:
        return self.wait_for(lambda screen: text not in screen, timeout)

    def wait_exit(self, timeout: float = 20.0) -> int:
        """The program's exit status, once the wrapper wrote it."""

        def status() -> int | None:
            try:
                text = self.exit_file.read_text().strip()
            except OSError:
                return None
            return int(text) if text else None

        return self.wait_value(status, timeout, "the program to exit")

    def _dump(self, screen: str | None = None) -> str:
        try:
            screen = self.screen() if screen is None else screen
        except (subprocess.SubprocessError, OSError) as exc:
            screen = f"(no screen: {exc})"
        return f"--- screen {self.width}x{self.height} ---\n{screen}\n--- end of screen ---"

    # -- the end -------------------------------------------------------------------------------

    def terminal_modes(self) -> dict[str, str]:
        """The pane's terminal modes that a full-screen program changes and must restore."""
        names = (
            "alternate_on",
            "cursor_flag",
            "mouse_any_flag",
            "mouse_button_flag",
            "mouse_all_flag",
            "mouse_sgr_flag",
            "keypad_flag",
            "pane_in_mode",
        )
        values = self.display(" ".join(f"#{{{name}}}" for name in names)).split()
        return dict(zip(names, values, strict=True))

    def kill_session(self) -> None:
        """Close the pane's terminal, as a dropped SSH connection does (the program gets SIGHUP)."""
        self.tmux("kill-session", "-t", self.name, check=False)

    def kill(self) -> None:
        """Stop this test's own tmux server (and with it anything still in its panes)."""
        if self.started:
            self.tmux("kill-server", check=False)
            self.started = False


def pid_alive(pid: int) -> bool:
    """Is the process still running (a zombie counts as ended)?"""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
