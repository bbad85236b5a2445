"""The health panel and trend view (tui/screens/health.py) and export (tui/screens/export.py):
Pilot tests on a small host app, SVG snapshots at 80x24 and 120x40."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from health_jobs import FAILURE_TEXT, NOW, backup_job, daily, snapshot_of
from screen_text import screen_text
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Sparkline, TabbedContent

from backuptui.core.appliance.errors import ApiError
from backuptui.core.appliance.models import (
    BackupJob,
    DayOfWeek,
    JobStatus,
    Recurrence,
    Schedule,
    sorted_newest_first,
)
from backuptui.core.watch.health_watch import HealthWatch
from backuptui.tui.screens.export import ExportScreen
from backuptui.tui.screens.health import TAB_HEALTH, TAB_TREND, HealthScreen, series_summary, trend_of


def growing_history(*, failed_last: bool = True, failure: str = FAILURE_TEXT) -> tuple[BackupJob, ...]:
    """40 nights whose backups grow from 2 GB to 4 GB and slow down; every 9th failed; tonight failed."""
    jobs = []
    for back in range(40, 0, -1):
        start = NOW.replace(hour=2, minute=0) - timedelta(days=back)
        failed = back % 9 == 0
        size = 0 if failed else int(2e9 * (1 + (40 - back) / 40))
        jobs.append(
            backup_job(
                start,
                JobStatus.FAILED if failed else JobStatus.SUCCEEDED,
                size=size,
                minutes=15 + (40 - back) // 3,
                error=failure if failed else None,
            )
        )
    tonight = NOW.replace(hour=2, minute=0)
    if failed_last:
        jobs.append(backup_job(tonight, JobStatus.FAILED, size=0, minutes=1, error=failure))
    else:
        jobs.append(backup_job(tonight, JobStatus.SUCCEEDED, size=int(8.2e9), minutes=31))
    return tuple(sorted_newest_first(jobs))


SCHEDULE = daily()


class Loader:
    """A schedule loader that counts its calls (or fails like an appliance would)."""

    def __init__(self, schedules: Sequence[Schedule] = (SCHEDULE,), error: Exception | None = None) -> None:
        self.schedules = tuple(schedules)
        self.error = error
        self.calls = 0

    async def __call__(self) -> tuple[Schedule, ...]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.schedules


class Host(App[None]):
    """Pushes the health screen over an empty app, like the monitor does on `h`/`t`."""

    def __init__(
        self, jobs: Sequence[BackupJob], loader: Loader | None = None, initial: str = TAB_HEALTH
    ) -> None:
        super().__init__()
        self.snapshot = snapshot_of(jobs)
        self.loader = loader or Loader()
        self.watch = HealthWatch(self.loader)
        self.initial = initial

    def on_mount(self) -> None:
        self.push_screen(
            HealthScreen(lambda: self.snapshot, self.watch, clock=lambda: NOW, initial=self.initial)
        )

    @property
    def health(self) -> HealthScreen:
        screen = self.screen
        assert isinstance(screen, HealthScreen)
        return screen


def file_names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    for worker in list(pilot.app.screen.workers):
        await worker.wait()
    await pilot.pause()


# --- pure pieces ---------------------------------------------------------------------------------


def test_trend_takes_the_newest_successes_oldest_first() -> None:
    history = growing_history()
    trend = trend_of(history, 10)
    assert trend.count == 10
    successes = [j for j in history if j.status == JobStatus.SUCCEEDED][:10]
    assert trend.sizes == tuple(float(j.size or 0) for j in reversed(successes))
    assert list(trend.sizes) == sorted(trend.sizes)  # growing, drawn oldest -> newest
    assert trend.failed_left_out == 2  # tonight's and one 9th-night failure among them
    assert trend_of((), 30).count == 0


def test_series_summary_flags_a_doubling() -> None:
    assert "doubled" in series_summary([1.0, 1.0, 1.0, 2.5], str).plain
    plain = series_summary([10.0, 10.0, 16.0], str).plain
    assert "+60% vs median" in plain and "doubled" not in plain
    assert series_summary([], str).plain == "no successful backups to draw"


CANCELED_TEXT = "The backup job was canceled by the user."


def canceled_tonight() -> tuple[BackupJob, ...]:
    """`growing_history` with tonight's backup canceled by a user (FAILED, error type CANCELED)."""
    tonight = backup_job(
        NOW.replace(hour=2, minute=0), JobStatus.FAILED, size=0, minutes=1, error=CANCELED_TEXT,
        error_type="CANCELED",
    )  # fmt: skip
    return (tonight, *growing_history(failed_last=False)[1:])


def test_the_trend_says_cancels_apart_from_failures() -> None:
    from backuptui.tui.screens.health import trend_note

    trend = trend_of(canceled_tonight(), 10)
    assert (trend.failed_left_out, trend.canceled_left_out) == (1, 1)  # the 9th night's, tonight's
    assert trend_note(trend) == (
        "1 failed backup and 1 canceled in this range are left out: a failed or canceled backup "
        "transfers next to nothing and would hide the trend."
    )
    assert trend_note(trend_of(canceled_tonight()[:3], 10)).startswith("1 canceled backup in this range is")
    assert trend_note(trend_of(growing_history(failed_last=False)[:3], 10)) == ""


# --- the panel -----------------------------------------------------------------------------------


async def test_health_panel_explains_the_verdict() -> None:
    app = Host(growing_history())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "✖ CRITICAL" in text
        assert f"last backup FAILED 2026-11-28 02:00 UTC: {FAILURE_TEXT}" in text
        assert "▲ last successful backup 27 h ago" in text
        assert "Schedule 'default' · enabled" in text
        assert "Daily 02:00 UTC" in text
        assert "Next run       2026-11-29 02:00 UTC (in 20 h)" in text
        assert "keep the newest 7" in text
        assert "sftp://192.0.2.10/backups/vcsa01 (user backupuser)" in text
        assert "Failures       1 in the last 24 h · 1 in the last 7 days" in text
        assert app.loader.calls == 1
        assert app.health.verdict is not None and app.health.verdict.level.name == "CRITICAL"


async def test_health_panel_says_a_canceled_last_backup_and_counts_it_apart() -> None:
    app = Host(canceled_tonight())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "▲ WARNING" in text
        assert "Last backup    CANCELED  started 2026-11-28 02:00 UTC" in text
        assert "Failures       0 in the last 24 h · 0 in the last 7 days" in text  # a cancel is none
        assert "Canceled       1 in the last 24 h · 1 in the last 7 days" in text
        assert f"Why it ended   {CANCELED_TEXT}" in text and "Why it failed" not in text


async def test_tabs_keys_and_back() -> None:
    app = Host(growing_history(failed_last=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tabs = app.health.query_one(TabbedContent)
        assert tabs.active == TAB_HEALTH
        await pilot.press("t")
        assert tabs.active == TAB_TREND
        spark = app.health.query_one("#trend-size", Sparkline)
        assert len(spark.data or []) == 30
        await pilot.press("n")  # 30 -> 90 (only 37 successes exist)
        await pilot.pause()
        assert len(app.health.query_one("#trend-size", Sparkline).data or []) == 37
        await pilot.press("n")  # 90 -> 10
        await pilot.pause()
        assert len(app.health.query_one("#trend-size", Sparkline).data or []) == 10
        text = screen_text(app)
        assert "(+" in text and "doubled" in text  # tonight's 8.2 GB is double the median
        await pilot.press("h")
        assert tabs.active == TAB_HEALTH
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HealthScreen)


async def test_the_panel_follows_new_snapshots() -> None:
    app = Host(growing_history())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "✖ CRITICAL" in screen_text(app)
        app.snapshot = snapshot_of(growing_history(failed_last=False))
        await pilot.pause(1.3)  # the panel redraws once a second
        text = screen_text(app)
        assert "✔ OK" in text and "✔ last backup succeeded" in text


async def test_schedule_that_cannot_be_read() -> None:
    loader = Loader(error=ApiError("vcsa01", "the appliance answered HTTP 500", status_code=500))
    app = Host(growing_history(failed_last=False), loader)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "The schedule could not be read: vcsa01: the appliance answered HTTP 500" in text
        assert "✔ OK" in text  # the jobs are judged with what is known
        await pilot.press("r")
        await settle(pilot)
        assert loader.calls == 2


async def test_disabled_and_weekday_schedule() -> None:
    disabled = Schedule(
        "default",
        "nfs://10.0.0.1/b",
        None,
        False,
        recurrence=Recurrence(30, 23, (DayOfWeek.MONDAY, DayOfWeek.THURSDAY)),
    )
    app = Host(growing_history(failed_last=False), Loader((disabled,)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "▲ WARNING" in text and "backup schedule 'default' is disabled" in text
        assert "DISABLED" in text and "MON, THU 23:30 UTC" in text
        assert "none: the schedule is disabled" in text
        assert "keep every backup" in text


async def test_appliance_text_is_shown_as_text() -> None:
    hostile = "[bold]loud[/] [/var/x] \x1b[31mred\x1b[0m | done"
    app = Host(growing_history(failure=hostile))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]loud[/] [/var/x]" in text
        assert "\x1b" not in text


# --- export --------------------------------------------------------------------------------------


async def test_export_writes_the_file_and_says_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = Host(growing_history())
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        field = app.screen.query_one(Input)
        assert field.value.startswith("backuptui-vcsa01-") and field.value.endswith(".csv")
        field.value = "history.json"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HealthScreen)
        document = json.loads((tmp_path / "history.json").read_text())
        assert len(document["jobs"]) == 41
        messages = [n.message for n in app._notifications]
        assert f"Exported 41 jobs to {tmp_path / 'history.json'}" in messages


async def test_export_rejects_a_bad_name_and_cancels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = Host(growing_history())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one(Input).value = "history.xml"
        await pilot.press("enter")
        await pilot.pause()
        assert "must end in .csv or .json" in screen_text(app)
        screen.query_one(Input).value = str(tmp_path / "no-such-dir" / "h.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert "Cannot write" in screen_text(app)
        screen.query_one(Input).value = "jobs.csv"
        await pilot.press("enter")
        await pilot.pause()
        rows = list(csv.reader((tmp_path / "jobs.csv").open()))
        assert rows[0][0] == "id" and len(rows) == 42
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HealthScreen)
        assert file_names(tmp_path) == ["jobs.csv"]


# --- snapshots (plain def: snap_compare runs its own event loop) ---------------------------------


async def _settle(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_snapshot_health_80x24(snap_compare: Any) -> None:
    assert snap_compare(Host(growing_history()), terminal_size=(80, 24), run_before=_settle)


def test_snapshot_health_120x40(snap_compare: Any) -> None:
    assert snap_compare(Host(growing_history()), terminal_size=(120, 40), run_before=_settle)


def test_snapshot_trend_80x24(snap_compare: Any) -> None:
    app = Host(growing_history(failed_last=False), initial=TAB_TREND)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_snapshot_trend_120x40(snap_compare: Any) -> None:
    app = Host(growing_history(failed_last=False), initial=TAB_TREND)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


async def test_export_asks_before_replacing_a_file_and_keeps_its_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    existing = tmp_path / "jobs.csv"
    existing.write_text("mine\n")
    existing.chmod(0o640)
    app = Host(growing_history())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one(Input).value = "jobs.csv"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert "already exists. Enter again replaces it" in screen_text(app)
        assert existing.read_text() == "mine\n"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HealthScreen)
        assert existing.read_text().startswith("id,status,")
        assert existing.stat().st_mode & 0o777 == 0o640
        assert file_names(tmp_path) == ["jobs.csv"]
