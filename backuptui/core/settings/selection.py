"""Which appliances a command line names: one, or a fleet (`--all`, `-p a -p b`, `-g prod`).

`select_fleet(options, config)` is the one place the selection is worked out, for `status`,
`check`, the exporter and the TUI's launch: the profile names in a stable order (the `-p` names as
given, then each group's profiles in the file's order, each name once), or None when the options
name at most one appliance (a single `-p NAME`, `--url`, or nothing: the single-appliance path
stays as it is). A name or group that does not exist is a `ResolutionError` with the choices.
No network, no prompting, no Textual.
"""

from __future__ import annotations

import difflib

from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profile_model import Config
from backuptui.core.settings.resolution import ResolutionError, TargetOptions

__all__ = ["groups_of", "select_fleet"]


def groups_of(config: Config) -> tuple[str, ...]:
    """Every group some profile names, sorted."""
    return tuple(sorted({group for profile in config.profiles.values() for group in profile.groups}))


def select_fleet(
    options: TargetOptions, config: Config | None, *, default_to_all: bool = False
) -> tuple[str, ...] | None:
    """The profile names of the fleet the options ask for, or None when they name at most one
    appliance. `default_to_all`: with nothing named, no default profile and several profiles, the
    fleet is every profile (the TUI opens the fleet then; headless commands keep asking)."""
    if not options.names_fleet:
        nothing_named = not options.url and not options.profile
        several = config is not None and config.default_profile is None and len(config.profiles) > 1
        if default_to_all and nothing_named and several and config is not None:
            return tuple(config.profiles)
        return None
    if options.url:
        raise ResolutionError("--url names one appliance; give it without --all, -g or several -p")
    if config is None or not config.profiles:
        raise ResolutionError(
            "there are no saved profiles to watch: add them with "
            "'backuptui profile add NAME --url URL --user USER [--group GROUP]'"
        )
    if options.all_profiles:
        if options.profiles or options.groups:
            raise ResolutionError("--all already takes every profile; give it without -p or -g")
        return tuple(config.profiles)
    chosen: list[str] = []
    for name in options.profiles:
        try:
            chosen.append(config.profile(name).name)
        except ConfigError as exc:
            raise ResolutionError(str(exc)) from None
    for group in options.groups:
        members = [profile.name for profile in config.profiles.values() if group in profile.groups]
        if not members:
            raise ResolutionError(_no_group(group, config))
        chosen.extend(members)
    return tuple(dict.fromkeys(chosen))


def _no_group(group: str, config: Config) -> str:
    known = groups_of(config)
    if not known:
        return (
            f"no profile is in group '{group}' (no profile has groups yet: "
            f"'backuptui profile edit NAME --group {group}')"
        )
    close = difflib.get_close_matches(group, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"no profile is in group '{group}'; {hint}groups: {', '.join(known)}"
