"""Run one simulated appliance in its own process for the benchmarks.

Usage: python benchmarks/sim_server.py '{"jobs": 1000, "seed": 1, "port": 8080, ...}'
The JSON holds `SimulatorConfig` fields. Prints `READY <url>` once serving, and stops when its stdin
closes (the harness closes it) or on SIGTERM/SIGINT.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Any

from backuptui.simulator import Simulator, SimulatorConfig


def main() -> int:
    options: dict[str, Any] = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    faults = options.pop("faults", ())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with Simulator(SimulatorConfig(**options, faults=tuple(faults))) as sim:
        print("READY", sim.url, flush=True)

        def watch_stdin() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
