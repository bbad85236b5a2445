"""From resolved appliances to a running fleet app: `backuptui --all`, `-p a -p b`, `-g GROUP`,
several profiles and no default, and `--demo --appliances N`.

Which profiles a command line names is the core's selection (one resolver); this module only
builds the `Fleet` over the resolutions, checks the `[keys]` of the configuration file against the
fleet's bindings, and runs the app until the user quits (which logs out of every appliance).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backuptui.core.settings.profiles import AppSettings
from backuptui.core.settings.resolution import Resolution, ResolutionError

if TYPE_CHECKING:
    from backuptui.core.store.fleet_history import FleetHistory

__all__ = ["FleetLaunch", "FleetUsageError", "fleet_launch", "run_fleet"]


class FleetUsageError(Exception):
    """A fleet the command line cannot open; the message is the one line shown (the launch
    turns it into its usage error)."""


@dataclass(frozen=True)
class FleetLaunch:
    """What `backuptui` opens the fleet on: each appliance resolved, and the app settings."""

    resolutions: Mapping[str, Resolution | ResolutionError]
    settings: AppSettings
    config_path: Path


def fleet_launch(args: argparse.Namespace, *, environ: Mapping[str, str] | None = None) -> FleetLaunch | None:
    """The fleet the command line names (`--all`, `-p a -p b`, `-g GROUP`, or nothing with several
    profiles and no default), by the core's selection; None for one appliance (the monitor).
    Raises `FleetUsageError` with one line."""
    from backuptui.core.settings.config import ConfigError
    from backuptui.core.settings.profiles import ProfileStore
    from backuptui.core.settings.resolution import TargetOptions, check_fleet_options, resolve_many
    from backuptui.core.settings.selection import select_fleet
    from backuptui.tui.switching import check_theme

    options = TargetOptions.from_args(args)
    if options.url and not options.names_fleet:
        return None
    store = ProfileStore()
    try:
        config = store.load()
        check_theme(config)
    except ConfigError as exc:
        if options.names_fleet:
            raise FleetUsageError(str(exc)) from None
        return None  # the single appliance's path says it, as it always did
    try:
        names = select_fleet(options, config, default_to_all=True)
    except ResolutionError as exc:
        raise FleetUsageError(str(exc)) from None
    if names is None:
        return None
    try:  # --user/--password-stdin refused, a bad --refresh or --ca-bundle said once
        check_fleet_options(options, password_stdin=bool(getattr(args, "password_stdin", False)))
        resolutions = resolve_many(names, config, options, environ=environ)
    except ResolutionError as exc:
        raise FleetUsageError(str(exc)) from None
    return FleetLaunch(resolutions, config.settings, store.path)


def run_fleet(
    resolutions: Mapping[str, Resolution | ResolutionError],
    *,
    mouse: bool = True,
    settings: AppSettings | None = None,
    config_path: Path | None = None,
    history: str = "user",
) -> int:
    """Watch these appliances until the user quits; the exit status. `settings`: the app
    settings of the configuration file (theme, keys, mouse); `config_path` names the file in a
    `[keys]` error; `history`: "user" (the user's local history), "temporary" (the demo's, in a
    temporary directory) or "off" (`--no-history`)."""
    from backuptui.core.settings.config import ConfigError
    from backuptui.core.watch.memory import limit_heap_growth
    from backuptui.tui.fleet_app import FleetApp, fleet_app
    from backuptui.tui.keys import check_keymap
    from backuptui.tui.switching import apply_settings

    limit_heap_growth()
    settings = settings if settings is not None else AppSettings()
    if settings.keys and config_path is not None:
        try:
            check_keymap(config_path, settings.keys, FleetApp.known_binding_ids())
        except ConfigError as exc:
            raise FleetUsageError(str(exc)) from None

    with ExitStack() as stack:
        remembered, notice = fleet_history(settings, history, stack)
        app = fleet_app(resolutions, history=remembered, history_notice=notice)
        apply_settings(app, settings)
        result = app.run(mouse=mouse and settings.mouse)
    return int(result or 0)


def fleet_history(
    settings: AppSettings, mode: str, stack: ExitStack
) -> tuple[FleetHistory | None, str | None]:
    """The fleet's local history (None: off or unavailable) and what opening it had to say; the
    writer is closed when `stack` ends (the app closes it first, on every way out)."""
    from backuptui.core.store.fleet_history import FleetHistory
    from backuptui.core.store.opening import open_history, temporary_history
    from backuptui.core.store.writer import HistoryWriter

    if mode == "off":
        return None, None
    if mode == "temporary":
        opened, directory = temporary_history()
        stack.callback(directory.cleanup)
    else:
        opened = open_history(settings.history)
    if opened.store is None:
        return None, opened.notice
    writer = HistoryWriter(opened.store)
    stack.callback(writer.close)
    return FleetHistory(writer), opened.notice
