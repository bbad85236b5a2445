"""The one-off backup form: parts with sizes, the appliance's validation and its warnings before
an explicit start, a failure that keeps the form minus the passwords, and the passwords never in
a log, a notification, an export or a screenshot."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pilot_waits import wait_until
from test_tui_actions import make_app, notifications, open_confirmation, problem_text
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input

from backuptui.core.export import render_history
from backuptui.simulator import Simulator
from backuptui.tui import acting
from backuptui.tui.screens.backup_form import BackupFormScreen

LOCATION_PASSWORD = "Loc-Secret-9"
BACKUP_PASSWORD = "Bk-Secret-42"
SECRETS = (LOCATION_PASSWORD, BACKUP_PASSWORD, "weakpw1")


@pytest.fixture(autouse=True)
def _local_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(acting, "local_user", lambda: "tester")


async def type_into(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Into the input as a paste would put it (key by key costs seconds per field)."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.insert_text_at_cursor(text)
    await pilot.pause()


def value(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Input).value)


def assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a password in {where}"


async def test_one_off_backup_validates_warns_and_never_shows_a_password(
    simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = make_app(simulator)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_confirmation(pilot)
        await pilot.click("#backup-other")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupFormScreen), "the form")
        form = app.screen
        assert isinstance(form, BackupFormScreen)
        await wait_until(pilot, lambda: bool(form.query("#part-seat")), "the parts")
        seat = form.query_one("#part-seat", Checkbox)
        assert "Stats, Events, and Tasks (6.4 GB)" in str(seat.label)
        assert form.query_one("#part-common", Checkbox).disabled  # always included

        await type_into(pilot, "#form-location", "sftp://192.0.2.10/backups/vcsa01")
        await type_into(pilot, "#form-user", "backupuser")
        await type_into(pilot, "#form-location-password", LOCATION_PASSWORD)
        await type_into(pilot, "#form-backup-password", "weakpw1")
        assert form.query_one("#form-start", Button).disabled
        await pilot.click("#form-validate")
        await wait_until(
            pilot, lambda: "backup_password" in problem_text(form, "#form-problem"), "the refusal"
        )
        # the form kept, minus the passwords
        assert value(form, "#form-location") == "sftp://192.0.2.10/backups/vcsa01"
        assert value(form, "#form-user") == "backupuser"
        assert value(form, "#form-location-password") == value(form, "#form-backup-password") == ""
        assert form.query_one("#form-start", Button).disabled

        await type_into(pilot, "#form-location-password", LOCATION_PASSWORD)
        await type_into(pilot, "#form-backup-password", BACKUP_PASSWORD)
        await pilot.click("#part-seat")  # without stats, events and tasks
        await pilot.click("#form-validate")
        await wait_until(pilot, lambda: not form.query_one("#form-start", Button).disabled, "validated")
        assert "not empty" in problem_text(form, "#form-warnings")  # the appliance's warning, shown
        assert_no_secret(app.export_screenshot(), "a screenshot")
        assert simulator.jobs.running is None  # validating starts nothing

        await pilot.click("#form-start")
        await wait_until(pilot, lambda: simulator.jobs.running is not None, "the backup")
        await wait_until(pilot, lambda: not isinstance(app.screen, BackupFormScreen), "the form closed")
        assert_no_secret(repr(vars(form)), "the closed form")
        job_list = app.main_screen.job_list
        await wait_until(pilot, lambda: job_list.selected_id == simulator.jobs.running, "the job followed")
        job = job_list.selected_job
        assert job is not None and job.location.startswith("sftp://192.0.2.10/backups/vcsa01/")
        assert job.type.value == "MANUAL"
        assert_no_secret("\n".join(notifications(app)), "a notification")
        for fmt in ("json", "csv"):
            assert_no_secret(render_history(job_list.jobs, fmt, appliance="lab"), f"the {fmt} export")
        assert_no_secret(app.export_screenshot(), "a screenshot")
    assert_no_secret(caplog.text, "the log")


async def test_a_changed_form_must_be_validated_again(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_confirmation(pilot)
        await pilot.click("#backup-other")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupFormScreen), "the form")
        form = app.screen
        await type_into(pilot, "#form-location", "nfs://192.0.2.20/exports/once")
        assert str(form.query_one("#form-type").value) == "NFS"  # the type follows the URL's scheme
        await pilot.click("#form-validate")
        await wait_until(pilot, lambda: not form.query_one("#form-start", Button).disabled, "validated")
        await type_into(pilot, "#form-comment", " changed")
        assert form.query_one("#form-start", Button).disabled
        await pilot.press("escape")
        assert simulator.jobs.running is None
