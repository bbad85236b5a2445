"""One appliance of the fleet, opened: the monitor's own main screen over that member's monitor.

`MemberWatch` is what the main screen shows (`WatchState`), read from the fleet member: its
snapshot, its health watch, its name. The fleet core keeps polling it (the whole history while
it is open); the screen only adds the keys that in a single-appliance monitor belong to the app:
refresh, pause, and Esc back to the fleet. Back up now and cancel act on the member
(`action_flow`), unless its resolution is read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import ClassVar

from textual.binding import ActiveBinding, Binding, BindingType

from backuptui.core.appliance.models import BackupJob
from backuptui.core.settings.resolution import stale_after
from backuptui.core.watch.fleet import FleetMember
from backuptui.core.watch.health_watch import HealthWatch
from backuptui.core.watch.snapshot import Snapshot
from backuptui.tui.screens.action_flow import ActionFlow
from backuptui.tui.screens.main import MainScreen
from backuptui.tui.views import connection_problem
from backuptui.tui.widgets.filter_bar import FilterBar


class MemberWatch:
    """A fleet member as the main screen's `WatchState`."""

    def __init__(self, member: FleetMember, clock: Callable[[], datetime]) -> None:
        assert member.monitor is not None and member.health is not None  # only polling members open
        self.member = member
        self._monitor = member.monitor
        self._health = member.health
        self.clock = clock
        self.paused = False
        resolution = member.resolution
        self.stale_after = stale_after(resolution.idle) if resolution is not None else 90.0
        self.flow: ActionFlow | None = None

    @property
    def snapshot(self) -> Snapshot:
        """The member's (with the local history: the jobs the appliance no longer lists, marked)."""
        return self.member.snapshot or self._monitor.snapshot

    @property
    def monitor_client(self) -> object:
        return self._monitor.client

    @property
    def appliance_name(self) -> str | None:
        return self.member.name

    @property
    def health(self) -> HealthWatch:
        return self._health

    # -- acting (an `ActingState`): the member screen sets `flow` when it mounts ------------

    @property
    def read_only(self) -> str | None:
        resolution = self.member.resolution
        return resolution.read_only if resolution is not None else "no resolution"

    def backup_now(self) -> None:
        if self.flow is not None:
            self.flow.backup_now()

    def cancel_job(self, job: BackupJob | None) -> None:
        if self.flow is not None:
            self.flow.cancel_job(job)


class MemberScreen(MainScreen):
    """The main screen for a fleet member; Esc (with no filter on) goes back to the fleet."""

    AUTO_FOCUS = "#jobs"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "escape", "Fleet", id="fleet-back"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("p", "pause", "Pause", id="pause"),
        Binding("p", "resume", "Resume", id="resume"),  # the same key; the footer says which
    ]

    #: left out of the footer under `FOOTER_ROOM` columns, so that Esc Fleet and q Quit fit at 80
    #: (in the help and the palette as always)
    FOOTER_WHEN_NARROW_HIDDEN = frozenset({"toggle-detail", "pause", "resume"})

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings = super().active_bindings
        if self.size.width >= self.FOOTER_ROOM:
            return bindings
        return {
            key: active._replace(binding=replace(active.binding, show=False))
            if active.binding.id in self.FOOTER_WHEN_NARROW_HIDDEN
            else active
            for key, active in bindings.items()
        }

    def __init__(self, watch: MemberWatch, *, back: Callable[[], None], refresh: Callable[[], None]) -> None:
        super().__init__(watch)
        self.member_watch = watch
        self._back = back
        self._refresh = refresh
        self._seen: Snapshot | None = None

    @property
    def name_shown(self) -> str:
        return self.member_watch.member.name

    def follow(self) -> None:
        """Show the member's newest snapshot if it changed (the app calls this often)."""
        if not self.ready:
            return
        snapshot = self.member_watch.snapshot
        if snapshot is self._seen:
            return
        self._seen = snapshot
        self.show_status()
        if not self.member_watch.paused:
            self.show_jobs(snapshot)

    def on_mount(self) -> None:
        watch = self.member_watch
        watch.flow = ActionFlow(
            self.app,
            client=lambda: watch.monitor_client,
            label=lambda: watch.member.name,
            schedules=lambda: watch.health.schedules,
            read_only=lambda: watch.read_only,
            select=self.select_when_listed,
            poll_now=self._refresh,
            not_connected=lambda: connection_problem(
                watch.snapshot, now=watch.clock(), name=watch.member.name
            ),
        )
        super().on_mount()
        self.follow()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pause":
            return not self.member_watch.paused
        if action == "resume":
            return self.member_watch.paused
        return super().check_action(action, parameters)

    def action_escape(self) -> None:
        """Esc: clear an active filter first; else back to the fleet."""
        filter_bar = self.query_one(FilterBar)
        if filter_bar.is_open or filter_bar.is_active:
            filter_bar.clear()
            return
        self._back()

    def action_refresh(self) -> None:
        self._refresh()
        self.notify(f"{self.name_shown}: refreshing the whole history now.", timeout=2, markup=False)

    def action_pause(self) -> None:
        self._set_paused(True)

    def action_resume(self) -> None:
        self._set_paused(False)

    def action_toggle_pause(self) -> None:
        self._set_paused(not self.member_watch.paused)

    def _set_paused(self, paused: bool) -> None:
        self.member_watch.paused = paused
        if not paused:
            self.show_jobs(self.member_watch.snapshot)
        else:
            self.show_progress()
        self.show_status()
        self.refresh_bindings()
