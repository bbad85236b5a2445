"""What every row of the benchmark shares: the workspace, the simulators, the jobs they serve."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import PASSWORD, USER, SimProcess, Tmux, Workspace

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import BackupJob
from backuptui.core.appliance.secret import Secret
from backuptui.tui.format import (
    human_bytes,
    human_duration,
    local_time,
    percent_text,
    shorten_location,
    status_label,
)


@dataclass
class Settings:
    quick: bool
    paint_runs: int  # launches per case (rows 1, 2)
    warm_runs: int  # discarded launches per case before those (the whole run starts with one anyway)
    refresh_runs: int  # measurement windows per size (row 3)
    json_runs: int  # json.loads repetitions (row 3 baseline)
    watch_minutes: float  # simulated minutes of watching (row 4)
    time_scale: float  # row 4: intervals divided and simulator speed multiplied by this
    idle_window: float  # seconds of CPU measurement (row 5)
    key_presses: int  # per phase (row 6)
    rss_runs: int  # row 7
    fetch_runs: int  # row 8, per client
    refresh_window: float = 4.0  # seconds per row-3 window (about 3 polls at --refresh 1)

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        if quick:
            return cls(True, 3, 0, 2, 5, 1.0, 10.0, 35.0, 12, 1, 2, refresh_window=3.0)
        return cls(False, 7, 1, 5, 9, 3.0, 10.0, 120.0, 40, 3, 5)


#: the simulators rows 1-10 share, by key: (jobs, seed); each row of a run sees its own history
STANDARD_SIMS: dict[str, tuple[int, int]] = {
    "100": (100, 3),
    "1k": (1000, 1),
    "idle": (1000, 6),
    "10k": (10000, 2),
    "fault": (1000, 5),
    "check": (1000, 7),
}


@dataclass
class History:
    """The jobs one simulator serves, newest first, as fetched by backuptui's own client."""

    jobs: list[BackupJob]

    @property
    def ids(self) -> list[str]:
        return [job.id for job in self.jobs]

    def start_marker(self, index: int) -> str:
        """Text that appears on screen once row `index` of the job list is painted: its start time
        to the minute (the list shows local time; every process here runs with TZ=UTC)."""
        return local_time(self.jobs[index].start_time, seconds=False)

    def list_painted(self, screen: str) -> bool:
        """Row 1 and row 6 of the list are both on screen (row 1 alone could be the detail pane)."""
        last = min(5, len(self.jobs) - 1)
        return self.start_marker(0) in screen and self.start_marker(last) in screen

    def bare_rows(self) -> list[list[str]]:
        """The same jobs as the bare DataTable app shows them, formatted like backuptui does."""
        return [
            [
                job.id,
                status_label(job.status),
                str(job.type),
                local_time(job.start_time),
                human_duration(job.duration),
                human_bytes(job.size),
                percent_text(job.percent),
                shorten_location(job.location, 40),
            ]
            for job in self.jobs
        ]


@dataclass
class Context:
    ws: Workspace
    settings: Settings
    terminal: Tmux | None  # None when tmux is missing (then no terminal row runs)
    sims: dict[str, SimProcess] = field(default_factory=dict)
    histories: dict[str, History] = field(default_factory=dict)
    rows_files: dict[str, Path] = field(default_factory=dict)

    @property
    def tmux(self) -> Tmux:
        if self.terminal is None:
            raise RuntimeError("tmux is not installed")
        return self.terminal

    def add_sim(self, key: str, jobs: int, **config: Any) -> SimProcess:
        sim = SimProcess(self.ws, jobs, **config)
        self.sims[key] = sim
        return sim

    def sim(self, key: str, jobs: int | None = None, **config: Any) -> SimProcess:
        """The simulator `key`, started on first use: one of `STANDARD_SIMS`, or any key with `jobs`
        (and SimulatorConfig fields) given. Rows that ask for the same key share one process."""
        if key not in self.sims:
            if jobs is None:
                jobs, seed = STANDARD_SIMS[key]
                config = {"seed": seed, **config}
            self.add_sim(key, jobs, **config)
        return self.sims[key]

    def history(self, key: str) -> History:
        if key not in self.histories:
            self.histories[key] = History(asyncio.run(fetch_jobs(self.sim(key).url)))
        return self.histories[key]

    def rows_file(self, key: str) -> Path:
        if key not in self.rows_files:
            path = self.ws.root / f"rows-{key}.json"
            path.write_text(json.dumps(self.history(key).bare_rows()))
            self.rows_files[key] = path
        return self.rows_files[key]

    def close(self) -> None:
        for sim in self.sims.values():
            sim.stop()
        if self.terminal is not None:
            self.terminal.kill_server()
        self.ws.cleanup()


async def fetch_jobs(url: str) -> list[BackupJob]:
    async with ApplianceClient(url, USER, Secret(PASSWORD)) as client:
        result = await client.list_job_details()
    return list(result.jobs)
