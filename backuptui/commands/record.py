"""`backuptui record`: watch an appliance as the monitor does and write what it answered to a file.

The file (`docs/recording.md`) replays with `backuptui simulate --replay FILE` or
`backuptui --replay FILE`. It never holds the password, a session token or a cookie; with
`--anonymize` host names, IP addresses, user names and backup locations are replaced too.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

from backuptui.commands.target import TargetError, add_target_arguments, resolve_target


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "record",
        help="record what an appliance answers, for replay (bug reports, demos)",
        description="Watch an appliance for a while as the monitor does and write every request's "
        "path, status, headers that matter, body and timing to one file. No password, token or "
        "cookie is written; --anonymize also replaces host names, IPs, user names and locations.",
        epilog="Replay: backuptui simulate --replay FILE, or backuptui --replay FILE.",
    )
    add_target_arguments(parser)
    parser.add_argument(
        "--minutes", type=_minutes, default=5.0, metavar="M", help="how long to watch (default 5)"
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="where to write (default: backuptui-recording-<time>.json)"
    )
    parser.add_argument(
        "--anonymize", action="store_true", help="replace host names, IPs, user names and locations"
    )
    parser.set_defaults(handler=run)


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 24 * 60:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 1440 (a day)")
    return value


def run(args: argparse.Namespace) -> int:
    from backuptui.core.appliance.errors import ApplianceError
    from backuptui.core.record.recorder import record
    from backuptui.core.record.recording import save

    try:
        target = resolve_target(args)
    except TargetError as exc:
        print(f"backuptui record: {exc}", file=sys.stderr)
        return 2
    output = args.output or datetime.now(UTC).strftime("backuptui-recording-%Y%m%d-%H%M%S.json")
    password = target.password.reveal() if target.password is not None else None
    print(f"Recording {target.name or target.url} for {args.minutes:g} min into {output} (Ctrl-C stops)")
    client = target.client()
    try:
        recording = asyncio.run(
            record(client, args.minutes * 60, password=password, anonymize=args.anonymize)
        )
    except KeyboardInterrupt:
        print("backuptui record: stopped; nothing written", file=sys.stderr)
        return 130
    except ApplianceError as exc:
        print(f"backuptui record: {exc.message}", file=sys.stderr)
        return 1
    try:
        path = save(recording, output)
    except OSError as exc:
        print(f"backuptui record: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Wrote {len(recording.exchanges)} exchanges ({recording.duration:.0f} s) to {path}")
    return 0
