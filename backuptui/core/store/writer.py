"""The store's writer thread: the UI hands it each snapshot and never waits for the disk.

Snapshots of one appliance that queue up while a write is in progress are merged into the newest
(a snapshot holds the whole known state, and takes the skipped one's list of changed jobs along),
so a slow disk costs writes, never memory or the UI.
The first write that fails (read-only, full disk) turns the store off: `problem` says so once,
`on_problem` is told once, and every later call is a no-op; the monitor goes on.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from backuptui.core.store.database import HistoryStore
from backuptui.core.store.files import unavailable
from backuptui.core.store.schema import StoreUnavailable
from backuptui.core.store.values import Identity
from backuptui.core.watch.snapshot import ConnectionState, Snapshot

log = logging.getLogger(__name__)

_Task = Callable[[HistoryStore], object]


class HistoryWriter:
    """Writes polls, verdicts and session ends to a `HistoryStore` in a daemon thread."""

    def __init__(self, store: HistoryStore, on_problem: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.on_problem = on_problem
        #: why the store is off (None: it works)
        self.problem: str | None = None
        self._cond = threading.Condition()
        self._polls: dict[Identity, Snapshot] = {}  # the newest unwritten snapshot per appliance
        self._tasks: list[_Task] = [lambda store: store.prune()]  # the retention, off the UI loop
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="backuptui-history", daemon=True)
        self._thread.start()

    @property
    def enabled(self) -> bool:
        return self.problem is None and not self._closed

    def record_poll(self, identity: Identity, snapshot: Snapshot) -> None:
        """Queue a snapshot to write (returns at once). A failed poll's writes nothing, so it
        never takes the place of a queued live one."""
        if snapshot.connection is not ConnectionState.LIVE:
            return
        with self._cond:
            if not self.enabled:
                return
            queued = self._polls.get(identity)
            if queued is not None and queued.changes is not None and snapshot.changes is not None:
                # the skipped snapshot's changes go with this one, so the store still looks at
                # only the changed jobs (None: they do not join, and it compares them all)
                snapshot = replace(snapshot, changes=snapshot.changes.after(queued.changes))
            self._polls[identity] = snapshot
            self._cond.notify()

    def submit(self, task: _Task) -> None:
        """Queue any other write (`lambda store: store.end_session(identity)`), in order."""
        with self._cond:
            if not self.enabled:
                return
            self._tasks.append(task)
            self._cond.notify()

    def end_session(self, identity: Identity, at: datetime | None = None) -> None:
        self.submit(lambda store: store.end_session(identity, at))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued is written; False if `timeout` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: not (self._polls or self._tasks or self._busy), timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (bounded by `timeout`), stop the thread, close the database; a
        second call does nothing."""
        if self._closed:
            return
        self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.store.close()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._polls or self._tasks or self._closed)
                if not (self._polls or self._tasks):
                    return  # closed, and nothing left
                polls, self._polls = self._polls, {}
                tasks, self._tasks = self._tasks, []
                self._busy = True
            try:
                for identity, snapshot in polls.items():
                    self.store.record_poll(identity, snapshot)
                for task in tasks:
                    task(self.store)
            except (sqlite3.Error, OSError) as exc:
                self._fail(str(unavailable(self.store.path, exc)))
            except StoreUnavailable as exc:
                self._fail(str(exc))
            except Exception as exc:  # a bug must not stop the monitor: the store goes off
                log.exception("writing the backup history failed")
                self._fail(f"backup history off after an unexpected error ({type(exc).__name__}: {exc})")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _fail(self, message: str) -> None:
        with self._cond:
            first = self.problem is None
            self.problem = message
            self._polls.clear()
            self._tasks.clear()
        if first:
            log.warning("%s", message)
            if self.on_problem is not None:
                self.on_problem(message)
