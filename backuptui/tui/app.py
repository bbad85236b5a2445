"""The monitor app: one screen that shows an appliance's backup jobs and keeps them current.

Data flows one way: a single poll worker asks the injected `Monitor` for a snapshot, the app hands
the snapshot to the widgets (status line, live progress, job list, detail pane), and the widgets
post messages back (a job highlighted, a job opened). The app owns no HTTP and no parsing; the
clock is injected so tests and screenshots are deterministic.

Adding a feature (a screen, a key): add a `Binding(..., id=...)` to `BINDINGS` and an
`action_...` method in the "actions" section; screens are pushed from actions.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.models import BackupJob
from backuptui.core.settings.secrets import Secret
from backuptui.core.watch.health import HealthLevel
from backuptui.core.watch.health_watch import HealthWatch, schedule_loader
from backuptui.core.watch.monitor import ConnectionState, Monitor, Snapshot
from backuptui.tui.format import Tone, one_line
from backuptui.tui.notices import connection_notices, job_notices
from backuptui.tui.password import PasswordScreen
from backuptui.tui.terminal import exit_soon, install_hangup_handler, terminal_alive
from backuptui.tui.views import appliance_label, empty_list_text, progress_view, status_view
from backuptui.tui.widgets.filter_bar import FilterBar
from backuptui.tui.widgets.job_detail import JobDetail
from backuptui.tui.widgets.job_list import JobList, JobPredicate
from backuptui.tui.widgets.live_progress import LiveProgress
from backuptui.tui.widgets.status_line import StatusLine
from backuptui.tui.worker_failures import report_failed_worker

if TYPE_CHECKING:
    from backuptui.tui.screens.profiles import ProfileChoice
    from backuptui.tui.switching import ProfileSession

Clock = Callable[[], datetime]

#: how long logging out may take when quitting before we leave anyway
LOGOUT_TIMEOUT = 5.0


#: the health verdict's part of the status line: a symbol and the word, so it reads without colour
HEALTH_NOTES: dict[HealthLevel, tuple[str, Tone]] = {
    HealthLevel.OK: ("✔ backup OK", Tone.GOOD),
    HealthLevel.WARNING: ("▲ backup WARNING", Tone.WARNING),
    HealthLevel.CRITICAL: ("✖ backup CRITICAL", Tone.BAD),
    HealthLevel.UNKNOWN: ("? backup UNKNOWN", Tone.NEUTRAL),
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _freeze_heap() -> None:
    """Once the first history is on screen: collect, then move every live object out of the
    cyclic collector's reach (`gc.freeze`). Otherwise each full collection walks the whole
    history and the widgets, a ~30 ms pause at 1,000 jobs that a key press can land on."""
    gc.collect()
    gc.freeze()


class MonitorApp(App[int]):
    """Watch one appliance's backup jobs."""

    TITLE = "backuptui"
    CSS_PATH = "app.tcss"
    AUTO_FOCUS = "#jobs"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "drill", "Open", id="drill"),
        Binding("escape", "escape", "Back", id="back", show=False),
        Binding("slash", "filter", "Filter", key_display="/", id="filter"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("p", "pause", "Pause", id="pause"),
        Binding("p", "resume", "Resume", id="resume"),  # the same key; the footer says which
        Binding("y", "copy", "Copy", id="copy"),
        Binding("s", "save", "Save JSON", id="save", show=False),
        Binding("d", "toggle_detail", "Details", id="toggle-detail"),
        Binding("h", "health", "Health", show=False, id="health"),  # 80 columns: the footer is full
        Binding("t", "trend", "Trend", show=False, id="trend"),
        Binding("e", "export", "Export", show=False, id="export"),
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
    ) -> None:
        """`monitor` is used as given (tests hand in one pointed at the simulator);
        `ask_password` opens the masked prompt before the first poll; `poll=False` leaves the
        poll loop to the caller (snapshot tests apply snapshots themselves)."""
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
        self.paused = False
        self.snapshot: Snapshot = monitor.snapshot
        self._shown: Snapshot | None = None  # the snapshot the job widgets show (frozen while paused)
        self._wake = asyncio.Event()
        self._full_requested = False
        self._last_connection: ConnectionState | None = None
        self._password_open = False
        self._quitting = False
        self._predicate: JobPredicate | None = None
        #: the backup health verdict (issue 5): schedules read now and then, judged with each snapshot
        self.health = HealthWatch(schedule_loader(monitor))
        self._heap_frozen = False

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield LiveProgress(id="progress")
        with Container(id="panes"):
            yield JobList(id="jobs")
            yield JobDetail(id="detail")
        yield FilterBar(clock=self.clock, id="filter")
        yield Footer(compact=True)

    @property
    def job_list(self) -> JobList:
        return self.query_one("#jobs", JobList)

    @property
    def detail(self) -> JobDetail:
        return self.query_one("#detail", JobDetail)

    def on_mount(self) -> None:
        self.query_one("#detail", JobDetail).border_title = "Job"
        self.job_list.empty_text = "Connecting to the appliance…"
        self._render_status()
        self._render_jobs(self.snapshot)
        self.set_interval(1.0, self._tick, name="clock")
        self._install_hangup_handler()
        if self.ask_password:
            self._ask_password(None)
        elif self.auto_poll:
            self.start_polling()

    #: actions about the job list, which do nothing while another screen (drill-down, help) is on top
    MAIN_SCREEN_ACTIONS = frozenset(
        {"drill", "escape", "filter", "copy", "save", "toggle_detail", "health", "trend", "export"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pause":
            return not self.paused
        if action == "resume":
            return self.paused
        on_top = self.screen is not self.screen_stack[0]
        return not (on_top and action in self.MAIN_SCREEN_ACTIONS)

    #: (title, help, action) for the command palette; the same actions as the keys
    PALETTE_COMMANDS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("Open job", "Show the selected job's messages, error and raw JSON (Enter)", "drill"),
        ("Filter jobs", "Filter the list by text, status:failed, type:manual, since:2d … (/)", "filter"),
        ("Refresh now", "Fetch the whole job history now (r)", "refresh"),
        ("Pause / resume", "Freeze the list and detail pane; the status line stays live (p)", "toggle_pause"),
        ("Copy job as JSON", "Copy the selected job to the terminal clipboard with OSC 52 (y)", "copy"),
        ("Save job as JSON", "Save the selected job to a file in the current directory (s)", "save"),
        ("Show / hide details", "Toggle the detail pane (d)", "toggle_detail"),
        ("Backup health", "Is the appliance protected: the verdict, its reasons, the schedule (h)", "health"),
        ("Backup trend", "Data transferred and duration of the last backups (t)", "trend"),
        ("Export history", "Write the (filtered) job list to a CSV or JSON file (e)", "export"),
        ("Help", "Keys, columns, colours and filter syntax (?)", "help"),
        ("Switch appliance", "Watch another saved appliance; logs out of this one (a)", "switch_appliance"),
    )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.screen_stack[0]:
            return
        for title, help_text, action in self.PALETTE_COMMANDS:
            yield SystemCommand(title, help_text, partial(self.run_action, action))

    # -- polling --------------------------------------------------------------------------

    def start_polling(self, *, wait_first: bool = False) -> None:
        """Start (or restart) the poll loop; `wait_first`: the monitor just polled (a login)."""
        self._poll_loop(wait_first)

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def _poll_loop(self, wait_first: bool = False) -> None:
        """The one poll loop: poll, show, sleep until the next poll is due or `r` wakes it."""
        monitor = self.monitor
        if wait_first:
            await self._sleep(monitor.next_delay())
        while not self._stopping() and monitor is self.monitor:
            self._wake.clear()
            full, self._full_requested = self._full_requested, False
            snapshot = await monitor.poll(full=full)
            if self._stopping() or monitor is not self.monitor:
                return
            self.apply_snapshot(snapshot)
            if snapshot.connection == ConnectionState.AUTH_FAILED:
                self._ask_password(snapshot.error)
                return  # the prompt restarts the loop once a password was entered
            if not self._wake.is_set():
                await self._sleep(monitor.next_delay())

    async def _sleep(self, delay: float | None) -> None:
        """Until the next poll is due (None: until `r`), or `r` (refresh now) wakes the loop."""
        if delay is None:
            await self._wake.wait()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, delay))

    def _stopping(self) -> bool:
        return self._quitting

    async def switch_monitor(
        self,
        monitor: Monitor,
        *,
        appliance_name: str | None = None,
        user: str | None = None,
        ask_password: bool = False,
        stale_after: float | None = None,
    ) -> None:
        """Watch another appliance: stop polling this one, log out of it, start on `monitor`.

        The hook for switching profiles; the screen starts empty ("connecting") for the new one.
        """
        self.workers.cancel_group(self, "poll")
        self.workers.cancel_group(self, "login")
        old = self.monitor
        self.monitor = monitor
        self.appliance_name = appliance_name
        self.user = user or ""
        if stale_after is not None:
            self.stale_after = stale_after
        self.snapshot = monitor.snapshot
        self.health = HealthWatch(schedule_loader(monitor))
        self._shown = None
        self._last_connection = None
        self._full_requested = False
        self.paused = False
        self._render_jobs(self.snapshot)
        self._render_status()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(old.close(), timeout=LOGOUT_TIMEOUT)
        if ask_password:
            self._ask_password(None)
        elif self.auto_poll:
            self.start_polling()

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one funnel: every failed worker of the app becomes a message that says what to do."""
        report_failed_worker(self, event)

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Show a snapshot: the status line always, the jobs unless paused; notify what happened."""
        previous = self.snapshot
        self.snapshot = snapshot
        if self._ui_gone():
            return  # a poll or login that ended while the app was shutting down
        self._notify_changes(previous, snapshot)
        if snapshot.connection == ConnectionState.LIVE and self.health.due(self.clock()):
            self._refresh_schedules()
        self._render_status()
        if not self.paused:
            self._render_jobs(snapshot)
        if snapshot.complete and snapshot.jobs and not self._heap_frozen and not self.is_headless:
            # the whole history, not the first page; not under run_test (frozen objects of
            # one test would outlive it in the test runner)
            self._heap_frozen = True
            self.call_after_refresh(_freeze_heap)

    @work(exclusive=True, group="schedules", exit_on_error=False)
    async def _refresh_schedules(self) -> None:
        """Read the backup schedules for the health verdict (a failure becomes the verdict's note)."""
        await self.health.refresh(self.clock())
        if not self._ui_gone():
            self._render_status()

    def _notify_changes(self, previous: Snapshot, snapshot: Snapshot) -> None:
        before, self._last_connection = self._last_connection, snapshot.connection
        notices = connection_notices(
            self._appliance_label(snapshot), before, snapshot.connection, snapshot.error
        )
        if previous.last_success is not None:  # the first history load is not news
            notices += job_notices(snapshot.events)
        for notice in notices:
            self.notify(
                notice.message,
                title=notice.title,
                severity=notice.severity,
                timeout=notice.timeout,
                markup=False,
            )

    # -- rendering ------------------------------------------------------------------------

    def _ui_gone(self) -> bool:
        return self._exit or self._closing or self._closed or not self.screen_stack

    def _tick(self) -> None:
        """Once a second: ages and countdowns; widgets repaint only if their text changed."""
        if self._ui_gone():
            return
        self._render_status()
        if not self.paused and self._shown is not None:
            self._render_progress(self._shown)
        if not self.is_headless and not self._quitting and not terminal_alive():
            self._hang_up()

    def _appliance_label(self, snapshot: Snapshot) -> str:
        return appliance_label(snapshot, self.appliance_name)

    def _render_status(self) -> None:
        snapshot = self.snapshot
        view = status_view(
            snapshot,
            now=self.clock(),
            name=self.appliance_name,
            paused=self.paused,
            stale_after=self.stale_after,
            shown=len(self.job_list.jobs) if self._predicate is not None else None,
            notes=self.status_notes(snapshot),
        )
        self.query_one(StatusLine).show(view)

    def status_notes(self, snapshot: Snapshot) -> tuple[tuple[str, Tone], ...]:
        """Extra (text, tone) parts for the status line; a hook for other features (health).
        Called once a second: keep it cheap (cache per snapshot)."""
        if snapshot.last_success is None or not snapshot.complete:
            return ()  # nothing to judge yet, or only the newest page of the history
        if snapshot.connection != ConnectionState.LIVE:
            return (HEALTH_NOTES[HealthLevel.UNKNOWN],)  # as `backuptui check` says when it cannot ask
        level = self.health.current(snapshot, self.clock()).level
        return (HEALTH_NOTES[level],)

    def _render_jobs(self, snapshot: Snapshot) -> None:
        """The job widgets show `snapshot` (not called while paused)."""
        self._shown = snapshot
        self.job_list.set_jobs(snapshot.jobs)
        self._list_changed()

    def _list_changed(self) -> None:
        """After the list's jobs or filter changed: its empty text, the count, detail, progress."""
        snapshot = self._shown or self.snapshot
        job_list = self.job_list
        job_list.empty_text = empty_list_text(snapshot, filtered=self._predicate is not None)
        self.query_one(FilterBar).set_count(len(job_list.jobs), job_list.total_count)
        self._render_detail()
        self._render_progress(snapshot)

    def _render_detail(self) -> None:
        job = self.job_list.selected_job
        if job is None and self._shown is not None and self._shown.jobs and self._predicate:
            self.detail.show_job(None, "No job matches the filter.")
        else:
            self.detail.show_job(job, "No job selected.")  # also its border title

    def _render_progress(self, snapshot: Snapshot) -> None:
        view = progress_view(snapshot, self.job_list.selected_job, now=self.clock())
        self.query_one(LiveProgress).show(view)

    @on(JobList.Highlighted)
    def _job_highlighted(self, event: JobList.Highlighted) -> None:
        self._render_detail()
        if self._shown is not None:
            self._render_progress(self._shown)

    @on(JobList.Opened)
    def _job_opened(self, event: JobList.Opened) -> None:
        event.stop()
        self._open_job(event.job)

    # -- actions --------------------------------------------------------------------------

    def action_drill(self) -> None:
        job = self.job_list.selected_job
        if job is not None:
            self._open_job(job)

    def _open_job(self, job: BackupJob) -> None:
        try:
            from backuptui.tui.screens.drilldown import DrillDownScreen
        except ImportError:
            self.notify("The drill-down view is not available in this build.", markup=False)
            return
        self.push_screen(DrillDownScreen(job))

    def action_escape(self) -> None:
        """Esc on the list: clear an active filter, else leave a pushed screen."""
        filter_bar = self.query_one(FilterBar)
        if filter_bar.is_open or filter_bar.is_active:
            filter_bar.clear()
        elif len(self.screen_stack) > 1:
            self.pop_screen()

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    @on(FilterBar.Changed)
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        job_filter = event.filter
        if job_filter.is_empty:
            self._predicate = None
        else:
            now = self.clock()
            self._predicate = lambda job: job_filter.matches(job, now=now)
        self.job_list.set_filter(self._predicate)
        self._list_changed()
        self._render_status()

    @on(FilterBar.Closed)
    def _filter_closed(self, event: FilterBar.Closed) -> None:
        self.job_list.focus()

    def action_refresh(self) -> None:
        if self.snapshot.connection == ConnectionState.LIVE:
            self._refresh_schedules()
        self._full_requested = True
        self._wake.set()
        if not self._poll_running() and not self._password_open and self.auto_poll:
            self.start_polling()
        self.notify("Refreshing the whole history now.", timeout=2, markup=False)

    def _poll_running(self) -> bool:
        live = (WorkerState.PENDING, WorkerState.RUNNING)
        return any(worker.group == "poll" and worker.state in live for worker in self.workers)

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
        self._render_status()
        self.refresh_bindings()

    def action_copy(self) -> None:
        job = self.job_list.selected_job
        if job is None:
            self.notify("No job selected.", severity="warning", markup=False)
            return
        from backuptui.tui.clipboard import copy_job

        copy_job(self, job)

    def action_save(self) -> None:
        job = self.job_list.selected_job
        if job is None:
            self.notify("No job selected.", severity="warning", markup=False)
            return
        from backuptui.tui.clipboard import save_job_and_notify

        save_job_and_notify(self, job)

    def action_toggle_detail(self) -> None:
        self.query_one("#panes").toggle_class("-hide-detail")

    def action_health(self) -> None:
        self._open_health("health-tab")

    def action_trend(self) -> None:
        self._open_health("trend-tab")

    def _open_health(self, tab: str) -> None:
        from backuptui.tui.screens.health import HealthScreen

        screen = HealthScreen(
            lambda: self.snapshot,
            self.health,
            clock=self.clock,
            export_source=self._export_source,
            initial=tab,
        )
        self.push_screen(screen)

    def _export_source(self) -> tuple[Sequence[BackupJob], dict[str, Any]]:
        """What `e` exports: the list as shown (filtered), and the filter that made it."""
        job_filter = self.query_one(FilterBar).filter
        filters: dict[str, Any] = {} if job_filter.is_empty else {"query": job_filter.describe()}
        return tuple(self.job_list.jobs), filters

    def action_export(self) -> None:
        from backuptui.tui.screens.export import open_export

        jobs, filters = self._export_source()
        snapshot = self.snapshot
        name = self._appliance_label(snapshot)
        open_export(self, jobs, appliance=name, base_url=snapshot.base_url, filters=filters)

    def action_help(self) -> None:
        try:
            from backuptui.tui.screens.help import HelpScreen
        except ImportError:
            self.notify("Help is not available in this build.", markup=False)
            return
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Log out of the appliance, then leave (the terminal is restored by Textual)."""
        if self._quitting:
            return
        self._quitting = True
        self.workers.cancel_group(self, "poll")
        self.notify("Logging out…", timeout=LOGOUT_TIMEOUT, markup=False)
        await self._logout()
        self.exit(0)

    async def _logout(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.monitor.close(), timeout=LOGOUT_TIMEOUT)

    # -- password -------------------------------------------------------------------------

    def _ask_password(self, error: ApplianceError | None) -> None:
        if self._password_open or self._quitting:
            return
        self._password_open = True
        snapshot = self.snapshot
        problem = None
        if error is not None:
            problem = f"{one_line(str(error))}"
        elif self.password_problem:
            problem, self.password_problem = one_line(self.password_problem), None
        self.push_screen(
            PasswordScreen(self._appliance_label(snapshot), self.user or "the user", problem),
            self._password_entered,
        )

    def _password_entered(self, secret: Secret | None) -> None:
        self._password_open = False
        if secret is None:
            self.run_worker(self.action_quit(), group="quit")
            return
        self._retry_login(secret)

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _retry_login(self, secret: Secret) -> None:
        self.notify("Logging in…", timeout=2, markup=False)
        try:
            await self.monitor.retry_login(secret)
        except ApplianceError as exc:
            self.apply_snapshot(self.monitor.snapshot)
            self._ask_password(exc)
            return
        self.apply_snapshot(self.monitor.snapshot)
        if self.monitor.snapshot.connection == ConnectionState.AUTH_FAILED:
            self._ask_password(self.monitor.snapshot.error)
            return
        if self.auto_poll:
            self.start_polling(wait_first=True)  # retry_login polled the whole history already
        self._password_accepted(secret)

    # -- switching appliance (saved profiles: backuptui/tui/switching.py) ------------------

    def action_switch_appliance(self) -> None:
        from backuptui.tui.screens.profiles import ProfilePickerScreen

        if self.profiles is None or self._quitting:
            self.notify("Saved profiles are not available here.", markup=False)
            return
        if not any(isinstance(screen, ProfilePickerScreen) for screen in self.screen_stack):
            self.push_screen(self.profiles.picker(), self._appliance_picked)

    def _appliance_picked(self, choice: ProfileChoice | None) -> None:
        if choice is not None:
            self._switch_appliance(choice)

    @work(exclusive=True, group="switch", exit_on_error=False)
    async def _switch_appliance(self, choice: ProfileChoice) -> None:
        """Close what belonged to the appliance left (a drill-down, its password prompt), log out
        of it, and watch the one picked."""
        from backuptui.core.settings.resolution import ResolutionError

        assert self.profiles is not None
        try:
            monitor = self.profiles.open(choice)
        except ResolutionError as exc:  # nothing changed: still watching the appliance before
            message = f"Not switched to {choice.profile.name}: {exc}"
            self.notify(message, severity="error", timeout=30, markup=False)
            return
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self._password_open = False
        await self.switch_monitor(
            monitor,
            appliance_name=choice.profile.name,
            user=choice.profile.username,
            stale_after=self.profiles.stale_after(choice.profile),
        )
        self.notify(f"Watching {choice.profile.name} ({choice.profile.url}).", markup=False)

    def _password_accepted(self, secret: Secret) -> None:
        """A typed password was accepted: keep it for the session; offer the keyring if one works."""
        profiles = self.profiles
        if profiles is None or not profiles.password_accepted(secret):
            return
        from backuptui.tui.screens.profiles import ConfirmScreen

        def answered(save: bool | None) -> None:
            if save:
                self.notify(profiles.save_in_keyring(secret), markup=False)

        self.push_screen(
            ConfirmScreen(
                f"Save this password for '{self.appliance_name}' in the OS keyring? "
                "Otherwise it is kept in memory until you quit.",
                yes="Save",
                no="Not now",
            ),
            answered,
        )

    # -- the terminal going away ----------------------------------------------------------

    def _install_hangup_handler(self) -> None:
        if not self.is_headless:
            install_hangup_handler(self._hang_up)

    def _hang_up(self) -> None:
        """The terminal went away (SSH dropped, tmux killed): log out and end, never poll on."""
        if self._quitting:
            return
        self._quitting = True
        self.workers.cancel_group(self, "poll")

        async def leave() -> None:
            await self._logout()
            exit_soon(1.0)  # logged out: give Textual a second to wind down, no more
            self.exit(1)

        exit_soon(LOGOUT_TIMEOUT + 2.0)  # even if logging out hangs
        self.run_worker(leave(), group="quit")
