"""`backuptui history prune | export`: the local backup history, headless (no Textual).

`prune` applies the retention of the configuration file (`[history]` max_days, max_jobs) now;
`export -p NAME` writes what the store holds of an appliance, the jobs it no longer lists
included, as JSON (the documented schema) or CSV, to standard output or `--output FILE` (an
existing file only with `--force`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from backuptui.core.appliance.record_fields import format_time
from backuptui.core.export import FORMATS, format_for_path, history_document, render_history
from backuptui.core.output_file import OutputExists, existing_file, write_output
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profile_model import Config
from backuptui.core.settings.profiles import ProfileStore
from backuptui.core.store.database import HistoryStore
from backuptui.core.store.location import history_path
from backuptui.core.store.opening import retention_of
from backuptui.core.store.schema import StoreUnavailable
from backuptui.core.store.values import Identity

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "history",
        help="the local backup history: prune it, export an appliance's",
        description="The local backup history (see 'backuptui config path --history'): every job "
        "seen per appliance, kept after the appliance drops it, for two years or 20,000 jobs per "
        "appliance unless [history] max_days / max_jobs in the configuration file say otherwise.",
    )
    actions = parser.add_subparsers(dest="history_action", metavar="ACTION", required=True)
    prune = actions.add_parser("prune", help="delete what the retention no longer keeps, now")
    prune.set_defaults(handler=run_prune)
    export = actions.add_parser(
        "export",
        help="write an appliance's stored history as JSON or CSV",
        description="Write the stored job history of an appliance, newest first, the jobs it no "
        "longer lists included.",
    )
    export.add_argument("-p", "--profile", metavar="NAME", required=True, help="the appliance's profile")
    export.add_argument("--format", choices=FORMATS, default=None, help="json (default) or csv")
    export.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write to FILE (atomically, a new file is 0600) and print its path",
    )
    export.add_argument("--force", action="store_true", help="with --output: replace FILE if it exists")
    export.set_defaults(handler=run_export)


def _config() -> Config:
    return ProfileStore().load()


def _open(config: Config) -> HistoryStore:
    path = history_path()
    if not path.exists():
        raise StoreUnavailable(f"there is no backup history yet ({path} does not exist)")
    return HistoryStore.open(path, retention=retention_of(config.settings.history))


def run_prune(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    stdout, stderr = out or sys.stdout, err or sys.stderr
    try:
        config = _config()
        store = _open(config)
    except ConfigError as exc:
        stderr.write(f"backuptui history: {exc}\n")
        return EXIT_USAGE
    except StoreUnavailable as exc:
        stderr.write(f"backuptui history: {exc}\n")
        return EXIT_FAILED
    try:
        removed = store.prune()
    except Exception as exc:  # sqlite3.Error, OSError: said in words, never a traceback
        stderr.write(f"backuptui history: cannot prune {store.path}: {exc}\n")
        return EXIT_FAILED
    finally:
        store.close()
    kept = store.retention
    jobs = "job" if removed == 1 else "jobs"
    stdout.write(
        f"{removed} {jobs} deleted from {store.path} (keeping {kept.max_days} days or "
        f"{kept.max_jobs} jobs per appliance; jobs the appliance still lists are always kept)\n"
    )
    return EXIT_OK


def identity_of(store: HistoryStore, config: Config, name: str) -> Identity | None:
    """The stored appliance of profile `name`: its host from the configuration file, else the
    only appliance stored under that name."""
    profile = config.profiles.get(name)
    if profile is not None:
        return Identity.of(profile.name, profile.url)
    found = store.find(name)
    return found[0] if len(found) == 1 else None


def run_export(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    stdout, stderr = out or sys.stdout, err or sys.stderr
    if args.output == "-":
        args.output = None
    fmt = args.format or (format_for_path(args.output) if args.output else "json")
    if args.output and not args.force and (found := existing_file(args.output)) is not None:
        stderr.write(f"backuptui history: {found} already exists; give --force to replace it\n")
        return EXIT_USAGE
    try:
        config = _config()
        store = _open(config)
    except ConfigError as exc:
        stderr.write(f"backuptui history: {exc}\n")
        return EXIT_USAGE
    except StoreUnavailable as exc:
        stderr.write(f"backuptui history: {exc}\n")
        return EXIT_FAILED
    try:
        identity = identity_of(store, config, args.profile)
        cached = store.load(identity) if identity is not None else None
        if identity is None or cached is None:
            stored = ", ".join(sorted({i.profile or i.host for i in store.identities()})) or "none"
            stderr.write(
                f"backuptui history: no stored history for '{args.profile}' (stored appliances: {stored})\n"
            )
            return EXIT_USAGE
    finally:
        store.close()
    jobs = cached.marked_jobs()
    if fmt == "json":
        document = history_document(jobs, appliance=str(identity), filters={"source": "history"})
        for record in document["jobs"]:  # what the history knows of each: readers may ignore it
            job_id = record["id"]
            first, last = cached.first_seen.get(job_id), cached.last_listed.get(job_id)
            record["first_seen"] = format_time(first) if first else None
            if last is not None:
                record["last_seen"] = format_time(last)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_history(jobs, fmt, appliance=str(identity))
    if not args.output:
        stdout.write(text)
        return EXIT_OK
    try:
        path = write_output(args.output, text, overwrite=args.force)
    except OutputExists as exc:
        stderr.write(f"backuptui history: {exc.path} already exists; give --force to replace it\n")
        return EXIT_USAGE
    except OSError as exc:
        stderr.write(f"backuptui history: cannot write {args.output}: {exc.strerror or exc}\n")
        return EXIT_FAILED
    stdout.write(f"{path}\n")
    return EXIT_OK
