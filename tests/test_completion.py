"""The completion scripts load in bash, zsh and fish and complete commands, options and the
config's profile names, each through the shell's own completion machinery."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tmux_driver import TMUX, TmuxSession

BIN = str(Path(sys.executable).parent)  # where the backuptui under test is installed


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    """Two saved profiles, and each shell's script written by `backuptui completion SHELL`."""
    directory = Path(os.environ["XDG_CONFIG_HOME"]) / "backuptui"
    directory.mkdir(parents=True)
    (directory / "config.toml").write_text(
        '[profiles.lab]\nurl = "http://127.0.0.1:9"\nusername = "a@vsphere.local"\n\n'
        '[profiles.prod-vc]\nurl = "vc.example.com"\nusername = "a@vsphere.local"\n'
    )
    for shell in ("bash", "zsh", "fish"):
        result = subprocess.run(
            [f"{BIN}/backuptui", "completion", shell], capture_output=True, text=True, check=True
        )
        (tmp_path / f"backuptui.{shell}").write_text(result.stdout)
    return tmp_path


def environment() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}


def bash_complete(scripts: Path, line: str) -> list[str]:
    """COMPREPLY for `line` (its last word is being completed), as bash's TAB would fill it."""
    words = line.split(" ")
    program = (
        f"source {scripts / 'backuptui.bash'}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={line!r}; COMP_POINT={len(line)}\n"
        "_shtab_backuptui backuptui; printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        env=environment(),
        check=True,
    )
    return sorted(filter(None, result.stdout.splitlines()))


def test_bash_completes_commands_options_and_profiles(scripts: Path) -> None:
    assert bash_complete(scripts, "backuptui do") == ["doctor"]
    assert "--json" in bash_complete(scripts, "backuptui doctor --")
    assert bash_complete(scripts, "backuptui -p ") == ["lab", "prod-vc"]
    assert bash_complete(scripts, "backuptui doctor -p pr") == ["prod-vc"]
    assert bash_complete(scripts, "backuptui profile show ") == ["lab", "prod-vc"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_profiles(scripts: Path) -> None:
    program = f"source {scripts / 'backuptui.fish'}; complete -C 'backuptui status --profile '"
    result = subprocess.run(
        ["fish", "--no-config", "-c", program], capture_output=True, text=True, env=environment()
    )
    names = sorted(line.split("\t")[0] for line in result.stdout.splitlines())
    assert names == ["lab", "prod-vc"], result.stderr


@pytest.fixture
def zsh(scripts: Path, tmp_path: Path) -> Iterator[TmuxSession]:
    if shutil.which("zsh") is None or TMUX is None:
        pytest.skip("zsh and tmux are needed to complete in a real zsh")
    session = TmuxSession(tmp_path / "tmux", width=80, height=24)
    session.start(
        ["zsh", "-f"],
        env={"PATH": f"{BIN}:{os.environ['PATH']}", "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]},
    )
    try:
        session.wait_for(lambda screen: screen.strip() != "")  # zsh's own prompt (zsh -f: no rc file)
        yield session
    finally:
        session.kill()


def test_zsh_loads_the_script_and_completes_profiles(zsh: TmuxSession, scripts: Path) -> None:
    functions = scripts / "zfunc"
    functions.mkdir()
    (scripts / "backuptui.zsh").rename(functions / "_backuptui")  # installed as the README says
    # the PATH again: Debian's /etc/zsh/zshenv (read even with -f) sets its own
    zsh.type_text(
        f"path=({BIN} $path); fpath=({functions} $fpath); autoload -U compinit && compinit -u && echo LOADED"
    )
    zsh.send_keys("Enter")
    zsh.wait_for(lambda screen: "\nLOADED" in screen)
    zsh.type_text("backuptui doc")
    zsh.send_keys("Tab")
    # (the screen's lines come without trailing spaces)
    zsh.wait_for(lambda screen: any(line.endswith(" backuptui doctor") for line in screen.splitlines()))
    zsh.type_text(" -p pr")
    zsh.send_keys("Tab")
    zsh.wait_for(lambda screen: "-p prod-vc" in screen)
