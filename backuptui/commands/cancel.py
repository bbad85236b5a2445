"""`backuptui cancel`: cancel the running backup (or the named job), headless; the appliance's
answer (OK, WARNING or FAIL and its messages) is printed as it came."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

from backuptui.commands.acting import (
    EXIT_EPILOG,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Refused,
    add_acting_arguments,
    exit_for,
    resolve_for_action,
    say_error,
)
from backuptui.core.appliance.actions import BackupActions
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import ApplianceError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cancel",
        help="cancel the running backup (or the job named)",
        description="Cancel a backup: the one running now, or JOB. The appliance's answer is printed.",
        epilog="Example: backuptui cancel -p lab. " + EXIT_EPILOG,
    )
    add_acting_arguments(parser)
    parser.add_argument("job", metavar="JOB", nargs="?", help="the job id (default: the running backup)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, *, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    out = out if out is not None else sys.stdout
    try:
        resolved = resolve_for_action(args, "cancel", stdin)
    except Refused as exc:
        say_error("cancel", exc)
        return EXIT_USAGE
    try:
        return asyncio.run(_cancel(resolved.target.client(), args.job, out))
    except KeyboardInterrupt:
        return 130


async def _cancel(client: ApplianceClient, job_id: str | None, out: TextIO) -> int:
    async with client:
        actions = BackupActions(client)
        try:
            if job_id is None:
                details = await client.list_job_details()
                running = [job for job in details.jobs if job.is_active and job.cancelable]
                if not running:
                    print(
                        f"backuptui cancel: {client.name}: no backup is running; nothing to cancel",
                        file=sys.stderr,
                    )
                    return EXIT_FAILED
                job_id = running[0].id
            answer = await actions.cancel(job_id)
        except ApplianceError as exc:
            say_error("cancel", exc)
            return exit_for(exc)
        print(f"{client.name}: cancel {job_id}: {answer.describe()}", file=out, flush=True)
        return EXIT_OK if answer.ok else EXIT_FAILED
