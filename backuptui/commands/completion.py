"""`backuptui completion bash|zsh|fish`: the shell completion script, generated from the parser.

shtab writes the scripts from the argparse parser itself, so a new option completes without
anyone editing a script, and the scripts are static: a TAB runs no Python, except to list the
profile names, which come from the config file through `backuptui completion --list-profiles`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

SHELLS = ("bash", "zsh", "fish")
_LIST_PROFILES = "backuptui completion --list-profiles"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "completion",
        help="print the shell completion script (bash, zsh or fish)",
        description="Print the completion script for a shell: commands, options and the profile "
        "names of the config file complete on TAB.",
        epilog="Install: bash: backuptui completion bash > ~/.local/share/bash-completion/completions/"
        "backuptui; zsh: backuptui completion zsh > ~/.zfunc/_backuptui (with fpath+=~/.zfunc before "
        "compinit); fish: backuptui completion fish > ~/.config/fish/completions/backuptui.fish. "
        "Exit status: 0 printed, 2 usage error.",
    )
    parser.add_argument("shell", nargs="?", choices=SHELLS, help="the shell to complete in")
    parser.add_argument("--list-profiles", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.list_profiles:
        for name in profile_names():
            print(name)
        return 0
    if args.shell is None:
        print("backuptui completion: name a shell: bash, zsh or fish", file=sys.stderr)
        return 2
    sys.stdout.write(script(args.shell))
    return 0


def profile_names() -> list[str]:
    """The profiles of the config file; nothing (never an error) when it is missing or invalid."""
    from backuptui.core.settings.config import ConfigError
    from backuptui.core.settings.profiles import ProfileStore

    try:
        return sorted(ProfileStore().load().profiles)
    except (ConfigError, OSError):
        return []


def script(shell: str) -> str:
    import shtab

    from backuptui.cli import build_parser

    parser = build_parser()
    _complete_profiles(parser, shtab.cmd(_LIST_PROFILES))
    text = str(shtab.complete(parser, shell=shell))
    return text if text.endswith("\n") else text + "\n"


def _complete_profiles(parser: argparse.ArgumentParser, names: Any) -> None:
    """Every `-p/--profile` option, and the NAME of `profile show|edit|remove|default`, completes
    the saved profile names."""
    for action in parser._actions:  # argparse has no public list of a parser's actions
        if "--profile" in action.option_strings or (
            not action.option_strings and action.metavar == "NAME" and parser.prog.split()[-1] != "add"
        ):
            action.complete = names  # type: ignore[attr-defined]  # shtab reads this attribute
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _complete_profiles(sub, names)
