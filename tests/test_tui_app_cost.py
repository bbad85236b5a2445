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
from backuptui.tui.widgets.job_detail import DetailBody, JobDetail, job_detail_lines
from backuptui.tui.widgets.job_list import JobList
from backuptui.tui.widgets.status_line import StatusLine
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
    return str(app.query_one(DetailBody).render())


async def test_a_key_to_a_job_of_the_same_height_needs_no_layout(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(variety=True)
    layouts = LayoutCounter()
    app = make_app(sim)
    async with app.run_test(size=(120, 40), message_hook=layouts) as pilot:
        job_list = await wait_for_jobs(pilot)
        body = app.query_one(DetailBody)
        width = body.content_region.width
        heights = [len(job_detail_lines(job, width)) for job in job_list.jobs]
        same = next(i for i in range(len(heights) - 1) if heights[i] == heights[i + 1])
        taller = next(i for i in range(len(heights) - 1) if heights[i] != heights[i + 1])

        assert job_list.select_job(job_list.jobs[same].id)
        await pilot.pause()
        layouts.reset()
        before = body.layouts
        await pilot.press("down")
        await pilot.pause()
        shown = job_list.jobs[same + 1]
        assert app.query_one(JobDetail).job == shown
        assert shown.id in detail_text(app) and job_list.jobs[same].id not in detail_text(app)
        assert app.query_one(JobDetail).border_title == f"Job {shown.id}"
        assert body.layouts == before and layouts.widgets == []
        assert body.size.height == heights[same + 1]

        # a job with more or fewer lines does need one, and the pane takes its new height
        assert job_list.select_job(job_list.jobs[taller].id)
        await pilot.pause()
        before = body.layouts
        await pilot.press("down")
        await pilot.pause()
        assert body.layouts == before + 1 and "DetailBody#detail-body" in layouts.widgets
        assert body.size.height == heights[taller + 1]
        assert job_list.jobs[taller + 1].id in detail_text(app)


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
        assert "refreshed 1 h ago" in status.text
        assert isinstance(app.query_one("#jobs"), JobList)
