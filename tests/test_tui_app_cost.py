"""Work the monitor app avoids (benchmark rows 3, 5 and 6 measure the time; these prove the cause).

A layout pass arranges and repaints the whole screen, so the common events must not ask for one:
a key that moves to a job whose details are as tall as the last one's, a poll that changed nothing,
a clock tick. Counted with `run_test(message_hook=...)`: every layout request reaches the screen as
a `textual.messages.Layout` message. Against the real simulator; no timing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message
from textual.messages import Layout

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.monitor import Monitor, RefreshSettings
from backuptui.simulator import Simulator
from backuptui.tui.app import MonitorApp
from backuptui.tui.widgets.job_detail import JobDetail, job_detail_lines
from backuptui.tui.widgets.job_list import JobList
from backuptui.tui.widgets.status_line import StatusLine
from tests.screen_text import screen_text
from tests.test_tui_app import FixedClock, wait_for_jobs

SLOW = RefreshSettings(idle=3600.0, running=3600.0, backoff_initial=3600.0, backoff_max=3600.0)


class LayoutCounter:
    """A message hook that counts layout requests (and says which widgets asked)."""

    def __init__(self) -> None:
        self.widgets: list[str] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Layout):
            self.widgets.append(f"{type(message.widget).__name__}#{message.widget.id}")

    def reset(self) -> None:
        self.widgets.clear()


def make_app(sim: Simulator, **kw: Any) -> MonitorApp:
    client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
    return MonitorApp(Monitor(client, SLOW, clock=kw.get("clock")), user=sim.user, **kw)


def detail_text(app: MonitorApp) -> str:
    return str(app.query_one(JobDetail).render())


async def test_a_key_to_a_job_of_any_height_needs_no_layout(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(variety=True)
    layouts = LayoutCounter()
    app = make_app(sim)
    async with app.run_test(size=(120, 40), message_hook=layouts) as pilot:
        job_list = await wait_for_jobs(pilot)
        detail = app.query_one(JobDetail)
        width = detail.scrollable_content_region.width
        heights = [len(job_detail_lines(job, width)) for job in job_list.jobs]
        # finished jobs only: a running one shows the cancel key in the footer (a layout of its own)
        pairs = [
            i
            for i in range(len(heights) - 1)
            if job_list.jobs[i].is_finished and job_list.jobs[i + 1].is_finished
        ]
        same = next(i for i in pairs if heights[i] == heights[i + 1])
        taller = next(i for i in pairs if heights[i] != heights[i + 1])
        assert min(heights) > detail.scrollable_content_region.height  # the scrollbar stays

        for row in (same, taller):  # the next job has as many lines, then more or fewer
            assert job_list.select_job(job_list.jobs[row].id)
            await pilot.pause()
            layouts.reset()
            before = detail.layouts
            await pilot.press("down")
            await pilot.pause()
            shown = job_list.jobs[row + 1]
            assert detail.job == shown
            assert shown.id in detail_text(app) and job_list.jobs[row].id not in detail_text(app)
            assert detail.border_title == f"Job {shown.id}"
            assert detail.layouts == before and layouts.widgets == []
            # the scroll range and the scrollbar follow the shown job's lines
            assert detail.virtual_size.height == heights[row + 1]
            assert detail.max_scroll_y == heights[row + 1] - detail.scrollable_content_region.height
            assert detail.vertical_scrollbar.window_virtual_size == heights[row + 1]


async def test_the_detail_scrollbar_comes_and_goes_with_the_lines(simulator: Simulator) -> None:
    """The scroll range is set without a layout while the scrollbar stays; when the lines start or
    stop fitting the pane, the scrollbar comes or goes (that one needs a layout)."""
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        detail = app.query_one(JobDetail)
        visible = detail.scrollable_content_region.height
        job = job_list.jobs[0]
        assert len(detail.lines()) > visible and detail.show_vertical_scrollbar

        detail.show_job(None, "No job matches the filter.")  # one line: fits
        await pilot.pause()
        assert not detail.show_vertical_scrollbar and detail.max_scroll_y == 0
        assert "No job matches the filter." in screen_text(app)

        detail.show_job(job)
        await pilot.pause()
        assert detail.show_vertical_scrollbar and detail.max_scroll_y == len(detail.lines()) - visible
        detail.scroll_to(y=detail.max_scroll_y, animate=False)
        await pilot.pause()
        lines = [str(line).rstrip() for line in detail.lines()]
        text = screen_text(app)
        assert lines[-1] in text and lines[0] not in text  # scrolled to the end

        # wide: the pane is taller than the job, the scrollbar goes and the pane scrolls back
        await pilot.resize_terminal(160, 60)
        await pilot.pause()
        assert len(detail.lines()) <= detail.scrollable_content_region.height
        assert not detail.show_vertical_scrollbar and detail.scroll_y == 0
        assert lines[0].split()[-1] in screen_text(app)


async def test_a_poll_that_changed_nothing_needs_no_layout(simulator: Simulator) -> None:
    layouts = LayoutCounter()
    app = make_app(simulator)
    async with app.run_test(size=(120, 40), message_hook=layouts) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        await pilot.pause()
        layouts.reset()
        job_list.rows_rendered = 0
        for _ in range(3):
            before = app.monitor.snapshot
            snapshot = await app.monitor.poll(full=True)
            assert snapshot.jobs is before.jobs  # nothing changed: the same tuple of the same jobs
            app.apply_snapshot(snapshot)
            await pilot.pause()
        assert layouts.widgets == []
        assert job_list.rows_rendered == 0
        assert app.snapshot is snapshot and job_list.jobs == list(snapshot.jobs)
        assert "50 jobs" in str(app.query_one("#filter-count").render())


async def test_a_clock_tick_needs_no_layout(simulator: Simulator) -> None:
    clock = FixedClock()
    layouts = LayoutCounter()
    app = make_app(simulator, clock=clock)
    async with app.run_test(size=(120, 40), message_hook=layouts) as pilot:
        await wait_for_jobs(pilot, 50)
        await pilot.pause()
        layouts.reset()
        status = app.query_one(StatusLine)
        for seconds in (1, 1, 60, 3600):
            clock.advance(seconds)
            app.main_screen.tick()
            await pilot.pause()
        assert layouts.widgets == []
        assert "stale for 1h 01m" in status.text and "refreshed" not in status.text  # said once
        assert isinstance(app.query_one("#jobs"), JobList)


async def test_a_key_moves_the_cursor_and_the_detail_in_one_frame(simulator: Simulator) -> None:
    """No frame shows the cursor on the new job beside the old job's details: the pane follows in
    the same frame (one frame per key, not two a screen-update interval apart)."""
    app = make_app(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        job_list = await wait_for_jobs(pilot, 50)
        await pilot.pause()
        detail = app.query_one(JobDetail)
        frames: list[tuple[str | None, str | None]] = []
        display = app._display  # called once per frame the compositor renders (Textual, private)

        def record(screen: Any, renderable: Any) -> None:
            shown = detail.job
            frames.append((job_list.selected_id, shown.id if shown is not None else None))
            display(screen, renderable)

        app._display = record  # type: ignore[method-assign]
        for key in ("down", "down", "up", "end", "home"):
            frames.clear()
            await pilot.press(key)
            await pilot.pause()
            moved = [frame for frame in frames if frame[0] == job_list.selected_id]
            assert moved, f"no frame after {key}"
            assert all(selected == shown for selected, shown in frames), frames
