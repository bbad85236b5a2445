"""`backuptui config path | check`: where the configuration file is, and whether it is valid."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from backuptui.core.settings.config import ConfigError, config_path
from backuptui.core.settings.profiles import ProfileStore


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "config",
        help="where the configuration file is, and whether it is valid",
        description="The configuration file: $BACKUPTUI_CONFIG, else config.toml in the user config "
        "directory ($XDG_CONFIG_HOME/backuptui on Linux).",
    )
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    path = actions.add_parser(
        "path",
        help="print the configuration file's path, then the backup history's",
        description="Print the configuration file's path, then the backup history database's "
        "($BACKUPTUI_DATA, else the user data directory: $XDG_DATA_HOME/backuptui on Linux).",
    )
    which = path.add_mutually_exclusive_group()
    which.add_argument("--config", action="store_true", help="only the configuration file's path")
    which.add_argument("--history", action="store_true", help="only the history database's path")
    path.set_defaults(handler=run_path)
    check = actions.add_parser("check", help="read and validate the configuration file")
    check.set_defaults(handler=run_check)


def run_path(args: argparse.Namespace) -> int:
    from backuptui.core.store.location import history_path

    if not getattr(args, "history", False):
        path = config_path()
        print(path)
        if not path.exists():
            print("(the file does not exist yet; 'backuptui profile add' creates it)", file=sys.stderr)
    if not getattr(args, "config", False):
        print(history_path())
    return 0


def run_check(args: argparse.Namespace) -> int:
    try:
        config = ProfileStore().load()
    except ConfigError as exc:
        print(f"backuptui: error: {exc}", file=sys.stderr)
        return 2
    if not config.exists:
        print(f"{config.path} does not exist (no profiles yet)")
        return 0
    count = len(config.profiles)
    default = f", default '{config.default_profile}'" if config.default_profile else ""
    print(f"{config.path} is valid: {count} profile{'s' if count != 1 else ''}{default}")
    return 0
