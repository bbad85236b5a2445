"""A faithful simulated vCenter appliance (file-based backup API) on 127.0.0.1, for demos and tests.

    from backuptui.simulator import Simulator, SimulatorConfig
    with Simulator(SimulatorConfig(jobs=300, seed=1)) as sim:
        sim.url, sim.user, sim.password

See `backuptui/simulator/README.md`.
"""

from backuptui.simulator.config import SCENARIOS, SimulatorConfig
from backuptui.simulator.faults import FaultError
from backuptui.simulator.live import InProgress
from backuptui.simulator.simulator import Simulator

__all__ = ["SCENARIOS", "FaultError", "InProgress", "Simulator", "SimulatorConfig"]
