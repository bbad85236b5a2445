"""The monitor acting on its appliance: back up now (the schedule, or a one-off location) and
cancel a running backup, each behind a confirmation that names the appliance.

Read-only (`--read-only`, a profile's or the app settings' `read_only = true`) removes both: the
main screen hides their keys, the palette leaves them out, the status line says "read-only",
and a call that still arrives is refused here with where read-only was set. A started job is
followed at once: the list selects it as soon as a poll (asked for right away) brings it, and
the live widget shows the selected running job.
"""

from __future__ import annotations

import getpass

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
from backuptui.core.settings.profile_model import AppSettings, Profile
from backuptui.core.settings.resolution import TargetOptions, read_only_origin
from backuptui.tui.app_base import AppParts
from backuptui.tui.screens.confirm_backup import OTHER_LOCATION, ConfirmBackupScreen, Outcome
from backuptui.tui.screens.confirm_cancel import ConfirmCancelScreen

__all__ = ["Acting", "local_user"]


def local_user() -> str:
    """Who sits at this terminal, for the default comment of a manual backup."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Acting(AppParts):
    """Back up now and cancel, for `MonitorApp`."""

    #: where read-only was set (None: the actions are offered)
    read_only: str | None
    #: `--read-only` was given: it holds for every appliance switched to
    read_only_option: bool = False
    _backup_actions: BackupActions | None = None  # for the client watched now

    def read_only_for(self, profile: Profile | None, settings: AppSettings) -> None:
        """Another appliance is watched now: its own read-only setting (or the option's) holds."""
        self.read_only = read_only_origin(TargetOptions(read_only=self.read_only_option), settings, profile)
        if self.main_screen.ready:
            self.main_screen.refresh_bindings()
            self.main_screen.show_status()

    def backup_actions(self) -> BackupActions | None:
        """The actions on the appliance watched now (None: a stand-in client that cannot act)."""
        client = self.monitor.client
        if not isinstance(client, ApplianceClient):
            return None
        cached = self._backup_actions
        if cached is None or cached.client is not client:
            cached = BackupActions(client)
            self._backup_actions = cached
        return cached

    def _refused_read_only(self) -> bool:
        if self.read_only is None:
            return False
        self.notify(
            f"Read-only (set by {self.read_only}): backuptui starts and cancels no backups here.",
            severity="warning",
            markup=False,
        )
        return True

    def _schedule(self) -> Schedule | None:
        schedules = self.health.schedules or ()
        named = [schedule for schedule in schedules if schedule.id == "default"]
        chosen = named or list(schedules)
        return chosen[0] if chosen else None

    # -- back up now ----------------------------------------------------------------------

    def backup_now(self) -> None:
        """Open the confirmation of "Back up now" (through the schedule)."""
        if self._refused_read_only():
            return
        actions = self.backup_actions()
        if actions is None:
            self.notify("This appliance cannot be acted on (a recording).", severity="warning", markup=False)
            return
        schedule = self._schedule()
        schedule_id = schedule.id if schedule is not None else "default"

        async def start(comment: str) -> StartedJob:
            try:
                return await actions.run_schedule(schedule_id, comment)
            except ActionRefused as exc:
                if exc.reason is Refusal.FEATURE_IN_USE and exc.running_job:
                    self.main_screen.select_when_listed(
                        exc.running_job
                    )  # selected behind the modal: Esc shows it
                raise

        screen = ConfirmBackupScreen(
            self._appliance_label(self.snapshot),
            schedule,
            default_comment(local_user()),
            start,
            actions.parts,
            no_schedule=self.health.schedules == (),
        )
        self.push_screen(screen, self._backup_outcome)

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

        if self._refused_read_only():
            return
        actions = self.backup_actions()
        if actions is None:
            return

        async def start(request: BackupRequest) -> StartedJob:
            return await actions.create_job(request)

        form = BackupFormScreen(
            self._appliance_label(self.snapshot),
            default_comment(local_user()),
            validate=actions.validate,
            start=start,
            load_parts=actions.parts,
        )
        self.push_screen(form, self._form_outcome)

    def _form_outcome(self, started: StartedJob | None) -> None:
        if started is not None:
            self.job_started(started)

    def job_started(self, job: StartedJob) -> None:
        """A backup started: say so, select it as soon as the list has it, poll now."""
        self.notify(
            f"Backup {job.id} started on {self._appliance_label(self.snapshot)}.",
            title="Back up now",
            timeout=4,  # the job's own "Backup started" notice follows with the first poll
            markup=False,
        )
        self.main_screen.select_when_listed(job.id)
        self.poll_now()

    def poll_now(self) -> None:
        """The next poll now, the whole history (a job just started or was canceled)."""
        self._full_requested = True
        self._wake.set()
        if not self._poll_running() and not self._password_open and self.auto_poll:
            self.start_polling()

    # -- cancel ---------------------------------------------------------------------------

    def cancel_job(self, job: BackupJob | None) -> None:
        """Open the confirmation of canceling `job` (the selected one)."""
        if self._refused_read_only():
            return
        actions = self.backup_actions()
        if job is None or not (job.is_active and job.cancelable) or actions is None:
            self.notify(
                "Select a running backup to cancel (its record must say it can be canceled).",
                severity="warning",
                markup=False,
            )
            return
        label = self._appliance_label(self.snapshot)

        def answered(answer: ActionAnswer | None) -> None:
            if answer is None:
                return
            severity: SeverityLevel = "information" if answer.status == "OK" else "warning"
            if answer.status == "FAIL":
                severity = "error"
            self.notify(
                f"Cancel {job.id} on {label}: {answer.describe()}",
                title="Cancel backup",
                severity=severity,
                timeout=10,
                markup=False,
            )
            self.poll_now()

        self.push_screen(ConfirmCancelScreen(label, job, actions.cancel), answered)
