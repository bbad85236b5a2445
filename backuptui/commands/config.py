"""`backuptui config path | check`: where the configuration file (and the backup history) is, and
whether the file is valid."""

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
        help="print the configuration file's path (--data, --history, --all: the backup history's)",
        description="Print the configuration file's path ($BACKUPTUI_CONFIG, else config.toml in the "
        "user config directory), one line, so $(backuptui config path) is that file. The backup "
        "history lives in the data directory ($BACKUPTUI_DATA, else the user data directory: "
        "$XDG_DATA_HOME/backuptui on Linux): --data prints it, --history the database file in it, "
        "--all each of the three on its own line, its name and a tab before it.",
    )
    which = path.add_mutually_exclusive_group()
    which.add_argument("--config", action="store_true", help="the configuration file (the default)")
    which.add_argument("--data", action="store_true", help="the data directory, where the history lives")
    which.add_argument("--history", action="store_true", help="the backup history database file")
    which.add_argument(
        "--all", action="store_true", help="all three, as lines 'config', 'data', 'history', a tab, the path"
    )
    path.set_defaults(handler=run_path)
    check = actions.add_parser("check", help="read and validate the configuration file")
    check.set_defaults(handler=run_check)


def run_path(args: argparse.Namespace) -> int:
    from backuptui.core.store.location import data_dir, history_path

    if getattr(args, "data", False):
        print(data_dir())
    elif getattr(args, "history", False):
        print(history_path())
    elif getattr(args, "all", False):
        print(f"config\t{config_path()}")
        print(f"data\t{data_dir()}")
        print(f"history\t{history_path()}")
    else:
        path = config_path()
        print(path)
        if not path.exists():
            print("(the file does not exist yet; 'backuptui profile add' creates it)", file=sys.stderr)
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
