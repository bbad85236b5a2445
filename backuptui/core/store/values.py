"""What the history knows of an appliance, as values: which appliance (`Identity`), its cached
state (`Cached`), its last verdict (`StoredVerdict`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from backuptui.core.appliance.models import BackupJob


@dataclass(frozen=True, slots=True)
class Identity:
    """Which appliance a history belongs to: the profile name ('' for `--url`) and the host."""

    profile: str
    host: str

    @classmethod
    def of(cls, name: str | None, url: str) -> Identity:
        candidate = url if "://" in url else f"https://{url}"
        host = urlsplit(candidate).hostname or url
        port = urlsplit(candidate).port
        return cls(name or "", f"{host}:{port}" if port else host)

    def __str__(self) -> str:
        return f"{self.profile} ({self.host})" if self.profile else self.host


@dataclass(frozen=True)
class StoredVerdict:
    level: str  # a HealthLevel's name: OK, WARNING, CRITICAL, UNKNOWN
    summary: str
    at: datetime


@dataclass(frozen=True)
class Cached:
    """What the store knows of one appliance: its jobs (newest first, those the appliance no
    longer lists included), when it was last polled, the last verdict and the last session's end."""

    identity: Identity
    jobs: tuple[BackupJob, ...]
    gone: frozenset[str] = frozenset()  # ids of the jobs the appliance no longer lists
    first_seen: dict[str, datetime] = field(default_factory=dict)
    #: of the jobs in `gone`: when the history found the appliance no longer listed them
    gone_since: dict[str, datetime] = field(default_factory=dict)
    #: of the jobs in `gone`: the last listing that still held them, as far as the history saw
    last_listed: dict[str, datetime] = field(default_factory=dict)
    last_poll_at: datetime | None = None
    verdict: StoredVerdict | None = None
    last_session_end: datetime | None = None
    schedules: tuple[str, ...] = ()  # the stored schedule records, JSON text

    def marked_jobs(self) -> tuple[BackupJob, ...]:
        """The jobs, those the appliance no longer lists marked so (`gone`, `gone_since`)."""
        if not self.gone:
            return self.jobs
        since = self.gone_since
        return tuple(
            job.replace(gone=True, gone_since=since.get(job.id)) if job.id in self.gone else job
            for job in self.jobs
        )

    def age(self, now: datetime) -> timedelta | None:
        """How old the cached state is: from the last poll written or the last session's end."""
        moments = [m for m in (self.last_poll_at, self.last_session_end) if m is not None]
        return max(timedelta(0), now - max(moments)) if moments else None
