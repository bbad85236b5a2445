"""Write the small recordings in `tests/recordings/` by recording the simulator (a developer tool).

Run `python tools/make_recordings.py`; the files are committed and replayed by the tests.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.record.recorder import record
from backuptui.core.record.recording import save
from backuptui.core.watch.monitor import RefreshSettings
from backuptui.simulator import Simulator, SimulatorConfig

OUT = Path(__file__).resolve().parent.parent / "tests" / "recordings"
QUICK = RefreshSettings(idle=1.0, running=0.5, backoff_initial=0.3, backoff_max=0.5, jitter=0.0)


def make(name: str, seconds: float, **config: Any) -> None:
    with Simulator(SimulatorConfig(**config)) as sim:
        client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
        recording = asyncio.run(record(client, seconds, password=sim.password, settings=QUICK))
    path = save(recording, OUT / f"{name}.json")
    print(path, len(recording.exchanges), "exchanges")


def main() -> None:
    make(
        "faults",
        3.0,
        jobs=12,
        seed=3,
        faults=({"error_500": 1, "match": "/job/details"}, {"malformed": 1, "match": "/job/details"}),
    )
    make("running-fails", 4.0, jobs=12, seed=4, running_at_start=True, speed=600.0, fail_rate=0.5)
    make("rest-only", 2.0, jobs=8, seed=5, flavor="rest", running_at_start=True, speed=5.0)


if __name__ == "__main__":
    main()
