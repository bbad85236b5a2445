"""The fleet app: every appliance at a glance, any of them a key away.

The fleet core (`backuptui.core.watch.fleet.Fleet`, injected) polls every appliance on the app's
event loop and calls back with each row that changed; the app turns rows into the fleet screen's
entries (`fleet_view`), raises the toasts that name the appliance, and opens an appliance's monitor
(the main screen over that member, `screens/member.py`) on Enter, telling the fleet to keep that
member's whole history while it is open. It owns no HTTP and no parsing; the clock is injected.

This module wires the app: its state, keys, palette and the rows the fleet sends. Its parts, one
idea each: `fleet_opening` (an appliance's monitor and its password), `leaving` (logging out of
every appliance on the way out, as the monitor app does), `key_palette` (keymap, key text, palette).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.worker import Worker

from backuptui.core.settings.resolution import Resolution, ResolutionError
from backuptui.core.watch.fleet import Fleet, FleetMember, FleetRow
from backuptui.core.watch.fleet_row import MemberState
from backuptui.tui.fleet_memory import FleetMemory
from backuptui.tui.fleet_opening import FleetOpening
from backuptui.tui.fleet_view import LOGIN_REFUSED, bundled, fleet_entry, fleet_notices, refused_logins_notice
from backuptui.tui.heap import freeze_heap
from backuptui.tui.key_palette import KeysAndPalette
from backuptui.tui.keys import KeyLookup
from backuptui.tui.leaving import LOGOUT_TIMEOUT, Leaving
from backuptui.tui.notices import Notice, show_notices
from backuptui.tui.replacing_toast import ReplacingToast
from backuptui.tui.screens.fleet import FleetEntry, FleetScreen
from backuptui.tui.screens.main import ACTING_BINDINGS
from backuptui.tui.screens.member import MemberScreen
from backuptui.tui.terminal import terminal_alive
from backuptui.tui.widgets.fleet_table import FleetTable
from backuptui.tui.worker_failures import report_failed_worker

if TYPE_CHECKING:
    from backuptui.core.store.fleet_history import FleetHistory

Clock = Callable[[], datetime]

#: bindings of the single-appliance monitor that the fleet does not have
_NOT_IN_FLEET = frozenset({"switch-appliance", "switch-ctrl-o"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def fleet_app(
    resolutions: Mapping[str, Resolution | ResolutionError],
    *,
    clock: Clock | None = None,
    history: FleetHistory | None = None,
    history_notice: str | None = None,
    **fleet_options: Any,
) -> FleetApp:
    """A fleet app over a new `Fleet` of these appliances, whose changes and polls it hears
    (`fleet_options` go to the fleet: `max_in_flight`, `timeouts`, …)."""

    def changed(row: FleetRow) -> None:
        app.row_changed(row)

    def polled(member: FleetMember) -> None:
        app.member_polled(member)
        app.memory.polled(member)

    fleet = Fleet(resolutions, on_change=changed, on_poll=polled, **fleet_options)
    app = FleetApp(fleet, clock=clock, history=history, history_notice=history_notice)
    return app


class FleetApp(KeysAndPalette, FleetOpening, Leaving, App[int]):
    """Watch a fleet of appliances; Enter opens one, Esc comes back."""

    #: a signal ends the fleet without the "Logging out of N appliances…" toast (only `q` shows it)
    NOTICE_ON_SIGNAL = False

    TITLE = "backuptui"
    CSS_PATH = ["app.tcss", "fleet.tcss"]
    AUTO_FOCUS = "#fleet"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", id="fleet-refresh"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="quit-ctrl-c"),
    ]

    #: the command palette on the fleet: (title, what it does, action, the binding whose keys it names)
    FLEET_COMMANDS: ClassVar[tuple[tuple[str, str, str, str], ...]] = (
        (
            "Open appliance",
            "Open the selected appliance's monitor (its whole history)",
            "screen.open",
            "fleet-open",
        ),
        (
            "Filter appliances",
            "Filter by words, verdict:critical, state:unreachable …",
            "screen.filter",
            "fleet-filter",
        ),
        (
            "Sort appliances",
            "Worst first, by name, oldest good backup, most failures",
            "screen.sort",
            "fleet-sort",
        ),
        ("Refresh every appliance", "Poll every appliance now", "refresh", "fleet-refresh"),
        ("Help", "Keys, columns, colours and filter syntax", "help", "help"),
    )

    def __init__(
        self,
        fleet: Fleet,
        *,
        clock: Clock | None = None,
        start: bool = True,
        history: FleetHistory | None = None,
        history_notice: str | None = None,
    ) -> None:
        """`fleet` is used as given (not started); `start=False` leaves polling to the caller
        (snapshot tests show rows themselves). `history`: the local history (rows paint from its
        cached state at once; every poll is recorded); `history_notice`: what opening it said."""
        super().__init__()
        self.fleet = fleet
        self.memory = FleetMemory(self, history, history_notice)
        self.clock: Clock = clock or _utc_now
        self.auto_start = start
        self.fleet_screen = FleetScreen()
        self.member_screen: MemberScreen | None = None
        self._rows: dict[str, FleetRow] = {}
        self._refused_toast = ReplacingToast()
        self._pending: dict[str, FleetRow] = {}
        self._flush_scheduled = False
        self._password_open = False
        self._ask_when_reached: str | None = None
        self._quitting = False
        self._shown_minute: datetime | None = None
        self._heap_frozen = False

    # -- screens --------------------------------------------------------------------------

    def get_default_screen(self) -> FleetScreen:
        return self.fleet_screen

    async def on_mount(self) -> None:
        # the fleet screen composes in its own task: wait, so the app is ready once it exists
        await AwaitMount(self.fleet_screen, [self.fleet_screen])
        self._rows = {row.name: row for row in self.fleet.rows()}
        self.fleet_screen.show([self._entry(row, self.clock()) for row in self._rows.values()])
        self.set_interval(1.0, self._tick, name="clock")
        self.memory.mounted()
        self._install_hangup_handler()
        if self.auto_start:
            self.fleet.start()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, FleetScreen):
            commands = self.FLEET_COMMANDS
        elif isinstance(screen, MemberScreen):
            from backuptui.tui.app import MonitorApp

            back = ("Back to the fleet", "Every appliance at a glance", "screen.escape", "fleet-back")
            commands = (
                *(command for command in MonitorApp.PALETTE_COMMANDS if command[3] != "switch-appliance"),
                back,
            )
        else:
            return
        if isinstance(screen, MemberScreen) and not screen.acting_offered():
            # read-only, or the appliance does not answer: the actions are not offered
            commands = tuple(command for command in commands if command[3] not in ACTING_BINDINGS)
        yield from self.palette_entries(commands)

    # -- keys -----------------------------------------------------------------------------

    @classmethod
    def known_bindings(cls) -> list[BindingType]:
        """Every binding of the fleet and of the monitor screens it opens."""
        from backuptui.tui.app import MonitorApp

        own = [*cls.BINDINGS, *FleetScreen.BINDINGS, *FleetTable.BINDINGS, *MemberScreen.BINDINGS]
        return [*own, *MonitorApp.known_bindings()]

    def key_lookup(self) -> KeyLookup:
        """Each binding id's keys, after the keymap; without the single monitor's switching keys
        (here the fleet is where another appliance is picked)."""
        keys = super().key_lookup()
        return {key: value for key, value in keys.items() if key not in _NOT_IN_FLEET}

    # -- rows from the fleet ----------------------------------------------------------------

    def row_changed(self, row: FleetRow) -> None:
        """The fleet's `on_change`: on the app's event loop; shown once per frame, however many came."""
        self._pending[row.name] = row
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.call_next(self._show_pending)

    def _show_pending(self) -> None:
        self._flush_scheduled = False
        pending, self._pending = self._pending, {}
        if self._ui_gone():
            return
        now = self.clock()
        notices: list[Notice] = []
        refused_now = False
        for name, row in pending.items():
            told = fleet_notices(self._rows.get(name), row)
            self._rows[name] = row
            refused_now = refused_now or any(notice.title == LOGIN_REFUSED for notice in told)
            notices += [notice for notice in told if notice.title != LOGIN_REFUSED]
        if refused_now:  # one toast counts every refused login, updated instead of stacked
            refused = [row for row in self._rows.values() if row.state is MemberState.LOGIN_REFUSED]
            self._refused_toast.show(self, refused_logins_notice(refused))
        self.fleet_screen.update_entries([self._entry(row, now) for row in pending.values()])
        show_notices(self, bundled(notices))
        if self.member_screen is not None:
            self.member_screen.follow()
        for row in pending.values():
            self.reached_row(row)

    def _tick(self) -> None:
        """Once a second: ages move; rows whose text did not change are not redrawn. (An opened
        appliance's screen wakes itself when its own text changes.)"""
        if self._ui_gone():
            return
        now = self.clock()
        if self._ages_move(now):
            self.fleet_screen.show([self._entry(row, now) for row in self._rows.values()])
        if not self.is_headless and not self._quitting and not terminal_alive():
            self._hang_up()

    def _ages_move(self, now: datetime) -> bool:
        """Whether an age on screen may read differently now: a new minute, or a good backup
        under two minutes old (said in seconds). Working out a hundred rows every second for
        nothing would take the time of the keys."""
        minute = now.replace(second=0, microsecond=0)
        if minute != self._shown_minute:
            self._shown_minute = minute
            return True
        return any(
            row.last_success_at is not None and (now - row.last_success_at).total_seconds() < 120
            for row in self._rows.values()
        )

    def member_polled(self, member: FleetMember) -> None:
        """The fleet's `on_poll`: the opened appliance's screen shows its newest snapshot."""
        screen = self.member_screen
        if screen is not None and screen.name_shown == member.name and not self._ui_gone():
            screen.follow()
        if not self._heap_frozen and self._first_round_in():
            # a hundred clients, monitors and histories: each full collection would walk them
            # all, a ~100 ms pause that a key press can land on
            self._heap_frozen = True
            self.call_after_refresh(freeze_heap)

    def _first_round_in(self) -> bool:
        """Every appliance that can be polled was polled once (not under run_test: frozen objects
        of one test would outlive it in the test runner)."""
        if self.is_headless:
            return False
        return all(member.polls or member.monitor is None or member.password_needed for member in self.fleet)

    def _ui_gone(self) -> bool:
        return self._exit or self._closing or self._closed or not self.screen_stack

    def _entry(self, row: FleetRow, now: datetime) -> FleetEntry:
        return fleet_entry(row, now, self.memory.since_last(row.name))

    @on(FleetScreen.Opened)
    def _opened(self, event: FleetScreen.Opened) -> None:
        self.open_member(event.name)

    @on(FleetScreen.DigestDismissed)
    def _digest_dismissed(self, event: FleetScreen.DigestDismissed) -> None:
        self.memory.dismiss(event.name)

    # -- actions on every screen ------------------------------------------------------------

    def action_refresh(self) -> None:
        for name in self.fleet.names:
            self.fleet.poll_now(name)
        self.notify(f"Refreshing {len(self.fleet)} appliances now.", timeout=2, markup=False)

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failed_worker(self, event)

    def _leaving_notice(self) -> str:
        return f"Logging out of {len(self.fleet)} appliances…"

    async def _logout(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.fleet.close(LOGOUT_TIMEOUT), timeout=LOGOUT_TIMEOUT + 1.0)
        await self.memory.close()
