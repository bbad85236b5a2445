"""Shared fixtures: every test runs with a private config directory and a clean terminal environment."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
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
