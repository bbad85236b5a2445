"""The main view: the status line, live progress, the job list, the detail pane and the filter.

The screen renders what the app watches (`WatchState`: the latest snapshot, paused or not, the
clock, the health verdict) and owns what belongs to the view: the filter, the job shown in the
detail pane, and the keys that act on the selected job. The app owns the appliance: polling,
passwords, switching, quitting.

The clock: whenever the screen shows the status line or the progress widget, it works out when
the clock alone next changes what they say (the age of the data in 10-second steps, a countdown,
a running job's elapsed time, a stale threshold, the verdict's minute) and sets one timer for that
moment (`tui/wake.py`). An idle screen sleeps between those moments instead of rebuilding its
views every second.

Adding a key that acts on the list: a `Binding(..., id=...)` in `BINDINGS` and an `action_...`
method here; a key that works on every screen belongs to the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol, runtime_checkable

from textual import events, on
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer

from backuptui.core.appliance.models import BackupJob
from backuptui.core.filtering import JobFilter
from backuptui.core.watch.health import HealthLevel
from backuptui.core.watch.health_watch import HealthWatch
from backuptui.core.watch.monitor import ConnectionState, Snapshot
from backuptui.tui.format import Tone
from backuptui.tui.views import appliance_label, empty_list_text, is_connected, progress_view, status_view
from backuptui.tui.wake import Wake
from backuptui.tui.widgets.digest_panel import DigestPanel
from backuptui.tui.widgets.filter_bar import FilterBar
from backuptui.tui.widgets.job_detail import JobDetail
from backuptui.tui.widgets.job_list import JobList, JobPredicate
from backuptui.tui.widgets.live_progress import LiveProgress, progress_changes_at
from backuptui.tui.widgets.status_line import StatusLine, status_changes_at

#: the health verdict's part of the status line: a symbol and the word, so it reads without colour
HEALTH_NOTES: dict[HealthLevel, tuple[str, Tone]] = {
    HealthLevel.OK: ("✔ backup OK", Tone.GOOD),
    HealthLevel.WARNING: ("▲ backup WARNING", Tone.WARNING),
    HealthLevel.CRITICAL: ("✖ backup CRITICAL", Tone.BAD),
    HealthLevel.UNKNOWN: ("? backup UNKNOWN", Tone.NEUTRAL),
}


def cached_note(level_name: str | None) -> tuple[str, Tone]:
    """The verdict the local history kept, marked as such: `✖ backup CRITICAL (cached)`."""
    level = HealthLevel.__members__.get(level_name or "")
    if level is None:
        return HEALTH_NOTES[HealthLevel.UNKNOWN]  # the history kept none (or one this version does not know)
    text, tone = HEALTH_NOTES[level]
    return f"{text} (cached)", tone


class WatchState(Protocol):
    """What the main view shows, as the app keeps it (the app is one)."""

    @property
    def snapshot(self) -> Snapshot: ...
    @property
    def paused(self) -> bool: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def appliance_name(self) -> str | None: ...
    @property
    def stale_after(self) -> float: ...
    @property
    def health(self) -> HealthWatch: ...


@runtime_checkable
class ActingState(Protocol):
    """A `WatchState` that can also act on its appliance (back up now, cancel); one that cannot
    (a state without these) gets neither key."""

    @property
    def read_only(self) -> str | None: ...
    def backup_now(self) -> None: ...
    def cancel_job(self, job: BackupJob | None) -> None: ...


#: the bindings that act on the appliance: gone (keys, footer, palette) when read-only
ACTING_BINDINGS = frozenset({"backup-now", "cancel-job"})


class MainScreen(Screen[None]):
    """One appliance's backup jobs, kept current by the app."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "drill", "Open", id="drill"),
        Binding("escape", "escape", "Back", id="back", show=False),
        Binding("slash", "filter", "Filter", key_display="/", id="filter"),
        Binding("y", "copy", "Copy", id="copy", show=False),
        Binding("s", "save", "Save JSON", id="save", show=False),
        Binding("d", "toggle_detail", "Details", id="toggle-detail", show=False),
        # in the footer only where there is room (`FOOTER_ROOM`); always in the help and the palette
        Binding("h", "health", "Health", show=False, id="health"),
        Binding("t", "trend", "Trend", show=False, id="trend"),
        Binding("e", "export", "Export", show=False, id="export"),
        # the "since you last looked" panel says its key itself (the footer is full at 80 columns)
        Binding("x", "dismiss_digest", "Dismiss digest", show=False, id="dismiss-digest"),
        Binding("b", "backup_now", "Backup", id="backup-now"),
        # shown only while the selected job is a running backup that can be canceled
        Binding("c", "cancel_job", "Cancel", id="cancel-job"),
    ]

    #: keys that join the footer on a terminal at least this wide (80 columns: the footer is full)
    FOOTER_ROOM = 110
    FOOTER_WHEN_ROOM = frozenset({"health", "trend", "export", "switch-appliance"})
    #: and these from this width on (below it the footer is full with the actions)
    FOOTER_WIDE = 150
    FOOTER_WHEN_WIDE = frozenset({"copy", "toggle-detail"})

    def __init__(self, state: WatchState) -> None:
        super().__init__()
        self.state = state
        self._shown: Snapshot | None = None  # the snapshot the job widgets show (frozen while paused)
        self._predicate: JobPredicate | None = None
        self._footer_tier = 0  # 0: narrow, 1: room for FOOTER_WHEN_ROOM, 2: also FOOTER_WHEN_WIDE
        self._follow: str | None = None  # a job just started: select it once the list has it
        self._cancelable: bool = False  # the selected job can be canceled (the footer shows c)
        self._connected: bool = False  # the appliance answered (the footer offers b and c)
        #: wakes the screen when the clock next changes the status line or the progress widget
        self._wake = Wake(self, lambda: self.state.clock(), self._woken)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """As Textual's, in the order the bindings are declared (a keymap moves the keys it rebinds
        to the end), and with `FOOTER_WHEN_ROOM` in the footer when the screen is wide enough."""
        bindings = _in_declared_order(super().active_bindings)
        if not self._connected:  # the keys still say why at once; the footer does not offer them
            bindings = {
                key: active._replace(binding=replace(active.binding, show=False))
                if active.binding.id in ACTING_BINDINGS
                else active
                for key, active in bindings.items()
            }
        width = self.size.width
        if width < self.FOOTER_ROOM:
            return bindings
        shown = self.FOOTER_WHEN_ROOM | (self.FOOTER_WHEN_WIDE if width >= self.FOOTER_WIDE else frozenset())
        return {
            key: active._replace(binding=replace(active.binding, show=True))
            if active.binding.id in shown
            else active
            for key, active in bindings.items()
        }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only: back up now and cancel are gone; cancel only on a cancelable running job."""
        if action in ("backup_now", "cancel_job") and not self._may_act():
            return False
        if action == "cancel_job":
            return self._cancelable
        return True

    def _may_act(self) -> bool:
        """The state can act and is not read-only."""
        state = self.state
        return isinstance(state, ActingState) and state.read_only is None

    def acting_offered(self) -> bool:
        """Back up now and cancel are offered (footer, palette): the state may act and the
        appliance answered this session's last poll (not a cached history, not unreachable)."""
        return self._may_act() and is_connected(self.state.snapshot)

    def _note_connected(self) -> None:
        connected = is_connected(self.state.snapshot)
        if connected != self._connected:
            self._connected = connected
            self.refresh_bindings()

    def _note_cancelable(self) -> None:
        job = self.job_list.selected_job if self.ready else None
        cancelable = job is not None and job.is_active and job.cancelable
        if cancelable != self._cancelable:
            self._cancelable = cancelable
            self.refresh_bindings()

    def select_when_listed(self, job_id: str) -> None:
        """Select job `job_id` now if the list has it, else as soon as a snapshot brings it."""
        self._follow = job_id
        if self.ready and self.job_list.select_job(job_id):
            self._follow = None
            self._list_changed()

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        tier = (width >= self.FOOTER_ROOM) + (width >= self.FOOTER_WIDE)
        if tier != self._footer_tier:
            self._footer_tier = tier
            self.refresh_bindings()

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield LiveProgress(id="progress")
        yield DigestPanel(id="digest")
        with Container(id="panes"):
            yield JobList(id="jobs")
            yield JobDetail(id="detail")
        yield FilterBar(clock=self.state.clock, id="filter")
        yield Footer(compact=True)

    @property
    def job_list(self) -> JobList:
        return self.query_one("#jobs", JobList)

    @property
    def detail(self) -> JobDetail:
        return self.query_one("#detail", JobDetail)

    def on_mount(self) -> None:
        # a watcher, not a message: the detail pane changes in the same frame as the list's cursor
        self.watch(self.job_list, "selected_id", self._job_highlighted, init=False)
        self.detail.border_title = "Job"
        self.job_list.empty_text = "Connecting to the appliance…"
        self.show_status()
        self.show_jobs(self.state.snapshot)
        # the footer's cancel key is decided once the screen is mounted (`ready` is false until
        # then), for a selected job that is there from the start (a list from the local history)
        self.call_later(self._note_cancelable)

    # -- rendering (called by the app) ----------------------------------------------------

    @property
    def ready(self) -> bool:
        """The widgets exist: not before the screen composed them, nor while the app tears it down."""
        # the screen's own children only: `query` would walk the whole DOM, once a second
        return self.is_mounted and any(child.id == "status" for child in self.children)

    def show_progress(self) -> None:
        """The progress widget again (pausing changes what it says)."""
        if self._shown is not None:
            self._render_progress(self._shown)

    def forget_shown(self) -> None:
        """Another appliance: nothing of the old one's jobs stays."""
        self._shown = None
        self._wake.set("progress", None)

    def tick(self) -> None:
        """The clock moved: ages and countdowns again; widgets repaint only if their text changed.
        The screen's own timer calls it when the text next changes (tests, with a fixed clock)."""
        with self._wake.held():
            self.show_status()
            if self._shown is not None:  # while paused too: it says so, and its ages keep true
                self._render_progress(self._shown)
            else:
                self._wake.set("progress", None)

    @property
    def wakes_at(self) -> datetime | None:
        """When the screen next wakes by itself to show what the clock changed (None: it does not)."""
        return self._wake.at

    def _woken(self) -> None:
        if self.ready:
            self.tick()

    def show_status(self) -> None:
        state = self.state
        snapshot = state.snapshot
        self._note_connected()
        now = state.clock()
        view = status_view(
            snapshot,
            now=now,
            name=state.appliance_name,
            paused=state.paused,
            stale_after=state.stale_after,
            shown=len(self.job_list.jobs) if self._predicate is not None else None,
            notes=self.status_notes(snapshot),
        )
        self.query_one(StatusLine).show(view)
        change = status_changes_at(view)
        if _judged_live(snapshot):  # the verdict is worked out again each minute (`HealthWatch`)
            minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            change = minute if change is None else min(change, minute)
        self._wake.set("status", change)

    def status_notes(self, snapshot: Snapshot) -> tuple[tuple[str, Tone], ...]:
        """Extra (text, tone) parts for the status line; a hook for other features (health).
        Called once a second: keep it cheap (cache per snapshot)."""
        state = self.state
        if isinstance(state, ActingState) and state.read_only is not None:
            return (("read-only", Tone.NEUTRAL), *self._health_notes(snapshot))
        return self._health_notes(snapshot)

    def _health_notes(self, snapshot: Snapshot) -> tuple[tuple[str, Tone], ...]:
        if snapshot.last_success is None or not snapshot.complete:
            return ()  # nothing to judge yet, or only the newest page of the history
        if snapshot.cached_at is not None:  # the local history's jobs: its last verdict, marked
            return (cached_note(snapshot.cached_verdict),)
        if snapshot.connection != ConnectionState.LIVE:
            return (HEALTH_NOTES[HealthLevel.UNKNOWN],)  # as `backuptui check` says when it cannot ask
        level = self.state.health.current(snapshot, self.state.clock()).level
        return (HEALTH_NOTES[level],)

    def show_digest(self, lines: list[str], dismiss_key: str) -> None:
        """The "since you last looked" lines above the list, until `dismiss_key`."""
        self.query_one(DigestPanel).show_lines(lines, dismiss_key)

    def action_dismiss_digest(self) -> None:
        self.query_one(DigestPanel).dismiss()

    def show_jobs(self, snapshot: Snapshot) -> None:
        """The job widgets show `snapshot` (not called while paused)."""
        self._shown = snapshot
        self.job_list.set_jobs(snapshot.rows)  # the jobs, and a row for each unreadable record
        if self._follow is not None and self.job_list.select_job(self._follow):
            self._follow = None  # the job just started is selected: the live widget follows it
        self._list_changed()

    def _list_changed(self) -> None:
        """After the list's jobs or filter changed: its empty text, the count, detail, progress."""
        snapshot = self._shown or self.state.snapshot
        job_list = self.job_list
        job_list.empty_text = empty_list_text(snapshot, filtered=self._predicate is not None)
        self.query_one(FilterBar).set_count(len(job_list.jobs), job_list.total_count)
        self._render_detail()
        self._render_progress(snapshot)
        self._note_cancelable()

    def _render_detail(self) -> None:
        job = self.job_list.selected_job
        if job is None and self._shown is not None and self._shown.jobs and self._predicate:
            self.detail.show_job(None, "No job matches the filter.")
        else:
            self.detail.show_job(job, "No job selected.")  # also its border title

    def _render_progress(self, snapshot: Snapshot) -> None:
        state = self.state
        view = progress_view(
            snapshot,
            self.job_list.selected_job,
            now=state.clock(),
            paused=state.paused,
            stale_after=state.stale_after,
            connection=state.snapshot.connection,
            live=state.snapshot,
            name=state.appliance_name,
        )
        self.query_one(LiveProgress).show(view)
        self._wake.set("progress", progress_changes_at(view))

    def _job_highlighted(self) -> None:
        """The list's cursor is on another job (or none): the widgets that show it follow."""
        self._note_cancelable()
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
        from backuptui.tui.screens.drilldown import DrillDownScreen

        self.app.push_screen(DrillDownScreen(job))

    def action_escape(self) -> None:
        """Esc on the list: clear an active filter."""
        filter_bar = self.query_one(FilterBar)
        if filter_bar.is_open or filter_bar.is_active:
            filter_bar.clear()

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    @on(FilterBar.Changed)
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        job_filter = event.filter
        if not isinstance(job_filter, JobFilter) or job_filter.is_empty:
            self._predicate = None
        else:
            now = self.state.clock()
            self._predicate = lambda job: job_filter.matches(job, now=now)
        self.job_list.set_filter(self._predicate)
        self._list_changed()
        self.show_status()

    @on(FilterBar.Closed)
    def _filter_closed(self, event: FilterBar.Closed) -> None:
        self.job_list.focus()

    def action_copy(self) -> None:
        job = self.job_list.selected_job
        if job is None:
            self.notify("No job selected.", severity="warning", markup=False)
            return
        from backuptui.tui.clipboard import copy_job

        copy_job(self.app, job)

    def action_save(self) -> None:
        job = self.job_list.selected_job
        if job is None:
            self.notify("No job selected.", severity="warning", markup=False)
            return
        from backuptui.tui.clipboard import save_job_and_notify

        save_job_and_notify(self.app, job)

    def action_backup_now(self) -> None:
        if isinstance(self.state, ActingState):
            self.state.backup_now()

    def action_cancel_job(self) -> None:
        if isinstance(self.state, ActingState):
            self.state.cancel_job(self.job_list.selected_job)

    def action_toggle_detail(self) -> None:
        self.query_one("#panes").toggle_class("-hide-detail")

    def action_health(self) -> None:
        self._open_health("health-tab")

    def action_trend(self) -> None:
        self._open_health("trend-tab")

    def _open_health(self, tab: str) -> None:
        from backuptui.tui.screens.health import HealthScreen

        state = self.state
        screen = HealthScreen(
            lambda: state.snapshot,
            state.health,
            clock=state.clock,
            export_source=self._export_source,
            initial=tab,
        )
        self.app.push_screen(screen)

    def _export_source(self) -> tuple[Sequence[BackupJob], dict[str, Any]]:
        """What `e` exports: the list as shown (filtered), and the filter that made it."""
        job_filter = self.query_one(FilterBar).filter
        filters: dict[str, Any] = {}
        if isinstance(job_filter, JobFilter) and not job_filter.is_empty:
            filters["query"] = job_filter.describe()
        return tuple(self.job_list.jobs), filters

    def action_export(self) -> None:
        from backuptui.tui.screens.export import open_export

        jobs, filters = self._export_source()
        snapshot = self.state.snapshot
        name = appliance_label(snapshot, self.state.appliance_name)
        open_export(self.app, jobs, appliance=name, base_url=snapshot.base_url, filters=filters)


def _judged_live(snapshot: Snapshot) -> bool:
    """The status line shows a verdict judged now (which moves with the minute)."""
    return (
        snapshot.last_success is not None
        and snapshot.complete
        and snapshot.cached_at is None
        and snapshot.connection == ConnectionState.LIVE
    )


def _in_declared_order(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """Each node's bindings in the order of its `BINDINGS` (the nodes keep their order)."""
    nodes = list(dict.fromkeys(active.node for active in bindings.values()))

    def declared(item: tuple[str, ActiveBinding]) -> tuple[int, int]:
        node, binding = item[1].node, item[1].binding
        ids = _binding_ids(type(node))
        return nodes.index(node), ids.index(binding.id) if binding.id in ids else len(ids)

    return dict(sorted(bindings.items(), key=declared))


def _binding_ids(owner: type) -> list[str | None]:
    """The ids of `owner`'s bindings, its own first, then those it inherits."""
    ids: list[str | None] = []
    for cls in owner.__mro__:
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding):
                ids.append(binding.id)
    return ids
