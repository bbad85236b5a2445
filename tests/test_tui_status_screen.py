"""The status line and the live progress widget on the screen while the clock ticks (Pilot).

The app runs on a real simulator and the fixed clock of the snapshot tests; the test moves the
clock and calls the app's once-a-second tick itself, so every second is seen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from screen_text import screen_text
from test_snapshots import SIZE_IDS, SIZES, FixedClock, build_app, poll, polled_app
from textual.pilot import Pilot

from backuptui.tui.app import MonitorApp
from backuptui.tui.widgets.live_progress import LiveProgress
from backuptui.tui.widgets.status_line import StatusLine, StatusView, status_content

SEPARATOR = " · "
SHORTER = {
    "last good backup": "good backup",
    "data stale for": "stale",
    "TLS verification OFF": "TLS not verified",
}


def phrases(view: StatusView) -> set[str]:
    """Every whole phrase the line may show, in its long or short form."""
    out: set[str] = {"…"}
    for compact in (False, True):
        for part in status_content(view, compact=compact).plain.split(SEPARATOR):
            out.add(part)
            for long, short in SHORTER.items():
                out.add(part.replace(long, short))
            out.add(re.sub(r"^\d+ jobs?, ", "", part))  # the counts, shortest
    return out


async def tick(pilot: Pilot[Any], clock: FixedClock, seconds: float = 1.0) -> None:
    clock.advance(seconds)
    app = pilot.app
    assert isinstance(app, MonitorApp)
    app.main_screen.tick()  # what the screen's timer calls, called here at each second the test picks
    await pilot.pause()


def status_rows(app: MonitorApp) -> list[str]:
    rows = screen_text(app).splitlines()[: app.query_one(StatusLine).size.height]
    return [row.strip() for row in rows if row.strip()]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_the_status_line_never_breaks_a_phrase_while_ages_tick(size: tuple[int, int]) -> None:
    clock = FixedClock()
    app, simulator, restore = build_app(clock)
    try:
        async with app.run_test(size=size) as pilot:
            clock.advance(5 * 60)
            await poll(pilot, full=True)
            for second in range(150):  # live, then unreachable from the 20th second on
                if second == 20:
                    simulator.stop()
                    await poll(pilot)
                await tick(pilot, clock)
                view = app.query_one(StatusLine).view
                assert view is not None
                known = phrases(view)
                rows = status_rows(app)
                for row in rows:
                    for part in row.split(SEPARATOR):
                        assert part in known, f"second {second}: {part!r} in {rows}"
                assert rows[0].startswith(view.notes[0][0])  # the verdict leads
                if second > 20:
                    assert "unreachable" in rows[0]
    finally:
        simulator.stop()
        restore()


async def test_the_progress_widget_stops_when_the_data_stops() -> None:
    clock = FixedClock()
    app, simulator, restore = build_app(clock)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            clock.advance(17 * 60)
            await poll(pilot, full=True)
            for _ in range(3):
                clock.advance(10)
                await poll(pilot)  # a rate and an ETA
            progress = app.query_one(LiveProgress)
            assert "ETA —" not in progress.render().plain
            simulator.stop()
            await poll(pilot)
            await tick(pilot, clock, 47)
            first = progress.render().plain
            await tick(pilot, clock, 1)
            later = progress.render().plain
            # the moment its figures are true at; how long the data is stale is the status line's
            assert "as of 09:58:30" in later and "ETA —" in later
            assert "STALE" not in later and "no data for" not in later
            assert later == first  # it stands still with the data, elapsed time too
            assert "elapsed 17m 30s" in later.splitlines()[2]
            assert "data stale for 48s" in app.query_one(StatusLine).text
    finally:
        simulator.stop()
        restore()


async def test_the_progress_widget_says_paused_and_its_ages_stay_true() -> None:
    clock = FixedClock()
    async with polled_app(clock, (80, 24), running=False) as (app, pilot, _):
        await pilot.press("p")
        await tick(pilot, clock, 60)
        paused = app.query_one(LiveProgress).render().plain
        await tick(pilot, clock, 2 * 3600)
        later = app.query_one(LiveProgress).render().plain
        assert "PAUSED at 09:41:00" in paused.splitlines()[0]
        assert paused != later  # "(2 h ago)" became "(4 h ago)": not frozen


async def test_at_80_columns_the_list_shows_the_year_and_the_locations_host() -> None:
    clock = FixedClock()
    async with polled_app(clock, (80, 24), running=False) as (app, _, _):
        rows = screen_text(app).splitlines()
        header = next(i for i, row in enumerate(rows) if row.startswith("Status"))
        first = rows[header + 1]
        assert "2026-11-28" in first  # the year stays
        assert "192.0.2.10/…" in first  # the host, then the folder's tail
        assert "_20261128-" not in first  # not the start time a second time


def test_a_narrow_location_keeps_the_host_when_the_host_alone_fills_the_column() -> None:

    from test_models import info

    from backuptui.core.appliance.parsing import parse_job
    from backuptui.tui.widgets.job_list import narrow_location

    base = parse_job("20261129-132949-24853646", info("SUCCEEDED"))
    job = base.replace(
        location="smb://fileserver.example.com/vcsa/vCenter/sn_vcsa01.example.com/M_8.0.3.00400_20261129-132949_",
    )
    shown = narrow_location(job, 22)
    assert shown.startswith("fileserver.example")  # before: "…0400_20261129-132949_", the host hidden
    assert len(shown) <= 22
