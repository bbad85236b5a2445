"""`backuptui status`: the job history as a table, JSON or CSV, headless (no Textual).

The table is plain text that fits 80 columns: one line per job, plus an indented line with the
problem of a failed job or the progress of a running one. JSON follows the documented schema
(docs/json-schema.md, `backuptui.core.export`); CSV has one row per job. `--output FILE` writes
atomically and prints the path written.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from backuptui.commands.deadline import Deadline
from backuptui.commands.status_history import HistoryUnavailable, load_cached, with_stored
from backuptui.commands.target import TargetError, add_target_arguments, resolve_target
from backuptui.core.appliance.failure_cause import status_word
from backuptui.core.appliance.models import BackupJob, DetailsResult, JobStatus, JobType
from backuptui.core.appliance.unreadable import UNREADABLE, with_unreadable
from backuptui.core.export import FORMATS, format_for_path, render_history
from backuptui.core.filtering import JobFilter
from backuptui.core.output_file import OutputExists, existing_file, write_output
from backuptui.core.store.values import Identity
from backuptui.core.watch.timing import job_started

EXIT_OK = 0
EXIT_FAILED = 1  # the appliance could not be asked, or the file could not be written
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="print the backup job history (table, JSON or CSV)",
        description="Print the appliance's backup job history, newest first: a table for people, "
        "JSON (documented schema, times in RFC 3339) or CSV for programs.",
        epilog="Examples: backuptui status -p lab --limit 10; backuptui status --url vcsa01 --user "
        "administrator@vsphere.local --status failed --json; backuptui status -p lab --output jobs.csv; "
        "backuptui status --all (or -g GROUP, -p a -p b): the fleet table, one line per appliance "
        "(--json: schema backuptui.fleet)",
    )
    add_target_arguments(parser, fleet=True)
    out = parser.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="same as --format json")
    out.add_argument(
        "--format",
        choices=("table", *FORMATS),
        default=None,
        help="table (default), json or csv; with --output, the file's suffix decides unless given",
    )
    out.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write to FILE (atomically; a FIFO or device is written through; '-' is standard "
        "output) and print its path; a new file is 0600",
    )
    out.add_argument(
        "--force",
        action="store_true",
        help="with --output: replace FILE if it exists (it keeps its mode)",
    )
    parser.add_argument(
        "-t",
        "--timeout",
        metavar="SECONDS",
        type=_positive_seconds,
        help="give up after this many seconds in all, password command and logout included",
    )
    select = parser.add_argument_group("which jobs")
    select.add_argument("--limit", "-n", type=_positive_int, metavar="N", help="only the newest N jobs")
    select.add_argument(
        "--status",
        metavar="STATUS",
        help="only jobs with this status: succeeded, failed, running, pending, blocked, active, "
        "finished (comma-separated for several)",
    )
    select.add_argument(
        "--history",
        action="store_true",
        help="also the jobs the appliance no longer lists, from the local history (marked is:gone)",
    )
    select.add_argument(
        "--filter",
        metavar="QUERY",
        help="the monitor's '/' filter, e.g. 'type:manual since:7d' or 'error:\"no space\"'",
    )
    out.add_argument(
        "--since-last",
        action="store_true",
        help="print what happened since the last monitor session with this appliance ended: backups "
        "succeeded and failed (the first failure's cause), the longest gap without a success, sizes "
        "and durations that moved (for a morning cron mail); with --all, -g or several -p, per "
        "appliance; --json: schema backuptui.since_last",
    )
    parser.set_defaults(handler=run)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


# --- selecting -----------------------------------------------------------------------------------


def status_filter(text: str) -> frozenset[JobStatus]:
    """`failed,running` -> the statuses; raises ValueError naming a status it does not know."""
    wanted: set[JobStatus] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        parsed = JobFilter.parse(f'status:"{part}"')
        if parsed.errors or not parsed.terms:
            raise ValueError(parsed.error or f"no status {part!r}")
        wanted |= parsed.terms[0].statuses
    if not wanted:
        raise ValueError("--status needs a status, e.g. --status failed")
    return frozenset(wanted)


def select_jobs(
    jobs: Sequence[BackupJob],
    *,
    statuses: frozenset[JobStatus] | None = None,
    query: JobFilter | None = None,
    limit: int | None = None,
) -> list[BackupJob]:
    """The jobs that pass the status and query filters, newest first, at most `limit`."""
    selected = [job for job in jobs if statuses is None or job.status in statuses]
    if query is not None:
        selected = query.apply(selected)
    return selected[:limit] if limit else selected


# --- the table -----------------------------------------------------------------------------------

_TYPE_WORDS = {JobType.SCHEDULED: "sched", JobType.MANUAL: "manual", JobType.LOCAL_BACKUP: "local"}


def _type_word(job: BackupJob) -> str:
    from backuptui.tui.format import one_line

    return _TYPE_WORDS.get(job.type, one_line(str(job.type)).lower())


def render_table(jobs: Sequence[BackupJob], *, now: datetime | None = None) -> str:
    """Fixed columns, 80 wide: START, STATUS, TYPE, DURATION, SIZE, ID; a second, indented line for a
    failed job's problem or a running job's progress. Times are local, with the zone in the header."""
    from backuptui.tui.format import EMPTY, human_bytes, human_duration, local_time, one_line

    current = now or datetime.now(UTC)
    zone = current.astimezone().tzname() or "local"
    header = (f"START ({zone})", "STATUS", "TYPE", "DURATION", "SIZE", "ID")
    rows: list[tuple[tuple[str, str, str, str, str, str], str | None]] = []
    for job in jobs:
        duration = job.duration
        waited: int | None = None  # how long a pending or blocked job has waited (it is not a duration)
        started = job_started(job) if job.is_active else None  # a pending job: its id's time
        if duration is None and started is not None:
            elapsed = int((current - started).total_seconds())
            if job.is_running:
                duration = elapsed
            else:
                waited = elapsed
        cells = (
            local_time(job.start_time, seconds=False),
            one_line(status_word(job)),  # CANCELED for a user's cancel (FAILED on the appliance)
            _type_word(job),
            human_duration(duration) if duration is not None else EMPTY,
            human_bytes(job.size),
            one_line(job.id),
        )
        rows.append((cells, _note(job, waited)))
    widths = [16, 9, 6, 8, 8, 0]
    for cells, _ in rows:
        if cells[1] == UNREADABLE:
            continue  # its own line, not the columns
        for index, cell in enumerate(cells[:-1]):
            widths[index] = max(widths[index], len(cell))
    widths[0] = max(widths[0], len(header[0]))
    lines = [_line(header, widths)]
    for cells, note in rows:
        if cells[1] == UNREADABLE:  # a record with no readable field: its id and the word
            lines.append(f"{EMPTY.ljust(widths[0])}  {cells[1]}  {cells[-1]}")
        else:
            lines.append(_line(cells, widths))
        if note:
            lines.append(_ellipsize("    ↳ " + note, 80))
    if not rows:
        lines.append("(no backup jobs)")
    return "\n".join(lines) + "\n"


def _note(job: BackupJob, waited: int | None) -> str | None:
    """The indented line under a job: why it failed, how far a running job is, or what a pending
    or blocked one waits for and since how long; None when there is nothing to say."""
    from backuptui.tui.format import human_duration, one_line, percent_text

    if job.problem:
        return one_line(job.problem) + (" (no longer on the appliance)" if job.gone else "")
    if job.gone:
        return "no longer on the appliance (kept by the local history)"
    if not job.is_active:
        return None
    parts: list[str] = []
    if job.is_running:
        if job.percent is not None:
            parts.append(percent_text(job.percent))
        if job.progress and job.progress.message.text.strip():
            parts.append(one_line(job.progress.message.text))
    else:
        if waited is not None:
            parts.append(f"{one_line(str(job.status)).lower()} for {human_duration(waited)}:")
        said = [m.text for m in job.messages if m.text.strip()]
        if said:
            parts.append(one_line(said[-1]))
    text = " ".join(parts).rstrip(":")
    return text or None


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    """Two spaces between columns, one before DURATION (right-aligned, so the gap shows anyway):
    16+2+9+2+6+1+8+2+8+2+24 = 80 columns with a full job id."""
    start, status, kind, duration, size, job_id = cells
    w = widths
    return (
        f"{start.ljust(w[0])}  {status.ljust(w[1])}  {kind.ljust(w[2])} {duration.rjust(w[3])}  "
        f"{size.rjust(w[4])}  {job_id}"
    ).rstrip()


def _ellipsize(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- running -------------------------------------------------------------------------------------


async def fetch_history(
    args: argparse.Namespace, deadline: Deadline | None = None
) -> tuple[DetailsResult, str, str, Identity]:
    """The whole history from the appliance (one session, always logged out), its name, base
    URL and identity in the local history; `deadline` bounds the password command and the logout too."""
    target = resolve_target(args, command_timeout=deadline.left() if deadline else None)
    client = target.client()
    try:
        result = await client.list_job_details()
        return result, client.name, client.base_url, Identity.of(target.name, target.url)
    finally:
        await (deadline.close(client) if deadline else client.close())


def run(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from backuptui.core.appliance.errors import ApplianceError

    stdout = out or sys.stdout
    stderr = err or sys.stderr
    fmt = "json" if args.json else args.format
    if args.json and args.format not in (None, "json"):
        stderr.write(f"backuptui status: --json and --format {args.format} disagree; give one\n")
        return EXIT_USAGE
    try:
        from backuptui.commands.fleet_round import fleet_names

        fleet = fleet_names(args)
    except TargetError as exc:
        stderr.write(f"backuptui status: {exc}\n")
        return EXIT_USAGE
    if args.since_last and (refused := _not_with_since_last(args)):
        stderr.write(
            f"backuptui status: --since-last prints the digest as text or JSON (--json); "
            f"{', '.join(refused)} do not apply to it\n"
        )
        return EXIT_USAGE
    if fleet is not None:
        return _fleet_status(args, fleet, stdout, stderr)
    if args.output == "-":
        args.output = None  # standard output
    if fmt is None:
        fmt = format_for_path(args.output) if args.output and _has_known_suffix(args.output) else "table"
    if args.output and not args.force and (found := existing_file(args.output)) is not None:
        stderr.write(f"backuptui status: {found} already exists; give --force to replace it\n")
        return EXIT_USAGE
    try:
        statuses = status_filter(args.status) if args.status else None
    except ValueError as exc:
        stderr.write(f"backuptui status: --status: {exc}\n")
        return EXIT_USAGE
    query = None
    if args.filter:
        query = JobFilter.parse(args.filter)
        if query.errors:
            stderr.write(f"backuptui status: --filter: {query.error}\n")
            return EXIT_USAGE

    try:
        timeout = getattr(args, "timeout", None)
        deadline = Deadline(timeout) if timeout else None
        work = fetch_history(args, deadline)
        result, appliance, base_url, identity = asyncio.run(deadline.run(work) if deadline else work)
    except TargetError as exc:
        stderr.write(f"backuptui status: {exc}\n")
        return EXIT_USAGE
    except ApplianceError as exc:
        stderr.write(f"backuptui status: {exc.message}\n")
        return EXIT_FAILED
    except TimeoutError:
        stderr.write(f"backuptui status: no answer within {args.timeout:g} s (--timeout)\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        stderr.write("backuptui status: interrupted\n")
        return 130

    for problem in result.problems:
        stderr.write(f"backuptui status: warning: {appliance}: a record could not be read: {problem}\n")
    if args.history or args.since_last:
        try:
            cached = load_cached(identity)
        except HistoryUnavailable as exc:
            stderr.write(f"backuptui status: {exc}\n")
            return EXIT_FAILED
        if args.since_last:
            from backuptui.commands.since_last import since_last, write

            now = datetime.now(UTC)
            entry = since_last(appliance, identity.host, result, cached, now)
            return write([entry], fmt == "json", stdout, now)
        result = with_stored(result, cached)
    jobs = select_jobs(result.jobs, statuses=statuses, query=query, limit=args.limit)
    filters: dict[str, Any] = {}
    if args.status:
        filters["status"] = sorted(str(s) for s in statuses or ())
    if query is not None and not query.is_empty:
        filters["query"] = query.describe()
    if args.limit:
        filters["limit"] = args.limit

    if fmt == "table":
        text = render_table(with_unreadable(jobs, result.problems))  # a row for each unreadable record
    else:
        text = render_history(jobs, fmt, appliance=appliance, base_url=base_url, filters=filters)
    if args.output:
        try:
            path = write_output(args.output, text, overwrite=args.force)
        except OutputExists as exc:
            stderr.write(f"backuptui status: {exc.path} already exists; give --force to replace it\n")
            return EXIT_USAGE
        except OSError as exc:
            stderr.write(f"backuptui status: cannot write {args.output}: {exc.strerror or exc}\n")
            return EXIT_FAILED
        if existing_file(path) is not None:  # not after text written through /dev/stdout or a FIFO
            stdout.write(f"{path}\n")
        return EXIT_OK
    stdout.write(text)
    stdout.flush()
    return EXIT_OK


def _fleet_status(args: argparse.Namespace, fleet: tuple[Any, Any], stdout: TextIO, stderr: TextIO) -> int:
    """`status --all`: the fleet table or JSON; the job options belong to one appliance."""
    from backuptui.commands.fleet_status import run_fleet_status

    job_options = [flag for flag, given in _job_only(args) if given]
    if job_options:
        stderr.write(
            f"backuptui status: {', '.join(job_options)} select jobs of one appliance; "
            "with --all, -g or several -p the fleet table is printed\n"
        )
        return EXIT_USAGE
    try:
        if args.since_last:
            from backuptui.commands.since_last import run_fleet_since_last

            return run_fleet_since_last(
                args, *fleet, as_json=bool(args.json or args.format == "json"), out=stdout, err=stderr
            )
        return run_fleet_status(args, *fleet, out=stdout, err=stderr)
    except KeyboardInterrupt:
        stderr.write("backuptui status: interrupted\n")
        return 130


def _job_only(args: argparse.Namespace) -> list[tuple[str, bool]]:
    return [
        ("--limit", bool(args.limit)),
        ("--status", bool(args.status)),
        ("--filter", bool(args.filter)),
        ("--output", bool(args.output)),
        ("--format csv", args.format == "csv"),
    ]


def _not_with_since_last(args: argparse.Namespace) -> list[str]:
    """The options that mean nothing to the digest (it looks at every job, and prints itself)."""
    return [flag for flag, given in _job_only(args) if given]


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return seconds


def _has_known_suffix(path: str) -> bool:
    return path.lower().endswith(tuple(f".{fmt}" for fmt in FORMATS))
