"""From resolved appliances to a running fleet app: `backuptui --all`, `-p a -p b`, `-g GROUP`,
several profiles and no default, and `--demo --appliances N`.

Which profiles a command line names is the core's selection (one resolver); this module only
builds the `Fleet` over the resolutions, checks the `[keys]` of the configuration file against the
fleet's bindings, and runs the app until the user quits (which logs out of every appliance).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from backuptui.core.settings.profiles import AppSettings
from backuptui.core.settings.resolution import Resolution, ResolutionError

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
    from backuptui.core.settings.resolution import TargetOptions, resolve_many
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
    for given, option in (
        (getattr(args, "password_stdin", False), "--password-stdin"),
        (options.user, "--user"),
    ):
        if given:
            raise FleetUsageError(
                f"{option} is for one appliance; a fleet takes each appliance's user and password "
                "source from its profile"
            )
    resolutions = resolve_many(names, config, environ=environ)
    if options.read_only:  # --read-only holds for every member
        resolutions = {
            name: replace(found, read_only="--read-only") if isinstance(found, Resolution) else found
            for name, found in resolutions.items()
        }
    return FleetLaunch(resolutions, config.settings, store.path)


def run_fleet(
    resolutions: Mapping[str, Resolution | ResolutionError],
    *,
    mouse: bool = True,
    settings: AppSettings | None = None,
    config_path: Path | None = None,
) -> int:
    """Watch these appliances until the user quits; the exit status. `settings`: the app
    settings of the configuration file (theme, keys, mouse); `config_path` names the file in a
    `[keys]` error."""
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

    app = fleet_app(resolutions)
    apply_settings(app, settings)
    result = app.run(mouse=mouse and settings.mouse)
    return int(result or 0)
