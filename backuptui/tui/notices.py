"""What the monitor tells the user in a toast: a job started, succeeded or failed; the connection
was lost or is back; the user lacks a privilege.

Pure functions from states to `Notice`s, so the wording is tested without an app; the app shows
them with `notify(..., markup=False)` because every text here may carry appliance text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.watch.events import JobEvent
from backuptui.core.watch.monitor import ConnectionState
from backuptui.tui.format import one_line

if TYPE_CHECKING:
    from textual.app import App

Severity = Literal["information", "warning", "error"]

_LOST = (ConnectionState.UNREACHABLE, ConnectionState.ERROR)


@dataclass(frozen=True)
class Notice:
    message: str
    title: str
    severity: Severity = "information"
    timeout: float | None = None  # None: the app's default


def show_notices(app: App[Any], notices: Iterable[Notice]) -> None:
    """Each notice as a toast, in order; as text, never markup (appliance text may be in it)."""
    for notice in notices:
        app.notify(
            notice.message,
            title=notice.title,
            severity=notice.severity,
            timeout=notice.timeout,
            markup=False,
        )


def connection_notices(
    appliance: str, before: ConnectionState | None, now: ConnectionState, error: ApplianceError | None
) -> list[Notice]:
    """The connection changed from `before` to `now` (after one poll)."""
    notices: list[Notice] = []
    if before == ConnectionState.LIVE and now in _LOST:
        problem = one_line(str(error)) if error else "no answer"
        notices.append(
            Notice(
                f"{problem}. The last data stays on screen; retrying.",
                f"Lost connection to {one_line(appliance)}",
                "warning",
                10,
            )
        )
    elif before in (None, ConnectionState.CONNECTING) and now in _LOST:
        # the first poll failed (TLS verification, connection refused): the only place the
        # reason was shown was the health panel; say it once where the user looks
        problem = one_line(str(error)) if error else "no answer"
        notices.append(
            Notice(f"{problem}. Retrying.", f"Cannot connect to {one_line(appliance)}", "error", 30)
        )
    elif before in _LOST and now == ConnectionState.LIVE:
        notices.append(Notice(f"Connection to {one_line(appliance)} is back.", "Reconnected"))
    if now == ConnectionState.NOT_AUTHORIZED and before != now:
        text = one_line(str(error)) if error else f"{one_line(appliance)}: not authorized"
        notices.append(Notice(text, "Not authorized", "error", 30))
    return notices


def job_notices(events: Iterable[JobEvent]) -> list[Notice]:
    """A job started, succeeded, failed (with its first message) or ended in an unknown status."""
    notices: list[Notice] = []
    for event in events:
        job = event.job
        what = f"{one_line(str(job.type)).lower()} backup {one_line(job.id)}"
        if event.kind == "started":
            notices.append(Notice(f"A {what} started.", "Backup started"))
        elif event.kind == "succeeded":
            notices.append(Notice(f"The {what} succeeded.", "Backup succeeded"))
        else:
            problem = one_line(job.problem) if job.problem else one_line(str(job.status))
            failed = event.kind == "failed"
            notices.append(
                Notice(
                    f"The {what} ended: {problem}",
                    "Backup failed" if failed else "Backup ended",
                    "error" if failed else "warning",
                    20,
                )
            )
    return notices
