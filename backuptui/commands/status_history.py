"""What `backuptui status` reads from the local history: `--history` adds the stored jobs the
appliance no longer lists, `--since-last` reads the last session's end from it (`since_last.py`).
The history is only read here, never written.
"""

from __future__ import annotations

from backuptui.core.appliance.models import BackupJob, DetailsResult, sorted_newest_first
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profiles import ProfileStore
from backuptui.core.store.database import HistoryStore
from backuptui.core.store.location import history_path
from backuptui.core.store.schema import StoreUnavailable
from backuptui.core.store.values import Cached, Identity


class HistoryUnavailable(Exception):
    """The local history cannot be read; the message says why."""


def open_history() -> HistoryStore | None:
    """The local history to read (None: there is none yet). Raises HistoryUnavailable."""
    try:
        settings = ProfileStore().load().settings.history
    except ConfigError as exc:
        raise HistoryUnavailable(str(exc)) from None
    path = history_path()
    if not settings.enabled:
        raise HistoryUnavailable("the local history is off (history = false in the configuration file)")
    if not path.exists():
        return None
    try:
        return HistoryStore.open(path)
    except StoreUnavailable as exc:
        raise HistoryUnavailable(str(exc)) from None


def load_cached(identity: Identity) -> Cached | None:
    """What the history holds of `identity` (None: nothing). Raises HistoryUnavailable."""
    store = open_history()
    if store is None:
        return None
    try:
        return store.load(identity)
    finally:
        store.close()


def with_stored(result: DetailsResult, cached: Cached | None) -> DetailsResult:
    """The appliance's jobs plus the stored ones it no longer lists, marked `gone`, newest first."""
    if cached is None:
        return result
    listed = {job.id for job in result.jobs} | {problem.record_id for problem in result.problems}
    since = cached.gone_since
    extra = [
        job.replace(gone=True, gone_since=since.get(job.id)) for job in cached.jobs if job.id not in listed
    ]
    if not extra:
        return result
    jobs: list[BackupJob] = sorted_newest_first((*result.jobs, *extra))
    return DetailsResult(jobs=tuple(jobs), problems=result.problems)
