"""The fleet as JSON for programs: `status --all --json` (schema `backuptui.fleet`, version 1,
documented in docs/json-schema.md). Fields are only ever added within a version. No Textual."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backuptui.core.appliance.record_fields import format_time
from backuptui.core.watch.fleet_row import FleetRow, counts_text, verdict_counts

SCHEMA_NAME = "backuptui.fleet"
SCHEMA_VERSION = 1

__all__ = ["SCHEMA_NAME", "SCHEMA_VERSION", "fleet_document", "row_document"]


def _time(value: datetime | None) -> str | None:
    return format_time(value) if value is not None else None


def row_document(row: FleetRow) -> dict[str, Any]:
    """One appliance: its state, verdict with reasons, and what the fleet table shows."""
    verdict = row.verdict
    return {
        "name": row.name,
        "host": row.host or None,
        "state": str(row.state),
        "status": row.level.name,
        "exit_code": int(row.level),
        "summary": row.reason,
        "reasons": [
            {"level": finding.level.name, "code": finding.code, "text": finding.text}
            for finding in (verdict.reasons if verdict is not None else ())
        ],
        "last_success_at": _time(row.last_success_at),
        "latest_job": (
            # `status` is the appliance's word (FAILED for a cancel); `canceled` says a user did it
            {
                "status": str(row.latest_status),
                "start": _time(row.latest_started),
                "canceled": row.latest_canceled,
            }
            if row.latest_status is not None
            else None
        ),
        "running": (
            {"progress": row.progress, "eta_seconds": round(row.eta) if row.eta is not None else None}
            if row.progress is not None
            else None
        ),
        "failures_24h": row.failures_24h,
        "failures_7d": row.failures_7d,
        "canceled_24h": row.canceled_24h,
        "canceled_7d": row.canceled_7d,
        "next_run": _time(row.next_run),
        "failure_cause": row.failure_cause,
        "problem": row.problem,
    }


def fleet_document(rows: Sequence[FleetRow], *, generated_at: datetime) -> dict[str, Any]:
    """Every appliance, in the order given (the commands give them worst first)."""
    counts = verdict_counts(rows)
    return {
        "format": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "generated_at": format_time(generated_at),
        "summary": counts_text(rows),
        "counts": {level.name: count for level, count in counts.items()},
        "appliances": [row_document(row) for row in rows],
    }
