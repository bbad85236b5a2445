"""`h`: is this appliance protected? The verdict explained, the schedule and its next run; `t`: trends.

Two tabs. *Health* shows the verdict (the same one `backuptui check` prints), every reason, the
last backup and the last good one, failures in 24 h / 7 days, and each schedule (recurrence,
retention, location, enabled) with the next expected run. *Trend* draws the data transferred and
the duration of the last N successful backups as sparklines, so a doubling size or a slowing
backup shows at a glance. `e` exports the history (the monitor's filtered list) as CSV or JSON.

The screen reads the app's state through callables (the latest snapshot, the jobs to export), so
it follows every poll while it is open and tests can hand it anything.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static, TabbedContent, TabPane

from backuptui.core.ages import human_wait
from backuptui.core.appliance.failure_cause import canceled_by_user, status_word
from backuptui.core.appliance.models import BackupJob, JobStatus, Recurrence, Schedule
from backuptui.core.counting import counted
from backuptui.core.watch.health import HealthLevel, HealthVerdict
from backuptui.core.watch.health_text import format_threshold
from backuptui.core.watch.health_watch import HealthWatch
from backuptui.core.watch.snapshot import Snapshot
from backuptui.core.watch.timing import describe_recurrence, job_started
from backuptui.tui.format import (
    EMPTY,
    human_age,
    human_bytes,
    human_duration,
    one_line,
)
from backuptui.tui.worker_failures import ReportsWorkerFailures

TAB_HEALTH = "health-tab"
TAB_TREND = "trend-tab"

#: how many successful backups the trend covers; `n` cycles through these
TREND_WINDOWS = (10, 30, 90)

LEVEL_STYLE = {
    HealthLevel.OK: ("✔", "bold $text-success"),
    HealthLevel.WARNING: ("▲", "bold $text-warning"),
    HealthLevel.CRITICAL: ("✖", "bold $text-error"),
    HealthLevel.UNKNOWN: ("?", "bold $text-muted"),
}

Clock = Callable[[], datetime]
ExportSource = Callable[[], tuple[Sequence[BackupJob], Mapping[str, Any]]]


# --- what the Health tab says ------------------------------------------------------------------


def level_content(level: HealthLevel) -> Content:
    """`✖ CRITICAL` in the level's colour (symbol and word: it reads without colour)."""
    symbol, style = LEVEL_STYLE[level]
    return Content.styled(f"{symbol} {level.name}", style)


def verdict_content(verdict: HealthVerdict) -> Content:
    """The level, then every reason on its own line with its own level (worst first)."""
    parts: list[str | tuple[str, str] | Content] = [level_content(verdict.level)]
    reasons = verdict.reasons or ()
    if not reasons:
        parts += ["  ", verdict.summary]
    for finding in reasons:
        symbol, style = LEVEL_STYLE[finding.level]
        parts += ["\n", (f"{symbol} ", style), one_line(finding.text)]
    return Content.assemble(*parts)


#: the label column of the Health tab's rows
LABEL_WIDTH = 15


def _when(value: datetime | None) -> str:
    """`2026-11-28 02:01 UTC`: local time to the minute, with the zone."""
    if value is None:
        return EMPTY
    local = value.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def _job_line(job: BackupJob | None, now: datetime, *, ended: bool) -> str:
    """`FAILED  started 2026-11-28 02:00 UTC (3 h ago)`, then `0 B · 1m 00s` below; the last success without
    its (obvious) status, from its end (the age of the last good backup counts from there)."""
    if job is None:
        return EMPTY if ended else "none yet"
    when = (job.end_time or job.start_time) if ended else (job.start_time or job.end_time)
    age = f" ({human_age((now - when).total_seconds())})" if when else ""
    word = one_line(status_word(job))  # CANCELED for a user's cancel (FAILED on the appliance)
    head = "ended" if ended else f"{word}  started"
    # size and duration on a line of their own, under the value: at 80 columns one line would
    # wrap inside a figure (`3.46` / `MiB`)
    figures = f"{human_bytes(job.size)} · {human_duration(job.duration)}"
    return f"{head} {_when(when)}{age}\n{' ' * LABEL_WIDTH}{figures}"


def facts_content(verdict: HealthVerdict, now: datetime) -> Content:
    """Last backup, last success, failures, a running job: label and value, one per line."""
    rows: list[tuple[str, str]] = [
        ("Last backup", _job_line(verdict.latest_finished, now, ended=False)),
        ("Last success", _job_line(verdict.last_success, now, ended=True)),
        ("Failures", f"{verdict.failures_24h} in the last 24 h · {verdict.failures_7d} in the last 7 days"),
    ]
    if verdict.canceled_7d:  # a cancel is no failure: counted apart, only when there was one
        canceled = f"{verdict.canceled_24h} in the last 24 h · {verdict.canceled_7d} in the last 7 days"
        rows.append(("Canceled", canceled))
    if verdict.running is not None:
        job = verdict.running
        percent = f", {int(job.percent)}%" if job.percent is not None else ""
        since = _when(job_started(job, verdict.timezone))  # a pending job: the time in its id
        label = one_line(str(job.status)).capitalize()  # Running, Pending or Blocked: by its name
        rows.append((label, f"{one_line(job.id)} since {since}{percent}"))
    latest = verdict.latest_finished
    problem = latest.problem if latest is not None else None
    if latest is not None and latest.status == JobStatus.FAILED and problem:
        rows.append(("Why it ended" if canceled_by_user(latest) else "Why it failed", one_line(problem)))
    return _rows(rows)


def _rows(rows: Sequence[tuple[str, str]], width: int = LABEL_WIDTH) -> Content:
    parts: list[str | tuple[str, str]] = []
    for index, (label, value) in enumerate(rows):
        if index:
            parts.append("\n")
        parts += [(label.ljust(width), "bold"), value]
    return Content.assemble(*parts)


def schedule_content(verdict: HealthVerdict, watch: HealthWatch | None, now: datetime) -> Content:
    """Each schedule: enabled, recurrence, next expected run, retention, location, parts."""
    schedules = verdict.schedules
    if schedules is None:
        why = watch.schedule_error if watch is not None and watch.schedule_error else None
        text = (
            f"The schedule could not be read: {one_line(why)}"
            if why
            else "The schedule has not been read yet."
        )
        return Content(text)
    if not schedules:
        return Content(
            "No backup schedule: backups run only when someone starts one (VAMI → Backup → Backup now)."
        )
    blocks: list[Content] = []
    for schedule in schedules:
        blocks.append(_schedule_block(schedule, verdict, now))
    return Content("\n\n").join(blocks)


def _recurrence_text(schedule: Schedule, verdict: HealthVerdict) -> str:
    """The recurrence in the zone of the screen's other times (`Daily 03:00 CET`); in the
    appliance's zone only when converting would move it to another day (a weekday list)."""
    recurrence = schedule.recurrence
    upcoming = verdict.next_run
    if recurrence is None or upcoming is None:
        return describe_recurrence(recurrence, verdict.timezone)
    local, there = upcoming.astimezone(), upcoming.astimezone(verdict.timezone)
    if recurrence.days is not None and local.date() != there.date():
        return describe_recurrence(recurrence, verdict.timezone)
    shown = Recurrence(minute=local.minute, hour=local.hour, days=recurrence.days)
    return describe_recurrence(shown, timezone(local.utcoffset() or timedelta(0), local.tzname() or "local"))


def _schedule_block(schedule: Schedule, verdict: HealthVerdict, now: datetime) -> Content:
    state = ("enabled", "$text-success") if schedule.enabled else ("DISABLED", "bold $text-warning")
    rows: list[tuple[str, str]] = [
        ("Recurrence", _recurrence_text(schedule, verdict)),
    ]
    if schedule.enabled and schedule.recurrence is not None and verdict.next_run is not None:
        wait = (verdict.next_run - now).total_seconds()
        rows.append(("Next run", f"{_when(verdict.next_run)} ({human_wait(wait)})"))  # units as "3 h ago"
    elif not schedule.enabled:
        rows.append(("Next run", "none: the schedule is disabled"))
    if verdict.missed_run is not None and schedule.enabled:
        rows.append(("Missed run", _when(verdict.missed_run)))
    retention = (
        f"keep the newest {schedule.retention_max_count}"
        if schedule.retention_max_count is not None
        else "keep every backup"
    )
    rows.append(("Retention", retention))
    user = f" (user {one_line(schedule.location_user)})" if schedule.location_user else ""
    rows.append(("Location", one_line(schedule.location) + user))
    if schedule.parts:
        rows.append(("Parts", ", ".join(one_line(p) for p in schedule.parts)))
    title = Content.assemble((f"Schedule '{one_line(schedule.id)}'", "bold $text-primary"), " · ", state)
    return Content("\n").join([title, _rows(rows)])


def thresholds_content(verdict: HealthVerdict) -> Content:
    limits = verdict.thresholds
    return Content.styled(
        f"Warning when the last success is over {format_threshold(limits.warn_age)} old, critical from "
        f"{format_threshold(limits.crit_age)}; a scheduled run is missed when no job started within "
        f"{format_threshold(limits.missed_window)}; a job pending or blocked for over "
        f"{format_threshold(limits.waiting_limit)} is a warning. Same verdict as 'backuptui check'.",
        "$text-muted",
    )


# --- what the Trend tab says -------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """Size and duration of the last `window` successful backups, oldest first."""

    window: int
    sizes: tuple[float, ...]
    durations: tuple[float, ...]
    failed_left_out: int
    canceled_left_out: int = 0  # backups a user canceled: left out too, but no failure

    @property
    def count(self) -> int:
        return len(self.sizes)


def trend_of(jobs: Sequence[BackupJob], window: int) -> Trend:
    """The newest `window` successful jobs (history is newest first), drawn oldest → newest.

    Failed and canceled jobs are left out (they transfer next to nothing and would hide the
    trend) but counted, each apart."""
    chosen: list[BackupJob] = []
    failed = canceled = 0
    for job in jobs:
        if len(chosen) >= window:
            break
        if job.status == JobStatus.SUCCEEDED:
            chosen.append(job)
        elif canceled_by_user(job):
            canceled += 1
        elif job.status == JobStatus.FAILED:
            failed += 1
    chosen.reverse()
    return Trend(
        window=window,
        sizes=tuple(float(job.size or 0) for job in chosen),
        durations=tuple(float(job.duration or 0) for job in chosen),
        failed_left_out=failed,
        canceled_left_out=canceled,
    )


def trend_note(trend: Trend) -> str:
    """`2 failed backups and 1 canceled in this range are left out: ...` (empty: none left out)."""
    failed, canceled = trend.failed_left_out, trend.canceled_left_out
    if not (failed or canceled):
        return ""
    parts = [counted(failed, "failed backup")] if failed else []
    parts += [f"{canceled} canceled" if failed else counted(canceled, "canceled backup")] if canceled else []
    verb = "is" if failed + canceled == 1 else "are"
    return (
        f"{' and '.join(parts)} in this range {verb} left out: "
        f"{'a failed or canceled backup' if canceled else 'a failure'} transfers next to nothing and "
        "would hide the trend."
    )


def series_summary(values: Sequence[float], show: Callable[[float], str]) -> Content:
    """`latest 4.23 GiB (+5% vs median) · median 4.01 GiB · range 3.75 GiB to 4.50 GiB`; a latest
    value 50% over the median is a warning colour, double the median an error colour."""
    if not values:
        return Content("no successful backups to draw")
    latest = values[-1]
    median = statistics.median(values)
    parts: list[str | tuple[str, str]] = [f"latest {show(latest)}"]
    if median > 0 and len(values) > 1:
        change = round((latest - median) / median * 100)  # whole percent; never "-0%"
        style = "$text-muted"
        if change >= 50:
            style = "bold $text-error" if change >= 100 else "bold $text-warning"
        label = f"{change:+d}% vs median" + (", doubled" if change >= 100 else "")
        parts += [" (", (label, style), ")"]
    parts.append(f" · median {show(median)} · range {show(min(values))} to {show(max(values))}")
    return Content.assemble(*parts)


# --- the screen --------------------------------------------------------------------------------


class HealthScreen(ReportsWorkerFailures, Screen[None]):
    """The health panel and the trend view, as two tabs; Esc goes back."""

    DEFAULT_CSS = """
    HealthScreen TabbedContent { height: 1fr; }
    HealthScreen TabPane { padding: 0; }
    HealthScreen .health-scroll { height: 1fr; padding: 0 1; }
    HealthScreen #health-verdict { padding: 1 0 0 0; height: auto; }
    HealthScreen .health-section { height: auto; }
    HealthScreen #health-schedule { margin-top: 1; }
    HealthScreen #health-thresholds { margin-top: 1; }
    HealthScreen #trend-note { margin-top: 1; }
    HealthScreen .health-heading { text-style: bold; color: $text-primary; margin-top: 1; height: 1; }
    HealthScreen Sparkline { height: 3; margin: 0 0; }
    HealthScreen .trend-summary { height: auto; color: $text; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="health.back"),
        Binding("h,1", "show_tab('health-tab')", "Health", id="health.health-tab"),
        Binding("t,2", "show_tab('trend-tab')", "Trend", id="health.trend-tab"),
        Binding("n", "next_window", "Jobs in trend", id="health.window"),
        Binding("e", "export", "Export", id="health.export"),
        Binding("r", "reload", "Reload", id="health.reload"),
        Binding("j,down", "scroll_lines(1)", "Down", show=False, id="health.down"),
        Binding("k,up", "scroll_lines(-1)", "Up", show=False, id="health.up"),
    ]
    #: not the app's "#jobs"; `on_mount` focuses the open tab's scroll area (focusing the other
    #: tab's would switch to it)
    AUTO_FOCUS = ""

    def __init__(
        self,
        snapshot: Callable[[], Snapshot],
        watch: HealthWatch,
        *,
        clock: Clock,
        export_source: ExportSource | None = None,
        initial: str = TAB_HEALTH,
        window: int = 30,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        self._snapshot = snapshot
        self.health_watch = watch
        self.clock = clock
        self.export_source = export_source
        self.initial = initial
        self.window = window
        self.verdict: HealthVerdict | None = None
        self._shown: tuple[Any, ...] | None = None
        self._trend: Trend | None = None

    def compose(self) -> ComposeResult:
        with TabbedContent(initial=self.initial, id="health-tabs"):
            with (
                TabPane("Health", id=TAB_HEALTH),
                VerticalScroll(id="health-scroll", classes="health-scroll"),
            ):
                yield Static(id="health-verdict")
                yield Static("Backups", classes="health-heading")
                yield Static(id="health-facts", classes="health-section")
                yield Static(id="health-schedule", classes="health-section")
                yield Static(id="health-thresholds", classes="health-section")
            with (
                TabPane("Trend", id=TAB_TREND),
                VerticalScroll(id="trend-scroll", classes="health-scroll"),
            ):
                yield Static(id="trend-title", classes="health-heading")
                yield Static("Data transferred", classes="health-heading")
                yield Sparkline([], id="trend-size", summary_function=max)
                yield Static(id="trend-size-summary", classes="trend-summary")
                yield Static("Duration", classes="health-heading")
                yield Sparkline([], id="trend-duration", summary_function=max)
                yield Static(id="trend-duration-summary", classes="trend-summary")
                yield Static(id="trend-note", classes="health-section")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#trend-scroll" if self.initial == TAB_TREND else "#health-scroll").focus()
        self.update_view()
        self.set_interval(1.0, self.update_view, name="health-refresh")
        self._reload_schedules()

    # -- keeping up ----------------------------------------------------------------------------

    def update_view(self) -> None:
        """Recompute the verdict from the latest snapshot; repaint only what changed."""
        now = self.clock()
        snapshot = self._snapshot()
        verdict = self.health_watch.verdict(snapshot, now)
        self.verdict = verdict
        key = (
            verdict.summary,
            verdict.reasons,
            verdict.perfdata,
            self.health_watch.generation,
            now.replace(second=0, microsecond=0),
        )
        if key != self._shown:
            self._shown = key
            self.query_one("#health-verdict", Static).update(verdict_content(verdict))
            self.query_one("#health-facts", Static).update(facts_content(verdict, now))
            self.query_one("#health-schedule", Static).update(
                schedule_content(verdict, self.health_watch, now)
            )
            self.query_one("#health-thresholds", Static).update(thresholds_content(verdict))
        trend = trend_of(snapshot.jobs, self.window)
        if trend != self._trend:
            self._trend = trend
            self._show_trend(trend)

    def _show_trend(self, trend: Trend) -> None:
        self.query_one("#trend-title", Static).update(
            Content(
                f"Last {counted(trend.count, 'successful backup')}, oldest → newest (n: show 10 / 30 / 90)"
            )
        )
        self.query_one("#trend-size", Sparkline).data = list(trend.sizes)
        self.query_one("#trend-duration", Sparkline).data = list(trend.durations)
        self.query_one("#trend-size-summary", Static).update(series_summary(trend.sizes, human_bytes))
        self.query_one("#trend-duration-summary", Static).update(
            series_summary(trend.durations, human_duration)
        )
        self.query_one("#trend-note", Static).update(Content.styled(trend_note(trend), "$text-muted"))

    @work(exclusive=True, group="health-schedules", exit_on_error=False)
    async def _reload_schedules(self) -> None:
        await self.health_watch.refresh(self.clock())
        self.update_view()

    # -- actions -------------------------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    def action_back(self) -> None:
        self.dismiss()

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one("#trend-scroll" if tab == TAB_TREND else "#health-scroll").focus()

    def action_next_window(self) -> None:
        index = TREND_WINDOWS.index(self.window) if self.window in TREND_WINDOWS else -1
        self.window = TREND_WINDOWS[(index + 1) % len(TREND_WINDOWS)]
        self.action_show_tab(TAB_TREND)
        self.update_view()

    def action_reload(self) -> None:
        self._reload_schedules()
        self.notify("Reading the schedule again.", timeout=2, markup=False)

    def action_scroll_lines(self, lines: int) -> None:
        scroll_id = "#health-scroll" if self.active_tab == TAB_HEALTH else "#trend-scroll"
        self.query_one(scroll_id, VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_export(self) -> None:
        snapshot = self._snapshot()
        if self.export_source is not None:
            jobs, filters = self.export_source()
        else:
            jobs, filters = snapshot.jobs, {}
        from backuptui.tui.screens.export import open_export

        open_export(self.app, jobs, appliance=snapshot.appliance, base_url=snapshot.base_url, filters=filters)
