"""Opening one appliance of the fleet: Enter on a row pushes its monitor (the main screen over that
member, `screens/member.py`), first the password if it needs one or was refused (once the appliance
answers at all: before, the user is told it does not); Esc comes back with the cursor where it was.
While it is open the fleet keeps that member's whole history.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.fleet import Fleet, FleetRow
from backuptui.core.watch.fleet_row import MemberState
from backuptui.tui.format import one_line
from backuptui.tui.password import PasswordScreen, password_origin
from backuptui.tui.screens.member import MemberScreen, MemberWatch

if TYPE_CHECKING:
    from textual.app import App

    from backuptui.tui.app_base import Clock
    from backuptui.tui.fleet_memory import FleetMemory
    from backuptui.tui.screens.fleet import FleetScreen

    OpeningBase = App[int]
else:
    OpeningBase = object

#: under the password field: Esc goes back to the fleet, not out of the app
PROMPT_HINT = "Enter to log in (one attempt), Esc back to the fleet. Nothing is retried until you enter it."


class FleetOpening(OpeningBase):
    """The fleet app's part that opens an appliance's monitor (state set by `FleetApp.__init__`)."""

    fleet: Fleet
    clock: Clock
    memory: FleetMemory
    fleet_screen: FleetScreen
    member_screen: MemberScreen | None
    _rows: dict[str, FleetRow]
    _password_open: bool
    _quitting: bool
    #: the appliance opened before it was known to answer: its password is asked for once it does
    _ask_when_reached: str | None

    def open_member(self, name: str) -> None:
        """Enter on a row: its monitor; first the password if it needs one or was refused."""
        member = self.fleet.member(name)
        row = self._rows.get(name, member.row)
        if member.monitor is None:
            problem = member.error or row.problem or row.reason
            self.notify(f"{name}: cannot be watched: {problem}", severity="error", timeout=20, markup=False)
            return
        self._ask_when_reached = None  # the user changed their mind: only the latest is asked for
        if member.password_needed and not member.reached:
            # as the single monitor does: the password only once the appliance answers at all
            self._ask_when_reached = name
            error = member.monitor.snapshot.error
            if row.state is MemberState.UNREACHABLE and error is not None:
                said = f"{one_line(str(error)).rstrip('.')}. The password is asked for once it answers."
                self.notify(said, severity="warning", timeout=10, markup=False)
            else:
                self.notify(f"{name}: checking that it answers, then its password…", timeout=3, markup=False)
            return
        if row.password_needed or row.login_refused:
            self._ask_password(name, row)
            return
        self._push_member(name)

    def reached_row(self, row: FleetRow) -> None:
        """A changed row: the appliance the user wanted to open answers now, so its password is asked for."""
        if row.name == self._ask_when_reached and row.password_needed and self.member_screen is None:
            self._ask_when_reached = None
            self._ask_password(row.name, row)

    def _push_member(self, name: str) -> None:
        if self.member_screen is not None:
            return
        member = self.fleet.member(name)
        self.fleet.set_full_history(name, True)
        screen = MemberScreen(
            MemberWatch(member, self.clock),
            back=self.close_member,
            refresh=partial(self.fleet.poll_now, name, full=True),
        )
        self.member_screen = screen
        self.push_screen(screen)
        self.memory.opened(screen, name)

    def close_member(self) -> None:
        """Back to the fleet (Esc); the member polls lightly again, the cursor is where it was."""
        screen = self.member_screen
        if screen is None:
            return
        self.member_screen = None
        self.fleet.set_full_history(screen.name_shown, False)
        if self.screen is screen:
            self.pop_screen()
        self.fleet_screen.table.select(screen.name_shown)

    def _ask_password(self, name: str, row: FleetRow) -> None:
        if self._password_open or self._quitting:
            return
        self._password_open = True
        member = self.fleet.member(name)
        resolution = member.resolution
        user = resolution.target.user if resolution is not None else "the user"
        problem = origin = None
        if row.login_refused:
            problem = row.problem or "The appliance refused the login."
            source = resolution.target.credentials_from if resolution is not None else None
            origin = password_origin(source)
        elif row.problem:
            problem = row.problem
        label = f"{name} ({row.host})" if row.host else name
        self.push_screen(
            PasswordScreen(label, user or "the user", problem, origin=origin, hint=PROMPT_HINT),
            partial(self._password_entered, name),
        )

    def _password_entered(self, name: str, secret: Secret | None) -> None:
        """Esc in the prompt: back to the fleet, nothing tried. A password: one login, and its monitor."""
        self._password_open = False
        if secret is None:
            return
        self.fleet.provide_password(name, secret)
        self.notify(f"{name}: logging in…", timeout=2, markup=False)
        self._push_member(name)
