"""`backuptui backup`: back up an appliance now, headless; with `--wait`, follow it to its end.

By default the appliance's own schedule runs now (its location and credentials, held by the
appliance). `--location URL` starts a one-off backup there instead; its password comes from the
next line of standard input when that is not a terminal, else from a masked prompt (never from an
argument), is held only for the request and never printed. The appliance validates a one-off
request first; its warnings are printed, then the backup starts.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import Any, TextIO

from backuptui.commands.acting import (
    EXIT_EPILOG,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    Refused,
    add_acting_arguments,
    exit_for,
    resolve_for_action,
    say_error,
)
from backuptui.core.ages import duration_span
from backuptui.core.appliance.actions import BackupActions, BackupRequest, LocationType, default_comment
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.failure_cause import status_word
from backuptui.core.appliance.models import BackupJob, JobStatus
from backuptui.core.appliance.secret import Secret

#: failed reads in a row while waiting before giving up on the appliance
WAIT_FAILURES = 3
BAR_WIDTH = 24


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "backup",
        help="back up an appliance now (its schedule, or a one-off location)",
        description="Start a backup now: the appliance's schedule runs with its own location and "
        "credentials, or, with --location, a one-off backup goes there. Never retried on its own.",
        epilog="Examples: backuptui backup -p lab --wait; backuptui backup -p lab --location "
        "sftp://192.0.2.10/backups/once --location-user backupuser --wait. " + EXIT_EPILOG,
    )
    add_acting_arguments(parser)
    parser.add_argument("--comment", metavar="TEXT", help="the job's comment (default: who started it)")
    parser.add_argument(
        "--schedule", metavar="ID", default="default", help="the schedule to run (default: default)"
    )
    parser.add_argument(
        "--wait", action="store_true", help="follow the backup to its end: exit 0 if it succeeded, 1 if not"
    )
    parser.add_argument(
        "--interval",
        metavar="SECONDS",
        type=_interval,
        default=2.0,
        help="with --wait: seconds between reads (2)",
    )
    one_off = parser.add_argument_group(
        "a one-off location (instead of the schedule)",
        "Its password is the next line of standard input (after --password-stdin's), else a masked "
        "prompt; never an argument, never printed. The appliance validates the request first.",
    )
    one_off.add_argument("--location", metavar="URL", help="where to, e.g. sftp://host/path")
    one_off.add_argument(
        "--location-type",
        metavar="TYPE",
        choices=[str(kind) for kind in LocationType],
        help="FTP, HTTP, FTPS, HTTPS, SCP, SFTP, NFS or SMB (default: from the URL's scheme)",
    )
    one_off.add_argument(
        "--location-user", metavar="USER", default="", help="the user on the location's server"
    )
    one_off.add_argument(
        "--parts", metavar="IDS", help="comma-separated parts (default: the appliance's default parts)"
    )
    one_off.add_argument(
        "--encrypt",
        action="store_true",
        help="also read a backup password (8-20 characters, upper, lower, digit, special) the same way",
    )
    parser.set_defaults(handler=run)


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0.1 and 3600 seconds")
    return value


def run(args: argparse.Namespace, *, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    stdin = stdin if stdin is not None else sys.stdin
    out = out if out is not None else sys.stdout
    one_off_only = ("location_type", "parts", "encrypt")
    if not args.location and (any(getattr(args, name) for name in one_off_only) or args.location_user):
        say_error("backup", "--location-type, --location-user, --parts and --encrypt need --location")
        return EXIT_USAGE
    comment = args.comment if args.comment is not None else default_comment(_local_user())
    try:
        resolved = resolve_for_action(args, "backup", stdin)
        request = _one_off(args, stdin, comment) if args.location else None
    except Refused as exc:
        say_error("backup", exc)
        return EXIT_USAGE
    try:
        return asyncio.run(_backup(resolved.target.client(), args, request, comment, out))
    except KeyboardInterrupt:
        say_error(
            "backup", "stopped waiting (logged out); a backup already started goes on: see 'backuptui status'"
        )
        return 130


def _local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _one_off(args: argparse.Namespace, stdin: TextIO, comment: str) -> BackupRequest:
    location = args.location.strip()
    kind = LocationType(args.location_type) if args.location_type else LocationType.for_location(location)
    if kind is None:
        raise Refused(f"--location {location}: give --location-type (the URL's scheme names none)")
    parts = tuple(part.strip() for part in args.parts.split(",") if part.strip()) if args.parts else ()
    password = _secret_line(stdin, f"Password of {args.location_user or 'the location'} on the location: ")
    backup_password = _secret_line(stdin, "Backup password (encrypts the backup): ") if args.encrypt else None
    if args.encrypt and backup_password is None:
        raise Refused("--encrypt: no backup password was given")
    return BackupRequest(kind, location, args.location_user, password, backup_password, parts, comment)


def _secret_line(stdin: TextIO, prompt: str) -> Secret | None:
    """The next line of standard input, or a masked prompt on a terminal; None for an empty one."""
    if stdin.isatty():
        try:
            text = getpass.getpass(prompt)
        except EOFError:
            text = ""
    else:
        text = stdin.readline().rstrip("\r\n")
    return Secret(text) if text else None


async def _backup(
    client: ApplianceClient,
    args: argparse.Namespace,
    request: BackupRequest | None,
    comment: str,
    out: TextIO,
) -> int:
    async with client:
        actions = BackupActions(client)
        try:
            if request is None:
                started = await actions.run_schedule(args.schedule, comment)
            else:
                checked = await actions.validate(request)
                for text in checked.messages:
                    print(f"backuptui backup: the appliance warns: {text}", file=sys.stderr)
                started = await actions.create_job(request)
                request = None  # the passwords are not kept past the request
        except ApplianceError as exc:
            say_error("backup", exc)
            return exit_for(exc)
        print(f"{client.name}: backup {started.id} started", file=out, flush=True)
        if not args.wait:
            return EXIT_OK
        return await _follow(client, started.id, args.interval, out)


async def _follow(client: ApplianceClient, job_id: str, interval: float, out: TextIO) -> int:
    """Read the job until it ends; a bar on a terminal, a line per change otherwise."""
    terminal = out.isatty() and os.environ.get("TERM") != "dumb"
    failures, last_line = 0, ""
    while True:
        try:
            details = await client.list_job_details([job_id])
            failures = 0
        except ApplianceError as exc:
            failures += 1
            if failures >= WAIT_FAILURES:
                if terminal:
                    print(file=out)
                say_error("backup", f"{exc} (the backup {job_id} may still be running)")
                return EXIT_UNREACHABLE
            await asyncio.sleep(interval)
            continue
        job = details.jobs[0] if details.jobs else None
        if job is not None and job.is_finished:
            if terminal:
                print(f"\r{_bar_line(job)}", file=out)
            return _ended(client.name, job, out)
        line = _bar_line(job) if terminal else _plain_line(job_id, job)
        if terminal:
            print(f"\r{line}", end="", file=out, flush=True)
        elif line != last_line:
            print(line, file=out, flush=True)
        last_line = line
        await asyncio.sleep(interval)


def _progress(job: BackupJob | None) -> tuple[float, str]:
    if job is None or job.percent is None:
        return 0.0, "waiting for the appliance"
    said = job.progress.message.text if job.progress is not None else ""
    return job.percent, said


def _bar_line(job: BackupJob | None) -> str:
    percent, said = _progress(job)
    filled = round(BAR_WIDTH * percent / 100)
    bar = "█" * filled + "░" * (BAR_WIDTH - filled)
    columns = max(40, _columns())
    line = f"{bar} {percent:3.0f}% {said}"
    return line[: columns - 1].ljust(columns - 1)


def _columns() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 80


def _plain_line(job_id: str, job: BackupJob | None) -> str:
    percent, said = _progress(job)
    status = job.status.value if job is not None else "PENDING"
    return f"backup {job_id}: {status} {percent:.0f}% {said}".rstrip()


def _ended(name: str, job: BackupJob, out: TextIO) -> int:
    if job.status is JobStatus.SUCCEEDED:
        size = f", {job.size / 1024**3:.1f} GiB" if job.size else ""
        took = f" in {duration_span(job.duration)}" if job.duration is not None else ""
        print(f"{name}: backup {job.id} succeeded{took}{size}", file=out, flush=True)
        return EXIT_OK
    cause = job.problem or "the appliance gave no reason"
    # a user's cancel says "canceled" (FAILED on the appliance); it did not succeed: exit 1 all the same
    print(f"{name}: backup {job.id} {status_word(job).lower()}: {cause}", file=out, flush=True)
    return EXIT_FAILED
