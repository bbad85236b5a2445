"""One funnel for failed workers: every worker that ends in an error becomes a notification that says
what stopped and what to do, so no `exit_on_error=False` worker fails silently.

The App handles `Worker.StateChanged` for its own workers; a screen's workers post the message to
the screen (it does not bubble), so screens that run workers mix in `ReportsWorkerFailures`.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.worker import Worker, WorkerState

from backuptui.tui.format import one_line

#: what each worker group was doing, and what the user can do once it failed
WHAT_STOPPED: dict[str, tuple[str, str]] = {
    "poll": ("Polling stopped", "Press r to restart it."),
    "schedules": ("Loading the backup schedules failed", "Press r to try again."),
    "login": ("Logging in failed", "Press r to try again, or q to quit."),
    "switch": ("Switching appliance failed", "Press a to pick the appliance again."),
    "profile-delete": ("Deleting the profile failed", "Press F5 to reload the list and try again."),
    "profile-action": ("Testing or connecting failed", "Fix the profile with e, then try again."),
    "health-schedules": ("Loading the backup schedules failed", "Close and reopen the health view."),
}


def failure_message(worker: Worker[Any]) -> str:
    """The sentence shown for a failed worker: what stopped, the error, what to do."""
    what, todo = WHAT_STOPPED.get(worker.group, ("A background task failed", "This is a bug in backuptui."))
    return f"{what} on an internal error: {one_line(repr(worker.error))}. {todo}"


def report_failed_worker(app: App[Any], event: Worker.StateChanged) -> None:
    """Notify the user of a worker that ended in an error (a quitting app says nothing)."""
    if event.state != WorkerState.ERROR or getattr(app, "_quitting", False):
        return
    app.notify(
        failure_message(event.worker), title="Internal error", severity="error", timeout=30, markup=False
    )


class ReportsWorkerFailures:
    """For a Screen that runs workers: its failed workers reach the user through the same funnel."""

    app: App[Any]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failed_worker(self.app, event)
