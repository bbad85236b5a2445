"""The job store: the finished history (serialized once, cached) plus at most one live backup.

The live backup progresses in real time x `speed`: its progress message walks through the phases
of a real backup, the transferred size and the duration grow, it can be canceled, and (seeded)
it sometimes fails midway with a real failure text. Only one backup runs at a time.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from backuptui.simulator import catalog
from backuptui.simulator.history import folder, job_id, make_info
from backuptui.simulator.wire import API, dumps, format_time, message

GB = 1024**3


class InProgress(Exception):
    """A backup or restore is already in progress."""


@dataclass
class Record:
    """A job that no longer changes, with its serialized forms cached per flavour."""

    ident: str
    info: dict[str, Any]
    _api: bytes | None = None
    _rest: bytes | None = None

    def fragment(self, flavor: str) -> bytes:
        if flavor == API:
            if self._api is None:
                self._api = dumps(self.ident) + b":" + dumps(self.info)
            return self._api
        if self._rest is None:
            self._rest = b'{"key":' + dumps(self.ident) + b',"value":' + dumps(self.info) + b"}"
        return self._rest


@dataclass
class LiveJob:
    """A backup that is running now (or just ended: `ended` holds its end, real seconds after t0)."""

    ident: str
    job_type: str
    user: str | None
    start: datetime
    t0: float  # time.monotonic() at start
    plan: float  # simulated seconds the whole backup takes
    total: int  # bytes it will transfer
    fail_at: float | None  # fraction of the plan where it fails, or None
    cause: int
    location: str
    location_user: str
    speed: float
    build: tuple[str, str, str] = catalog.BUILDS[0]
    canceled_at: float | None = None  # real seconds after t0
    messages: list[dict[str, Any]] = field(default_factory=list)

    def end_offset(self) -> float:
        """Real seconds after t0 when the job ends (or ended)."""
        if self.canceled_at is not None:
            return self.canceled_at
        return (self.fail_at if self.fail_at is not None else 1.0) * self.plan / self.speed

    def info(self, mono: float) -> tuple[dict[str, Any], bool]:
        """The job's `Details.Info` at monotonic time `mono`, and whether it has ended."""
        end = self.end_offset()
        elapsed = max(0.0, min(mono - self.t0, end))
        fraction = min(1.0, elapsed * self.speed / self.plan)
        percent = int(fraction * 100)
        common: dict[str, Any] = {
            "job_type": self.job_type,
            "location": self.location,
            "location_user": self.location_user,
            "build": self.build,
            "start": self.start,
            "user": self.user,
        }
        if mono - self.t0 < end:
            info = make_info(
                status="RUNNING",
                duration=int(elapsed),
                size=int(self.total * fraction),
                completed=min(percent, 99),
                cancelable=True,
                **common,
            )
            return info, False
        finish = self.start + timedelta(seconds=end)
        if self.canceled_at is None and self.fail_at is None:
            info = make_info(
                status="SUCCEEDED",
                end=finish,
                duration=round(end),
                size=self.total,
                completed=100,
                progress_message=catalog.DONE,
                **common,
            )
        else:
            if self.canceled_at is not None:
                messages = [catalog.CANCELED]
                error: dict[str, Any] = {"error_type": "CANCELED", "messages": [catalog.CANCELED]}
            else:
                messages, error = catalog.failure(self.cause)
            info = make_info(
                status="FAILED",
                end=finish,
                duration=round(end),
                size=int(self.total * fraction),
                completed=percent,
                progress_message=catalog.FAILED_PROGRESS,
                messages=messages,
                error=error,
                **common,
            )
        return info, True


class JobStore:
    """All jobs of the simulated appliance; thread-safe."""

    def __init__(
        self,
        records: Iterable[tuple[str, dict[str, Any]]],
        *,
        seed: int,
        speed: float,
        clock: Callable[[], datetime],
        fqdn: str,
        fail_rate: float,
        auto_backup_every: float | None,
        default_user: str,
        build: tuple[str, str, str] = catalog.BUILDS[0],
    ) -> None:
        self._lock = threading.RLock()
        self.build = build  # what the appliance runs now: live jobs carry it
        self._static = [Record(ident, info) for ident, info in records]  # newest first
        self._by_id = {record.ident: record for record in self._static}
        self._blob: dict[str, bytes] = {}  # the finished records joined, per flavour
        self._full: dict[str, bytes] = {}  # the whole body when no backup runs, per flavour
        self._live: LiveJob | None = None
        self._rng = random.Random(seed * 7919 + 17)
        self._speed = speed
        self._clock = clock
        self._fqdn = fqdn
        self._fail_rate = fail_rate
        self._every = auto_backup_every
        self._next_auto = time.monotonic() + auto_backup_every if auto_backup_every else None
        self._default_user = default_user

    # --- the live job -------------------------------------------------------------------------
    def tick(self) -> None:
        """Retire an ended live job into the history; start the periodic backup when it is due."""
        with self._lock:
            mono = time.monotonic()
            if self._live is not None:
                info, ended = self._live.info(mono)
                if ended:
                    record = Record(self._live.ident, info)
                    self._static.insert(0, record)
                    self._by_id[record.ident] = record
                    self._blob.clear()
                    self._full.clear()
                    self._live = None
            if self._next_auto is not None and self._every is not None and mono >= self._next_auto:
                self._next_auto = mono + self._every
                if self._live is None:
                    scheduled = self._rng.random() < 0.5
                    self.start(
                        "SCHEDULED" if scheduled else "MANUAL", None if scheduled else self._default_user
                    )

    def start(
        self, job_type: str, user: str | None, location: str | None = None, location_user: str | None = None
    ) -> LiveJob:
        """Start a backup now; raises `InProgress` while one runs."""
        with self._lock:
            if self._live is not None:
                self.tick()
                if self._live is not None:
                    raise InProgress("A backup or restore is already in progress.")
            now = start = self._clock().astimezone(UTC)
            build = self.build
            while job_id(start, build[2]) in self._by_id:  # ids are per second, as the appliance's
                start += timedelta(seconds=1)
            # a start moved to a later second begins then: its end time is never ahead of the clock
            delay = (start - now).total_seconds()
            if location is None:
                location, location_user = catalog.TARGETS[0]
            kind = "S" if job_type == "SCHEDULED" else "M"
            rng = self._rng
            fail_at = rng.uniform(0.1, 0.7) if rng.random() < self._fail_rate * 2 else None
            self._live = LiveJob(
                ident=job_id(start, build[2]),
                job_type=job_type,
                user=user,
                start=start,
                t0=time.monotonic() + delay,
                plan=rng.uniform(15, 35) * 60,
                total=int(rng.uniform(3, 12) * GB),
                fail_at=fail_at,
                cause=rng.choices(range(len(catalog.FAILURE_CAUSES)), catalog.CAUSE_WEIGHTS)[0],
                location=folder(location.rstrip("/"), self._fqdn, kind, build[1], start),
                location_user=location_user or "",
                speed=self._speed,
                build=build,
            )
            return self._live

    def cancel(self, ident: str) -> str | None:
        """Cancel job `ident`: "OK" if it was running, "FAIL" if it had ended, None if unknown."""
        with self._lock:
            self.tick()
            live = self._live
            if live is not None and live.ident == ident:
                live.canceled_at = max(0.0, time.monotonic() - live.t0)  # not before it began
                self.tick()
                return "OK"
            return "FAIL" if ident in self._by_id else None

    @property
    def running(self) -> str | None:
        with self._lock:
            self.tick()
            return self._live.ident if self._live else None

    # --- reading ------------------------------------------------------------------------------
    def ids(self) -> list[str]:
        with self._lock:
            self.tick()
            live = [self._live.ident] if self._live else []
            return live + [record.ident for record in self._static]

    def info(self, ident: str) -> dict[str, Any] | None:
        with self._lock:
            self.tick()
            if self._live is not None and self._live.ident == ident:
                return self._live.info(time.monotonic())[0]
            record = self._by_id.get(ident)
            return record.info if record else None

    def details(self, flavor: str, jobs: set[str] | None) -> bytes:
        """The body of `GET .../job/details` (without the `/rest` wrapper's status line)."""
        with self._lock:
            self.tick()
            parts: list[bytes] = []
            live = self._live
            if jobs is None and live is None and flavor in self._full:
                return self._full[flavor]  # the whole finished history, already serialized
            if live is not None and (jobs is None or live.ident in jobs):
                parts.append(Record(live.ident, live.info(time.monotonic())[0]).fragment(flavor))
            if jobs is None:
                blob = self._blob.get(flavor)
                if blob is None:
                    blob = self._blob[flavor] = b",".join(record.fragment(flavor) for record in self._static)
                if blob:
                    parts.append(blob)
            else:
                parts.extend(
                    self._by_id[ident].fragment(flavor)
                    for ident in sorted(jobs, reverse=True)
                    if ident in self._by_id
                )
            inner = b",".join(parts)
            body = b"{" + inner + b"}" if flavor == API else b'{"value":[' + inner + b"]}"
            if jobs is None and live is None:
                self._full[flavor] = body
            return body

    def job_status(self, ident: str) -> dict[str, Any] | None:
        """`BackupJobStatus` of one job (the older per-job resource)."""
        info = self.info(ident)
        if info is None:
            return None
        state = {"SUCCEEDED": "SUCCEEDED", "FAILED": "FAILED", "RUNNING": "INPROGRESS"}.get(
            info["status"], "NONE"
        )
        start = info.get("start_time") or format_time(
            datetime.strptime(ident[:15], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
        )
        status: dict[str, Any] = {
            "id": ident,
            "state": state,
            "messages": [message(m["id"], m["default_message"], *m["args"]) for m in info["messages"]],
            "progress": info["progress"]["completed"] if "progress" in info else 0,
            "start_time": start,
        }
        if "end_time" in info:
            status["end_time"] = info["end_time"]
        return status
