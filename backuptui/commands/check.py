"""`backuptui check`: the backup health verdict as a Monitoring Plugin (Nagios, Icinga, Naemon, ...).

Exit codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (unreachable, login refused, bad answer, bad
options). The output is one line, `BACKUP <LEVEL> - <summary> | <perfdata>`, in the
Monitoring Plugins form; `-v` adds the reasons on further lines (plugin "long output").
Headless and quick: no Textual, one session, always logged out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any, NoReturn, TextIO

from backuptui.commands.deadline import Deadline
from backuptui.commands.target import TargetError, add_target_arguments, resolve_target
from backuptui.core.watch.health import HealthLevel, HealthThresholds, HealthVerdict
from backuptui.core.watch.health_rules import evaluate_health
from backuptui.core.watch.health_text import format_threshold, one_line_problem, parse_duration

SERVICE = "BACKUP"
DEFAULT_TIMEOUT = 30.0


def register(subparsers: Any) -> None:
    defaults = HealthThresholds()
    parser = subparsers.add_parser(
        "check",
        help="check backup health like a monitoring plugin (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)",
        description=(
            "Check whether the appliance's backups are healthy, following the Monitoring Plugins "
            "conventions: one status line with performance data, and exit code 0 OK, 1 WARNING, "
            "2 CRITICAL, 3 UNKNOWN."
        ),
        epilog=(
            "--all, -g GROUP or several -p check a fleet: one status line for the worst verdict, "
            "naming the appliances at fault, perfdata per appliance, the exit code of the worst. "
            "Durations take s, m, h, d or w (a bare number means hours). CRITICAL when the latest "
            "finished backup failed, when the last success is at least --crit-age old, or when "
            "backup is not configured; WARNING when the last success is older than --warn-age, a "
            "scheduled run was missed, the schedule is disabled, or a job is PENDING or BLOCKED for "
            "longer than --max-wait."
        ),
    )
    add_target_arguments(parser, fleet=True)
    limits = parser.add_argument_group("thresholds")
    limits.add_argument(
        "--warn-age",
        metavar="AGE",
        default=format_threshold(defaults.warn_age),
        help="warn when the last successful backup is older than this (default %(default)s)",
    )
    limits.add_argument(
        "--crit-age",
        metavar="AGE",
        default=format_threshold(defaults.crit_age),
        help="critical when the last successful backup is this old (default %(default)s)",
    )
    limits.add_argument(
        "--missed-window",
        metavar="AGE",
        default=format_threshold(defaults.missed_window),
        help="a scheduled run is missed when no job started this long after its time (default %(default)s)",
    )
    limits.add_argument(
        "--max-wait",
        metavar="AGE",
        default=format_threshold(defaults.waiting_limit),
        help="warn when a job is PENDING or BLOCKED for longer than this (default %(default)s)",
    )
    limits.add_argument(
        "--timezone",
        metavar="ZONE",
        default="UTC",
        help="the appliance's time zone, in which its schedule is meant (default %(default)s), "
        "e.g. Europe/Berlin",
    )
    parser.add_argument(
        "-t",
        "--timeout",
        metavar="SECONDS",
        default=str(DEFAULT_TIMEOUT),
        help="give up (UNKNOWN) after this many seconds (default %(default)s)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="list every reason on the lines after the status line"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the verdict as one JSON object instead of the plugin lines (same exit code)",
    )
    parser.set_defaults(handler=run)
    answer_usage_errors_as_unknown(parser)


def answer_usage_errors_as_unknown(parser: argparse.ArgumentParser) -> None:
    """Monitoring Plugins: a usage error is UNKNOWN (3), not argparse's 2 (which means CRITICAL).

    Used for the `check` parser and, by `cli.main`, for the top-level parser when the command line
    names `check` (an option no parser knows is rejected by the top-level one)."""

    def usage_error(message: str) -> NoReturn:
        parser.print_usage(sys.stderr)
        sys.stdout.write(f"{SERVICE} {HealthLevel.UNKNOWN.name} - {one_line_problem(message, 300)}\n")
        sys.exit(int(HealthLevel.UNKNOWN))

    parser.error = usage_error  # type: ignore[method-assign]


def status_line(verdict: HealthVerdict) -> str:
    """`BACKUP CRITICAL - last backup FAILED ...: ... | last_success_age=...s;90000;259200 ...`."""
    text = f"{SERVICE} {verdict.level.name} - {verdict.summary}"
    perfdata = verdict.perfdata_text()
    return f"{text} | {perfdata}" if perfdata else text


def long_output(verdict: HealthVerdict) -> list[str]:
    return [f"{finding.level.name}: {finding.text}" for finding in verdict.reasons]


def verdict_json(verdict: HealthVerdict) -> dict[str, Any]:
    """The verdict for programs: the level, the summary, every reason with its stable code, and
    the performance data as numbers (null where undetermined)."""
    return {
        "service": SERVICE,
        "status": verdict.level.name,
        "exit_code": int(verdict.level),
        "summary": verdict.summary,
        "reasons": [
            {"level": finding.level.name, "code": finding.code, "text": finding.text}
            for finding in verdict.reasons
        ],
        "perfdata": [
            {"label": v.label, "value": v.value, "unit": v.uom, "warn": v.warn, "crit": v.crit}
            for v in verdict.perfdata
        ],
        "checked_at": verdict.checked_at.isoformat(),
        "last_success_at": verdict.last_success_at.isoformat() if verdict.last_success_at else None,
        "job_count": verdict.job_count,
    }


def _unknown(out: TextIO, problem: str, as_json: bool = False) -> int:
    text = one_line_problem(problem, 400)
    if as_json:
        answer = {"service": SERVICE, "status": HealthLevel.UNKNOWN.name, "exit_code": 3, "summary": text}
        out.write(json.dumps(answer) + "\n")
    else:
        out.write(f"{SERVICE} {HealthLevel.UNKNOWN.name} - {text}\n")
    out.flush()
    return int(HealthLevel.UNKNOWN)


def _options(args: argparse.Namespace) -> tuple[HealthThresholds, tzinfo, float]:
    try:
        thresholds = HealthThresholds(
            warn_age=parse_duration(args.warn_age),
            crit_age=parse_duration(args.crit_age),
            missed_window=parse_duration(args.missed_window),
            waiting_limit=parse_duration(args.max_wait),
        )
    except ValueError as exc:
        raise TargetError(f"bad threshold: {exc}") from None
    zone: tzinfo = UTC
    if args.timezone and args.timezone.upper() not in ("UTC", "Z", "ETC/UTC"):
        import zoneinfo  # only for --timezone: a check runs as a new process every few minutes

        try:
            zone = zoneinfo.ZoneInfo(args.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise TargetError(f"unknown time zone {args.timezone!r}; use a name like Europe/Berlin") from None
    try:
        timeout = float(args.timeout)
    except ValueError:
        raise TargetError(f"--timeout {args.timeout!r} is not a number of seconds") from None
    if not timeout > 0:
        raise TargetError("--timeout must be more than 0 seconds")
    return thresholds, zone, timeout


async def collect(
    args: argparse.Namespace,
    thresholds: HealthThresholds,
    zone: tzinfo,
    *,
    clock: Callable[[], datetime] | None = None,
    deadline: Deadline | None = None,
) -> HealthVerdict:
    """Ask the appliance for its jobs and schedules (one session, always logged out) and judge them;
    `deadline` bounds the password command and the logout too."""
    from backuptui.core.appliance.client import Timeouts
    from backuptui.core.appliance.errors import ApiError, NotAuthorized

    target = resolve_target(args, command_timeout=deadline.left() if deadline else None)
    client = target.client(Timeouts(connect=5.0, read=15.0))
    try:
        details = await client.list_job_details()
        try:
            schedules = await client.get_schedules()
        except (NotAuthorized, ApiError):
            # no privilege to read the schedule (or no schedules API): judge the jobs alone
            schedules = None
        now = (clock or (lambda: datetime.now(UTC)))()
        return evaluate_health(
            details.jobs, schedules, now=now, thresholds=thresholds, tz=zone, problems=details.problems
        )
    finally:
        await (deadline.close(client) if deadline else client.close())


def run(
    args: argparse.Namespace, *, out: TextIO | None = None, clock: Callable[[], datetime] | None = None
) -> int:
    """The plugin: prints the status line, returns the exit code. Never raises, never a traceback."""
    from backuptui.core.appliance.errors import ApplianceError

    stream = out or sys.stdout
    as_json = bool(getattr(args, "json", False))
    try:
        from backuptui.commands.fleet_round import fleet_names

        fleet = fleet_names(args)
        thresholds, zone, timeout = _options(args)
        if fleet is not None:
            from backuptui.commands.fleet_check import run_fleet_check

            names, config = fleet
            return run_fleet_check(args, names, config, thresholds, zone, timeout, out=stream)
        deadline = Deadline(timeout)
        verdict = asyncio.run(deadline.run(collect(args, thresholds, zone, clock=clock, deadline=deadline)))
    except TargetError as exc:
        return _unknown(stream, str(exc), as_json)
    except ApplianceError as exc:
        return _unknown(stream, exc.message, as_json)
    except TimeoutError:
        return _unknown(stream, f"no answer within {float(args.timeout):g} s (--timeout)", as_json)
    except KeyboardInterrupt:
        return _unknown(stream, "interrupted", as_json)
    except Exception as exc:  # a plugin must answer UNKNOWN, not a traceback
        return _unknown(stream, f"internal error: {type(exc).__name__}: {exc}", as_json)
    if as_json:
        stream.write(json.dumps(verdict_json(verdict)) + "\n")
        stream.flush()
        return int(verdict.level)
    lines = [status_line(verdict)]
    if args.verbose:
        lines.extend(long_output(verdict))
    stream.write("\n".join(lines) + "\n")
    stream.flush()
    return int(verdict.level)
