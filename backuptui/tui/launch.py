"""From command-line arguments to a running monitor: which appliance, which password, which refresh.

`run_monitor(args)` is what `backuptui` (no subcommand) runs. The arguments become a
`ConnectionTarget` and its poll intervals first (core's resolver, through `url_launch` or
`target_from_profiles`), so a new way to name an appliance only has to produce a target. Bad
arguments end with one line on stderr and exit status 2, never a traceback. The password never
comes from an argument: `BACKUPTUI_PASSWORD`, the first line of standard input
(`--password-stdin`), or a masked prompt in the app.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from contextlib import ExitStack
from typing import TYPE_CHECKING, TextIO

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import AppSettings, ProfileStore, RefreshIntervals
from backuptui.core.settings.resolution import (
    Resolution,
    ResolutionError,
    TargetOptions,
    refresh_for,
    resolve,
    stale_after,
)
from backuptui.core.settings.secrets import PasswordError, read_password_stdin, resolve_password, runs_command
from backuptui.core.settings.target import ConnectionTarget, parse_flavor
from backuptui.tui.heap import resume_collector

if TYPE_CHECKING:
    from backuptui.core.settings.profile_model import HistorySettings
    from backuptui.core.store.session import ApplianceHistory
    from backuptui.tui.access import PasswordLookup
    from backuptui.tui.switching import ProfileSession

__all__ = [
    "ConnectionTarget",
    "UsageError",
    "read_password_from_stdin",
    "run_monitor",
    "run_target",
    "target_from_profiles",
    "url_launch",
]

#: the built-in simulator for `--demo`: a backup runs at start, a new one every two minutes,
#: and jobs progress twenty times faster than real ones so the progress bar visibly moves
DEMO_JOBS = 300
DEMO_SPEED = 20.0
DEMO_BACKUP_EVERY = 120.0


class UsageError(Exception):
    """Arguments that cannot work; the message is the one line shown to the user."""


def _resolution_error(exc: ResolutionError) -> UsageError:
    return UsageError(str(exc))


def read_password_from_stdin(stdin: TextIO) -> Secret:
    """The first line of standard input, without its line break (the headless commands read it
    the same way); an empty line is a UsageError with the monitor's own wording."""
    try:
        return read_password_stdin(stdin)
    except PasswordError:
        raise UsageError("--password-stdin: standard input gave no password (an empty first line)") from None


def reattach_terminal() -> None:
    """When stdin is not the terminal (a piped password, `< /dev/null`), make fd 0 the
    controlling terminal for the app.

    Textual reads keys from `sys.__stdin__`'s file descriptor (0), so that descriptor is pointed
    at /dev/tty. Without a terminal there is nothing to show the monitor on: a Textual app
    started without one would never exit, so this ends with a message instead.
    """
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        raise UsageError(
            "there is no terminal to show the monitor on; run it in a terminal "
            "(for scripts, 'backuptui status' and 'backuptui check' need none)"
        ) from None
    os.dup2(fd, 0)
    os.close(fd)


def ensure_terminal(environ: Mapping[str, str] | None = None) -> None:
    """Keys must come from a terminal; a test driver (`TEXTUAL_DRIVER`) needs none."""
    environ = os.environ if environ is None else environ
    if environ.get("TEXTUAL_DRIVER") or sys.stdin.isatty():
        return
    reattach_terminal()


def _stdin_password(args: argparse.Namespace, stdin: TextIO | None) -> Secret | None:
    if not getattr(args, "password_stdin", False):
        return None
    return read_password_from_stdin(sys.stdin if stdin is None else stdin)


def url_launch(
    args: argparse.Namespace,
    *,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
) -> tuple[Resolution, ProfileSession] | None:
    """For `run_monitor`: the appliance `--url` names, resolved by core's resolver with the config
    file's app settings (its refresh intervals: `--refresh` beats them), and the session for
    switching to a saved profile. None when there is no --url (a saved profile:
    `target_from_profiles`). Its password None: the app asks for it. Raises UsageError."""
    from backuptui.tui.switching import ProfileSession, optional_config

    options = TargetOptions.from_args(args)
    if options.url is None:
        return None
    store = ProfileStore()
    config = optional_config(store)  # with --url the file is optional; the picker shows its error
    try:
        resolved = resolve(options, config, environ=environ, stdin_password=_stdin_password(args, stdin))
    except ResolutionError as exc:
        raise _resolution_error(exc) from None
    assert resolved is not None  # --url names an appliance
    settings = config.settings if config is not None else AppSettings()
    return resolved, ProfileSession(store, settings, options.refresh_override(), env=environ)


def target_from_profiles(
    args: argparse.Namespace, *, environ: Mapping[str, str] | None = None, stdin: TextIO | None = None
) -> tuple[ConnectionTarget, ProfileSession, str | None, RefreshIntervals] | None:
    """For `run_monitor`: the target of `-p NAME`, else of the default profile, else of the profile
    picked in the picker (the TUI's edge; the rest is core's resolver). Also the session (for
    switching), why the password must be typed (or None), and the poll intervals. None: the user
    closed the picker. Raises UsageError."""
    from backuptui.core.settings.config import ConfigError
    from backuptui.tui.switching import ProfileSession, check_theme, has_terminal, pick_profile

    options = TargetOptions.from_args(args)
    try:
        override = options.refresh_override()
    except ResolutionError as exc:
        raise _resolution_error(exc) from None
    stdin_password = _stdin_password(args, stdin)
    store = ProfileStore()
    try:
        config = store.load()
        check_theme(config)
        # first without asking any password source: a password_command may take seconds, and the
        # app shows that it waits for it (the blank terminal before it did not)
        resolved = resolve(
            options, config, environ=environ, stdin_password=stdin_password, lookup_password=False
        )
        deferred = _deferred_lookup(resolved, environ) if has_terminal(environ) else None
        if deferred is None and resolved is not None and resolved.asks_password:
            resolved = resolve(options, config, environ=environ, stdin_password=stdin_password)
    except (ConfigError, ResolutionError) as exc:
        raise UsageError(str(exc)) from None
    session = ProfileSession(store, config.settings, override, env=environ, password_lookup=deferred)
    if resolved is None:
        if options.user:
            raise UsageError("--user needs --url, or -p NAME (no default profile is set)")
        if stdin_password is not None:
            raise UsageError(
                "--password-stdin needs --url and --user, or -p NAME (no default profile is set)"
            )
        if not has_terminal(environ):
            raise UsageError(
                "no appliance given. Try 'backuptui --demo' to watch the built-in simulator, "
                "'backuptui --url HOST --user USER', or 'backuptui -p NAME' for a saved profile"
            )
        resume_collector()  # the picker is an app of its own
        choice = pick_profile(session)
        if choice is None:
            return None
        try:
            resolved = session.resolve(choice, options)
        except ResolutionError as exc:
            raise UsageError(str(exc)) from None
    else:
        session.current = resolved.profile
        lookup = resolved.password_lookup
        session.offer_keyring = bool(lookup and lookup.secret is None and lookup.can_save_to_keyring)
    return resolved.target, session, resolved.password_problem, resolved.refresh


def _deferred_lookup(resolved: Resolution | None, environ: Mapping[str, str] | None) -> PasswordLookup | None:
    """The password lookup the app runs itself, showing that it waits: a profile's password_command."""
    if resolved is None or not resolved.asks_password or resolved.profile is None:
        return None
    profile = resolved.profile
    if not runs_command(profile):
        return None
    from backuptui.tui.access import PasswordLookup

    return PasswordLookup(
        what=f"the password command of profile '{profile.name}'",
        run=lambda cancel: resolve_password(profile, env=environ, cancel=cancel),
    )


def run_monitor(args: argparse.Namespace) -> int:
    """`backuptui [--demo | --url URL --user USER ...]`: open the monitor; the exit status."""
    try:
        try:
            refresh = refresh_for(None, AppSettings(), TargetOptions.from_args(args).refresh_override())
        except ResolutionError as exc:
            raise _resolution_error(exc) from None
        if getattr(args, "appliances", None) is not None and not getattr(args, "demo", False):
            raise UsageError(
                "--appliances is for --demo (a simulated fleet); "
                "real appliances: --all, -p NAME -p NAME, -g GROUP"
            )
        if getattr(args, "demo", False):
            if any(getattr(args, name, None) for name in ("url", "user", "profile")):
                raise UsageError(
                    "--demo watches the built-in simulator; leave out --url, --user and --profile"
                )
            if getattr(args, "appliances", None) is not None:
                return _run_demo_fleet(args, refresh)
            ensure_terminal()
            return _run_demo(
                args, refresh, read_only="--read-only" if getattr(args, "read_only", False) else None
            )
        if getattr(args, "replay", None):
            if any(getattr(args, name, None) for name in ("url", "user", "profile")):
                raise UsageError("--replay watches a recording; leave out --url, --user and --profile")
            return _run_demo(args, refresh, replay=args.replay)
        from backuptui.tui.fleet_launch import FleetUsageError, fleet_launch, run_fleet

        try:
            fleet = fleet_launch(args)
            if fleet is not None:  # --all, -p a -p b, -g GROUP, or several profiles and no default
                ensure_terminal()
                resume_collector()  # the fleet app pauses nothing (heap.py)
                return run_fleet(
                    fleet.resolutions,
                    mouse=not getattr(args, "no_mouse", False),
                    settings=fleet.settings,
                    config_path=fleet.config_path,
                    history="off" if getattr(args, "no_history", False) else "user",
                )
        except FleetUsageError as exc:
            raise UsageError(str(exc)) from None
        keep = "off" if getattr(args, "no_history", False) else "user"
        from_url = url_launch(args)
        password_problem = None
        if from_url is not None:
            resolved, profiles = from_url
            target, refresh = resolved.target, resolved.refresh
        else:  # -p NAME, else the default profile, else the profile picker
            found = target_from_profiles(args)
            if found is None:
                return 0  # the picker was closed
            target, profiles, password_problem, refresh = found
        ensure_terminal()  # after --password-stdin read its line
        return run_target(
            target,
            refresh,
            mouse=not getattr(args, "no_mouse", False),
            profiles=profiles,
            password_problem=password_problem,
            history=keep,
            read_only_option=bool(getattr(args, "read_only", False)),
        )
    except UsageError as exc:
        print(f"backuptui: {exc}", file=sys.stderr)
        return 2


#: the largest demo fleet (`--demo --appliances N`): one process serves them all
DEMO_FLEET_MAX = 200


def _run_demo_fleet(args: argparse.Namespace, refresh: RefreshIntervals) -> int:
    """`--demo --appliances N`: the fleet on N built-in simulators, every state in it."""
    from backuptui.tui.fleet_demo import demo_fleet
    from backuptui.tui.fleet_launch import FleetUsageError, run_fleet

    resume_collector()  # the fleet app pauses nothing (heap.py)
    count = int(args.appliances)
    if not 1 <= count <= DEMO_FLEET_MAX:
        raise UsageError(f"--appliances takes 1 to {DEMO_FLEET_MAX} appliances, not {count}")
    ensure_terminal()
    with demo_fleet(count, refresh) as resolutions:
        try:
            return run_fleet(
                resolutions,
                mouse=not getattr(args, "no_mouse", False),
                history="off" if getattr(args, "no_history", False) else "temporary",
            )
        except FleetUsageError as exc:
            raise UsageError(str(exc)) from None


def _run_demo(
    args: argparse.Namespace,
    refresh: RefreshIntervals,
    replay: str | None = None,
    read_only: str | None = None,
) -> int:
    """The monitor on the built-in simulator: the demo appliance, or a recording (`replay`)."""
    from backuptui.simulator import Simulator, SimulatorConfig

    if replay is not None:
        config = SimulatorConfig(jobs=0, replay=replay)
    else:
        config = SimulatorConfig(
            jobs=DEMO_JOBS, speed=DEMO_SPEED, running_at_start=True, auto_backup_every=DEMO_BACKUP_EVERY
        )
    with ExitStack() as stack:
        try:
            simulator = stack.enter_context(Simulator(config))
        except ValueError as exc:  # a file that is no recording
            raise UsageError(f"--replay {replay}: {exc}") from None
        if replay is not None:
            ensure_terminal()
        target = ConnectionTarget(
            url=simulator.url,
            user=simulator.user,
            password=Secret(simulator.password),
            credentials_from="demo",
            flavor=parse_flavor(getattr(args, "flavor", None)),
            verify=True,
            name="replay" if replay is not None else "demo",
        )
        keep = "off" if getattr(args, "no_history", False) else "temporary"  # nothing under ~
        return run_target(
            target,
            refresh,
            mouse=not getattr(args, "no_mouse", False),
            history=keep,
            read_only_option=read_only is not None,
            demo=True,
            demo_read_only="--replay (a recording cannot be acted on)" if replay is not None else read_only,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def run_target(
    target: ConnectionTarget,
    refresh: RefreshIntervals,
    *,
    mouse: bool = True,
    profiles: ProfileSession | None = None,
    password_problem: str | None = None,
    history: str = "user",
    read_only_option: bool = False,
    demo: bool = False,
    demo_read_only: str | None = None,
) -> int:
    """Open the monitor on `target` until the user quits; the exit status. `profiles`: saved
    profiles for switching appliance (default: the user's profile store); `history`: "user"
    (the user's data directory, unless the config file turns it off), "temporary" or "off".
    `read_only_option`: `--read-only` was given; the profile's and the app settings' `read_only`
    also count (not for the `demo`, which reads no configuration: `demo_read_only` says whether it
    is read-only, a recording always is)."""
    from backuptui.tui.heap import pause_collector

    pause_collector()  # the start makes no cyclic garbage: on again at the first paint (the app)
    try:
        return _run_monitor_app(
            target,
            refresh,
            mouse=mouse,
            profiles=profiles,
            password_problem=password_problem,
            history=history,
            read_only_option=read_only_option,
            demo=demo,
            demo_read_only=demo_read_only,
        )
    finally:
        resume_collector()


def _run_monitor_app(
    target: ConnectionTarget,
    refresh: RefreshIntervals,
    *,
    mouse: bool,
    profiles: ProfileSession | None,
    password_problem: str | None,
    history: str,
    read_only_option: bool,
    demo: bool,
    demo_read_only: str | None,
) -> int:
    """`run_target`'s work, while the collector is paused."""
    from backuptui.core.settings.config import ConfigError
    from backuptui.core.watch.memory import limit_heap_growth
    from backuptui.core.watch.resolved_monitor import monitor_for_resolution
    from backuptui.tui.app import MonitorApp
    from backuptui.tui.keys import check_keymap
    from backuptui.tui.switching import apply_settings, session_for_store
    from backuptui.tui.terminal import discard_type_ahead

    limit_heap_growth()  # large bodies freed go back to the system (the memory benchmark's row 7)

    session = profiles if profiles is not None else session_for_store()
    try:  # knowing every binding id imports every screen (~20 % of a start): only for a [keys] table
        if session.settings.keys:
            # one `[keys]` table serves the monitor and the fleet: the fleet's ids are known here too
            from backuptui.tui.fleet_app import FleetApp

            check_keymap(session.store.path, session.settings.keys, FleetApp.known_binding_ids())
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    resolution = Resolution(target, refresh)
    monitor = monitor_for_resolution(resolution)  # newest jobs painted first
    with ExitStack() as stack:
        appliance_history, notice = _open_history(target, session.settings.history, history, stack)
        app = MonitorApp(
            monitor,
            appliance_name=target.name,
            user=target.user,
            ask_password=target.password is None,
            stale_after=stale_after(resolution.idle),
            profiles=session,
            password_problem=password_problem,
            credentials_from=target.credentials_from if target.password is not None else None,
            password_lookup=session.password_lookup,
            history=appliance_history,
            history_notice=notice,
        )
        app.read_only_option = read_only_option
        if demo:
            app.read_only = demo_read_only
        else:
            app.read_only_for(session.current if target.name else None, session.settings)
        apply_settings(app, session.settings)  # theme; `mouse = false` in the file also turns the mouse off
        discard_type_ahead()
        result = app.run(mouse=mouse and session.settings.mouse)
        return int(result or 0)
    raise AssertionError("unreachable")  # pragma: no cover


def _open_history(
    target: ConnectionTarget, settings: HistorySettings, mode: str, stack: ExitStack
) -> tuple[ApplianceHistory | None, str | None]:
    """The appliance's local history for the app, and what opening it had to say; the writer is
    closed when `stack` ends (the app closes it first, on every way out)."""
    if mode == "off":
        return None, None  # before the imports: a launch without the store never loads sqlite
    from backuptui.core.store.opening import open_history, temporary_history
    from backuptui.core.store.session import ApplianceHistory
    from backuptui.core.store.values import Identity
    from backuptui.core.store.writer import HistoryWriter

    if mode == "temporary":
        opened, directory = temporary_history()
        stack.callback(directory.cleanup)
    else:
        opened = open_history(settings)
    if opened.store is None:
        return None, opened.notice
    writer = HistoryWriter(opened.store)
    stack.callback(writer.close)
    identity = Identity.of(target.name, target.url)
    try:
        cached = opened.store.load(identity)
    except Exception as exc:  # a damaged row: the monitor goes on without the cached state
        return ApplianceHistory(writer, identity, None), f"the backup history could not be read: {exc}"
    return ApplianceHistory(writer, identity, cached), opened.notice
