"""The headless commands' fleet: which appliances (`--all`, `-p a -p b`, `-g GROUP`), and one
round over them within the run's bound, with a progress line on stderr when it is a terminal.

`status` and `check` ask `fleet_names(args)` first: None means the options name one appliance,
and the single-appliance path runs as it always has.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from datetime import UTC, tzinfo
from typing import TextIO

from backuptui.commands.target import TargetError
from backuptui.core.appliance.client import Timeouts
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profile_model import Config
from backuptui.core.settings.resolution import (
    ResolutionError,
    TargetOptions,
    check_fleet_options,
    resolve_many,
)
from backuptui.core.watch.fleet_row import FleetRow
from backuptui.core.watch.health import HealthThresholds
from backuptui.core.watch.snapshot import Snapshot

__all__ = ["fleet_names", "gather_rows"]


def fleet_names(args: argparse.Namespace) -> tuple[tuple[str, ...], Config] | None:
    """The profile names the options select and the config, or None for one appliance; a
    `TargetError` says what is wrong."""
    from backuptui.core.settings.profiles import ProfileStore
    from backuptui.core.settings.selection import select_fleet

    options = TargetOptions.from_args(args)
    if not options.names_fleet:
        return None
    try:  # --user/--password-stdin refused, a bad --ca-bundle said once (core's rule)
        check_fleet_options(options, password_stdin=bool(getattr(args, "password_stdin", False)))
        config = ProfileStore().load()
        names = select_fleet(options, config)
    except (ConfigError, ResolutionError) as exc:
        raise TargetError(str(exc)) from None
    assert names is not None
    return names, config


def gather_rows(
    names: tuple[str, ...],
    config: Config,
    options: TargetOptions | None = None,
    *,
    bound: float,
    err: TextIO,
    thresholds: HealthThresholds | None = None,
    tz: tzinfo = UTC,
    on_snapshot: Callable[[str, Snapshot], None] | None = None,
) -> list[FleetRow]:
    """Every appliance's row after one round, within `bound` seconds (password commands too);
    `options`: the command line's overrides (`--no-verify`, `--ca-bundle`, `--flavor`), for every
    appliance (checked already by `fleet_names`); `on_snapshot`: each poll's snapshot too."""
    from backuptui.core.watch.fleet_round import fleet_round

    started = time.monotonic()
    resolutions = resolve_many(names, config, options, command_timeout=max(0.5, min(10.0, bound / 2)))
    progress = _Progress(err, len(names)) if _is_terminal(err) else None
    left = max(0.1, bound - (time.monotonic() - started))
    try:
        return asyncio.run(
            fleet_round(
                resolutions,
                bound=left,
                thresholds=thresholds,
                tz=tz,
                timeouts=Timeouts(connect=5.0, read=15.0),
                on_row=progress.tick if progress is not None else None,
                on_snapshot=on_snapshot,
            )
        )
    finally:
        if progress is not None:
            progress.clear()


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Progress:
    """`asking 12 appliances: 7 answered` on one line of stderr, rewritten as they answer."""

    def __init__(self, err: TextIO, total: int) -> None:
        self.err = err
        self.total = total
        self.done = 0
        self._write()

    def tick(self, row: FleetRow) -> None:
        self.done += 1
        self._write()

    def _write(self) -> None:
        self.err.write(f"\r\x1b[Kasking {self.total} appliances: {self.done} answered")
        self.err.flush()

    def clear(self) -> None:
        self.err.write("\r\x1b[K")
        self.err.flush()
