""" "Since you last looked" as JSON for programs: `status --since-last --json`, one appliance or a
fleet (schema `backuptui.since_last`, version 1, documented in docs/json-schema.md). Fields are only
ever added within a version. Nothing but job figures, times and the appliance's own words: no
password, no session token. No Textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backuptui.core.appliance.record_fields import format_time
from backuptui.core.store.digest import Digest
from backuptui.core.watch.timing import job_finished

SCHEMA_NAME = "backuptui.since_last"
SCHEMA_VERSION = 1

__all__ = ["SCHEMA_NAME", "SCHEMA_VERSION", "SinceLast", "since_last_document"]


@dataclass(frozen=True)
class SinceLast:
    """One appliance's answer: its digest and the lines a person reads, or why there is none."""

    name: str
    host: str | None
    digest: Digest | None = None
    lines: tuple[str, ...] = ()
    problem: str | None = None  # no earlier session, the appliance could not be asked, ...
    answered: bool = True  # False: the appliance could not be asked (the exit status says so)


def _time(value: datetime | None) -> str | None:
    return format_time(value) if value is not None else None


def appliance_document(entry: SinceLast) -> dict[str, Any]:
    digest = entry.digest
    failure = digest.first_failure if digest is not None else None
    gap = digest.longest_gap if digest is not None else None
    return {
        "name": entry.name,
        "host": entry.host,
        "since": _time(digest.since) if digest is not None else None,
        "until": _time(digest.until) if digest is not None else None,
        "succeeded": digest.succeeded if digest is not None else None,
        "failed": digest.failed if digest is not None else None,
        "canceled": digest.canceled if digest is not None else None,
        "first_failure": (
            {
                "id": failure.id,
                "start": _time(failure.start_time),
                "end": _time(job_finished(failure)),
                "cause": failure.problem,
            }
            if failure is not None
            else None
        ),
        "longest_gap_seconds": round(gap.total_seconds()) if gap is not None else None,
        "gap_start": _time(digest.gap_start) if digest is not None else None,
        "moves": [
            {
                "id": move.job.id,
                "start": _time(move.job.start_time),
                "what": move.what,
                "usual": move.usual,
                "now": move.now,
                "change": round(move.change, 4),
            }
            for move in (digest.moves if digest is not None else ())
        ],
        "lines": list(entry.lines),
        "problem": entry.problem,
    }


def since_last_document(entries: Sequence[SinceLast], *, generated_at: datetime) -> dict[str, Any]:
    """Every appliance asked, in the order given (one for `-p NAME`)."""
    return {
        "format": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "generated_at": format_time(generated_at),
        "appliances": [appliance_document(entry) for entry in entries],
    }
