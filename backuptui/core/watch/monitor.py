"""The monitor: decides what to fetch from the appliance and when, and keeps the job history.

One `poll()` is one round trip (or two); the caller sleeps `next_delay()` after it, so polls never
overlap and the next is scheduled from the end of the last. What a poll fetches:

- with `first_page=N` (the TUI: `FIRST_PAGE`), the first poll fetches the list of job ids, then
  the details of the newest N of them through the filter: that snapshot (`complete=False`)
  paints the list at once whatever the size of the history, and the next poll (due at once)
  fetches the full history. A history of at most N jobs is fetched whole on the first poll;
- the full history (`list_job_details()`) on the first poll (without `first_page`), when asked
  (`poll(full=True)`: the user pressed r), after a failed poll, on the poll right after an active
  job ended (so the finished record and any job that follows it show), and whenever nothing is
  active (every `idle` seconds);
- while a job is active (pending, running, blocked), only the active jobs through the details
  filter (`list_job_details(jobs=[...])`) every `running` seconds. Instead of the whole history,
  every `idle` seconds it fetches the list of job ids (about 30 bytes a job instead of about
  900) and does a full poll only if an id it does not know appears. That keeps a watched
  backup with a 1,000-job history near 100 KB a minute instead of tens of MB.

Failures never raise: they become a `ConnectionState`, the last data is kept (stale), and
`next_delay()` backs off (capped, exponential, jittered). A refused login is never retried on its
own: SSO locks accounts after a few failures, so the monitor waits for `retry_login()`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Protocol

from backuptui.core.appliance.errors import (
    ApiError,
    ApplianceError,
    ApplianceUnreachable,
    AuthenticationFailed,
    InvalidResponse,
    NotAuthorized,
)
from backuptui.core.appliance.models import (
    ApiFlavor,
    BackupJob,
    DetailsResult,
    RecordError,
    Schedule,
    newest_first_key,
)
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.events import JobEvent, job_event
from backuptui.core.watch.snapshot import (
    EMPTY_JOBS,
    EMPTY_TRANSFERS,
    FAILED_STATES,
    ConnectionState,
    Snapshot,
)
from backuptui.core.watch.transfer import Transfer, TransferTracker

__all__ = [
    "FIRST_PAGE",
    "ConnectionState",
    "JobEvent",
    "Monitor",
    "MonitorClient",
    "RefreshSettings",
    "Snapshot",
    "Transfer",
    "backoff_delay",
]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: jobs fetched on the first poll before the full history (ids begin with their start time, so
#: the highest ids are the newest): the list paints as fast at 10,000 jobs as at 100
FIRST_PAGE = 100


def _utc_now() -> datetime:
    return datetime.now(UTC)


class MonitorClient(Protocol):
    """What the monitor needs of `ApplianceClient` (tests may hand it a fake with these)."""

    @property
    def name(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def flavor(self) -> ApiFlavor | None: ...
    @property
    def verify_tls(self) -> bool: ...
    async def list_job_details(self, jobs: Iterable[str] | None = None) -> DetailsResult: ...
    async def list_job_ids(self) -> list[str]: ...
    def set_password(self, password: Secret) -> None: ...
    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class RefreshSettings:
    """Polling intervals in seconds (`--refresh` and the profile set `idle` and `running`)."""

    idle: float = 30.0  # full history when nothing is active; id check while something is
    running: float = 2.0  # active jobs only, while one is active
    backoff_initial: float = 2.0
    backoff_max: float = 60.0
    jitter: float = 0.2  # +-20 % on every backoff delay
    not_authorized: float = 300.0  # a missing privilege is not fixed in seconds: ask rarely
    rate_window: float = 30.0  # transfer rate and ETA are smoothed over this many seconds

    def __post_init__(self) -> None:
        for name in ("idle", "running", "backoff_initial", "backoff_max", "not_authorized", "rate_window"):
            if not getattr(self, name) > 0:
                raise ValueError(f"refresh setting {name} must be a positive number of seconds")
        if not 0 <= self.jitter < 1:
            raise ValueError("refresh setting jitter must be at least 0 and below 1")
        if self.backoff_max < self.backoff_initial:
            raise ValueError("refresh setting backoff_max must not be below backoff_initial")


def backoff_delay(failures: int, settings: RefreshSettings, rng: random.Random) -> float:
    """Seconds to wait after `failures` failed polls in a row: doubling from `backoff_initial`,
    capped at `backoff_max`, with +-`jitter` that never pushes it over the cap."""
    base = min(settings.backoff_max, settings.backoff_initial * 2.0 ** min(max(failures - 1, 0), 60))
    upper = min(1.0 + settings.jitter, settings.backoff_max / base)
    return base * rng.uniform(1.0 - settings.jitter, upper)


@dataclass(slots=True)
class _Fetched:
    """What one poll brought back, applied to the state only after every request finished, so a
    poll cancelled half-way (the user pressed r) leaves the state as it was."""

    full: DetailsResult | None = None
    active: DetailsResult | None = None
    queried: frozenset[str] = frozenset()
    listed: list[str] | None = None
    first_page: bool = False  # `active` holds the newest jobs of a first poll, not active ones


@dataclass(slots=True)
class _Applied:
    jobs: dict[str, BackupJob]
    changed: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    events: list[JobEvent] = field(default_factory=list)


class Monitor:
    """Adaptive poller and job history of one appliance; produces a `Snapshot` per poll."""

    def __init__(
        self,
        client: MonitorClient,
        settings: RefreshSettings | None = None,
        clock: Clock | None = None,
        *,
        rng: random.Random | None = None,
        first_page: int | None = None,
    ) -> None:
        """`first_page`: fetch the newest this many jobs first (see the module's docstring)."""
        if first_page is not None and first_page < 1:
            raise ValueError("first_page must be at least 1")
        self._client = client
        self._first_page = first_page
        self.settings = settings or RefreshSettings()
        self._clock = clock or _utc_now
        self._rng = rng or random.Random()  # jitter, not cryptography
        self._lock = asyncio.Lock()
        self._jobs: dict[str, BackupJob] = {}
        self._order: tuple[BackupJob, ...] = ()
        self._index: dict[str, int] | None = None  # position of each id in _order, built lazily
        self._by_id: Mapping[str, BackupJob] = EMPTY_JOBS
        self._active: frozenset[str] = frozenset()
        self._problems: dict[str, RecordError] = {}
        self._last_full: DetailsResult | None = None
        self._last_id_check: datetime | None = None
        self._unresolved_ids: set[str] = set()  # listed by id but absent from the details
        self._loaded = False
        self._complete = False  # the full history has been fetched at least once
        self._full_pending = True
        self._failures = 0
        self._delay: float | None = 0.0
        self._tracker = TransferTracker(self.settings.rate_window)
        self._snapshot = Snapshot(
            appliance=client.name,
            base_url=client.base_url,
            flavor=client.flavor,
            verify_tls=client.verify_tls,
        )

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def client(self) -> MonitorClient:
        """The client the monitor polls through: actions (back up now, cancel) share its session."""
        return self._client

    @property
    def schedule_loader(self) -> Callable[[], Awaitable[Sequence[Schedule]]] | None:
        """The client's `get_schedules` for the health view (None: a client that reads no schedules,
        as a test's fake may be): it shares the monitor's session instead of opening one."""
        loader = getattr(self._client, "get_schedules", None)
        return loader if callable(loader) else None

    def next_delay(self) -> float | None:
        """Seconds from the end of the last poll to the start of the next; None: do not poll
        until the user acts (the login was refused)."""
        return self._delay

    async def poll(self, full: bool = False) -> Snapshot:
        """One poll round; never raises `ApplianceError` (failures become the snapshot's state).

        After a refused login it fetches nothing and returns the current snapshot: trying the same
        password again would only bring the account closer to an SSO lockout.
        """
        async with self._lock:
            if self._snapshot.connection is ConnectionState.AUTH_FAILED:
                return self._snapshot
            return await self._poll(full)

    async def retry_login(self, password: Secret) -> Snapshot:
        """The user typed the password again: use it for one login and a full poll."""
        async with self._lock:
            self._client.set_password(password)
            return await self._poll(full=True)

    async def close(self) -> None:
        """Log out of the appliance; an appliance that is gone by then is not an error."""
        try:
            await self._client.close()
        except ApplianceError as exc:
            log.info("logout from %s failed: %s", self._client.name, exc)

    # -- one poll ---------------------------------------------------------------------------

    async def _poll(self, full: bool) -> Snapshot:
        try:
            fetched = await self._fetch(full)
        except ApplianceError as exc:
            return self._failed(exc)
        except Exception as exc:  # a bug must not stop a monitor left open for hours; show it
            log.exception("unexpected error polling %s", self._client.name)
            problem = f"unexpected error while polling ({type(exc).__name__}: {exc})"
            return self._failed(ApplianceError(self._client.name, problem, "This is a bug in backuptui."))
        return self._succeeded(fetched)

    def _wants_full(self) -> bool:
        return self._full_pending or not self._loaded or not self._active

    async def _fetch(self, full: bool) -> _Fetched:
        client = self._client
        if not self._loaded and self._first_page is not None:
            return await self._fetch_first(self._first_page)
        if full or self._wants_full():
            return _Fetched(full=await client.list_job_details())
        queried = frozenset(self._active)
        active = await client.list_job_details(jobs=sorted(queried))
        since_check = (self._clock() - self._last_id_check).total_seconds() if self._last_id_check else None
        if since_check is not None and since_check < self.settings.idle:
            return _Fetched(active=active, queried=queried)
        # Someone else may have started a job. The id list is ~30 bytes a job, the details ~900:
        # fetch the full history only when an unknown id shows up. (Jobs that retention deleted
        # go at the next full poll, when the active job ends.)
        listed = await client.list_job_ids()
        known = self._jobs.keys() | self._problems.keys() | self._unresolved_ids
        if any(job_id not in known for job_id in listed):
            return _Fetched(full=await client.list_job_details(), listed=listed)
        return _Fetched(active=active, queried=queried, listed=listed)

    async def _fetch_first(self, size: int) -> _Fetched:
        """The first poll: the newest `size` jobs of a longer history, else the whole history."""
        client = self._client
        try:
            listed = await client.list_job_ids()
        except (ApiError, InvalidResponse) as exc:  # an answer, but no usable id list: load it all
            log.info("%s: no job id list for a first page (%s); loading the full history", client.name, exc)
            return _Fetched(full=await client.list_job_details())
        if len(listed) <= size:
            return _Fetched(full=await client.list_job_details(), listed=listed)
        newest = frozenset(sorted(listed, reverse=True)[:size])
        page = await client.list_job_details(jobs=sorted(newest))
        return _Fetched(active=page, queried=newest, first_page=True)

    def _failed(self, error: ApplianceError) -> Snapshot:
        now = self._clock()
        if isinstance(error, AuthenticationFailed):
            state, delay = ConnectionState.AUTH_FAILED, None
        elif isinstance(error, NotAuthorized):
            state, delay = ConnectionState.NOT_AUTHORIZED, self.settings.not_authorized
        else:
            self._failures += 1
            delay = backoff_delay(self._failures, self.settings, self._rng)
            # ApiError, InvalidResponse (and anything unexpected): the appliance answered wrongly.
            unreachable = isinstance(error, ApplianceUnreachable)
            state = ConnectionState.UNREACHABLE if unreachable else ConnectionState.ERROR
        self._delay = delay
        self._full_pending = True  # whatever happened meanwhile, the next success sees all of it
        self._snapshot = replace(
            self._snapshot,
            flavor=self._client.flavor,
            events=(),
            connection=state,
            error=error,
            retry_at=now + timedelta(seconds=delay) if delay is not None else None,
            reconnected=False,
            taken_at=now,
        )
        return self._snapshot

    def _succeeded(self, fetched: _Fetched) -> Snapshot:
        now = self._clock()
        previous = self._snapshot
        if fetched.full is not None:
            applied = self._apply_full(fetched.full)
            self._full_pending = False
            self._complete = True
            self._last_id_check = now
            if fetched.listed is not None:
                found = self._jobs.keys() | self._problems.keys()
                self._unresolved_ids = {job_id for job_id in fetched.listed if job_id not in found}
        else:
            assert fetched.active is not None
            applied = self._apply_active(fetched.active, fetched.queried)
            if fetched.listed is not None:
                self._last_id_check = now
            if fetched.first_page:
                self._full_pending = True  # the rest of the history, on the next poll (due at once)
        self._commit(applied)
        self._loaded = True
        applied.events.sort(key=lambda event: newest_first_key(event.job))  # told in the order they happened

        for job_id in self._active:
            if job_id not in self._problems:  # a record that did not parse brought no new figures
                self._tracker.observe(self._jobs[job_id], now)
        self._tracker.keep_only(self._active)
        running = tuple(sorted((self._jobs[i] for i in self._active), key=newest_first_key, reverse=True))
        transfers: Mapping[str, Transfer] = (
            MappingProxyType({job.id: self._tracker.transfer(job, now) for job in running})
            if running
            else EMPTY_TRANSFERS
        )

        self._failures = 0
        if self._full_pending:
            self._delay = 0.0
        elif self._active:
            self._delay = self.settings.running
        else:
            self._delay = self.settings.idle
        self._snapshot = Snapshot(
            appliance=self._client.name,
            base_url=self._client.base_url,
            flavor=self._client.flavor,
            verify_tls=self._client.verify_tls,
            jobs=self._order,
            by_id=self._by_id,
            connection=ConnectionState.LIVE,
            error=None,
            last_success=now,
            retry_at=None,
            problems=tuple(self._problems.values()),
            transfers=transfers,
            events=tuple(applied.events),
            running=running,
            reconnected=previous.connection in FAILED_STATES,
            taken_at=now,
            complete=self._complete,
        )
        return self._snapshot

    # -- merging what came back into the history ---------------------------------------------

    def _apply_full(self, result: DetailsResult) -> _Applied:
        if result is self._last_full:  # the client recognised an identical response
            return _Applied(self._jobs)
        self._last_full = result
        previous = self._jobs
        applied = _Applied({})
        jobs = applied.jobs
        for job in result.jobs:
            self._merge(previous.get(job.id), job, applied)
        self._problems = {problem.record_id: problem for problem in result.problems}
        for record_id in self._problems:
            # A record that no longer parses keeps its last good version (shown with the problem).
            if record_id not in jobs and record_id in previous:
                jobs[record_id] = previous[record_id]
        applied.removed = {job_id for job_id in previous if job_id not in jobs}
        return applied

    def _apply_active(self, result: DetailsResult, queried: frozenset[str]) -> _Applied:
        previous = self._jobs
        applied = _Applied(dict(previous))
        for job in result.jobs:
            self._merge(previous.get(job.id), job, applied)
        for job_id in queried:
            self._problems.pop(job_id, None)
        for problem in result.problems:
            self._problems[problem.record_id] = problem
        answered = {job.id for job in result.jobs} | {p.record_id for p in result.problems}
        if any(job_id not in answered for job_id in queried):
            self._full_pending = True  # an active job vanished: the full history will say why
        if any(job_id in queried and not applied.jobs[job_id].is_active for job_id in applied.changed):
            self._full_pending = True  # a job ended: show what follows it
        return applied

    def _merge(self, before: BackupJob | None, job: BackupJob, applied: _Applied) -> None:
        if before is not None and (before is job or before.raw == job.raw):
            applied.jobs[job.id] = before  # unchanged: keep the object, so renderers can skip it
            return
        applied.jobs[job.id] = job
        applied.changed.add(job.id)
        # The history found by the first poll, and the older jobs the full poll after a first page
        # brings, are not news; a job that changed between the two polls is.
        if self._loaded and (self._complete or before is not None):
            event = job_event(before, job)
            if event is not None:
                applied.events.append(event)

    def _commit(self, applied: _Applied) -> None:
        """Make `applied.jobs` the history; re-sort only when an id or a sort key changed."""
        if not applied.changed and not applied.removed:
            return  # same ids, same objects: keep the sorted tuple, the mapping, the active set
        jobs = applied.jobs
        previous = self._jobs
        same_ids = not applied.removed and all(job_id in previous for job_id in applied.changed)
        if (
            same_ids
            and len(jobs) == len(previous)
            and all(
                newest_first_key(jobs[job_id]) == newest_first_key(previous[job_id])
                for job_id in applied.changed
            )
        ):
            if self._index is None:
                self._index = {job.id: position for position, job in enumerate(self._order)}
            order = list(self._order)
            for job_id in applied.changed:
                order[self._index[job_id]] = jobs[job_id]
            self._order = tuple(order)
        else:
            self._order = tuple(sorted(jobs.values(), key=newest_first_key, reverse=True))
            self._index = None
        self._jobs = jobs
        self._by_id = MappingProxyType(jobs)
        # Only a changed job can have become active or stopped being so.
        self._active = frozenset(
            job_id for job_id in self._active | applied.changed if job_id in jobs and jobs[job_id].is_active
        )
