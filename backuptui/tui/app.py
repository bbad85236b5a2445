"""The monitor app: watches one appliance and keeps its main screen current.

Data flows one way: a single poll worker asks the injected `Monitor` for a snapshot, the app keeps
it and hands it to the main screen (`screens/main.py`), whose widgets post messages back (a job
highlighted, a job opened). The app owns the appliance (polling, passwords, switching, logging
out) and the keys that work on every screen; it owns no HTTP and no parsing. The clock is
injected so tests and screenshots are deterministic; the main screen wakes itself when the
clock changes what it says (there is no once-a-second tick).

This module wires the app: its state, screens, keys, palette and the actions on every screen. Its
parts, one idea each: `polling` (the poll loop and what each snapshot does), `access` (passwords,
switching appliance), `leaving` (quitting, signals, the terminal going away), `key_palette` (the
keymap, key text and palette entries, shared with the fleet app).

Adding a key that works on every screen: a `Binding(..., id=...)` in `BINDINGS` here and an
`action_...` method in the "actions" section; a key about the job list goes on the main screen.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.worker import Worker

from backuptui.core.watch.health_watch import HealthWatch, schedule_loader
from backuptui.core.watch.monitor import ConnectionState, Monitor, Snapshot
from backuptui.tui.access import Access, PasswordLookup
from backuptui.tui.acting import Acting
from backuptui.tui.app_base import Clock
from backuptui.tui.heap import resume_collector
from backuptui.tui.key_palette import KeysAndPalette
from backuptui.tui.leaving import LOGOUT_TIMEOUT, LeavingAppliance
from backuptui.tui.password import PasswordScreen
from backuptui.tui.polling import Polling
from backuptui.tui.remembering import Remembering
from backuptui.tui.screens.main import ACTING_BINDINGS, HEALTH_NOTES, MainScreen
from backuptui.tui.terminal import terminal_alive
from backuptui.tui.typeahead import DropsTypeAhead
from backuptui.tui.widgets.filter_bar import FilterBar
from backuptui.tui.widgets.job_list import JobList
from backuptui.tui.worker_failures import report_failed_worker

if TYPE_CHECKING:
    from backuptui.core.store.session import ApplianceHistory
    from backuptui.tui.switching import ProfileSession

__all__ = ["HEALTH_NOTES", "LOGOUT_TIMEOUT", "MainScreen", "MonitorApp"]


#: seconds between checks that the terminal is still there (SIGHUP is the usual news of it; this
#: catches a lost one, so the check need not run every second)
TERMINAL_CHECK = 5.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class MonitorApp(
    DropsTypeAhead, KeysAndPalette, Polling, Access, Acting, LeavingAppliance, Remembering, App[int]
):
    """Watch one appliance's backup jobs."""

    TITLE = "backuptui"
    CSS_PATH = "app.tcss"
    AUTO_FOCUS = "#jobs"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("p", "pause", "Pause", id="pause"),
        Binding("p", "resume", "Resume", id="resume"),  # the same key; the footer says which
        # not in the footer (full at 80 columns): in the palette and the help screen
        Binding("a", "switch_appliance", "Appliances", show=False, id="switch-appliance"),
        # priority: also from the password prompt (a modal), to leave an appliance that refuses you
        Binding("ctrl+o", "switch_appliance", "Appliances", show=False, priority=True, id="switch-ctrl-o"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="quit-ctrl-c"),
    ]

    def __init__(
        self,
        monitor: Monitor,
        *,
        clock: Clock | None = None,
        appliance_name: str | None = None,
        user: str | None = None,
        ask_password: bool = False,
        stale_after: float = 90.0,
        poll: bool = True,
        profiles: ProfileSession | None = None,
        password_problem: str | None = None,
        credentials_from: str | None = None,
        read_only: str | None = None,
        password_lookup: PasswordLookup | None = None,
        history: ApplianceHistory | None = None,
        history_notice: str | None = None,
    ) -> None:
        """`monitor` is used as given (tests hand in one pointed at the simulator);
        `ask_password` opens the masked prompt before the first poll; `poll=False` leaves the
        poll loop to the caller (snapshot tests apply snapshots themselves); `read_only`: where
        read-only was set (no back up now, no cancel), None to offer them; `password_lookup`:
        a password source that may take seconds, looked up first while the app says so;
        `history`: the appliance's local history (its cached state is painted at once),
        `history_notice` what opening it had to say."""
        super().__init__()
        self.monitor = monitor
        self.clock: Clock = clock or _utc_now
        self.appliance_name = appliance_name
        self.user = user or ""
        self.ask_password = ask_password
        self.stale_after = stale_after
        self.auto_poll = poll
        #: saved profiles, for switching appliance (None: no switching, e.g. in tests)
        self.profiles = profiles
        #: why the first password prompt is needed (a failing password_command, no keyring entry)
        self.password_problem = password_problem
        #: where the password in use came from (a target's `credentials_from`), said if refused
        self.credentials_from = credentials_from
        self.read_only = read_only
        self.password_lookup = password_lookup
        self._lookup_cancel: threading.Event | None = None
        self.paused = False
        #: the local history of this appliance (None: off, `--no-history`)
        self.history = history
        self.history_notice = history_notice
        self.snapshot: Snapshot = self.seeded_snapshot(monitor)
        self._wake = asyncio.Event()
        self._full_requested = False
        self._last_connection: ConnectionState | None = None
        self._password_open = False
        self._reaching = False
        self._quitting = False
        #: the backup health verdict: schedules read now and then, judged with each snapshot
        self.health = HealthWatch(schedule_loader(monitor))
        self._heap_frozen = False
        #: the main view: the app is the state it shows
        self.main_screen = MainScreen(self)

    # -- screens --------------------------------------------------------------------------

    def get_default_screen(self) -> MainScreen:
        return self.main_screen

    async def on_mount(self) -> None:
        # the main screen composes in its own task: wait, so that the app is ready (for a
        # test's pilot too) only once the view exists
        await AwaitMount(self.main_screen, [self.main_screen])
        # (no clock here: the main screen wakes itself when the clock changes what it says)
        # the launch paused the collector (heap.py): on again once the first frame is out
        self.call_after_refresh(partial(resume_collector, freeze=not self.is_headless))
        self.set_interval(TERMINAL_CHECK, self._check_terminal, name="terminal")
        self._install_hangup_handler()
        self._history_mounted()
        if self.password_lookup is not None or self.ask_password:
            self._reach_then_ask()  # the address answers as its URL says, then the password
        elif self.auto_poll and self.snapshot.cached_at is not None:
            # the stored list first: the first poll's login (building the HTTP client, TLS)
            # would otherwise come before its paint
            self.call_after_refresh(self._first_poll)
        elif self.auto_poll:
            self.start_polling()

    def _first_poll(self) -> None:
        """Start polling unless a key (`r`) already did, or the app is leaving."""
        if not self._poll_running() and not self._quitting:
            self.start_polling()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pause":
            return not self.paused
        if action == "resume":
            return self.paused
        return True

    #: the command palette: (title, what it does, action, the binding whose keys it names)
    PALETTE_COMMANDS: ClassVar[tuple[tuple[str, str, str, str], ...]] = (
        ("Open job", "Show the selected job's messages, error and raw JSON", "screen.drill", "drill"),
        (
            "Filter jobs",
            "Filter the list by text, status:failed, type:manual, since:2d …",
            "screen.filter",
            "filter",
        ),
        ("Refresh now", "Fetch the whole job history now", "refresh", "refresh"),
        (
            "Pause / resume",
            "Freeze the list and detail pane; the status line stays live",
            "toggle_pause",
            "pause",
        ),
        (
            "Copy job as JSON",
            "Copy the selected job to the terminal clipboard with OSC 52",
            "screen.copy",
            "copy",
        ),
        (
            "Save job as JSON",
            "Save the selected job to a file in the current directory",
            "screen.save",
            "save",
        ),
        ("Show / hide details", "Toggle the detail pane", "screen.toggle_detail", "toggle-detail"),
        (
            "Backup health",
            "Is the appliance protected: the verdict, its reasons, the schedule",
            "screen.health",
            "health",
        ),
        ("Backup trend", "Data transferred and duration of the last backups", "screen.trend", "trend"),
        ("Export history", "Write the (filtered) job list to a CSV or JSON file", "screen.export", "export"),
        (
            "Back up now",
            "Start a backup of this appliance now (its schedule, or another location); asks first",
            "screen.backup_now",
            "backup-now",
        ),
        (
            "Cancel backup",
            "Cancel the selected running backup; asks first and shows the appliance's answer",
            "screen.cancel_job",
            "cancel-job",
        ),
        ("Help", "Keys, columns, colours and filter syntax", "help", "help"),
        (
            "Switch appliance",
            "Watch another saved appliance; logs out of this one",
            "switch_appliance",
            "switch-appliance",
        ),
    )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.main_screen:
            return
        offered = self.main_screen.acting_offered()
        yield from self.palette_entries(
            command
            for command in self.PALETTE_COMMANDS
            # read-only, or the appliance does not answer: the actions are not offered
            if offered or command[3] not in ACTING_BINDINGS
        )

    # -- keys -----------------------------------------------------------------------------

    @classmethod
    def known_bindings(cls) -> list[BindingType]:
        """Every binding of this app and of the screens and widgets it shows."""
        from backuptui.tui.screens.backup_form import BackupFormScreen
        from backuptui.tui.screens.confirm_backup import ConfirmBackupScreen
        from backuptui.tui.screens.confirm_cancel import ConfirmCancelScreen
        from backuptui.tui.screens.drilldown import DrillDownScreen
        from backuptui.tui.screens.export import ExportScreen
        from backuptui.tui.screens.full_text import FullTextScreen
        from backuptui.tui.screens.health import HealthScreen
        from backuptui.tui.screens.help import HelpScreen
        from backuptui.tui.screens.profile_form import ProfileFormScreen
        from backuptui.tui.screens.profiles import ConfirmScreen, ProfilePickerScreen
        from backuptui.tui.screens.waiting import WaitingScreen

        owners: tuple[type[DOMNode], ...] = (
            cls,
            MainScreen,
            JobList,
            FilterBar,
            DrillDownScreen,
            FullTextScreen,
            HealthScreen,
            HelpScreen,
            ExportScreen,
            ProfilePickerScreen,
            ProfileFormScreen,
            ConfirmScreen,
            WaitingScreen,
            PasswordScreen,
            ConfirmBackupScreen,
            ConfirmCancelScreen,
            BackupFormScreen,
        )
        return [binding for owner in owners for binding in owner.BINDINGS]

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one funnel: every failed worker of the app becomes a message that says what to do."""
        report_failed_worker(self, event)

    # -- the terminal -------------------------------------------------------------------

    def _check_terminal(self) -> None:
        """Now and then: a terminal gone without a SIGHUP (a lost hang-up) ends the app too."""
        if self._ui_gone():
            return
        if not self.is_headless and not self._quitting and not terminal_alive():
            self._hang_up()

    # -- actions on every screen ----------------------------------------------------------

    def action_refresh(self) -> None:
        if self.snapshot.connection == ConnectionState.LIVE:
            self._refresh_schedules()
        self._full_requested = True
        self._wake.set()
        if not self._poll_running() and not self._password_open and not self._reaching and self.auto_poll:
            self.start_polling()
        self.notify("Refreshing the whole history now.", timeout=2, markup=False)

    def action_pause(self) -> None:
        """Freeze the list, the detail pane and the progress widget; the status line stays live."""
        self._set_paused(not self.paused)

    def action_resume(self) -> None:
        self._set_paused(False)

    def action_toggle_pause(self) -> None:
        self._set_paused(not self.paused)

    def _set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused:
            self._render_jobs(self.snapshot)
        elif self.main_screen.ready:
            self.main_screen.show_progress()  # it says the figures stand still
        self._render_status()
        self.refresh_bindings()
