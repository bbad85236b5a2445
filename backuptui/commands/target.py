"""From command-line options to an `ApplianceClient`: the one place headless commands find their appliance.

`--url URL --user USER` with the password from `--password-stdin` or `BACKUPTUI_PASSWORD`; or
`-p NAME` (else the default profile) from the profile store, whose password comes from the
profile's source (keyring, password_command, environment). `--password-stdin` beats every other
source. Headless commands never prompt: a missing password is a `TargetError` that says what to do.

The options exist on the top-level parser too (`backuptui -p lab status`); `add_target_arguments`
adds them to a subcommand with `default=SUPPRESS`, so that an option given before the subcommand
is not overwritten by the subcommand's default. The resolution itself is core's
(`backuptui.core.settings.resolution.resolve`), shared with the monitor's launch.
No Textual here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TextIO

from backuptui.core.appliance.client import base_url_for
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profiles import ProfileStore
from backuptui.core.settings.resolution import Resolution, ResolutionError, TargetOptions, resolve
from backuptui.core.settings.secrets import PasswordError, read_password_stdin
from backuptui.core.settings.target import ConnectionTarget

__all__ = ["ConnectionTarget", "TargetError", "add_target_arguments", "resolve_command", "resolve_target"]


class TargetError(Exception):
    """The options do not name a usable appliance; `str()` says what is wrong and what to do."""


def add_target_arguments(parser: argparse.ArgumentParser, *, fleet: bool = False) -> None:
    """The "which appliance" options, also accepted after the subcommand name. `fleet`: the
    command also takes several appliances (`-p` repeatable, `-g GROUP`, `--all`)."""
    group = parser.add_argument_group("which appliance" + ("s" if fleet else ""))
    suppress = argparse.SUPPRESS
    if fleet:
        group.add_argument(
            "-p",
            "--profile",
            metavar="NAME",
            action="append",
            default=suppress,
            help="a saved appliance profile (repeat it for several: -p a -p b)",
        )
        group.add_argument(
            "-g",
            "--group",
            metavar="GROUP",
            action="append",
            default=suppress,
            help="every profile of this group (repeatable)",
        )
        group.add_argument(
            "--all", dest="all_profiles", action="store_true", default=suppress, help="every saved profile"
        )
    else:
        group.add_argument(
            "-p", "--profile", metavar="NAME", default=suppress, help="a saved appliance profile"
        )
    group.add_argument(
        "--url",
        metavar="URL",
        default=suppress,
        help="appliance host or URL (vcsa01.example.com, http://127.0.0.1:8080)",
    )
    group.add_argument("--user", metavar="USER", default=suppress, help="user name for --url")
    group.add_argument(
        "--password-stdin",
        action="store_true",
        default=suppress,
        help="read the password from the first line of standard input (or set BACKUPTUI_PASSWORD)",
    )
    group.add_argument(
        "--flavor",
        choices=("auto", "api", "rest"),
        default=suppress,
        help="API flavour (default: auto-detect)",
    )
    group.add_argument(
        "--no-verify",
        action="store_true",
        default=suppress,
        help="do not verify the appliance's TLS certificate",
    )
    group.add_argument(
        "--ca-bundle", metavar="PATH", default=suppress, help="verify TLS against this CA bundle"
    )


def resolve_target(
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    env: Mapping[str, str] | None = None,
    command_timeout: float | None = None,
) -> ConnectionTarget:
    """The appliance the options name, with its password (core's resolver; here only "never
    prompt"); raises `TargetError` with the reason. `command_timeout`: at most this long for a
    profile's password_command (a caller's deadline)."""
    return resolve_command(args, stdin=stdin, env=env, command_timeout=command_timeout).target


def resolve_command(
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    env: Mapping[str, str] | None = None,
    command_timeout: float | None = None,
) -> Resolution:
    """As `resolve_target`, the whole resolution (the profile, where read-only was set); its
    target always has a password."""
    options = TargetOptions.from_args(args)  # checked by the resolver
    stdin_password: Secret | None = None
    if getattr(args, "password_stdin", False):
        try:
            stdin_password = read_password_stdin(stdin if stdin is not None else sys.stdin)
        except PasswordError as exc:
            raise TargetError(str(exc)) from None
    try:
        config = None if options.url else ProfileStore().load()
        resolved = resolve(
            options, config, environ=env, stdin_password=stdin_password, command_timeout=command_timeout
        )
    except (ConfigError, ResolutionError) as exc:
        raise TargetError(str(exc)) from None
    if resolved is None:
        raise TargetError(
            "which appliance? Give --url URL --user USER, or -p NAME for a saved profile "
            "(none is set as default; see 'backuptui profile list')"
        )
    target = resolved.target
    if target.password is not None:
        return resolved
    if resolved.password_lookup is not None and resolved.profile is not None:
        try:
            resolved.password_lookup.require(resolved.profile.name)
        except PasswordError as exc:
            raise TargetError(str(exc)) from None
    raise TargetError(
        f"no password for {target.user} on {base_url_for(target.url)}: set BACKUPTUI_PASSWORD or "
        "pipe it with --password-stdin"
    )
