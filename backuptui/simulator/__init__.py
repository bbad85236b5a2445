"""A faithful simulated vCenter appliance (file-based backup API) on 127.0.0.1, for demos and tests.

    from backuptui.simulator import Simulator, SimulatorConfig
    with Simulator(SimulatorConfig(jobs=300, seed=1)) as sim:
        sim.url, sim.user, sim.password

See `backuptui/simulator/README.md`.

`Simulator` and `InProgress` load on first use: every `backuptui` start builds the `simulate`
subcommand's parser, which needs only the config, and importing the server (http.server and the
rest) there cost ~40 ms of each launch of the monitor (measured with `python -X importtime`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from backuptui.simulator.config import SCENARIOS, SimulatorConfig
from backuptui.simulator.faults import FaultError

if TYPE_CHECKING:
    from backuptui.simulator.live import InProgress
    from backuptui.simulator.simulator import Simulator

__all__ = ["SCENARIOS", "FaultError", "InProgress", "Simulator", "SimulatorConfig"]

_LAZY = {"InProgress": "backuptui.simulator.live", "Simulator": "backuptui.simulator.simulator"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
