"""The `backuptui` command line: the monitor itself, plus its subcommands.

`backuptui` with no subcommand opens the monitor. Each subcommand lives in its own module under
`backuptui.commands` and exposes `register(subparsers)`; modules are imported only when needed so
that headless commands (`check`, `status`) never pay for importing Textual.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from backuptui import __version__

#: subcommand modules under backuptui.commands, each with `register(subparsers)`
SUBCOMMANDS = (
    "simulate",
    "profile",
    "config",
    "status",
    "check",
    "backup",
    "cancel",
    "exporter",
    "history",
    "record",
    "doctor",
    "completion",
)


def build_parser(subcommands: Sequence[str] = SUBCOMMANDS) -> argparse.ArgumentParser:
    """The whole command line; `subcommands` limits which subcommand modules are imported."""
    parser = argparse.ArgumentParser(
        prog="backuptui",
        description="Watch the file-based backup jobs of VMware vCenter Server Appliances.",
        epilog="Run 'backuptui --demo' to try it on the built-in appliance simulator; 'backuptui doctor' "
        "checks a first connection. Exit status: 0 success, 1 failure, 2 usage error ('check' answers "
        "like a monitoring plugin: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).",
    )
    parser.add_argument("--version", action="version", version=f"backuptui {__version__}")
    source = parser.add_argument_group("which appliance")
    source.add_argument(
        "--demo",
        action="store_true",
        help="start the built-in appliance simulator and watch it (writes no configuration)",
    )
    source.add_argument(
        "--appliances",
        metavar="N",
        type=int,
        help="with --demo: a demo fleet of N simulated appliances in every state (writes no configuration)",
    )
    source.add_argument(
        "--replay",
        metavar="FILE",
        help="watch a recording made by 'backuptui record' (served by the built-in simulator)",
    )
    source.add_argument(
        "-p",
        "--profile",
        metavar="NAME",
        action="append",
        help="a saved appliance profile (repeat it to watch several: -p a -p b)",
    )
    source.add_argument(
        "-g",
        "--group",
        metavar="GROUP",
        action="append",
        help="every profile of this group (a profile's 'groups'; repeatable)",
    )
    source.add_argument("--all", dest="all_profiles", action="store_true", help="every saved profile")
    source.add_argument(
        "--url", metavar="URL", help="appliance host or URL (vcsa01.example.com, http://127.0.0.1:8080)"
    )
    source.add_argument("--user", metavar="USER", help="user name, e.g. administrator@vsphere.local")
    source.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input "
        "(or set BACKUPTUI_PASSWORD; there is no password option)",
    )
    source.add_argument(
        "--flavor", choices=("auto", "api", "rest"), default=None, help="API flavour (default: auto-detect)"
    )
    source.add_argument(
        "--no-verify",
        action="store_true",
        help="do not verify the appliance's TLS certificate (shown on screen)",
    )
    source.add_argument("--ca-bundle", metavar="PATH", help="verify TLS against this CA bundle (PEM)")
    view = parser.add_argument_group("monitor")
    view.add_argument(
        "--refresh",
        metavar="SECONDS",
        help="poll intervals: 'IDLE' or 'IDLE,RUNNING' in seconds (default 30,2)",
    )
    view.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    view.add_argument(
        "--no-history",
        action="store_true",
        help="keep no local backup history this time (or history = false in the config file)",
    )
    view.add_argument(
        "--read-only",
        action="store_true",
        help="never start or cancel a backup: the monitor offers neither, 'backup' and 'cancel' refuse "
        "(also read_only = true in a profile or the config file)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in subcommands:
        try:
            module = importlib.import_module(f"backuptui.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"backuptui.commands.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


#: top-level options that take a value (so their value is not mistaken for the subcommand)
_VALUE_OPTIONS = frozenset(
    {
        "--appliances",
        "-p",
        "--profile",
        "-g",
        "--group",
        "--url",
        "--user",
        "--flavor",
        "--ca-bundle",
        "--refresh",
    }
)


def subcommand_of(argv: Sequence[str]) -> str | None:
    """The subcommand named on a command line, before argparse has judged it."""
    tokens = iter(argv)
    for token in tokens:
        if token in _VALUE_OPTIONS:
            next(tokens, None)
        elif not token.startswith("-"):
            return token
    return None


def subcommands_needed(words: Sequence[str]) -> Sequence[str]:
    """Only the subcommand a command line names: opening the monitor imports none of them (importing them
    cost about 90 ms of every launch); help, or a word that is no subcommand, needs them all."""
    if "-h" in words or "--help" in words:
        return SUBCOMMANDS
    named = subcommand_of(words)
    if named is None:
        return ()
    return (named,) if named in SUBCOMMANDS else SUBCOMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(subcommands_needed(words))
    if subcommand_of(words) == "check":
        from backuptui.commands.check import answer_usage_errors_as_unknown

        answer_usage_errors_as_unknown(parser)
    args = parser.parse_args(words)
    handler = getattr(args, "handler", None)
    if handler is not None:
        return int(handler(args) or 0)
    from backuptui.tui.heap import pause_collector, resume_collector

    # the start (imports, the stored history, the first frame) makes no cyclic garbage worth a
    # collection: the monitor turns the collector on again at its first paint (tui/heap.py)
    pause_collector()
    try:
        from backuptui.tui.launch import run_monitor

        return run_monitor(args)
    finally:
        resume_collector()


if __name__ == "__main__":
    sys.exit(main())
