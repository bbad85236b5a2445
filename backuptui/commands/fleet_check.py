"""`backuptui check --all` (and `-p a -p b`, `-g GROUP`): one plugin answer for a fleet.

One status line for the worst verdict that names the appliances at fault, worst first
(`BACKUP CRITICAL - 2 of 12 appliances: vcsa-eu last backup FAILED …; vcsa-us unreachable`),
performance data per appliance (`vcsa-eu_last_success_age=…`) and the counts, and the exit code
of the worst (Icinga's order: CRITICAL, UNKNOWN, WARNING, OK). `check -p NAME` stays the
one-appliance plugin, for monitoring systems that want one service per appliance.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, TextIO

from backuptui.core.settings.profile_model import Config
from backuptui.core.watch.fleet_document import row_document
from backuptui.core.watch.fleet_row import FleetRow, MemberState, verdict_counts, worst_first
from backuptui.core.watch.health import HealthLevel, HealthThresholds
from backuptui.core.watch.health_text import one_line_problem

SERVICE = "BACKUP"
#: appliances named on the status line before "and N more" (the line stays readable)
NAMED = 8
_SAID_AS_STATE = frozenset(
    {
        MemberState.UNREACHABLE,
        MemberState.LOGIN_REFUSED,
        MemberState.NOT_AUTHORIZED,
        MemberState.ERROR,
        MemberState.PASSWORD_NEEDED,
        MemberState.STALE,
    }
)


def worst_level(rows: Sequence[FleetRow]) -> HealthLevel:
    """The worst verdict (UNKNOWN for no appliance at all)."""
    if not rows:
        return HealthLevel.UNKNOWN
    return max((row.level for row in rows), key=lambda level: level.severity)


def fault_text(row: FleetRow) -> str:
    """`vcsa-us unreachable`, `vcsa-eu last backup FAILED 2026-11-27 02:00 UTC: No space …`."""
    if row.state in _SAID_AS_STATE and row.level is HealthLevel.UNKNOWN:
        return f"{row.name} {row.state}"
    return f"{row.name} {one_line_problem(row.reason.split('; ', 1)[0], 70)}"


def summary(rows: Sequence[FleetRow]) -> str:
    """The status line's text after `BACKUP LEVEL - `."""
    total = len(rows)
    noun = "appliance" if total == 1 else "appliances"
    faults = [row for row in worst_first(rows) if row.at_fault]
    if not faults:
        return f"{total} of {total} {noun} OK"
    named = "; ".join(fault_text(row) for row in faults[:NAMED])
    more = f"; and {len(faults) - NAMED} more" if len(faults) > NAMED else ""
    return f"{len(faults)} of {total} {noun}: {named}{more}"


def perfdata(rows: Sequence[FleetRow]) -> str:
    """Each appliance's performance data, its name first (`vcsa-eu_last_success_age=…`), then the
    counts (`appliances_critical=2`)."""
    values: list[str] = []
    for row in rows:
        verdict = row.verdict
        if verdict is None:
            continue
        values.extend(f"{row.name}_{value.render()}" for value in verdict.perfdata)
    counts = verdict_counts(rows)
    values.extend(f"appliances_{level.name.lower()}={counts[level]}" for level in HealthLevel)
    return " ".join(values)


def status_line(rows: Sequence[FleetRow]) -> str:
    return f"{SERVICE} {worst_level(rows).name} - {summary(rows)} | {perfdata(rows)}"


def long_output(rows: Sequence[FleetRow]) -> list[str]:
    """`-v`: one line per appliance, worst first."""
    return [f"{row.name}: {row.level.name}: {row.reason}" for row in worst_first(rows)]


def fleet_json(rows: Sequence[FleetRow], *, checked_at: datetime) -> dict[str, Any]:
    level = worst_level(rows)
    counts = verdict_counts(rows)
    return {
        "service": SERVICE,
        "status": level.name,
        "exit_code": int(level),
        "summary": summary(rows),
        "checked_at": checked_at.isoformat(),
        "counts": {each.name: counts[each] for each in HealthLevel},
        "appliances": [row_document(row) for row in worst_first(rows)],
    }


def run_fleet_check(
    args: argparse.Namespace,
    names: tuple[str, ...],
    config: Config,
    thresholds: HealthThresholds,
    zone: tzinfo,
    timeout: float,
    *,
    out: TextIO | None = None,
) -> int:
    """The plugin over a fleet: prints the status line (or JSON), returns the worst exit code;
    `thresholds`, `zone` and `timeout` as the one-appliance `check` read them."""
    from backuptui.commands.fleet_round import gather_rows
    from backuptui.core.settings.resolution import TargetOptions

    stream = out or sys.stdout
    rows = gather_rows(
        names,
        config,
        TargetOptions.from_args(args),
        bound=timeout,
        err=sys.stderr,
        thresholds=thresholds,
        tz=zone,
    )
    if getattr(args, "json", False):
        stream.write(json.dumps(fleet_json(rows, checked_at=datetime.now(UTC))) + "\n")
    else:
        lines = [status_line(rows)]
        if args.verbose:
            lines.extend(long_output(rows))
        stream.write("\n".join(lines) + "\n")
    stream.flush()
    return int(worst_level(rows))
