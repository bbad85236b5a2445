"""The `/` filter bar as you type, Esc and Enter; `y` copy (OSC 52) and `s` save of a job's JSON."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from screen_text import screen_text
from test_filtering import JOBS, NOW
from test_tui_drilldown import FAILED_ID, FAILED_RECORD, DrillApp, failed_job
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from backuptui.core.appliance.models import BackupJob
from backuptui.core.appliance.parsing import parse_job
from backuptui.core.filtering import JobFilter
from backuptui.tui.clipboard import MASK, copy_job, job_filename, save_job, save_job_and_notify, short_path
from backuptui.tui.widgets.filter_bar import FilterBar


class Rows(Static, can_focus=True):
    """Stands in for the job list, which takes the focus back when the bar closes."""


class FilterApp(App[None]):
    """The list side of the contract: apply `FilterBar.Changed`, report the count back."""

    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("y", "copy", "Copy"),
        Binding("s", "save", "Save"),
    ]

    def __init__(self, jobs: list[BackupJob], save_dir: Path | None = None) -> None:
        super().__init__()
        self.jobs = jobs
        self.save_dir = save_dir
        self.shown: list[BackupJob] = list(jobs)
        self.changes = 0
        self.closed: list[bool] = []

    def compose(self) -> ComposeResult:
        yield FilterBar(clock=lambda: NOW, id="filter")
        yield Rows("", id="rows")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        self.query_one("#rows", Rows).update("\n".join(job.id for job in self.shown) or "(no jobs)")
        self.query_one(FilterBar).set_count(len(self.shown), len(self.jobs))

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    def action_copy(self) -> None:
        copy_job(self, self.shown[0])

    def action_save(self) -> None:
        save_job_and_notify(self, self.shown[0], self.save_dir)

    def on_filter_bar_changed(self, message: FilterBar.Changed) -> None:
        self.changes += 1
        self.shown = message.filter.apply(self.jobs)
        self._show()

    def on_filter_bar_closed(self, message: FilterBar.Closed) -> None:
        self.closed.append(message.kept)
        self.query_one("#rows", Rows).focus()


def all_jobs() -> list[BackupJob]:
    return list(JOBS.values())


def notifications(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_typing_filters_and_shows_the_count() -> None:
    app = FilterApp(all_jobs())
    async with app.run_test(size=(100, 20)) as pilot:
        bar = app.query_one(FilterBar)
        assert not bar.display or not bar.is_open
        await pilot.press("slash")
        assert bar.is_open and isinstance(app.focused, Input)
        await pilot.press(*"status:failed")
        await pilot.pause()
        assert [job.id for job in app.shown] == ["20261127-020003-22617221"]
        text = screen_text(app)
        assert "1 of 5 jobs" in text
        assert "status:failed" in text
        assert "20261128-020003-22617221" not in text
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.pause()
        assert app.shown == app.jobs  # "status:" alone is still being typed: no filter, no error
        assert "5 jobs" in screen_text(app)


async def test_a_bad_term_shows_a_message_and_the_rest_still_filters() -> None:
    app = FilterApp(all_jobs())
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.press("slash", *"sftp stauts:failed")
        await pilot.pause()
        bar = app.query_one(FilterBar)
        assert bar.has_class("-error")
        text = screen_text(app)
        assert "unknown field 'stauts:'" in text
        assert "3 of 5 jobs" in text
        assert len(app.shown) == 3


async def test_escape_clears_and_closes() -> None:
    app = FilterApp(all_jobs())
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("slash", *"manual")
        await pilot.pause()
        assert len(app.shown) == 1
        await pilot.press("escape")
        await pilot.pause()
        bar = app.query_one(FilterBar)
        assert not bar.is_open
        assert bar.filter.is_empty
        assert app.shown == app.jobs
        assert app.closed == [False]
        assert "manual" not in screen_text(app)


async def test_enter_keeps_the_filter_visible() -> None:
    app = FilterApp(all_jobs())
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("slash", *"-status:succeeded", "enter")
        await pilot.pause()
        bar = app.query_one(FilterBar)
        assert app.closed == [True]
        assert bar.is_open and bar.is_active
        assert not isinstance(app.focused, Input)
        assert "3 of 5 jobs" in screen_text(app)
        # `/` again edits the same filter
        await pilot.press("slash", "backspace")
        await pilot.pause()
        assert bar.query_one(Input).value == "-status:succeede"


async def test_changed_messages_coalesce() -> None:
    app = FilterApp(all_jobs())
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("slash", *"backupuser sftp")
        await pilot.pause()
        # Only the newest pending Changed is handled; never more than one per key press.
        assert 1 <= app.changes <= len("backupuser sftp")
        assert isinstance(app.query_one(FilterBar).filter, JobFilter)
        assert len(app.shown) == 2


async def test_copy_puts_the_raw_record_as_json_on_the_clipboard() -> None:
    job = failed_job()
    app = FilterApp([job])
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert json.loads(app.clipboard) == {FAILED_ID: FAILED_RECORD}
        assert app.clipboard.startswith('{\n  "20240316-020004-22617221": {\n    "location"')
        [note] = notifications(app)
        assert "terminal clipboard" in note and "press s" in note


async def test_copy_and_save_from_the_drilldown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = DrillApp(failed_job())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("y", "s")
        await pilot.pause()
        assert json.loads(app.clipboard) == {FAILED_ID: FAILED_RECORD}
        saved = tmp_path / f"backuptui-job-{FAILED_ID}.json"
        assert json.loads(saved.read_text()) == {FAILED_ID: FAILED_RECORD}
        assert any(short_path(saved) in note for note in notifications(app))


async def test_save_writes_the_file_and_notifies_the_full_path(tmp_path: Path) -> None:
    app = FilterApp([failed_job()], save_dir=tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        path = tmp_path / "backuptui-job-20240316-020004-22617221.json"
        assert json.loads(path.read_text(encoding="utf-8")) == {FAILED_ID: FAILED_RECORD}
        assert path.read_text().endswith("}\n")
        assert os.listdir(tmp_path) == [path.name]  # no temporary file left
        assert any(short_path(path) in note for note in notifications(app))


async def test_save_into_an_unwritable_directory_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "does-not-exist"
    app = FilterApp([failed_job()], save_dir=missing)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        [note] = notifications(app)
        assert "Could not save job 20240316-020004-22617221" in note
        assert str(missing) in note
        assert [n.severity for n in app._notifications] == ["error"]


def test_save_job_defaults_to_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = save_job(failed_job())
    assert path == tmp_path.resolve() / f"backuptui-job-{FAILED_ID}.json"
    assert path.is_absolute()
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    # saving again replaces the file in one step
    path2 = save_job(failed_job())
    assert path2 == path and len(os.listdir(tmp_path)) == 1


def test_odd_ids_make_safe_file_names(tmp_path: Path) -> None:
    record = copy.deepcopy(FAILED_RECORD)
    job = parse_job("../../etc/passwd [x]\x1b", record)
    assert job_filename(job) == "backuptui-job-etc_passwd_x.json"
    path = save_job(job, tmp_path)
    assert path.parent == tmp_path.resolve()


def test_secrets_never_leave_in_the_json(tmp_path: Path) -> None:
    record = copy.deepcopy(FAILED_RECORD)
    record["location_password"] = "S3cret!"
    record["extra"] = {"session_token": "abc123", "nested": [{"apiKey": "k"}], "password_hint": None}
    job = parse_job(FAILED_ID, record)
    text = save_job(job, tmp_path).read_text()
    assert "S3cret!" not in text and "abc123" not in text and '"k"' not in text
    data = json.loads(text)[FAILED_ID]
    assert data["location_password"] == MASK
    assert data["extra"]["session_token"] == MASK
    assert data["extra"]["nested"][0]["apiKey"] == MASK
    assert data["extra"]["password_hint"] is None  # nothing there to hide
    assert data["location_user"] == "backupuser"  # a user name is not a secret
