"""What the parts of the monitor app share: `MonitorApp` is put together from mixins, one idea each
(`polling`, `access`, `leaving`), and each part sees the app through `AppParts`.

At run time `AppParts` is a plain class on `object`, so the one `App` in the hierarchy is the one
`MonitorApp` names; for the type checker it is an `App[int]` with the state `MonitorApp.__init__`
sets and the methods one part calls on another, so every part is checked.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.watch.health_watch import HealthWatch
from backuptui.core.watch.monitor import ConnectionState, Monitor, Snapshot

if TYPE_CHECKING:
    from textual.app import App

    from backuptui.core.settings.profile_model import AppSettings, Profile
    from backuptui.core.store.session import ApplianceHistory
    from backuptui.tui.access import PasswordLookup
    from backuptui.tui.keys import KeyLookup
    from backuptui.tui.screens.main import MainScreen
    from backuptui.tui.switching import ProfileSession

    AppBase = App[int]
else:
    AppBase = object

__all__ = ["AppParts", "Clock"]

Clock = Callable[[], datetime]


class AppParts(AppBase):
    """The app's shared state (set by `MonitorApp.__init__`) and its parts' calls on each other."""

    monitor: Monitor
    clock: Clock
    appliance_name: str | None
    user: str
    ask_password: bool
    stale_after: float
    auto_poll: bool
    profiles: ProfileSession | None
    password_problem: str | None
    password_lookup: PasswordLookup | None
    credentials_from: str | None
    paused: bool
    snapshot: Snapshot
    health: HealthWatch
    main_screen: MainScreen
    _wake: asyncio.Event
    _full_requested: bool
    _last_connection: ConnectionState | None
    _password_open: bool
    _reaching: bool  # no password yet: checking the address first (`Access._reach_then_ask`)
    _quitting: bool
    _heap_frozen: bool
    read_only: str | None
    #: set to stop a password command the app waits for (see `access.PasswordLookup`)
    _lookup_cancel: threading.Event | None
    history: ApplianceHistory | None
    history_notice: str | None

    if TYPE_CHECKING:
        # polling
        def start_polling(self, *, wait_first: bool = False) -> None: ...
        def _poll_running(self) -> bool: ...
        async def _sleep(self, delay: float | None) -> None: ...
        def apply_snapshot(self, snapshot: Snapshot) -> None: ...
        def _ui_gone(self) -> bool: ...
        def _appliance_label(self, snapshot: Snapshot) -> str: ...
        def _render_status(self) -> None: ...
        def _render_jobs(self, snapshot: Snapshot) -> None: ...

        def key_lookup(self) -> KeyLookup: ...

        # remembering
        def remember(self, snapshot: Snapshot) -> Snapshot: ...
        def seeded_snapshot(self, monitor: Monitor) -> Snapshot: ...
        def remember_schedules(self) -> None: ...
        async def history_for(self, monitor: Monitor, name: str | None) -> None: ...
        async def close_history(self) -> None: ...
        # acting
        def read_only_for(self, profile: Profile | None, settings: AppSettings) -> None: ...

        # access
        def _ask_password(self, error: ApplianceError | None) -> None: ...

        # leaving
        async def action_quit(self) -> None: ...
        async def _logout(self) -> None: ...
        def _hang_up(self) -> None: ...
