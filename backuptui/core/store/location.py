"""Where the history lives: `$BACKUPTUI_DATA`, else the platform's user data directory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

#: environment variable naming another data directory
DATA_ENV = "BACKUPTUI_DATA"
DIR_MODE = 0o700
FILE_MODE = 0o600
HISTORY_FILE = "history.sqlite3"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`$BACKUPTUI_DATA` if set, else `platformdirs.user_data_path("backuptui")` (XDG_DATA_HOME)."""
    env = os.environ if environ is None else environ
    override = env.get(DATA_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path("backuptui", appauthor=False)


def default_data_dir() -> Path:
    """The platform's user data directory for backuptui (what applies without `$BACKUPTUI_DATA`)."""
    return data_dir({})


def history_path(environ: Mapping[str, str] | None = None) -> Path:
    """The history database file in the data directory."""
    return data_dir(environ) / HISTORY_FILE
