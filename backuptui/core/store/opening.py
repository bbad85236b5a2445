"""Opening the history the way every entry point does: off when the config or `--no-history` says
so, a temporary file for the demo, the user's data directory otherwise."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from backuptui.core.settings.profile_model import HistorySettings
from backuptui.core.store.database import HistoryStore
from backuptui.core.store.location import history_path
from backuptui.core.store.retention import Retention
from backuptui.core.store.schema import StoreUnavailable


@dataclass(frozen=True)
class OpenedHistory:
    """The store (None: off) and what to tell the user once (None: nothing)."""

    store: HistoryStore | None
    notice: str | None = None


def retention_of(settings: HistorySettings) -> Retention:
    return Retention(max_days=settings.max_days, max_jobs=settings.max_jobs)


def open_history(
    settings: HistorySettings, *, disabled: bool = False, path: str | os.PathLike[str] | None = None
) -> OpenedHistory:
    """The user's history store, or none (`history = false`, `--no-history`, or it cannot be
    opened: then `notice` says why, and the caller goes on without it)."""
    if disabled or not settings.enabled:
        return OpenedHistory(None)
    try:
        store = HistoryStore.open(path or history_path(), retention=retention_of(settings))
    except StoreUnavailable as exc:
        return OpenedHistory(None, str(exc))
    return OpenedHistory(store, store.notice)


def temporary_history() -> tuple[OpenedHistory, tempfile.TemporaryDirectory[str]]:
    """A store in a new temporary directory (the demo writes nothing under the user's directories);
    the caller cleans the directory up."""
    directory = tempfile.TemporaryDirectory(prefix="backuptui-demo-")
    try:
        store = HistoryStore.open(Path(directory.name) / "history.sqlite3")
    except StoreUnavailable as exc:
        return OpenedHistory(None, str(exc)), directory
    return OpenedHistory(store), directory
