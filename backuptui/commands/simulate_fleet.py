"""`backuptui simulate --appliances N`: a fleet of simulated appliances, and a config to watch it.

`--write-profiles FILE` writes one profile per appliance (atomically, 0600, never over an existing
file without `--force`), so `BACKUPTUI_CONFIG=FILE backuptui --all` watches the fleet. The file
holds no password: every profile takes it from BACKUPTUI_PASSWORD (the simulator's, printed).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from backuptui.simulator.config import DEFAULT_PASSWORD
from backuptui.simulator.fleet import DEFAULT_MIX, FleetAppliance, parse_mix

#: the group every profile of a written fleet config is in (and its scenario's)
GROUP = "simulated"


def fleet_asked(args: argparse.Namespace) -> bool:
    return args.appliances is not None or args.mix is not None or args.write_profiles is not None


def serve_fleet(args: argparse.Namespace, stop: threading.Event) -> int:
    """Serve the fleet until `stop` is set; print the list (and write the profiles)."""
    from backuptui.simulator.fleet import FleetSimulator

    conflicting = [flag for flag, given in _single_only(args) if given]
    if conflicting:
        print(
            f"backuptui simulate: {', '.join(conflicting)} apply to one appliance, not to --appliances",
            file=sys.stderr,
        )
        return 2
    try:
        mix = parse_mix(args.mix) if args.mix is not None else DEFAULT_MIX
        fleet = FleetSimulator(args.appliances, mix=mix, jobs=args.jobs, seed=args.seed, speed=args.speed)
    except ValueError as exc:
        print(f"backuptui simulate: {exc}", file=sys.stderr)
        return 2
    path = Path(args.write_profiles).expanduser() if args.write_profiles else None
    if path is not None and path.exists() and not args.force:
        print(f"backuptui simulate: {path} already exists; give --force to replace it", file=sys.stderr)
        return 2
    try:
        fleet.start()
    except OSError as exc:
        print(f"backuptui simulate: cannot listen on 127.0.0.1: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        user = fleet.appliances[0].user if fleet.appliances else "-"
        print(f"{len(fleet.appliances)} simulated vCenter appliances on 127.0.0.1 (user {user}):")
        print(render_list(fleet.appliances), end="")
        if path is not None:
            try:
                written = write_profiles(path, fleet.appliances, force=args.force)
            except (OSError, FileExistsError) as exc:
                print(f"backuptui simulate: cannot write {path}: {exc}", file=sys.stderr)
                return 1
            print(f"Profiles written to {written}. Watch them all with:")
            print(f"  BACKUPTUI_PASSWORD='{DEFAULT_PASSWORD}' BACKUPTUI_CONFIG={written} backuptui --all")
        else:
            print(f"  password: {DEFAULT_PASSWORD} (refused on the password-refused ones)")
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        fleet.stop()
    print("Simulators stopped.")
    return 0


def _single_only(args: argparse.Namespace) -> list[tuple[str, bool]]:
    return [
        ("--port", bool(args.port)),
        ("--replay", args.replay is not None),
        ("--vami", bool(args.vami or args.vami_port)),
        ("--scenario", args.scenario is not None),
        ("--running", bool(args.running)),
        ("--fault", bool(args.fault)),
    ]


def render_list(appliances: Sequence[FleetAppliance]) -> str:
    """NAME, URL, SCENARIO, API, BUILD: one line per appliance."""
    rows = [("NAME", "URL", "SCENARIO", "API", "BUILD")]
    for each in appliances:
        api = {"both": "/api+/rest", "api": "/api", "rest": "/rest"}[each.flavor]
        rows.append((each.name, each.url, each.scenario, api, each.build))
    widths = [max(len(row[index]) for row in rows) for index in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[4]
        for row in rows
    ]
    return "".join(f"  {line.rstrip()}\n" for line in lines)


def profiles_text(appliances: Sequence[FleetAppliance], *, now: datetime | None = None) -> str:
    """The config file: one profile per appliance, groups `simulated` and its scenario."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# {len(appliances)} simulated appliances (backuptui simulate --appliances), written {when}.",
        "# No password is stored here: each profile takes it from BACKUPTUI_PASSWORD.",
        "",
    ]
    for each in appliances:
        lines += [
            f"[profiles.{each.name}]",
            f'url = "{each.url}"',
            f'username = "{each.user}"',
            'password_source = "env"',
            f'groups = ["{GROUP}", "{each.scenario}"]',
            "",
        ]
    return "\n".join(lines)


def write_profiles(path: Path, appliances: Sequence[FleetAppliance], *, force: bool) -> Path:
    """Write the config atomically as 0600 (replacing a file only with `force`); checked by the
    same parser that will read it."""
    from backuptui.core.output_file import NEW_FILE_MODE, where_written, write_atomic, write_output
    from backuptui.core.settings.profile_schema import parse_config

    text = profiles_text(appliances)
    parse_config(path, text)  # never write what could not be read back
    if force:  # a symlink's target is replaced, not the link; 0600 whatever the old mode was
        return write_atomic(where_written(path), text, NEW_FILE_MODE)
    return write_output(path, text, overwrite=False)
