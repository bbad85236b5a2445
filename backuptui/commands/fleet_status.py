"""`backuptui status --all` (and `-p a -p b`, `-g GROUP`): the fleet as a table, or as JSON.

The table fits 80 columns: a header that counts the verdicts, one line per appliance, worst first
(NAME, VERDICT, LAST SUCCESS, LATEST, FAILED 24h/7d, NEXT RUN), and an indented line with why it
is not OK, or how far its running backup is. `--json`: schema `backuptui.fleet`, version 1
(docs/json-schema.md). The run is bounded by `-t` (default 30 s).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from backuptui.core.ages import age_span
from backuptui.core.appliance.failure_cause import CANCELED
from backuptui.core.watch.fleet_document import fleet_document
from backuptui.core.watch.fleet_row import FleetRow, counts_text, worst_first
from backuptui.core.watch.health import HealthLevel

#: the whole run's bound when `-t` is not given
DEFAULT_BOUND = 30.0
_HEADER = ("NAME", "VERDICT", "LAST SUCCESS", "LATEST", "FAILED", "NEXT RUN")


def render_fleet_table(rows: Sequence[FleetRow], *, now: datetime | None = None) -> str:
    """The header line, the columns, a note under each appliance that is not OK or is running."""
    from backuptui.tui.format import EMPTY, one_line, percent_text, short_local_time

    current = now or datetime.now(UTC)
    zone = current.astimezone().tzname() or "local"
    header = (*_HEADER[:3], f"LATEST ({zone})", "24h/7d", f"NEXT RUN ({zone})")
    lines_of: list[tuple[tuple[str, ...], str | None]] = []
    for row in worst_first(rows):
        age = row.last_success_age(current)
        latest = EMPTY
        if row.latest_status is not None:
            word = CANCELED if row.latest_canceled else one_line(str(row.latest_status))  # FAILED there
            latest = f"{word} {short_local_time(row.latest_started)}"
        failures = f"{row.failures_24h}/{row.failures_7d}" if row.polled_at is not None else EMPTY
        cells = (
            one_line(row.name),
            row.level.name,
            f"{age_span(age)} ago" if age is not None else EMPTY,
            latest,
            failures,
            short_local_time(row.next_run),
        )
        note: str | None = None
        if row.level is not HealthLevel.OK:
            note = row.reason if row.polled_at is not None else f"{row.state}: {row.reason}"
            if row.reason.startswith(str(row.state)):
                note = row.reason
        elif row.progress is not None:
            eta = f", about {age_span(row.eta)} left" if row.eta is not None else ""
            note = f"backup running: {percent_text(row.progress * 100)}{eta}"
        lines_of.append((cells, one_line(note) if note else None))
    widths = [len(cell) for cell in header]
    for shown, _ in lines_of:
        widths = [max(width, len(cell)) for width, cell in zip(widths, shown, strict=True)]
    lines = [counts_text(rows), _line(header, widths)]
    for shown, note in lines_of:
        lines.append(_line(shown, widths))
        if note:
            lines.append(_cut("    ↳ " + note, 80))
    return "\n".join(lines) + "\n"


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_fleet_status(
    args: argparse.Namespace,
    names: tuple[str, ...],
    config: Any,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print the fleet table (or JSON); 0 when every appliance answered, 1 when one did not."""
    from backuptui.commands.fleet_round import gather_rows
    from backuptui.core.settings.resolution import TargetOptions

    stdout = out or sys.stdout
    stderr = err or sys.stderr
    bound = getattr(args, "timeout", None) or DEFAULT_BOUND
    rows = gather_rows(names, config, TargetOptions.from_args(args), bound=bound, err=stderr)
    if args.json or args.format == "json":
        document = fleet_document(worst_first(rows), generated_at=datetime.now(UTC))
        stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        stdout.write(render_fleet_table(rows))
    stdout.flush()
    return 0 if all(row.polled_at is not None for row in rows) else 1
