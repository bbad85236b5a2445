"""The local backup history: one SQLite database per user, written off the UI loop.

`HistoryStore.open(path)` opens (or creates, migrates, rebuilds) it; `store.load(identity)` gives
what is cached for an appliance; `store.record_poll(identity, snapshot)` writes what a poll
changed (nothing, when nothing changed). `HistoryWriter` does the writing in a thread.
"""

from backuptui.core.store.database import HistoryStore
from backuptui.core.store.location import DATA_ENV, data_dir, history_path
from backuptui.core.store.retention import Retention
from backuptui.core.store.schema import SCHEMA_VERSION, NewerSchema, StoreUnavailable
from backuptui.core.store.values import Cached, Identity
from backuptui.core.store.writer import HistoryWriter

__all__ = [
    "DATA_ENV",
    "SCHEMA_VERSION",
    "Cached",
    "HistoryStore",
    "HistoryWriter",
    "Identity",
    "NewerSchema",
    "Retention",
    "StoreUnavailable",
    "data_dir",
    "history_path",
]
