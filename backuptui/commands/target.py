"""From command-line options to an `ApplianceClient`: the one place headless commands find their appliance.

`--url URL --user USER` with the password from `--password-stdin` or `BACKUPTUI_PASSWORD`; or
`-p NAME` (else the default profile) from the profile store, whose password comes from the
profile's source (keyring, password_command, environment). `--password-stdin` beats every other
source. Headless commands never prompt: a missing password is a `TargetError` that says what to do.

The options exist on the top-level parser too (`backuptui -p lab status`); `add_target_arguments`
adds them to a subcommand with `default=SUPPRESS`, so that an option given before the subcommand
is not overwritten by the subcommand's default. The target itself (`ConnectionTarget`) and the
profile-to-target mapping are core's (`backuptui.core.settings.target`), shared with the monitor's launch.
No Textual here.
"""

from __future__ import annotations

import argparse
import ssl
import sys
from collections.abc import Mapping
from typing import TextIO

from backuptui.core.appliance.client import base_url_for
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.resolution import ResolutionError, tls_rule
from backuptui.core.settings.target import ConnectionTarget, parse_flavor, profile_target

__all__ = ["ConnectionTarget", "TargetError", "add_target_arguments", "resolve_target"]


class TargetError(Exception):
    """The options do not name a usable appliance; `str()` says what is wrong and what to do."""


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """The "which appliance" options, also accepted after the subcommand name."""
    group = parser.add_argument_group("which appliance")
    suppress = argparse.SUPPRESS
    group.add_argument("-p", "--profile", metavar="NAME", default=suppress, help="a saved appliance profile")
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


def _verify(
    no_verify: bool, ca_bundle: str | None, default: bool | str = True, origin: str = "--ca-bundle"
) -> bool | ssl.SSLContext:
    """The one TLS rule (core's `tls_rule`), its error as a `TargetError`."""
    try:
        return tls_rule(no_verify=no_verify, ca_bundle=ca_bundle, default=default, origin=origin)
    except ResolutionError as exc:
        raise TargetError(str(exc)) from None


def resolve_target(
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    env: Mapping[str, str] | None = None,
    command_timeout: float | None = None,
) -> ConnectionTarget:
    """The appliance the options name, with its password; raises `TargetError` with the reason.
    `command_timeout`: at most this long for a profile's password_command (a caller's deadline)."""
    from backuptui.core.settings.secrets import PasswordError, password_from_env, read_password_stdin

    url: str | None = getattr(args, "url", None)
    profile_name: str | None = getattr(args, "profile", None)
    user: str | None = getattr(args, "user", None)
    flavor_text: str | None = getattr(args, "flavor", None)
    no_verify = bool(getattr(args, "no_verify", False))
    ca_bundle: str | None = getattr(args, "ca_bundle", None)
    from_stdin = bool(getattr(args, "password_stdin", False))
    if url and profile_name:
        raise TargetError("give either --url or -p/--profile, not both")

    stdin_password: Secret | None = None
    if from_stdin:
        try:
            stdin_password = read_password_stdin(stdin if stdin is not None else sys.stdin)
        except PasswordError as exc:
            raise TargetError(str(exc)) from None

    if url:
        try:
            address = base_url_for(url)
        except ValueError as exc:
            raise TargetError(str(exc)) from None
        if not user:
            raise TargetError(f"--url {url} needs --user (e.g. --user administrator@vsphere.local)")
        password = stdin_password
        if password is None:
            found = password_from_env(None, env)
            if found is None:
                raise TargetError(
                    f"no password for {user} on {address}: set BACKUPTUI_PASSWORD or pipe it "
                    "with --password-stdin"
                )
            password = found[0]
        return ConnectionTarget(
            url=url,
            user=user,
            password=password,
            credentials_from="stdin" if stdin_password is not None else "environment",
            flavor=parse_flavor(flavor_text),
            verify=_verify(no_verify, ca_bundle),
        )

    return _profile_target(
        profile_name, user, flavor_text, no_verify, ca_bundle, stdin_password, env, command_timeout
    )


def _profile_target(
    name: str | None,
    user: str | None,
    flavor_text: str | None,
    no_verify: bool,
    ca_bundle: str | None,
    stdin_password: Secret | None,
    env: Mapping[str, str] | None,
    command_timeout: float | None = None,
) -> ConnectionTarget:
    from backuptui.core.settings.config import ConfigError
    from backuptui.core.settings.profiles import ProfileStore
    from backuptui.core.settings.secrets import PasswordError, resolve_password

    try:
        config = ProfileStore().load()
        profile = config.profile(name) if name else config.default
    except ConfigError as exc:
        raise TargetError(str(exc)) from None
    if profile is None:
        raise TargetError(
            "which appliance? Give --url URL --user USER, or -p NAME for a saved profile "
            "(none is set as default; see 'backuptui profile list')"
        )
    source: str | None = "stdin"
    if stdin_password is not None:
        password = stdin_password
    else:
        resolution = (
            resolve_password(profile, env=env)
            if command_timeout is None
            else resolve_password(profile, env=env, command_timeout=command_timeout)
        )
        try:
            password = resolution.require(profile.name)
        except PasswordError as exc:
            raise TargetError(str(exc)) from None
        source = resolution.source
    return profile_target(
        profile,
        password,
        source,
        user=user,
        flavor=flavor_text,
        verify=_verify(no_verify, ca_bundle, profile.verify, origin=f"profile '{profile.name}': ca_bundle"),
    )
