"""Back up now and cancel for one appliance, whichever view watches it: the single-appliance
monitor (`acting.Acting`) and a fleet member opened from the fleet (`screens/member.py`).

`ActionFlow` (beside the screens it opens) is told, through callables, what it acts on (the
client, the name shown, the schedules, where read-only was set) and how the view follows (select
a job, poll now); it opens the confirmations and says what happened. Every action asks first and
is sent once.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel

from backuptui.core.appliance.actions import (
    ActionAnswer,
    ActionRefused,
    BackupActions,
    BackupRequest,
    Refusal,
    StartedJob,
    default_comment,
)
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import BackupJob, Schedule
from backuptui.tui.screens.confirm_backup import OTHER_LOCATION, ConfirmBackupScreen, Outcome
from backuptui.tui.screens.confirm_cancel import ConfirmCancelScreen

__all__ = ["ActionFlow", "local_user"]


def local_user() -> str:
    """Who sits at this terminal, for the default comment of a manual backup."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class ActionFlow:
    """The actions on one appliance, as a view offers them."""

    app: App[Any]
    client: Callable[[], object]  # the client watched now (an `ApplianceClient` can act)
    label: Callable[[], str]  # the appliance's name as shown
    schedules: Callable[[], Sequence[Schedule] | None]  # None: not read yet
    read_only: Callable[[], str | None]  # where read-only was set; None: acting allowed
    select: Callable[[str], None]  # select this job as soon as the list has it
    poll_now: Callable[[], None]  # the whole history, now
    comment_user: Callable[[], str] = local_user
    #: why the appliance cannot be acted on now: (what is wrong, what backuptui does), None when it
    #: answers (`views.connection_problem`)
    not_connected: Callable[[], tuple[str, str] | None] = lambda: None
    _actions: BackupActions | None = None

    def actions(self) -> BackupActions | None:
        """The actions on the appliance watched now (None: a stand-in client that cannot act)."""
        client = self.client()
        if not isinstance(client, ApplianceClient):
            return None
        if self._actions is None or self._actions.client is not client:
            self._actions = BackupActions(client)
        return self._actions

    def refused_read_only(self) -> bool:
        where = self.read_only()
        if where is None:
            return False
        self.app.notify(
            f"Read-only (set by {where}): backuptui starts and cancels no backups here.",
            severity="warning",
            markup=False,
        )
        return True

    def refused_not_connected(self) -> bool:
        """Acting needs the appliance's answer: said at once, in the list area's words."""
        problem = self.not_connected()
        if problem is None:
            return False
        what, doing = problem
        said = f"{what}; {doing}" if doing else what
        self.app.notify(
            f"{said}. Backups can be started and canceled once it answers.",
            title="Not connected",
            severity="warning",
            markup=False,
        )
        return True

    def schedule(self) -> Schedule | None:
        schedules = self.schedules() or ()
        named = [schedule for schedule in schedules if schedule.id == "default"]
        chosen = named or list(schedules)
        return chosen[0] if chosen else None

    # -- back up now ----------------------------------------------------------------------

    def backup_now(self) -> None:
        """Open the confirmation of "Back up now" (through the schedule)."""
        if self.refused_read_only() or self.refused_not_connected():
            return
        actions = self.actions()
        if actions is None:
            self.app.notify("This appliance cannot be acted on.", severity="warning", markup=False)
            return
        schedule = self.schedule()
        schedule_id = schedule.id if schedule is not None else "default"

        async def start(comment: str) -> StartedJob:
            try:
                return await actions.run_schedule(schedule_id, comment)
            except ActionRefused as exc:
                if exc.reason is Refusal.FEATURE_IN_USE and exc.running_job:
                    self.select(exc.running_job)  # selected behind the modal: Esc shows it
                raise

        screen = ConfirmBackupScreen(
            self.label(),
            schedule,
            default_comment(self.comment_user()),
            start,
            actions.parts,
            no_schedule=self.schedules() == (),
        )
        self.app.push_screen(screen, self._backup_outcome)

    def _backup_outcome(self, outcome: Outcome) -> None:
        if outcome is None:
            return
        if outcome == OTHER_LOCATION:
            self.backup_elsewhere()
            return
        assert isinstance(outcome, StartedJob)
        self.job_started(outcome)

    def backup_elsewhere(self) -> None:
        """The one-off form: another location, its credentials, parts, validated first."""
        from backuptui.tui.screens.backup_form import BackupFormScreen

        if self.refused_read_only() or self.refused_not_connected():
            return
        actions = self.actions()
        if actions is None:
            return

        async def start(request: BackupRequest) -> StartedJob:
            return await actions.create_job(request)

        form = BackupFormScreen(
            self.label(),
            default_comment(self.comment_user()),
            validate=actions.validate,
            start=start,
            load_parts=actions.parts,
        )
        self.app.push_screen(form, self._form_outcome)

    def _form_outcome(self, started: StartedJob | None) -> None:
        if started is not None:
            self.job_started(started)

    def job_started(self, job: StartedJob) -> None:
        """A backup started: say so, select it as soon as the list has it, poll now."""
        self.app.notify(
            f"Backup {job.id} started on {self.label()}.",
            title="Back up now",
            timeout=4,  # the job's own "Backup started" notice follows with the first poll
            markup=False,
        )
        self.select(job.id)
        self.poll_now()

    # -- cancel ---------------------------------------------------------------------------

    def cancel_job(self, job: BackupJob | None) -> None:
        """Open the confirmation of canceling `job` (the selected one)."""
        if self.refused_read_only() or self.refused_not_connected():
            return
        actions = self.actions()
        if job is None or not (job.is_active and job.cancelable) or actions is None:
            self.app.notify(
                "Select a running backup to cancel (its record must say it can be canceled).",
                severity="warning",
                markup=False,
            )
            return
        label = self.label()

        def answered(answer: ActionAnswer | None) -> None:
            if answer is None:
                return
            severity: SeverityLevel = "information" if answer.status == "OK" else "warning"
            if answer.status == "FAIL":
                severity = "error"
            self.app.notify(
                f"Cancel {job.id} on {label}: {answer.describe()}",
                title="Cancel backup",
                severity=severity,
                timeout=10,
                markup=False,
            )
            self.poll_now()

        self.app.push_screen(ConfirmCancelScreen(label, job, actions.cancel), answered)
