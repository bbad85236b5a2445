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

With `light=N` (a fleet member, `FLEET_PAGE`) the monitor never fetches the whole history on its
own: the first poll fetches the newest N jobs (as `first_page` does) and that is the history it
judges; later polls fetch the active jobs and, every `idle` seconds or when a job ended, the id list
and the details of only those of the newest N ids it does not know; older jobs (and those that
retention deleted) leave the history, so it stays N jobs long. `set_light(None)` (the user opened
that appliance) makes the next poll a full one and the monitor an ordinary one from then on;
`set_light(N)` makes it light again (and N jobs long at its next id check).

Failures never raise: they become a `ConnectionState`, the last data is kept (stale), and
`next_delay()` backs off (capped, exponential, jittered). A refused login is never retried on its
own: SSO locks accounts after a few failures, so the monitor waits for `retry_login()`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
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
    DetailsResult,
    Schedule,
    newest_first_key,
)
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.events import JobEvent
from backuptui.core.watch.job_history import JobHistory
from backuptui.core.watch.snapshot import (
    EMPTY_TRANSFERS,
    FAILED_STATES,
    ConnectionState,
    Snapshot,
)
from backuptui.core.watch.transfer import Transfer, TransferTracker

__all__ = [
    "FIRST_PAGE",
    "FLEET_PAGE",
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

_NOTHING = DetailsResult(())  # no active job asked for

#: jobs fetched on the first poll before the full history (ids begin with their start time, so
#: the highest ids are the newest): the list paints as fast at 10,000 jobs as at 100
FIRST_PAGE = 100

#: the newest jobs a light (fleet) monitor keeps and judges: with daily backups, months of them,
#: so failures in 24 h and 7 d and the last success are counted from the window
FLEET_PAGE = 100


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
    async def check_reachable(self) -> None: ...
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
    window: bool = False  # a light poll: `listed` is every id, `active` the active and the new jobs


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
        light: int | None = None,
    ) -> None:
        """`first_page`: fetch the newest this many jobs first; `light`: poll lightly, keeping the
        newest this many jobs and what is new (see the module's docstring)."""
        if first_page is not None and first_page < 1:
            raise ValueError("first_page must be at least 1")
        if light is not None and light < 1:
            raise ValueError("light must be at least 1")
        self._client = client
        self._first_page = first_page
        self._light = light
        self.settings = settings or RefreshSettings()
        self._clock = clock or _utc_now
        self._rng = rng or random.Random()  # jitter, not cryptography
        self._lock = asyncio.Lock()
        self._history = JobHistory()
        self._last_id_check: datetime | None = None
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

    @property
    def light(self) -> int | None:
        """The window of a light (fleet) monitor; None: an ordinary one."""
        return self._light

    def set_light(self, window: int | None) -> None:
        """Poll lightly (`window` jobs) or, with None, fetch the whole history from the next poll on
        (the caller wakes the poll loop if it should happen now)."""
        if window is not None and window < 1:
            raise ValueError("light must be at least 1")
        if window is None and self._light is not None:
            self._full_pending = True
        self._light = window

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

    async def check_reachable(self) -> ApplianceError | None:
        """Before a password is looked up or asked for: one request without credentials. An address
        that does not answer as its URL says (scheme, port, TLS) becomes the snapshot's state, as a
        failed poll (its error, the retry time); None when it answers."""
        async with self._lock:
            try:
                await self._client.check_reachable()
            except ApplianceError as exc:
                self._failed(exc)
                return exc
            return None

    async def retry_login(self, password: Secret) -> Snapshot:
        """The user typed the password again: use it for one login and a full poll."""
        async with self._lock:
            self._client.set_password(password)
            return await self._poll(full=self._light is None)

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
        return self._full_pending or not self._loaded or not self._history.active

    async def _fetch(self, full: bool) -> _Fetched:
        client = self._client
        if self._light is not None and not full:
            if not self._loaded:
                return await self._fetch_first(self._light)
            return await self._fetch_light(self._light)
        if not self._loaded and self._first_page is not None:
            return await self._fetch_first(self._first_page)
        if full or self._wants_full():
            return _Fetched(full=await client.list_job_details())
        queried = frozenset(self._history.active)
        active = await client.list_job_details(jobs=sorted(queried))
        since_check = (self._clock() - self._last_id_check).total_seconds() if self._last_id_check else None
        if since_check is not None and since_check < self.settings.idle:
            return _Fetched(active=active, queried=queried)
        # Someone else may have started a job. The id list is ~30 bytes a job, the details ~900:
        # fetch the full history only when an unknown id shows up. (Jobs that retention deleted
        # go at the next full poll, when the active job ends.)
        listed = await client.list_job_ids()
        known = self._history.known_ids()
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

    async def _fetch_light(self, size: int) -> _Fetched:
        """A light poll: the active jobs, and when due the id list and the details of new ids only."""
        client = self._client
        queried = frozenset(self._history.active)
        active = await client.list_job_details(jobs=sorted(queried)) if queried else _NOTHING
        since_check = (self._clock() - self._last_id_check).total_seconds() if self._last_id_check else None
        checked = since_check is not None and since_check < self.settings.idle
        if queried and checked and not self._full_pending:
            return _Fetched(active=active, queried=queried)
        # the window: the newest `size` ids (they begin with their start time)
        listed = sorted(await client.list_job_ids(), reverse=True)[:size]
        known = self._history.known_ids()
        new = frozenset(job_id for job_id in listed if job_id not in known)
        if not new:
            return _Fetched(active=active, queried=queried, listed=listed, window=True)
        page = await client.list_job_details(jobs=sorted(new))
        joined = DetailsResult(active.jobs + page.jobs, active.problems + page.problems)
        return _Fetched(active=joined, queried=queried | new, listed=listed, window=True)

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
            changes=self._history.unchanged,
        )
        return self._snapshot

    def _succeeded(self, fetched: _Fetched) -> Snapshot:
        now = self._clock()
        previous = self._snapshot
        history = self._history
        # The history found by the first poll, and the older jobs the full poll after a first page
        # brings, are not news; a job that changed between the two polls is (and so is a job new
        # to a light monitor's window after its first poll).
        news = self._loaded
        news_of_new = self._loaded and (self._complete or self._light is not None)
        if fetched.full is not None:
            applied = history.apply_full(fetched.full, news=news, news_of_new=news_of_new)
            self._full_pending = False
            self._complete = True
            self._last_id_check = now
        else:
            assert fetched.active is not None
            oldest = min(history.jobs, default="")
            if fetched.window:
                self._full_pending = False  # this poll's id check is what a pending one was for
            applied, look_again = history.apply_active(
                fetched.active, fetched.queried, news=news, news_of_new=news_of_new
            )
            self._full_pending = self._full_pending or look_again
            if fetched.window:
                assert fetched.listed is not None
                history.drop_unlisted(applied, fetched.queried, frozenset(fetched.listed))
                # an older job that moved into the window (a newer one was deleted) is no news
                applied.events = [event for event in applied.events if event.job.id >= oldest]
            if fetched.listed is not None:
                self._last_id_check = now
            if fetched.first_page and self._light is None:
                self._full_pending = True  # the rest of the history, on the next poll (due at once)
            elif fetched.first_page:  # light: the page is the history, from a fresh id list
                self._full_pending = False
                self._last_id_check = now
        changes = history.commit(applied)
        if fetched.full is not None and fetched.listed is not None:
            history.note_unresolved(fetched.listed)
        self._loaded = True
        applied.events.sort(key=lambda event: newest_first_key(event.job))  # told in the order they happened

        for job_id in history.active:
            if job_id not in history.problems:  # a record that did not parse brought no new figures
                self._tracker.observe(history.jobs[job_id], now)
        self._tracker.keep_only(history.active)
        running = tuple(sorted((history.jobs[i] for i in history.active), key=newest_first_key, reverse=True))
        transfers: Mapping[str, Transfer] = (
            MappingProxyType({job.id: self._tracker.transfer(job, now) for job in running})
            if running
            else EMPTY_TRANSFERS
        )

        self._failures = 0
        if self._full_pending:
            self._delay = 0.0
        elif history.active:
            self._delay = self.settings.running
        else:
            self._delay = self.settings.idle
        self._snapshot = Snapshot(
            appliance=self._client.name,
            base_url=self._client.base_url,
            flavor=self._client.flavor,
            verify_tls=self._client.verify_tls,
            jobs=history.order,
            by_id=history.by_id,
            connection=ConnectionState.LIVE,
            error=None,
            last_success=now,
            retry_at=None,
            problems=tuple(history.problems.values()),
            transfers=transfers,
            events=tuple(applied.events),
            running=running,
            reconnected=previous.connection in FAILED_STATES,
            taken_at=now,
            # a light monitor's window is the history it judges: complete as far as it goes
            complete=self._complete or self._light is not None,
            changes=changes,
        )
        return self._snapshot
