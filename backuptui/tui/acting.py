"""The monitor acting on its appliance: back up now (the schedule, or a one-off location) and
cancel a running backup, each behind a confirmation that names the appliance (`action_flow`).

Read-only (`--read-only`, a profile's or the app settings' `read_only = true`) removes both: the
main screen hides their keys, the palette leaves them out, the status line says "read-only",
and a call that still arrives is refused with where read-only was set. A started job is
followed at once: the list selects it as soon as a poll (asked for right away) brings it, and
the live widget shows the selected running job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backuptui.core.appliance.models import BackupJob
from backuptui.core.settings.profile_model import AppSettings, Profile
from backuptui.core.settings.resolution import TargetOptions, read_only_origin
from backuptui.tui.app_base import AppParts
from backuptui.tui.views import connection_problem

if TYPE_CHECKING:
    from backuptui.tui.screens.action_flow import ActionFlow

# the flow, its confirmation screens and the action requests are imported on the first action,
# not with the app: none of them is on the first frame (~8 ms of every start)

__all__ = ["Acting", "local_user"]


def local_user() -> str:
    """Who sits at this terminal (tests and screenshots fix it here)."""
    from backuptui.tui.screens import action_flow

    return action_flow.local_user()


class Acting(AppParts):
    """Back up now and cancel, for `MonitorApp`."""

    #: where read-only was set (None: the actions are offered)
    read_only: str | None
    #: `--read-only` was given: it holds for every appliance switched to
    read_only_option: bool = False
    _flow: ActionFlow | None = None

    def read_only_for(self, profile: Profile | None, settings: AppSettings) -> None:
        """Another appliance is watched now: its own read-only setting (or the option's) holds."""
        self.read_only = read_only_origin(TargetOptions(read_only=self.read_only_option), settings, profile)
        if self.main_screen.ready:
            self.main_screen.refresh_bindings()
            self.main_screen.show_status()

    @property
    def action_flow(self) -> ActionFlow:
        if self._flow is None:
            from backuptui.tui.screens.action_flow import ActionFlow

            self._flow = ActionFlow(
                self,
                client=lambda: self.monitor.client,
                label=lambda: self._appliance_label(self.snapshot),
                schedules=lambda: self.health.schedules,
                read_only=lambda: self.read_only,
                select=self.main_screen.select_when_listed,
                poll_now=self.poll_now,
                comment_user=lambda: local_user(),
                not_connected=lambda: connection_problem(
                    self.snapshot, now=self.clock(), name=self.appliance_name
                ),
            )
        return self._flow

    def backup_now(self) -> None:
        """Open the confirmation of "Back up now" (through the schedule)."""
        self.action_flow.backup_now()

    def backup_elsewhere(self) -> None:
        self.action_flow.backup_elsewhere()

    def cancel_job(self, job: BackupJob | None) -> None:
        """Open the confirmation of canceling `job` (the selected one)."""
        self.action_flow.cancel_job(job)

    def poll_now(self) -> None:
        """The next poll now, the whole history (a job just started or was canceled)."""
        self._full_requested = True
        self._wake.set()
        if not self._poll_running() and not self._password_open and not self._reaching and self.auto_poll:
            self.start_polling()
