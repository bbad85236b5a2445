"""Shared fixtures: every test runs with a private config directory and a clean terminal environment."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tmux_driver import TmuxSession

    from backuptui.simulator import Simulator


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Hide the developer's own config and terminal settings from every test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    for name in (
        "NO_COLOR",
        "TEXTUAL",
        "TEXTUAL_THEME",
        "BACKUPTUI_PASSWORD",
        "BACKUPTUI_CONFIG",
        "BACKUPTUI_DATA",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()  # local times on screen are UTC in every test
    yield
    monkeypatch.undo()
    time.tzset()


# --- simulator fixtures (owner: SIM) ---------------------------------------------------------------
@pytest.fixture
def simulator_factory() -> Iterator[Callable[..., Simulator]]:
    """`make(**config_fields)` starts a simulator with those config fields; all stop at teardown."""
    from backuptui.simulator import Simulator, SimulatorConfig

    started: list[Simulator] = []

    def make(**fields: Any) -> Simulator:
        fields.setdefault("jobs", 50)
        sim = Simulator(SimulatorConfig(**fields)).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator(simulator_factory: Callable[..., Simulator]) -> Simulator:
    """A running simulator (both flavours, 50 jobs, seed 1); `sim.url`, `sim.user`, `sim.password`."""
    return simulator_factory()


# --- end-to-end fixtures: the installed program in a real terminal ---------------------------------
@pytest.fixture
def script() -> Path:
    """The installed `backuptui` console script; the test fails (not skips) without it."""
    from e2e_helpers import SCRIPT

    if not SCRIPT.exists():
        pytest.fail(
            f"the backuptui console script is not installed next to {sys.executable}: pip install -e ."
        )
    return SCRIPT


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Callable[[int, int], TmuxSession]]:
    """`tmux(width, height)`: a session on a private tmux server; every server is killed at the end."""
    from tmux_driver import TmuxSession

    sessions: list[TmuxSession] = []

    def make(width: int, height: int) -> TmuxSession:
        session = TmuxSession(tmp_path / f"tmux-{len(sessions)}", width, height)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.kill()
