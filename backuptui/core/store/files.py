"""The history's file: created 0600 in a 0700 directory (an existing file, and the default
directory, made so if they were looser), checked before anything writes to it (a newer schema is
refused untouched, a file that is no database is `Corrupt`), WAL turned on, migrated; a corrupt
file is moved aside, never deleted. One wording for a file that cannot be written (`unavailable`).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from backuptui.core.store.location import DIR_MODE, FILE_MODE, default_data_dir
from backuptui.core.store.schema import Migration, StoreUnavailable, check_version, migrate


class Corrupt(Exception):
    """The file is not a database, or a damaged one (not: locked, read-only, full, unopenable)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def unavailable(path: Path, exc: BaseException) -> StoreUnavailable:
    """The one wording for a store that cannot be written: where, why, and that the monitor goes on."""
    reason = getattr(exc, "strerror", None) or str(exc)
    if isinstance(exc, sqlite3.Error) and "full" in str(exc):
        reason = "the disk is full"
    elif isinstance(exc, sqlite3.Error) and "readonly" in str(exc).replace("-", ""):
        reason = "it is read-only"
    return StoreUnavailable(
        f"backup history off: {path} cannot be written ({reason}); the monitor goes on without it "
        "(free space or fix the permissions, or set BACKUPTUI_DATA elsewhere)"
    )


def tighten_default_directory(directory: Path) -> str | None:
    """Make the default data directory 0700 if it exists with a looser mode (made by an older
    tool, or by hand); what was changed, to tell the user once (None: nothing). A directory named
    by `$BACKUPTUI_DATA` is the user's choice and left as it is, as the configuration's is."""
    try:
        if directory != default_data_dir() or not directory.is_dir():
            return None
        mode = stat.S_IMODE(directory.stat().st_mode)
        if mode == DIR_MODE:
            return None
        os.chmod(directory, DIR_MODE)
    except OSError:
        return None  # not ours to change after all: opening says what is wrong, if anything
    return (
        f"the backup history's directory {directory} was mode {mode:04o}; it is now {DIR_MODE:04o} "
        "(only you can read and write it)"
    )


def connect(file: Path, migrations: Sequence[Migration]) -> sqlite3.Connection:
    """Open the file (0600 in a 0700 directory, created if missing), check and migrate it."""
    directory = file.parent
    if not directory.exists():
        directory.mkdir(mode=DIR_MODE, parents=True)
        os.chmod(directory, DIR_MODE)
    if not file.exists():
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        os.close(fd)
    elif not os.access(file, os.W_OK) or not os.access(directory, os.W_OK):
        raise OSError(errno.EACCES, "it is read-only")
    elif stat.S_IMODE(file.stat().st_mode) & 0o077:
        os.chmod(file, FILE_MODE)  # the jobs are the user's alone (SQLite gives its WAL this mode)
    db = sqlite3.connect(file, isolation_level=None, check_same_thread=False, timeout=5.0)
    try:
        try:
            check_version(db, file, migrations)  # before anything writes to a newer file
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            if db.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                raise Corrupt("the file is damaged")
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise
            raise Corrupt(str(exc)) from None
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db, file, migrations)
    except BaseException:
        db.close()
        raise
    return db


def move_aside(file: Path, now: datetime) -> Path:
    """Rename a corrupt database (and its WAL files) out of the way, never delete it."""
    stamp = now.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    target = file.with_name(f"{file.name}.corrupt-{stamp}")
    os.replace(file, target)
    for suffix in ("-wal", "-shm"):
        companion = file.with_name(file.name + suffix)
        if companion.exists():
            os.replace(companion, target.with_name(target.name + suffix))
    return target
