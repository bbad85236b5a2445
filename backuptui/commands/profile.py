"""`backuptui profile list | show | add | edit | remove`: manage saved appliance profiles.

`add` and `edit` work from flags (for scripts) and ask for what is missing when standard input is a
terminal. Nothing here ever prints or stores a password; errors are one line and exit with 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from backuptui.commands import terminal
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profiles import (
    Profile,
    ProfileStore,
    RefreshIntervals,
    check_group_name,
    check_profile_name,
    check_url,
    profile_with,
)
from backuptui.core.settings.secrets import (
    PASSWORD_ENV,
    PasswordError,
    PasswordSource,
    keyring_delete,
    keyring_get,
    keyring_set,
    probe_keyring,
    profile_env_var,
)

EXIT_OK = 0
EXIT_USAGE = 2
SOURCE_CHOICES = ("auto", *(str(source) for source in PasswordSource))


class UsageError(Exception):
    """A bad flag value or a missing required value: one line on stderr, exit code 2."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "profile",
        help="manage saved appliance profiles",
        description="Manage saved appliance profiles (see 'backuptui config path' for the file).",
    )
    actions = parser.add_subparsers(dest="profile_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the profiles")
    listing.add_argument("--json", action="store_true", help="print the profiles as JSON")
    listing.set_defaults(handler=run_list)

    show = actions.add_parser("show", help="show one profile (never a password)")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print the profile as JSON")
    show.set_defaults(handler=run_show)

    add = actions.add_parser(
        "add",
        help="add a profile",
        description="Add a profile. Flags that are missing are asked for when stdin is a terminal.",
    )
    add.add_argument("name", metavar="NAME")
    _add_profile_flags(add)
    add.set_defaults(handler=run_add)

    edit = actions.add_parser(
        "edit",
        help="change a profile",
        description="Change a profile's values; the file's comments and layout are kept. "
        "An empty value ('') removes an optional setting. With no flags on a terminal, asks.",
    )
    edit.add_argument("name", metavar="NAME")
    _add_profile_flags(edit)
    edit.set_defaults(handler=run_edit)

    remove = actions.add_parser("remove", help="remove a profile (and its saved keyring password)")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(handler=run_remove)


def _add_profile_flags(parser: argparse.ArgumentParser) -> None:
    # dest names differ from the monitor's top-level --url/--user so the two never mix
    parser.add_argument("--url", dest="profile_url", metavar="URL", help="appliance host or URL")
    parser.add_argument(
        "--user", dest="profile_user", metavar="USER", help="e.g. administrator@vsphere.local"
    )
    parser.add_argument(
        "--password-source",
        dest="profile_password_source",
        choices=SOURCE_CHOICES,
        help="where the password comes from (auto: keyring, then command, then environment, then ask)",
    )
    parser.add_argument(
        "--password-command",
        dest="profile_password_command",
        metavar="CMD",
        help="shell command whose first output line is the password, e.g. 'pass show vcsa/lab'",
    )
    verify = parser.add_mutually_exclusive_group()
    verify.add_argument(
        "--verify", dest="profile_verify", action="store_true", default=None, help="verify TLS (default)"
    )
    verify.add_argument(
        "--no-verify", dest="profile_verify", action="store_false", help="do not verify the TLS certificate"
    )
    parser.add_argument(
        "--ca-bundle", dest="profile_ca_bundle", metavar="PATH", help="CA bundle (PEM) for TLS"
    )
    parser.add_argument(
        "--flavor", dest="profile_flavor", choices=("auto", "api", "rest"), help="API flavour"
    )
    parser.add_argument(
        "--refresh", dest="profile_refresh", metavar="SECONDS", help="poll intervals: IDLE or IDLE,RUNNING"
    )
    acting = parser.add_mutually_exclusive_group()
    acting.add_argument(
        "--read-only",
        dest="profile_read_only",
        action="store_true",
        default=None,
        help="a monitoring account: never start or cancel a backup on this appliance",
    )
    acting.add_argument(
        "--no-read-only",
        dest="profile_read_only",
        action="store_false",
        help="allow back up now and cancel (the default)",
    )
    parser.add_argument(
        "--group",
        dest="profile_groups",
        metavar="GROUP",
        action="append",
        help="a group it belongs to (repeatable; on edit the list replaces the old one, '' clears it)",
    )
    parser.add_argument("--default", dest="profile_default", action="store_true", help="make it the default")


# --- handlers ------------------------------------------------------------------------------------


def _guarded(action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return action(args)
        except (ConfigError, UsageError, PasswordError) as exc:
            print(f"backuptui: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except (KeyboardInterrupt, EOFError):
            print("\nbackuptui: cancelled; nothing was changed", file=sys.stderr)
            return 130

    run.__name__ = action.__name__
    run.__doc__ = action.__doc__
    return run


_URL, _USER = 2, 3  # the columns that give way, URL first, when the table is wider than the terminal


def _fitted_widths(rows: Sequence[tuple[str, ...]]) -> list[int]:
    """Column widths that fit the terminal: on a terminal the URL, then the user, are cut with '…';
    into a pipe or a file the table stays whole (scripts use --json)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if not sys.stdout.isatty():
        return widths
    room = terminal.width(limit=10_000)
    for column in (_URL, _USER):
        over = sum(widths) + 2 * (len(widths) - 1) - room
        if over > 0:
            widths[column] = max(len(rows[0][column]), 8, widths[column] - over)
    return widths


def _cut(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[: width - 1] + "…"


@_guarded
def run_list(args: argparse.Namespace) -> int:
    config = ProfileStore().load()
    if getattr(args, "json", False):
        return _print_json([_profile_json(p, config.default_profile) for p in config.profiles.values()])
    if not config.profiles:
        print(f"No profiles in {config.path}.")
        print("Add one: backuptui profile add NAME --url URL --user USER   (or try: backuptui --demo)")
        return EXIT_OK
    grouped = any(profile.groups for profile in config.profiles.values())
    rows: list[tuple[str, ...]] = [
        ("", "NAME", "URL", "USER", "PASSWORD", "TLS") + (("GROUPS",) if grouped else ())
    ]
    for profile in config.profiles.values():
        marker = "*" if profile.name == config.default_profile else ""
        cells = (
            marker,
            profile.name,
            profile.url,
            profile.username,
            profile.password_word,
            profile.tls_word,
        )
        rows.append(cells + ((",".join(profile.groups),) if grouped else ()))
    widths = _fitted_widths(rows)
    for row in rows:
        shown = (_cut(cell, width).ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(shown).rstrip())
    return EXIT_OK


@_guarded
def run_show(args: argparse.Namespace) -> int:
    config = ProfileStore().load()
    profile = config.profile(args.name)
    if getattr(args, "json", False):
        return _print_json(_profile_json(profile, config.default_profile))
    lines = [
        ("profile", profile.name + ("  (default)" if profile.name == config.default_profile else "")),
        ("url", profile.url),
        ("username", profile.username),
        ("verify_tls", "true" if profile.verify_tls else "false (the certificate is NOT checked)"),
        ("ca_bundle", profile.ca_bundle or "-"),
        ("flavor", profile.flavor or "auto"),
        ("refresh", str(profile.refresh.over(config.settings.refresh)) if profile.refresh else "app default"),
        ("groups", ", ".join(profile.groups) or "-"),
        ("password", _describe_password(profile)),
        ("read_only", "true (no back up now, no cancel)" if profile.read_only else "false"),
    ]
    if profile.password_command is not None:
        lines.append(("password_command", _command_text(profile.password_command)))
    width = max(len(key) for key, _ in lines)
    for key, value in lines:
        print(f"{key.ljust(width)}  {value}")
    print(f"{'file'.ljust(width)}  {config.path}")
    return EXIT_OK


@_guarded
def run_add(args: argparse.Namespace) -> int:
    name = _checked_name(args.name)
    store = ProfileStore()
    config = store.load()  # fail early, before asking anything, on an unreadable file
    if name in config.profiles:
        raise UsageError(f"a profile named '{name}' already exists (use 'backuptui profile edit {name}')")
    interactive = _interactive()
    url = args.profile_url
    user = args.profile_user
    if url is None:
        url = _ask("Appliance host or URL", None, "--url") if interactive else _missing("--url")
    if user is None:
        user = (
            _ask("User name", "administrator@vsphere.local", "--user") if interactive else _missing("--user")
        )
    source_text = args.profile_password_source
    if source_text is None and args.profile_password_command:
        source_text = "command"
    if source_text is None and interactive:
        source_text = _ask_choice(
            "Password source (keyring, command, env, prompt, auto)", "auto", SOURCE_CHOICES
        )
    command = args.profile_password_command
    if source_text == "command" and not command:
        command = _ask("Password command", None, "--password-command") if interactive else None
        if not command:
            raise UsageError("--password-source command needs --password-command CMD")
    profile = Profile(
        name=name,
        url=_checked_url(url),
        username=_checked_text(user, "--user"),
        verify_tls=args.profile_verify if args.profile_verify is not None else True,
        ca_bundle=_checked_ca_bundle(args.profile_ca_bundle),
        password_source=_source(source_text),
        password_command=command or None,
        flavor=_flavor(args.profile_flavor),
        refresh=_refresh(args.profile_refresh),
        read_only=bool(args.profile_read_only),
        groups=_groups(args.profile_groups),
    )
    config = store.add_profile(profile, make_default=args.profile_default)
    _tell_notices(store)
    default_note = " (default)" if config.default_profile == name else ""
    print(f"Added profile '{name}'{default_note} to {config.path}")
    _offer_keyring(config.profile(name), interactive)
    print(f"Open it with: backuptui -p {name}")
    return EXIT_OK


@_guarded
def run_edit(args: argparse.Namespace) -> int:
    name = _checked_name(args.name)
    store = ProfileStore()
    config = store.load()
    old = config.profile(name)
    flags = (
        args.profile_url,
        args.profile_user,
        args.profile_password_source,
        args.profile_password_command,
        args.profile_verify,
        args.profile_ca_bundle,
        args.profile_flavor,
        args.profile_refresh,
        args.profile_read_only,
        args.profile_groups,
    )
    interactive = _interactive()
    if all(flag is None for flag in flags) and not args.profile_default:
        if not interactive:
            raise UsageError(f"nothing to change for profile '{name}': give flags such as --url or --user")
        new = _ask_edit(old)
    else:
        new = _apply_flags(old, args)
    if new == old and not args.profile_default:
        print(f"Profile '{name}' is unchanged.")
        return EXIT_OK
    config = store.update_profile(new, make_default=args.profile_default)
    _tell_notices(store)
    print(f"Updated profile '{name}' in {config.path}")
    return EXIT_OK


@_guarded
def run_remove(args: argparse.Namespace) -> int:
    store = ProfileStore()
    config = store.load()
    profile = config.profile(args.name)
    if not args.yes and _interactive():
        answer = input(f"Remove profile '{profile.name}' ({profile.url})? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing was removed.")
            return EXIT_OK
    config = store.remove_profile(profile.name)
    _tell_notices(store)
    print(f"Removed profile '{profile.name}' from {config.path}")
    if probe_keyring().available:
        try:
            if keyring_delete(profile.name):
                print("Its saved password was removed from the keyring.")
        except PasswordError as exc:
            print(f"backuptui: warning: {exc}", file=sys.stderr)
    return EXIT_OK


# --- helpers -------------------------------------------------------------------------------------


def _tell_notices(store: ProfileStore) -> None:
    """What saving changed beyond the file (a directory's mode), on stderr."""
    for notice in store.notices:
        print(f"backuptui: warning: {notice}", file=sys.stderr)
    store.notices.clear()


def _interactive() -> bool:
    stdin: TextIO | None = sys.stdin
    return stdin is not None and stdin.isatty()


def _missing(flag: str) -> str:
    raise UsageError(f"{flag} is required (standard input is not a terminal, so it cannot be asked for)")


def _ask(question: str, default: str | None, flag: str) -> str:
    suffix = f" [{default}]" if default else ""
    while True:
        answer = input(f"{question}{suffix}: ").strip()
        if answer:
            return answer
        if default is not None:
            return default
        print(f"  (required; or pass {flag})", file=sys.stderr)


def _ask_choice(question: str, default: str, choices: tuple[str, ...]) -> str:
    while True:
        answer = input(f"{question} [{default}]: ").strip().lower() or default
        if answer in choices:
            return answer
        print(f"  choose one of: {', '.join(choices)}", file=sys.stderr)


def _ask_edit(old: Profile) -> Profile:
    print(f"Editing profile '{old.name}'. Press Enter to keep a value; '-' clears an optional one.")
    url = _checked_url(_ask("Appliance host or URL", old.url, "--url"))
    user = _ask("User name", old.username, "--user")
    verify = _ask_choice("Verify TLS (yes/no)", "yes" if old.verify_tls else "no", ("yes", "no", "y", "n"))
    source_default = str(old.password_source) if old.password_source else "auto"
    source = _ask_choice(
        "Password source (keyring, command, env, prompt, auto)", source_default, SOURCE_CHOICES
    )
    command: str | tuple[str, ...] | None = old.password_command
    if source == "command" or command is not None:
        current = _command_text(command) if command is not None else None
        answer = input(f"Password command{f' [{current}]' if current else ''}: ").strip()
        if answer == "-":
            command = None
        elif answer:
            command = answer
        if source == "command" and command is None:
            raise UsageError("password source 'command' needs a password command")
    return profile_with(
        old,
        url=url,
        username=user,
        verify_tls=verify.startswith("y"),
        password_source=_source(source),
        password_command=command,
    )


def _apply_flags(old: Profile, args: argparse.Namespace) -> Profile:
    changes: dict[str, Any] = {}
    if args.profile_url is not None:
        changes["url"] = _checked_url(args.profile_url)
    if args.profile_user is not None:
        changes["username"] = _checked_text(args.profile_user, "--user")
    if args.profile_verify is not None:
        changes["verify_tls"] = args.profile_verify
    if args.profile_ca_bundle is not None:
        changes["ca_bundle"] = _checked_ca_bundle(args.profile_ca_bundle)
    if args.profile_flavor is not None:
        changes["flavor"] = _flavor(args.profile_flavor)
    if args.profile_refresh is not None:
        changes["refresh"] = _refresh(args.profile_refresh)
    if args.profile_read_only is not None:
        changes["read_only"] = args.profile_read_only
    if args.profile_groups is not None:
        changes["groups"] = _groups(args.profile_groups)
    if args.profile_password_command is not None:
        changes["password_command"] = args.profile_password_command or None
    if args.profile_password_source is not None:
        changes["password_source"] = _source(args.profile_password_source)
    elif args.profile_password_command and old.password_source is None:
        changes["password_source"] = PasswordSource.COMMAND
    new = profile_with(old, **changes)
    if new.password_source is PasswordSource.COMMAND and new.password_command is None:
        raise UsageError("--password-source command needs --password-command CMD")
    return new


def _checked_name(name: str) -> str:
    try:
        return check_profile_name(name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _checked_url(url: str) -> str:
    try:
        return check_url(url)
    except ValueError as exc:
        raise UsageError(f"--url: the appliance address {exc}") from None


def _checked_text(value: str, flag: str) -> str:
    if not value.strip():
        raise UsageError(f"{flag} must not be empty")
    return value.strip()


def _checked_ca_bundle(path: str | None) -> str | None:
    if not path:
        return None
    if not Path(path).expanduser().is_file():
        raise UsageError(f"--ca-bundle: no such file: {path}")
    return path


def _groups(given: list[str] | None) -> tuple[str, ...]:
    """`--group prod --group eu` (or `--group prod,eu`); `''` alone: no groups."""
    names: list[str] = []
    for text in given or ():
        for part in (part.strip() for part in text.split(",")):
            if not part:
                continue
            try:
                names.append(check_group_name(part))
            except ValueError as exc:
                raise UsageError(f"--group: {exc}") from None
    return tuple(dict.fromkeys(names))


def _source(text: str | None) -> PasswordSource | None:
    return None if text in (None, "auto") else PasswordSource(text)


def _flavor(text: str | None) -> str | None:
    return None if text in (None, "auto") else text


def _refresh(text: str | None) -> RefreshIntervals | None:
    if not text:
        return None
    try:
        return RefreshIntervals.parse(text)
    except ValueError as exc:
        raise UsageError(f"--refresh: {exc}") from None


def _profile_json(profile: Profile, default: str | None) -> dict[str, Any]:
    """A profile for programs: what the file says, never a password."""
    command = profile.password_command
    return {
        "name": profile.name,
        "default": profile.name == default,
        "url": profile.url,
        "username": profile.username,
        "verify_tls": profile.verify_tls,
        "ca_bundle": profile.ca_bundle,
        "flavor": profile.flavor,
        "password_source": str(profile.password_source) if profile.password_source else None,
        "password_command": _command_text(command) if command is not None else None,
        "read_only": profile.read_only,
        "groups": list(profile.groups),
    }


def _print_json(value: Any) -> int:
    import json

    print(json.dumps(value, indent=2))
    return EXIT_OK


def _command_text(command: str | tuple[str, ...]) -> str:
    return command if isinstance(command, str) else " ".join(command)


def _describe_password(profile: Profile) -> str:
    env_names = f"{profile_env_var(profile.name)} or {PASSWORD_ENV}"
    source = profile.password_source
    if source is PasswordSource.COMMAND:
        return "from password_command (never stored)"
    if source is PasswordSource.ENV:
        return f"from the environment: {env_names}"
    if source is PasswordSource.PROMPT:
        return "asked for when connecting (kept in memory only)"
    status = probe_keyring()
    if status.available:
        try:
            saved = keyring_get(profile.name) is not None
        except PasswordError as exc:
            keyring_text = str(exc)
        else:
            keyring_text = "saved in the keyring" if saved else "not saved in the keyring"
    else:
        keyring_text = f"keyring unavailable: {status.reason}"
    if source is PasswordSource.KEYRING:
        return f"from the OS keyring ({keyring_text}); otherwise asked for"
    return f"auto: keyring ({keyring_text}), then password_command, then {env_names}, then asked for"


def _offer_keyring(profile: Profile, interactive: bool) -> None:
    if profile.password_source is not PasswordSource.KEYRING:
        return
    status = probe_keyring()
    if not status.available:
        print(f"backuptui: note: {status.reason}; the app will ask for the password", file=sys.stderr)
        return
    if not interactive:
        print("The app will ask for the password on first connect and can save it in the keyring.")
        return
    secret = Secret(
        getpass.getpass(f"Password for {profile.username} (saved in the keyring; Enter to skip): ")
    )
    if secret:
        keyring_set(profile.name, secret)
        print("Password saved in the keyring.")
