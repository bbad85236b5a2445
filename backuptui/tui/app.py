"""The monitor app: watches one appliance and keeps its main screen current.

Data flows one way: a single poll worker asks the injected `Monitor` for a snapshot, the app keeps
it and hands it to the main screen (`screens/main.py`), whose widgets post messages back (a job
highlighted, a job opened). The app owns the appliance (polling, passwords, switching, logging
out) and the keys that work on every screen; it owns no HTTP and no parsing. The clock is
injected so tests and screenshots are deterministic.

Adding a key that works on every screen: a `Binding(..., id=...)` in `BINDINGS` here and an
`action_...` method in the "actions" section; a key about the job list goes on the main screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType, Keymap
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.worker import Worker, WorkerState

from backuptui.core.appliance.errors import ApplianceError, AuthenticationFailed
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.health_watch import HealthWatch, schedule_loader
from backuptui.core.watch.monitor import ConnectionState, Monitor, Snapshot
from backuptui.tui.format import one_line
from backuptui.tui.keys import KeyLookup, keys_by_id, keys_text
from backuptui.tui.notices import connection_notices, job_notices
from backuptui.tui.password import PasswordScreen, password_origin
from backuptui.tui.screens.main import HEALTH_NOTES, MainScreen
from backuptui.tui.terminal import (
    exit_soon,
    install_hangup_handler,
    install_stop_handlers,
    terminal_alive,
)
from backuptui.tui.views import appliance_label
from backuptui.tui.widgets.filter_bar import FilterBar
from backuptui.tui.widgets.job_list import JobList
from backuptui.tui.worker_failures import report_failed_worker

if TYPE_CHECKING:
    from backuptui.tui.screens.profiles import ProfileChoice
    from backuptui.tui.switching import ProfileSession

__all__ = ["HEALTH_NOTES", "MainScreen", "MonitorApp"]

Clock = Callable[[], datetime]

#: how long logging out may take when quitting before we leave anyway
LOGOUT_TIMEOUT = 5.0


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
        #: where the password in use came from (a target's `credentials_from`), said if refused
        self.credentials_from = credentials_from
        self.paused = False
        self.snapshot: Snapshot = monitor.snapshot
        self._wake = asyncio.Event()
        self._full_requested = False
        self._last_connection: ConnectionState | None = None
        self._password_open = False
        self._quitting = False
        #: the backup health verdict: schedules read now and then, judged with each snapshot
        self.health = HealthWatch(schedule_loader(monitor))
        self._heap_frozen = False
        #: `[keys]` of the configuration file, as given to `set_keymap`
        self.keymap: dict[str, str] = {}
        #: the main view: the app is the state it shows
        self.main_screen = MainScreen(self)

    # -- screens --------------------------------------------------------------------------

    def get_default_screen(self) -> MainScreen:
        return self.main_screen

    async def on_mount(self) -> None:
        # the main screen composes in its own task: wait, so that the app is ready (for a
        # test's pilot too) only once the view exists
        await AwaitMount(self.main_screen, [self.main_screen])
        self.set_interval(1.0, self._tick, name="clock")
        self._install_hangup_handler()
        if self.ask_password:
            self._ask_password(None)
        elif self.auto_poll:
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
        keys = self.key_lookup()
        for title, help_text, action, binding_id in self.PALETTE_COMMANDS:
            shown = keys_text(keys, binding_id)
            text = f"{help_text} ({shown})" if shown else help_text
            yield SystemCommand(title, text, partial(self.run_action, action))

    # -- keys -----------------------------------------------------------------------------

    def set_keymap(self, keymap: Keymap) -> None:
        """Also remembered here: Textual has no public getter for the keymap in use."""
        self.keymap = dict(keymap)
        super().set_keymap(keymap)

    @classmethod
    def known_bindings(cls) -> list[BindingType]:
        """Every binding of this app and of the screens and widgets it shows: what `[keys]` may
        rebind, and where the help and the palette read the key text."""
        from backuptui.tui.screens.drilldown import DrillDownScreen
        from backuptui.tui.screens.export import ExportScreen
        from backuptui.tui.screens.full_text import FullTextScreen
        from backuptui.tui.screens.health import HealthScreen
        from backuptui.tui.screens.help import HelpScreen
        from backuptui.tui.screens.profile_form import ProfileFormScreen
        from backuptui.tui.screens.profiles import ConfirmScreen, ProfilePickerScreen

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
            PasswordScreen,
        )
        return [binding for owner in owners for binding in owner.BINDINGS]

    @classmethod
    def known_binding_ids(cls) -> frozenset[str]:
        return frozenset(keys_by_id(cls.known_bindings(), {}))

    def key_lookup(self) -> KeyLookup:
        """Each binding id's keys, after the keymap."""
        return keys_by_id(self.known_bindings(), self.keymap)

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
        credentials_from: str | None = None,
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
        self.credentials_from = credentials_from
        if stale_after is not None:
            self.stale_after = stale_after
        self.snapshot = monitor.snapshot
        self.health = HealthWatch(schedule_loader(monitor))
        self.main_screen.forget_shown()
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

    # -- rendering (the main screen draws) -------------------------------------------------

    def _ui_gone(self) -> bool:
        return self._exit or self._closing or self._closed or not self.screen_stack

    def _tick(self) -> None:
        """Once a second: ages and countdowns; widgets repaint only if their text changed."""
        if self._ui_gone():
            return
        if self.main_screen.ready:
            self.main_screen.tick()
        if not self.is_headless and not self._quitting and not terminal_alive():
            self._hang_up()

    def _appliance_label(self, snapshot: Snapshot) -> str:
        return appliance_label(snapshot, self.appliance_name)

    def _render_status(self) -> None:
        if self.main_screen.ready:
            self.main_screen.show_status()

    def _render_jobs(self, snapshot: Snapshot) -> None:
        if self.main_screen.ready:
            self.main_screen.show_jobs(snapshot)

    # -- actions on every screen ----------------------------------------------------------

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
        elif self.main_screen.ready:
            self.main_screen.show_progress()  # it says the figures stand still
        self._render_status()
        self.refresh_bindings()

    def action_help(self) -> None:
        from backuptui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.key_lookup()))

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
        problem = origin = None
        if error is not None:
            problem = f"{one_line(str(error))}"
            if isinstance(error, AuthenticationFailed):
                origin = password_origin(self.credentials_from)
        elif self.password_problem:
            problem, self.password_problem = one_line(self.password_problem), None
        self.push_screen(
            PasswordScreen(self._appliance_label(snapshot), self.user or "the user", problem, origin=origin),
            self._password_entered,
        )

    def _password_entered(self, secret: Secret | None) -> None:
        self._password_open = False
        if secret is None:
            self.run_worker(self.action_quit(), group="quit")
            return
        self.credentials_from = "typed"
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
            install_stop_handlers(self._stop_on_signal)

    def _stop_on_signal(self, signum: int) -> None:
        """SIGTERM or SIGINT: log out (bounded), restore the terminal, end with 128 + the signal."""
        if self._quitting:
            return
        self._quitting = True
        self.workers.cancel_group(self, "poll")

        async def leave() -> None:
            self.notify("Logging out…", timeout=LOGOUT_TIMEOUT, markup=False)
            await self._logout()
            self.exit(128 + signum)

        exit_soon(LOGOUT_TIMEOUT + 5.0, 128 + signum)  # even if logging out or Textual hangs
        self.run_worker(leave(), group="quit")

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
