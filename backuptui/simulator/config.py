"""What a simulated appliance looks like: `SimulatorConfig`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backuptui.simulator.catalog import ALL_BUILDS

#: the version names a simulated appliance may run, newest first
BUILD_NAMES = tuple(build[0] for build in ALL_BUILDS)

SCENARIOS = ("healthy", "latest-failed", "stale", "missed-schedule", "not-configured", "schedule-disabled")

DEFAULT_USER = "administrator@vsphere.local"
DEFAULT_PASSWORD = "VMware1!"  # noqa: S105 - the simulator's documented demo credential


@dataclass(frozen=True)
class SimulatorConfig:
    """Settings of one simulated appliance (see `backuptui/simulator/README.md`)."""

    jobs: int = 300  # finished jobs in the generated history
    seed: int = 1  # same seed + same clock -> same history
    speed: float = 1.0  # live jobs progress this many times faster than real time
    flavor: str = "both"  # "api" | "rest" | "both": which URL flavours answer
    user: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    host: str = "127.0.0.1"
    port: int = 0  # 0 = a free port
    idle_timeout: float = 1800.0  # session idle timeout, seconds
    running_at_start: bool = False  # a backup is already running at start
    auto_backup_every: float | None = None  # seconds (real time) between new backups
    scenario: str | None = None  # one of SCENARIOS
    faults: Sequence[str | Mapping[str, Any]] = ()  # fault specs, see faults.py
    clock: Callable[[], datetime] | None = None  # -> aware UTC datetime; default: now
    variety: bool = False  # also PENDING, BLOCKED and LOCAL_BACKUP records (for conformance tests)
    unreadable: int = 0  # this many records of the history carry a wrong-typed field (`size` as text)
    fail_rate: float = 0.07  # share of failed jobs in the history (and of live jobs failing midway x2)
    appliance_fqdn: str = "vcsa01.example.com"
    lockout_failures: int = 5  # failed logins ...
    lockout_window: float = 180.0  # ... within this many seconds ...
    lockout_time: float = 300.0  # ... lock the account this long (still plain 401)
    unprivileged_user: str | None = None  # logs in (same password) but reads of backup jobs get 403
    readonly_user: str | None = None  # logs in (same password), reads jobs; starting or canceling gets 403
    #: why backups may not start now (400 not_allowed_in_current_state), e.g. "a restore is being prepared"
    actions_not_allowed: str | None = None
    vami: bool = False  # also listen like the management port 5480: Basic auth on every request
    vami_port: int = 0  # 0 = a free port
    root_password: str | None = None  # the local `root` account (VAMI only); None = `password`
    replay: str | None = None  # a recording file to serve instead of the generated appliance
    replay_loop: bool = False  # at the recording's end start again (else hold the last answers)
    clock_skew: float = 0.0  # seconds the appliance's clock is ahead (negative: behind) of the real one
    build: str | None = None  # the version name it runs now (`catalog.ALL_BUILDS`); None: the newest

    def __post_init__(self) -> None:
        if self.flavor not in ("api", "rest", "both"):
            raise ValueError(f"flavor must be api, rest or both, not {self.flavor!r}")
        if self.scenario is not None and self.scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {self.scenario!r}; choose one of {', '.join(SCENARIOS)}")
        if self.jobs < 0:
            raise ValueError("jobs must be >= 0")
        if self.unreadable < 0:
            raise ValueError("unreadable must be >= 0")
        if self.speed <= 0:
            raise ValueError("speed must be > 0")
        if self.unprivileged_user is not None and (
            not self.unprivileged_user or self.unprivileged_user == self.user
        ):
            raise ValueError("the unprivileged user must be a name other than the main user")
        if self.readonly_user is not None and (
            not self.readonly_user or self.readonly_user in (self.user, self.unprivileged_user)
        ):
            raise ValueError("the read-only user must be a name other than the main and unprivileged users")
        if self.build is not None and self.build not in BUILD_NAMES:
            raise ValueError(f"unknown build {self.build!r}; choose one of {', '.join(BUILD_NAMES)}")
        if self.auto_backup_every is not None and self.auto_backup_every <= 0:
            raise ValueError("auto_backup_every must be > 0 seconds")

    def __repr__(self) -> str:  # never show the password
        return (
            f"SimulatorConfig(jobs={self.jobs}, seed={self.seed}, flavor={self.flavor!r}, user={self.user!r})"
        )
