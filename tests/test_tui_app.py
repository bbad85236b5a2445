"""The monitor app against the real simulator: list, navigation, cursor stability, pause, states.

Each test runs the app headless (`run_test`) on a real `Monitor` + `ApplianceClient` talking to a
simulator over loopback HTTP. Polls are slow (an hour) so a test decides when the next one happens
(`r`); every wait is for a condition, never a fixed sleep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pilot_waits import prompt_ready, wait_until
from screen_text import screen_text
from textual.app import App
from textual.pilot import Pilot

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.monitor import ConnectionState, Monitor, RefreshSettings
from backuptui.simulator import Simulator
from backuptui.tui.app import MonitorApp
from backuptui.tui.password import PasswordScreen
from backuptui.tui.widgets.job_detail import JobDetail
from backuptui.tui.widgets.job_list import JobList
from backuptui.tui.widgets.live_progress import LiveProgress
from backuptui.tui.widgets.status_line import StatusLine

SLOW = RefreshSettings(idle=3600.0, running=3600.0, backoff_initial=3600.0, backoff_max=3600.0)


def make_app(
    sim: Simulator, password: str | None = None, settings: RefreshSettings = SLOW, **kw: Any
) -> MonitorApp:
    client = ApplianceClient(sim.url, sim.user, Secret(password if password is not None else sim.password))
    return MonitorApp(Monitor(client, settings), user=sim.user, **kw)


async def wait_for_jobs(pilot: Pilot[Any], count: int | None = None) -> JobList:
    app = pilot.app
    assert isinstance(app, MonitorApp)
    job_list = app.main_screen.job_list  # the app is ready once its main screen is
    await wait_until(
        pilot,
        lambda: job_list.total_count > 0 and (count is None or job_list.total_count == count),
        f"{count or 'some'} jobs in the list",
    )
    await pilot.pause()
    return job_list


async def test_shows_the_history_newest_first(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        starts = [job.start_time for job in job_list.jobs if job.start_time]
        assert starts == sorted(starts, reverse=True)
        status = app.query_one(StatusLine).text
        assert "live" in status and "50 jobs" in status and "/api" in status
        text = screen_text(app)
        newest = job_list.jobs[0]
        assert "Status" in text and "Location" in text
        assert ("✔ SUCCEEDED" in text) or ("✖ FAILED" in text)
        assert newest.id in text  # the detail pane shows the selected (newest) job
        assert app.focused is job_list


async def test_keys_move_the_cursor(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        ids = [job.id for job in job_list.jobs]
        await pilot.press("j", "j", "down")
        assert job_list.selected_id == ids[3]
        await pilot.press("k", "up")
        assert job_list.selected_id == ids[1]
        await pilot.press("G")
        assert job_list.selected_id == ids[-1]
        assert job_list.scroll_y == job_list.max_scroll_y > 0
        await pilot.press("g")
        assert job_list.selected_id == ids[0] and job_list.scroll_y == 0
        await pilot.press("pagedown")
        page = job_list.cursor_row
        assert page > 5 and job_list.selected_id == ids[page]
        await pilot.press("pageup")
        assert job_list.cursor_row == 0
        await pilot.press("end", "home")
        assert job_list.cursor_row == 0
        await pilot.press("k")  # at the top already: stays
        assert job_list.cursor_row == 0
        await pilot.pause()
        assert app.query_one(JobDetail).job == job_list.jobs[0]


async def test_click_selects_and_detail_follows(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        await pilot.click(JobList, offset=(5, 4))  # line 0 is the header: line 4 is row 3
        await pilot.pause()
        assert job_list.cursor_row == 3
        assert app.query_one(JobDetail).job == job_list.jobs[3]
        assert f"Job {job_list.jobs[3].id}" == app.query_one(JobDetail).border_title


async def test_cursor_stays_on_its_job_when_a_new_job_arrives(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        # scrolled down: the selected job keeps its screen line, the new job arrives above unseen
        await pilot.press("pagedown", "j", "j")
        selected = job_list.selected_id
        row, top = job_list.cursor_row, job_list.scroll_y
        assert top > 0
        simulator.start_backup()
        await pilot.press("r")
        await wait_for_jobs(pilot, 51)
        assert job_list.selected_id == selected
        assert job_list.cursor_row == row + 1
        assert job_list.cursor_row - job_list.scroll_y == row - top  # same screen line
        assert job_list.jobs[0].is_active


async def test_at_the_top_new_jobs_show_and_the_cursor_keeps_its_job(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        await pilot.press("j")
        selected = job_list.selected_id
        new_id = simulator.start_backup()
        await pilot.press("r")
        await wait_for_jobs(pilot, 51)
        assert job_list.selected_id == selected and job_list.cursor_row == 2
        assert job_list.scroll_y == 0
        assert new_id in screen_text(app)


async def test_pause_freezes_the_list_but_not_the_status_line(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        await pilot.press("p")
        assert "PAUSED" in app.query_one(StatusLine).text
        await pilot.pause()
        assert "p Resume" in screen_text(app).splitlines()[-1]  # the footer says what p does now
        new_id = simulator.start_backup()
        await pilot.press("r")
        await wait_until(pilot, lambda: app.snapshot.total == 51, "the poll after the new backup")
        await pilot.pause()
        assert job_list.total_count == 50 and new_id not in {job.id for job in job_list.jobs}
        assert "51 jobs" in app.query_one(StatusLine).text  # the status line stays live
        await pilot.press("p")
        await pilot.pause()
        assert "PAUSED" not in app.query_one(StatusLine).text
        assert job_list.total_count == 51 and job_list.jobs[0].id == new_id


async def test_live_progress_shows_the_running_job(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(running_at_start=True, speed=50.0)
    app = make_app(sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_jobs(pilot)
        progress = app.query_one(LiveProgress)
        view = progress.view
        assert view is not None and view.job is not None and view.job.is_active
        text = screen_text(app)
        assert "▶ RUNNING" in text and "elapsed" in text and "ETA" in text
        assert "%" in text and ("█" in text or "░" in text)


async def test_live_progress_says_when_nothing_runs(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        text = screen_text(app)
        assert "No backup is running." in text
        last = next(job for job in job_list.jobs if job.is_finished)
        assert f"Last job: {'✔ SUCCEEDED' if last.status == 'SUCCEEDED' else '✖ FAILED'}" in text


async def test_small_terminal_stacks_the_detail_pane_under_the_list(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(80, 24)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        detail = app.query_one(JobDetail)
        assert app.screen.has_class("-narrow")
        assert detail.region.y > job_list.region.y and detail.region.width >= 78
        assert job_list.region.height >= 6  # header + at least 5 jobs
        lines = screen_text(app).splitlines()
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        assert any("Status" in line and "Location" in line for line in lines)
        assert "Quit" in lines[-1]
        await pilot.press("d")
        await pilot.pause()
        assert not detail.display or detail.region.height == 0
        assert job_list.region.height > 12
        await pilot.resize_terminal(180, 40)
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.has_class("-wide")
        assert detail.region.x > job_list.region.x  # side by side on a wide terminal


async def test_wrong_password_prompts_and_never_retries_on_its_own(simulator: Simulator) -> None:
    app = make_app(simulator, password="not-the-password")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PasswordScreen), "the password prompt")
        assert app.snapshot.connection == ConnectionState.AUTH_FAILED
        assert "authentication failed" in app.query_one(StatusLine).text
        assert "not-the-password" not in screen_text(app)
        failed = simulator.stats()["failed_logins"]
        await pilot.press("r")  # refresh while refused: no new login attempt
        await pilot.pause(0.2)
        assert simulator.stats()["failed_logins"] == failed
        await pilot.press(*"still-wrong", "enter")
        await wait_until(
            pilot, lambda: simulator.stats()["failed_logins"] == failed + 1, "the second refused login"
        )
        await wait_until(pilot, lambda: prompt_ready(app), "the prompt again")
        await pilot.press(*simulator.password, "enter")
        job_list = await wait_for_jobs(pilot, 50)
        assert app.snapshot.connection == ConnectionState.LIVE
        assert not isinstance(app.screen, PasswordScreen)
        assert app.focused is job_list
        assert simulator.password not in screen_text(app)


async def test_no_password_given_asks_before_the_first_poll(simulator: Simulator) -> None:
    app = make_app(simulator, password="", ask_password=True)
    async with app.run_test(size=(100, 30)) as pilot:
        # the prompt opens once the address answered (a reachability check first): type when it is ready
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, PasswordScreen)
                and any(each.has_focus for each in app.screen.query("#password-input"))
            ),
            "the password prompt",
        )
        assert simulator.stats()["logins"] == 0 and simulator.stats()["failed_logins"] == 0
        await pilot.press(*simulator.password, "enter")
        await wait_for_jobs(pilot, 50)


async def test_unreachable_keeps_the_data_marked_stale_and_recovers(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        simulator.set_fault(drop=-1)
        await pilot.press("r")
        await wait_until(pilot, lambda: app.snapshot.connection == ConnectionState.UNREACHABLE, "unreachable")
        await pilot.pause()
        status = app.query_one(StatusLine).text
        assert "unreachable" in status and "data stale for" in status and "retrying in" in status
        assert job_list.total_count == 50  # the last data stays on screen
        titles = [n.title for n in app._notifications]
        assert any("Lost connection" in title for title in titles)
        simulator.set_fault(clear=True)
        await pilot.press("r")
        await wait_until(pilot, lambda: app.snapshot.connection == ConnectionState.LIVE, "live again")
        await pilot.pause()
        assert "live" in app.query_one(StatusLine).text
        assert any(n.title == "Reconnected" for n in app._notifications)


async def test_quit_logs_out(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_jobs(pilot, 50)
        assert simulator.stats()["active_sessions"] == 1
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, "the app to exit")
    assert simulator.stats()["logouts"] == 1
    assert app.return_code == 0


# --- appliance text that looks like markup or terminal control ------------------------------------
# The simulator only produces well-behaved text, so these records come from a fake client (the
# `MonitorClient` protocol the monitor is written against) through the real parser and monitor.

HOSTILE = "[bold]not bold[/] [/] [red]x \x1b[2J\x1b]52;c;AAAA\x07 [link=file:///etc]"


def hostile_record(job_id: str, status: str = "FAILED") -> dict[str, Any]:
    message = {"id": "x.[/]", "default_message": HOSTILE, "args": []}
    record: dict[str, Any] = {
        "location": f"sftp://192.0.2.10/[/backups]/\x1b[31m{job_id}",
        "location_user": "[b]user[/b]",
        "type": "SCHEDULED",
        "status": status,
        "cancelable": False,
        "messages": [message],
        "description": {"id": "d", "default_message": "Backup [/job]", "args": []},
        "service": "svc[/]",
        "operation": "create",
        "start_time": "2026-11-28T10:00:00.000Z",
        "end_time": "2026-11-28T10:01:00.000Z",
        "duration": 60,
        "size": 1024,
        "progress": {"total": 100, "completed": 10, "message": message},
        "error": {"error_type": "ERROR[/]", "messages": [message]},
    }
    return record


class FakeClient:
    """Answers the monitor with fixed records (parsed by the real parser)."""

    def __init__(self, records: dict[str, dict[str, Any]]) -> None:
        self.records = records
        self.name = "vcsa[/]\x1b[31m"
        self.base_url = "https://vcsa.example.com"
        self.flavor = None
        self.verify_tls = False

    async def list_job_details(self, jobs: Any = None) -> Any:
        from backuptui.core.appliance.models import ApiFlavor
        from backuptui.core.appliance.parsing import parse_details

        self.flavor = ApiFlavor.API
        wanted = self.records if jobs is None else {k: v for k, v in self.records.items() if k in set(jobs)}
        return parse_details(wanted, ApiFlavor.API)

    async def list_job_ids(self) -> list[str]:
        return list(self.records)

    def set_password(self, password: Secret) -> None:
        pass

    async def check_reachable(self) -> None:
        pass

    async def close(self) -> None:
        pass


async def test_appliance_text_is_shown_literally_and_never_restyles() -> None:
    ids = [f"20261128-1000{n:02d}-1" for n in range(3)]
    client = FakeClient({job_id: hostile_record(job_id) for job_id in ids})
    app = MonitorApp(Monitor(client, SLOW))
    async with app.run_test(size=(160, 50), notifications=True) as pilot:  # detail pane beside the list
        await wait_for_jobs(pilot, 3)
        text = screen_text(app)
        assert "[bold]not bold[/] [/] [red]x" in text  # literally, in the detail pane
        assert "\x1b" not in text and "\x07" not in text
        assert "␛[2J␛]52;c;AAAA␇" in text  # control characters made visible instead
        assert "Backup [/job]" in text and "ERROR[/]" in text
        assert "TLS verification OFF" in app.query_one(StatusLine).text
        # a new failure is notified with its first message, as text
        client.records["20261128-110000-1"] = hostile_record("20261128-110000-1")
        await pilot.press("r")
        await wait_for_jobs(pilot, 4)
        failed = [n for n in app._notifications if n.title == "Backup failed"]
        assert failed and "[bold]not bold[/]" in failed[0].message and not failed[0].markup
        # the SVG screenshot path (the same renderer) does not choke either
        assert "[bold]not" in app.export_screenshot()


def test_hostile_detail_content_keeps_brackets() -> None:
    from backuptui.core.appliance.parsing import parse_job
    from backuptui.tui.widgets.job_detail import job_detail_content

    content = job_detail_content(parse_job("j1", hostile_record("j1")))
    assert "[bold]not bold[/]" in content.plain and "\x1b" not in content.plain
    assert "Backup [/job]" in content.plain


# --- the list is virtual ---------------------------------------------------------------------------


def synthetic_jobs(count: int) -> list[Any]:
    from datetime import UTC, datetime, timedelta

    from backuptui.core.appliance.models import BackupJob, JobStatus, JobType, Message

    start = datetime(2026, 11, 28, 10, tzinfo=UTC)
    return [
        BackupJob(
            id=f"job-{n:05d}",
            status=JobStatus.FAILED if n % 7 == 3 else JobStatus.SUCCEEDED,
            type=JobType.SCHEDULED,
            location=f"sftp://192.0.2.10/backups/vcsa01/S_{n:05d}_",
            location_user="backup",
            description=Message("d", "Backup job"),
            service="svc",
            operation="create",
            cancelable=False,
            start_time=start - timedelta(hours=n),
            end_time=start - timedelta(hours=n) + timedelta(minutes=9),
            duration=540,
            size=4 * 1024**3 + n,
        )
        for n in range(count)
    ]


class ListApp(App[None]):  # a bare App with one JobList
    def compose(self) -> Any:
        yield JobList(id="jobs")


@pytest.mark.parametrize("count", [100, 10_000])
async def test_first_paint_renders_only_the_visible_rows(count: int) -> None:
    jobs = synthetic_jobs(count)
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = app.query_one(JobList)
        job_list.set_jobs(jobs)
        await pilot.pause()
        assert 0 < job_list.rows_rendered <= 40  # never the whole history
        job_list.rows_rendered = 0
        job_list.set_jobs(jobs)  # the same records again: nothing to repaint
        await pilot.pause()
        assert job_list.rows_rendered == 0
        await pilot.press("j")
        await pilot.pause()
        assert job_list.rows_rendered <= 2  # the old cursor row and the new one
        job_list.rows_rendered = 0
        await pilot.press("G")
        await pilot.pause()
        assert job_list.selected_id == jobs[-1].id
        assert job_list.rows_rendered <= 40


# --- refresh ---------------------------------------------------------------------------------------


async def test_job_start_and_end_are_notified(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(speed=3000.0, fail_rate=0.0)
    fast = RefreshSettings(idle=3600.0, running=0.2)
    app = make_app(sim, settings=fast)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for_jobs(pilot, 50)
        assert not app._notifications  # the history found at start is not news
        job_id = sim.start_backup()
        await pilot.press("r")

        def told(title: str) -> bool:
            return any(n.title == title and job_id in n.message for n in app._notifications)

        await wait_until(pilot, lambda: told("Backup started"), "the start notification")
        await wait_until(pilot, lambda: told("Backup succeeded"), "the end notification", within=30)
        await pilot.pause()
        assert app.main_screen.job_list.jobs[0].id == job_id and app.main_screen.job_list.jobs[0].is_finished


async def test_keys_work_while_a_poll_is_slow(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        requests = simulator.stats()["requests_total"]
        before = app.snapshot
        simulator.set_fault(latency=5.0)
        await pilot.press("r")
        await wait_until(
            pilot, lambda: simulator.stats()["requests_total"] > requests, "the slow poll to start"
        )
        await pilot.press("j", "j")
        assert job_list.cursor_row == 2
        assert app.snapshot is before  # the keys were handled while the poll was still out
        await pilot.press("r", "r")  # more refreshes while one runs: still one poll at a time
        simulator.set_fault(clear=True)
        workers = [w for w in app.workers if w.group == "poll" and w.is_running]
        assert len(workers) == 1


# --- the clock, the detail pane, sessions, the palette, switching --------------------------------


class FixedClock:
    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> Any:
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)


async def test_status_line_repaints_only_when_its_text_changes(simulator: Simulator) -> None:
    clock = FixedClock()
    client = ApplianceClient(simulator.url, simulator.user, Secret(simulator.password))
    app = MonitorApp(Monitor(client, SLOW, clock=clock), clock=clock, stale_after=100.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_jobs(pilot, 50)
        status = app.query_one(StatusLine)
        updates = status.updates
        app._tick()
        app._tick()
        assert status.updates == updates  # same second, same text: nothing repainted
        clock.advance(5)
        app._tick()
        assert status.updates == updates + 1 and "refreshed 5 s ago" in status.text
        clock.advance(120)
        app._tick()
        assert "stale for 2m 05s" in status.text  # live, but no successful poll for too long


async def test_detail_pane_shows_every_field(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(variety=True)
    app = make_app(sim)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot)
        failed = next(job for job in job_list.jobs if job.status == "FAILED")
        assert job_list.select_job(failed.id)
        await pilot.pause()
        detail = app.query_one(JobDetail)
        assert detail.job == failed
        from backuptui.tui.widgets.job_detail import job_fields

        labels = [label for label, _ in job_fields(failed) if label]
        for label in (
            "Job id", "Status", "Type", "Description", "Started", "Ended", "Duration", "Data", "Progress",
            "Progress note", "Location", "Location user", "User", "Service", "Operation", "Parent",
            "Target", "Cancelable", "Build", "Fast backup", "Messages", "Error",
        ):  # fmt: skip
            assert label in labels
        body = str(detail.query_one("#detail-body").render())
        assert failed.id in body and failed.location in body
        assert failed.problem is not None and failed.problem in body


async def test_session_expiry_is_invisible(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for_jobs(pilot, 50)
        logins = simulator.stats()["logins"]
        simulator.expire_sessions()
        before = app.snapshot
        await pilot.press("r")
        await wait_until(pilot, lambda: app.snapshot is not before, "the next poll")
        assert app.snapshot.connection == ConnectionState.LIVE
        assert simulator.stats()["logins"] == logins + 1  # logged in again, quietly
        assert not isinstance(app.screen, PasswordScreen)
        assert not [n for n in app._notifications if n.severity != "information"]


async def test_palette_offers_the_monitor_commands(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_jobs(pilot, 50)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Refresh now", "Pause / resume", "Copy job as JSON", "Filter jobs", "Quit"} <= titles
        await pilot.press("ctrl+p", *"pause")
        await wait_until(pilot, lambda: "Pause / resume" in screen_text(app), "the palette's search")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.paused, "pause from the palette")
        await pilot.press("ctrl+p", *"pause")
        await wait_until(pilot, lambda: "Pause / resume" in screen_text(app), "the palette's search")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.paused, "resume from the palette")


async def test_ctrl_c_quits_and_logs_out(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_jobs(pilot, 50)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running, "the app to exit")
    assert simulator.stats()["logouts"] == 1 and simulator.stats()["active_sessions"] == 0


async def test_switching_to_another_appliance(simulator_factory: Callable[..., Simulator]) -> None:
    first, second = simulator_factory(jobs=20), simulator_factory(jobs=30, seed=2)
    app = make_app(first)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_jobs(pilot, 20)
        client = ApplianceClient(second.url, second.user, Secret(second.password), name="second")
        await app.switch_monitor(Monitor(client, SLOW), appliance_name="second", user=second.user)
        await wait_for_jobs(pilot, 30)
        assert first.stats()["logouts"] == 1  # left the first appliance properly
        assert " · second (" in app.query_one(StatusLine).text  # after the verdict


async def test_empty_history_says_so(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=0)
    app = make_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.snapshot.connection == ConnectionState.LIVE, "the first poll")
        await pilot.pause()
        text = screen_text(app)
        assert "No backup jobs: this appliance has no backup history." in text
        assert "No backup is running. No finished backup in the history." in text
        assert "0 jobs" in app.query_one(StatusLine).text and "good backup never" in text


async def test_appliance_errors_show_and_back_off(simulator: Simulator) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_jobs(pilot, 50)
        simulator.set_fault(error_500=-1)
        await pilot.press("r")
        await wait_until(pilot, lambda: app.snapshot.connection == ConnectionState.ERROR, "the error state")
        await pilot.pause()
        status = app.query_one(StatusLine).text
        assert "API error" in status and "retrying in" in status and "data stale for" in status
        assert app.main_screen.job_list.total_count == 50
