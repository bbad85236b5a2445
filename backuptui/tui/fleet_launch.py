"""From resolved appliances to a running fleet app: `backuptui --all`, `-p a -p b`, `-g GROUP`,
several profiles and no default, and `--demo --appliances N`.

Which profiles a command line names is the core's selection (one resolver); this module only
builds the `Fleet` over the resolutions, checks the `[keys]` of the configuration file against the
fleet's bindings, and runs the app until the user quits (which logs out of every appliance).
"""

from __future__ import annotations

from collections.abc import Mapping

from backuptui.core.settings.profiles import AppSettings
from backuptui.core.settings.resolution import Resolution, ResolutionError

__all__ = ["run_fleet"]


def run_fleet(
    resolutions: Mapping[str, Resolution | ResolutionError],
    *,
    mouse: bool = True,
    settings: AppSettings | None = None,
    config_path: object = None,
) -> int:
    """Watch these appliances until the user quits; the exit status. `settings`: the app
    settings of the configuration file (theme, keys, mouse); `config_path` names the file in a
    `[keys]` error."""
    from pathlib import Path

    from backuptui.core.settings.config import ConfigError
    from backuptui.core.watch.memory import limit_heap_growth
    from backuptui.tui.fleet_app import FleetApp, fleet_app
    from backuptui.tui.keys import check_keymap
    from backuptui.tui.launch import UsageError
    from backuptui.tui.switching import apply_settings

    limit_heap_growth()
    settings = settings if settings is not None else AppSettings()
    if settings.keys and isinstance(config_path, Path):
        try:
            check_keymap(config_path, settings.keys, FleetApp.known_binding_ids())
        except ConfigError as exc:
            raise UsageError(str(exc)) from None

    app = fleet_app(resolutions)
    apply_settings(app, settings)
    result = app.run(mouse=mouse and settings.mouse)
    return int(result or 0)
