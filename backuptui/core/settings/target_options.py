"""The "which appliance" options as the user gave them, and the error the resolution's rules raise.

`TargetOptions` is what a command line says (`--url`, `-p`, `-g`, `--all`, `--user`, `--flavor`,
`--no-verify`, `--ca-bundle`, `--refresh`, `--read-only`) before anything is checked against the
config file; `core.settings.resolution` turns it into a `Resolution` and re-exports both names.
No I/O.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from backuptui.core.settings.limits import DEFAULT_REFRESH
from backuptui.core.settings.profile_model import RefreshIntervals

__all__ = ["ResolutionError", "TargetOptions"]


class ResolutionError(Exception):
    """The options, the profile or its files cannot name a usable appliance; the message is one line."""


@dataclass(frozen=True)
class TargetOptions:
    """The "which appliance" options as the user gave them (None or False: not given)."""

    url: str | None = None
    profile: str | None = None
    user: str | None = None
    flavor: str | None = None
    no_verify: bool = False
    ca_bundle: str | None = None
    refresh: str | None = None
    read_only: bool = False  # `--read-only`
    #: a fleet (`core.settings.selection`): every `-p` given, `-g` groups, `--all`
    profiles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    all_profiles: bool = False

    @property
    def names_fleet(self) -> bool:
        """`--all`, `-g`, or more than one `-p`: several appliances, not one."""
        return self.all_profiles or bool(self.groups) or len(self.profiles) > 1

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> TargetOptions:
        """From parsed arguments; an option a parser does not define counts as not given.
        `-p` may be given several times (a list); `profile` is the name when exactly one is."""
        given = getattr(args, "profile", None)
        names = tuple(dict.fromkeys(given if isinstance(given, list | tuple) else [given] if given else []))
        groups = getattr(args, "group", None) or ()
        return cls(
            url=getattr(args, "url", None),
            profile=names[0] if len(names) == 1 else None,
            profiles=names,
            groups=tuple(dict.fromkeys(groups)),
            all_profiles=bool(getattr(args, "all_profiles", False)),
            user=getattr(args, "user", None),
            flavor=getattr(args, "flavor", None),
            no_verify=bool(getattr(args, "no_verify", False)),
            ca_bundle=getattr(args, "ca_bundle", None),
            refresh=getattr(args, "refresh", None),
            read_only=bool(getattr(args, "read_only", False)),
        )

    def refresh_override(self) -> RefreshIntervals | None:
        """`--refresh`, checked by the same rule as profiles and the config file. `--refresh IDLE`
        alone also sets the running interval (the default, or IDLE if shorter), as it always has."""
        if self.refresh is None:
            return None
        try:
            parsed = RefreshIntervals.parse(self.refresh)
        except ValueError as exc:
            raise ResolutionError(f"--refresh {exc}") from None
        if parsed.running is None and parsed.idle is not None:
            assert DEFAULT_REFRESH.running is not None
            return RefreshIntervals(parsed.idle, min(DEFAULT_REFRESH.running, parsed.idle))
        return parsed
