"""The history database's schema: a version number (`PRAGMA user_version`) and the migrations to it.

`MIGRATIONS[n]` turns a version-n database into version n+1; `migrate()` runs the missing ones on
open, each in its own transaction, so an interrupted upgrade leaves a database of the version
before it. A database newer than `SCHEMA_VERSION` is refused (`NewerSchema`) and left untouched:
an older backuptui must not rewrite what a newer one wrote.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

#: the schema this program writes
SCHEMA_VERSION = 1


class StoreUnavailable(Exception):
    """The history cannot be used (newer schema, read-only or full disk, ...): `str()` says why
    and what to do; the monitor goes on without it."""


class NewerSchema(StoreUnavailable):
    """The database was written by a newer backuptui; it is left as it is."""

    def __init__(self, path: Path, found: int, known: int = SCHEMA_VERSION) -> None:
        self.path = path
        self.found = found
        self.known = known
        super().__init__(
            f"{path} holds history schema version {found}, written by a newer backuptui (this one "
            f"knows up to version {known}); it is left untouched and history is off: upgrade "
            "backuptui, or set BACKUPTUI_DATA to another directory"
        )


def _v0_to_v1(db: sqlite3.Connection) -> None:
    """The first schema: appliances, their jobs, schedules and sessions."""
    _run_script(
        db,
        """
        CREATE TABLE appliance (
            id INTEGER PRIMARY KEY,
            profile TEXT NOT NULL,            -- the profile name ('' for --url)
            host TEXT NOT NULL,
            base_url TEXT,
            last_poll_at INTEGER,             -- the end of the last poll that wrote something
            verdict TEXT,                     -- the last health verdict, as JSON
            verdict_at INTEGER,
            UNIQUE (profile, host)
        );
        CREATE TABLE job (                    -- times: milliseconds since 1970 UTC
            id INTEGER PRIMARY KEY,           -- rows appended in order: pages stay full
            appliance_id INTEGER NOT NULL REFERENCES appliance (id) ON DELETE CASCADE,
            job_id TEXT NOT NULL,
            status TEXT NOT NULL,
            type TEXT NOT NULL,
            start_time INTEGER,
            end_time INTEGER,
            duration INTEGER,
            size INTEGER,
            problem TEXT,
            codec INTEGER NOT NULL,           -- how `record` is compressed (records.CODEC)
            record BLOB NOT NULL,             -- the record's JSON text as served, compressed
            digest BLOB NOT NULL,             -- blake2b-64 of that text: "did it change?"
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,       -- its last change, or once gone the last listing seen
            gone_since INTEGER,               -- the appliance stopped listing it then
            UNIQUE (appliance_id, job_id)
        );
        CREATE TABLE schedule (
            appliance_id INTEGER NOT NULL REFERENCES appliance (id) ON DELETE CASCADE,
            schedule_id TEXT NOT NULL,
            record TEXT NOT NULL,             -- the schedule as served, JSON
            seen_at INTEGER NOT NULL,
            PRIMARY KEY (appliance_id, schedule_id)
        ) WITHOUT ROWID;
        CREATE TABLE session (
            id INTEGER PRIMARY KEY,
            appliance_id INTEGER NOT NULL REFERENCES appliance (id) ON DELETE CASCADE,
            started_at INTEGER NOT NULL,
            ended_at INTEGER
        );
        CREATE INDEX session_by_appliance ON session (appliance_id, started_at);
        """,
    )


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Each statement on its own (`executescript` would commit the migration's transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


Migration = Callable[[sqlite3.Connection], None]

#: MIGRATIONS[n]: from version n to n + 1 (index 0: the empty file of a first start)
MIGRATIONS: Sequence[Migration] = (_v0_to_v1,)


def schema_version(db: sqlite3.Connection) -> int:
    row = db.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def check_version(db: sqlite3.Connection, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """The file's version; raises NewerSchema when this program does not know it."""
    found = schema_version(db)
    if found > len(migrations):
        raise NewerSchema(path, found, len(migrations))
    return found


def migrate(db: sqlite3.Connection, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Run the migrations the file misses, one transaction each (the connection is in autocommit
    mode, `isolation_level=None`); the version reached."""
    version = check_version(db, path, migrations)
    while version < len(migrations):
        db.execute("BEGIN IMMEDIATE")
        try:
            migrations[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        version += 1
    return version
