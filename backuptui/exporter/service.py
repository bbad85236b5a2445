"""The exporter as a service: the fleet polls on the event loop, the metrics server answers from its
threads, stderr gets one line per state change, and SIGTERM (or Ctrl-C) logs out of every
appliance before the process exits 0."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TextIO

from backuptui.core.counting import counted
from backuptui.core.metrics import PollStats, exporter_registry
from backuptui.core.settings.resolution import Resolution, ResolutionError
from backuptui.core.store.fleet_history import FleetHistory
from backuptui.core.store.writer import HistoryWriter
from backuptui.core.watch.fleet import IN_FLIGHT, Fleet, FleetMember
from backuptui.core.watch.fleet_row import FleetRow, MemberState
from backuptui.core.watch.snapshot import FAILED_STATES
from backuptui.exporter.exposition import Exposition
from backuptui.exporter.http import MetricsServer, WsgiApp, exporter_app
from backuptui.exporter.readings import fleet_readings

Log = Callable[[str], None]


def stderr_log(stream: TextIO | None = None) -> Log:
    """One line per call on stderr, with the UTC time in front (journald adds its own; a
    terminal or a file has none). Warnings and errors that core logs go the same way."""
    handler = logging.StreamHandler(stream)
    formatter = logging.Formatter("%(asctime)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.setLevel(logging.WARNING)
    logging.getLogger("backuptui").addHandler(handler)

    def write(line: str) -> None:
        out = stream or sys.stderr
        out.write(f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} {line}\n")
        out.flush()

    return write


def state_line(row: FleetRow) -> str:
    """`vcsa01 (vcsa01.example.com): live, CRITICAL: last backup FAILED ...`; the reason is the
    verdict's summary or the poll's error, neither of which ever carries a password or token."""
    where = f"{row.name} ({row.host})" if row.host else row.name
    return f"{where}: {row.state}, {row.level.name}: {row.reason}"


class StateLog:
    """Logs a row when what an operator acts on changed (its state or its level), not when only
    an age in its wording moved on."""

    def __init__(self, log: Log) -> None:
        self._log = log
        self._seen: dict[str, tuple[MemberState, int]] = {}

    def __call__(self, row: FleetRow) -> None:
        key = (row.state, int(row.level))
        if self._seen.get(row.name) != key:
            self._seen[row.name] = key
            self._log(state_line(row))


class ExporterService:
    """Owns the fleet and the server from start to the last logout."""

    def __init__(
        self,
        fleet: Fleet,
        server: MetricsServer,
        exposition: Exposition,
        log: Log,
        history: FleetHistory | None = None,
    ) -> None:
        self.fleet = fleet
        self.server = server
        self.exposition = exposition
        self.log = log
        #: the local history: each member serves its last known state until its first poll answers
        self.history = history
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self, notes: Iterable[str] = ()) -> int:
        """Serve until SIGTERM or SIGINT; `notes` are logged first (once the signals are ours)."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._stopped_by, signum)
        for note in notes:
            self.log(note)
        await self._remembered()
        states = StateLog(self.log)
        for row in self.fleet.rows():
            states(row)
        watcher = asyncio.create_task(self._watch(states), name="exporter state log")
        try:
            self.fleet.start()
            self.exposition.start()
            self.server.start()
            self.log(
                f"serving metrics on {self.server.url}/metrics ({counted(len(self.fleet), 'appliance')})"
            )
            await self._stop.wait()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            self.server.close()
            self.exposition.close()
            await self.fleet.close()
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            if self.history is not None:
                await asyncio.to_thread(self.history.close)
        self.log(f"stopped: logged out everywhere ({counted(len(self.fleet), 'appliance')} watched)")
        return 0

    async def _remembered(self) -> None:
        """Each member's cached state from the history (read off the loop), served until its
        first poll answers (`vcsa_backup_up` 0 meanwhile)."""
        history = self.history
        if history is None:
            return
        cached = await asyncio.to_thread(history.load, self.fleet)
        history.attach(self.fleet, cached)
        remembered = sum(1 for found in cached.values() if found is not None)
        known = counted(remembered, "appliance")
        self.log(f"backup history: serving the last known state of {known} until polled")
        for name, problem in history.problems.items():
            self.log(f"{name}: the backup history could not be read ({problem}); going on without it")

    def _stopped_by(self, signum: int) -> None:
        self.log(f"{signal.Signals(signum).name}: stopping, logging out of every appliance")
        self._stop.set()

    async def _watch(self, states: StateLog) -> None:
        async for row in self.fleet.changes():
            states(row)


def fleet_window(fleet: Fleet) -> int | None:
    """How many jobs a member keeps (its light window): as many stored ones are loaded."""
    return max((member.window for member in fleet), default=None)


def build_service(
    resolutions: Mapping[str, Resolution | ResolutionError],
    server_factory: Callable[[WsgiApp], MetricsServer],
    log: Log,
    *,
    max_in_flight: int = IN_FLIGHT,
    history: HistoryWriter | None = None,
) -> ExporterService:
    """The fleet of these appliances and its server; `server_factory(app)` binds the server (it
    raises OSError when the address is taken, before any appliance is asked anything).
    `history`: the local history's writer (None: none kept); the service closes it."""
    stats: dict[str, PollStats] = {name: PollStats() for name in resolutions}

    def polled(member: FleetMember) -> None:
        snapshot = member.snapshot
        failed = snapshot is not None and snapshot.connection in FAILED_STATES
        stats[member.name].observe(
            member.last_poll_seconds, snapshot.error if failed and snapshot is not None else None
        )
        exposition.changed()

    # verdicts in UTC, as `check` words them: a service's log has no local zone to speak of
    fleet = Fleet(resolutions, on_poll=polled, max_in_flight=max_in_flight, local_times=False)
    exposition = Exposition(exporter_registry(lambda: fleet_readings(fleet, stats)))
    server = server_factory(exporter_app(exposition, lambda: len(fleet)))
    remembered = None
    if history is not None:
        remembered = FleetHistory(history, limit=fleet_window(fleet))
        history.on_problem = log
    return ExporterService(fleet, server, exposition, log, remembered)


__all__ = ["ExporterService", "StateLog", "build_service", "state_line", "stderr_log"]
