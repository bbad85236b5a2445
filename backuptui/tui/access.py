"""The monitor app's access to an appliance: the password prompt, logging in again with a typed
password (and offering the keyring once it is accepted), and switching to another saved appliance
(the profiles themselves: `switching.ProfileSession`).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work

from backuptui.core.appliance.errors import ApplianceError, AuthenticationFailed
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.secrets import PasswordResolution
from backuptui.core.watch.health_watch import HealthWatch, schedule_loader
from backuptui.core.watch.monitor import ConnectionState, Monitor
from backuptui.tui.app_base import AppParts
from backuptui.tui.format import one_line
from backuptui.tui.leaving import LOGOUT_TIMEOUT
from backuptui.tui.password import PasswordScreen, password_origin
from backuptui.tui.views import connection_word

if TYPE_CHECKING:
    from backuptui.tui.screens.profiles import ProfileChoice
    from backuptui.tui.screens.waiting import WaitingScreen


@dataclass(frozen=True)
class PasswordLookup:
    """A password source that may take seconds (a profile's password_command), looked up once the
    app shows that it waits for it: `what` runs, in the user's words; `run(cancel)` blocks."""

    what: str
    run: Callable[[threading.Event], PasswordResolution]


class Access(AppParts):
    """The app's part that gets it into an appliance: passwords and switching."""

    # -- a password source that takes time ---------------------------------------------------

    def _look_up_password(self, lookup: PasswordLookup) -> None:
        """Show what runs (Esc stops it), run it off the loop, then log in or ask."""
        from backuptui.tui.screens.waiting import WaitingScreen

        cancel = threading.Event()
        self._lookup_cancel = cancel
        waiting = WaitingScreen(lookup.what, cancel)
        self.push_screen(waiting)
        self._run_lookup(lookup, waiting)

    @work(exclusive=True, group="password-lookup", exit_on_error=False, description="password lookup")
    async def _run_lookup(self, lookup: PasswordLookup, waiting: WaitingScreen) -> None:
        # a thread of the loop's executor; the worker itself stays on the loop, so nothing has to
        # call back into an app that may be leaving (Esc, Ctrl-C and every way out set `cancel`)
        try:
            result = await asyncio.to_thread(lookup.run, waiting.cancel)
        except Exception as exc:  # a keyring backend gone wrong: ask, rather than wait forever
            result = PasswordResolution(None, None, (f"{lookup.what} failed ({type(exc).__name__})",))
        self._lookup_cancel = None
        while waiting in self.screen_stack:  # with whatever was opened over it (help)
            self.pop_screen()
        if self._quitting:
            return
        if self.profiles is not None:
            self.profiles.offer_keyring = result.secret is None and result.can_save_to_keyring
        if result.secret is not None:
            self.credentials_from = result.source
            self._retry_login(result.secret)
        else:
            self.password_problem = "; ".join(result.problems) or None
            self._ask_password(None)

    # -- before a password: the address answers as its URL says ----------------------------

    def _reach_then_ask(self) -> None:
        """Look the password up or ask for it only once the appliance answers (as the picker
        does): a scheme that does not match the port, a certificate that does not verify, a refused
        connection show first, as after a failed poll, and are checked again (`r`: now)."""
        self._reaching = True
        self._reach_loop()

    @work(exclusive=True, group="reach", exit_on_error=False, description="reachability check")
    async def _reach_loop(self) -> None:
        monitor = self.monitor
        while not self._quitting and monitor is self.monitor:
            self._wake.clear()
            error = await monitor.check_reachable()
            if self._quitting or monitor is not self.monitor:
                return
            if error is None:
                break
            self.apply_snapshot(monitor.snapshot)
            await self._sleep(monitor.next_delay())
        else:
            return
        self._reaching = False
        if self.password_lookup is not None:
            self._look_up_password(self.password_lookup)
        else:
            self._ask_password(None)

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

    # -- switching appliance (saved profiles: backuptui/tui/switching.py) ------------------

    def action_switch_appliance(self) -> None:
        from backuptui.tui.screens.profiles import ProfilePickerScreen

        if self.profiles is None or self._quitting:
            self.notify("Saved profiles are not available here.", markup=False)
            return
        if not any(isinstance(screen, ProfilePickerScreen) for screen in self.screen_stack):
            picker = self.profiles.picker(current_state=lambda: connection_word(self.snapshot))
            self.push_screen(picker, self._appliance_picked)

    def _appliance_picked(self, choice: ProfileChoice | None) -> None:
        if choice is not None:
            self._switch_appliance(choice)

    @work(exclusive=True, group="switch", exit_on_error=False)
    async def _switch_appliance(self, choice: ProfileChoice) -> None:
        """Close what belonged to the appliance left (a drill-down, its password prompt), log out
        of it, and watch the one picked."""
        from backuptui.core.settings.resolution import ResolutionError, stale_after

        assert self.profiles is not None
        try:
            monitor, resolution = self.profiles.open(choice)
        except ResolutionError as exc:  # nothing changed: still watching the appliance before
            message = f"Not switched to {choice.profile.name}: {exc}"
            self.notify(message, severity="error", timeout=30, markup=False)
            return
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self._password_open = False
        self.read_only_for(choice.profile, self.profiles.settings)
        await self.switch_monitor(
            monitor,
            appliance_name=resolution.target.name,
            user=resolution.target.user,
            stale_after=stale_after(resolution.idle),
            credentials_from=resolution.target.credentials_from,
        )
        self.notify(f"Watching {choice.profile.name} ({choice.profile.url}).", markup=False)

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
        self.workers.cancel_group(self, "reach")
        self._reaching = False
        old = self.monitor
        self.monitor = monitor
        self.appliance_name = appliance_name
        self.user = user or ""
        self.credentials_from = credentials_from
        if stale_after is not None:
            self.stale_after = stale_after
        await self.history_for(monitor, appliance_name)
        self.snapshot = self.seeded_snapshot(monitor)
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
