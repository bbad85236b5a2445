"""What `backup` and `cancel` share: the appliance through the one resolver, read-only refused
with where it was set, and one exit status per outcome.

Exit status: 0 done, 1 refused or failed (the cause printed), 2 usage error (or read-only),
3 the appliance could not be asked (unreachable, TLS, the login refused, an answer that is not
the API's). Nothing is ever sent twice: a refused action is reported, not retried.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from backuptui.commands.target import TargetError, add_target_arguments, resolve_command
from backuptui.core.appliance.actions import ActionRefused
from backuptui.core.appliance.errors import ApiError, ApplianceError, NotAuthorized
from backuptui.core.settings.resolution import Resolution

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

EXIT_EPILOG = (
    "Exit status: 0 done, 1 refused or failed (the cause is printed), 2 usage error or read-only, "
    "3 the appliance could not be asked (unreachable, TLS, login refused)."
)


class Refused(Exception):
    """The command will not run (read-only, a bad option); the message says why; exit 2."""


def add_acting_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="refuse (as read_only = true in the profile would); for scripts that must not act",
    )


def resolve_for_action(args: argparse.Namespace, command: str, stdin: TextIO | None = None) -> Resolution:
    """The appliance to act on; `Refused` when read-only is set (saying where) or it names none."""
    try:
        resolved = resolve_command(args, stdin=stdin)
    except TargetError as exc:
        raise Refused(str(exc)) from None
    if resolved.read_only is not None:
        name = resolved.target.display_name
        raise Refused(
            f"{command} refused: {name} is read-only (set by {resolved.read_only}); nothing was sent to the "
            "appliance. Remove that setting to act on it"
        )
    return resolved


def exit_for(exc: ApplianceError) -> int:
    """1 for an appliance that answered no (a refusal, an API error), 3 when it could not be asked."""
    if isinstance(exc, ActionRefused | NotAuthorized | ApiError):
        return EXIT_FAILED
    return EXIT_UNREACHABLE


def say_error(command: str, exc: BaseException | str, stream: TextIO | None = None) -> None:
    print(f"backuptui {command}: {exc}", file=stream or sys.stderr)
