"""The screen's clock is event-driven: each view says when time alone next changes its text, the
main screen wakes at that moment (not every second), and the age of the data moves in steps.

The views are checked against their own text on a fixed clock: before the moment they name
nothing changes, at it something does. The screen is checked on the snapshot tests' fixed clock
(Pilot); one test lets the real timer fire, waiting for the text, not for a time.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from test_snapshots import START, FixedClock, poll, polled_app, wait_until

from backuptui.core.ages import (
    age_span,
    age_span_changes_in,
    countdown_changes_in,
    duration_changes_in,
    duration_span,
    refresh_age,
    refresh_changes_in,
)
from backuptui.core.appliance.models import BackupJob
from backuptui.core.appliance.parsing import parse_job
from backuptui.tui.format import Tone
from backuptui.tui.widgets.live_progress import (
    LiveProgress,
    ProgressView,
    progress_changes_at,
    progress_content,
)
from backuptui.tui.widgets.status_line import StatusLine, StatusView, status_changes_at, status_content

EPSILON = 0.001  # a millisecond either side of the moment a view names


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "just now"), (9.9, "just now"), (10, "10 s ago"), (19.9, "10 s ago"), (20, "20 s ago"),
        (59.9, "50 s ago"), (60, "1 min ago"), (119, "1 min ago"), (3599, "59 min ago"), (3600, "1 h ago"),
        (-5, "just now"),
    ],
)  # fmt: skip
def test_the_age_of_the_data_moves_in_ten_second_steps_then_minutes(seconds: float, text: str) -> None:
    assert refresh_age(seconds) == text


def _ages() -> list[float]:
    return [x / 4 for x in range(0, 4 * 200)] + [599.5, 3599.2, 3600, 7300.7, 86399.9, 90000, 400000.3]


@pytest.mark.parametrize(
    ("say", "changes_in"),
    [
        (refresh_age, refresh_changes_in),
        (age_span, age_span_changes_in),
        (duration_span, duration_changes_in),
    ],
    ids=["refresh_age", "age_span", "duration_span"],
)
def test_each_way_of_saying_an_age_knows_when_it_next_reads_differently(
    say: Callable[[float], str], changes_in: Callable[[float], float]
) -> None:
    for age in _ages():
        wait = changes_in(age)
        assert wait > 0, age
        for fraction in (0.0, 0.5, 0.999):
            later = age + max(0.0, wait * fraction - EPSILON)
            assert say(later) == say(age), (age, wait, fraction)
        assert say(age + wait + EPSILON) != say(age), (age, wait)


def test_a_countdown_changes_at_each_whole_second_and_now_stays() -> None:
    for remaining in (9.0, 8.5, 4.3, 1.0, 0.2):
        wait = countdown_changes_in(remaining)
        assert math.ceil(remaining - wait + EPSILON) == math.ceil(remaining)
        assert math.ceil(remaining - wait - EPSILON) == math.ceil(remaining) - 1
    assert countdown_changes_in(0.0) == math.inf  # "retrying now" until the attempt


# -- the status line --------------------------------------------------------------------------------

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=START.tzinfo)
LIVE = StatusView(
    appliance="lab", host="vcsa01.example.com", connection="live", now=NOW, flavor="api",
    last_success=NOW, total=1000, failed=3, last_backup_end=NOW - timedelta(hours=3, minutes=20),
    notes=(("✔ backup OK", Tone.GOOD),), stale_after=90.0,
)  # fmt: skip


def _at(view: Any, moment: datetime) -> Any:
    return replace(view, now=moment)


def _status_markup(view: StatusView) -> str:
    return status_content(view).markup  # the text and its colours


Render = Callable[[Any], str]
ChangesAt = Callable[[Any], datetime | None]


def _wakes(view: Any, render: Render, changes_at: ChangesAt, span: float) -> list[float]:
    """The moments (seconds from `view.now`) at which the view says its text changes, over `span`
    seconds; checks at each that nothing changed before it and something changed at it."""
    start, moment, wakes = view.now, view.now, []
    while True:
        shown = render(_at(view, moment))
        change = changes_at(_at(view, moment))
        if change is None:
            for seconds in (1, 60, 3600):
                assert render(_at(view, moment + timedelta(seconds=seconds))) == shown
            return wakes
        assert change > moment or change == moment == view.now
        for before in (moment, moment + (change - moment) / 2, change - timedelta(seconds=EPSILON)):
            if before >= moment:
                assert render(_at(view, before)) == shown, (moment, before, change)
        moment = change + timedelta(seconds=EPSILON)
        assert render(_at(view, moment)) != shown, (change, shown)
        if (change - start).total_seconds() > span:
            return wakes
        wakes.append(round((change - start).total_seconds(), 3))


def test_an_idle_live_line_changes_only_at_the_age_steps_then_at_the_stale_threshold() -> None:
    wakes = _wakes(LIVE, _status_markup, status_changes_at, 95)
    # refreshed 10 s … 50 s ago, 1 min ago, then "live" becomes "stale for 1m 30s" and counts
    assert wakes == [10, 20, 30, 40, 50, 60, 90, 91, 92, 93, 94, 95]


def test_the_status_line_wakes_exactly_when_its_text_changes_in_every_state() -> None:
    cached_at = NOW - timedelta(minutes=12, seconds=3)
    views = [
        LIVE,
        replace(LIVE, last_success=NOW - timedelta(seconds=80)),
        replace(LIVE, last_backup_end=NOW - timedelta(seconds=5)),  # said in seconds for its first minute
        replace(LIVE, last_backup_end=NOW - timedelta(hours=23, minutes=59, seconds=58)),  # turns yellow
        replace(LIVE, connection="unreachable", last_success=NOW - timedelta(seconds=40),
                retry_at=NOW + timedelta(seconds=7.5)),
        replace(LIVE, connection="auth_failed", last_success=NOW - timedelta(seconds=40)),
        replace(LIVE, connection="connecting", last_success=cached_at, cached_at=cached_at),
        replace(LIVE, connection="connecting", last_success=NOW - timedelta(seconds=3),
                cached_at=NOW - timedelta(seconds=3)),
        replace(LIVE, connection="unreachable", last_success=cached_at, cached_at=cached_at,
                retry_at=NOW + timedelta(seconds=3)),
        replace(LIVE, connection="connecting", last_success=None, last_backup_end=None),
    ]  # fmt: skip
    for view in views:
        _wakes(view, _status_markup, status_changes_at, 200)


def test_the_last_good_backup_moves_in_the_steps_of_the_refresh_age() -> None:
    # a login refused before any data: nothing else on the line ticks (no retry, no age of data)
    recent = replace(
        LIVE, connection="auth_failed", last_success=None, last_backup_end=NOW - timedelta(seconds=5)
    )
    assert "last good backup just now" in status_content(recent).plain
    assert "last good backup 10 s ago" in status_content(_at(recent, NOW + timedelta(seconds=5))).plain
    # 10 s … 50 s, then by the minute: not once a second through its first minute
    assert _wakes(recent, _status_markup, status_changes_at, 200) == [5, 15, 25, 35, 45, 55, 115, 175]


def test_refreshed_is_said_only_while_live_and_fresh() -> None:
    unreachable = replace(LIVE, connection="unreachable", last_success=NOW - timedelta(seconds=19),
                          retry_at=NOW + timedelta(seconds=7))  # fmt: skip
    text = status_content(unreachable).plain
    assert "data stale for 19s" in text and "refreshed" not in text, text
    fresh = status_content(replace(LIVE, last_success=NOW - timedelta(seconds=80))).plain
    assert "refreshed 1 min ago" in fresh, fresh
    late = status_content(replace(LIVE, last_success=NOW - timedelta(seconds=95))).plain
    assert "stale for 1m 35s" in late and "refreshed" not in late, late


def test_while_cached_the_line_says_only_the_cached_age() -> None:
    cached_at = NOW - timedelta(minutes=12)
    cached = replace(LIVE, last_success=cached_at, cached_at=cached_at)
    retry_at = NOW + timedelta(seconds=5)
    for view in (
        replace(cached, connection="connecting"),
        replace(cached, connection="unreachable", retry_at=retry_at),
        replace(cached, connection="auth_failed"),
    ):
        text = status_content(view).plain
        assert "cached, 12 min old" in text, text
        assert "refreshed" not in text and "stale" not in text.lower(), text
    unreachable = replace(cached, connection="unreachable", retry_at=retry_at)
    assert "unreachable · cached, 12 min old" in status_content(unreachable).plain
    assert "retrying in 5 s" in status_content(unreachable).plain
    just_now = replace(cached, connection="connecting", cached_at=NOW - timedelta(seconds=4))
    assert "cached, just now" in status_content(just_now).plain


# -- the progress widget ----------------------------------------------------------------------------


def _job(**fields: Any) -> BackupJob:
    record: dict[str, Any] = {
        "location": "sftp://192.0.2.10/backups/M_x_", "location_user": "u", "type": "MANUAL",
        "status": "RUNNING", "cancelable": True, "messages": [], "service": "s", "operation": "create",
        "description": {"id": "d", "default_message": "Backup job", "args": []},
        "start_time": "2026-11-28T11:56:55.500Z",  # 3m 04.5s before NOW
        "progress": {"total": 100, "completed": 40, "message": {"id": "m", "default_message": "Copying"}},
    }  # fmt: skip
    record.update(fields)
    return parse_job("20261128-115655-1", record)


def _progress_markup(view: ProgressView) -> str:
    return progress_content(view, 100).markup


def test_the_progress_widget_wakes_exactly_when_its_text_changes() -> None:
    ended = _job(status="SUCCEEDED", end_time="2026-11-28T11:52:58.000Z")  # 7 min 2 s before NOW
    running = ProgressView(job=_job(), transfer=None, last_finished=None, active_count=1, now=NOW,
                           data_at=NOW)  # fmt: skip
    idle = ProgressView(job=None, transfer=None, last_finished=ended, active_count=0, now=NOW, data_at=NOW)
    # a running job's elapsed time counts by the second
    assert _wakes(running, _progress_markup, progress_changes_at, 3) == [0.5, 1.5, 2.5]
    # nothing runs: "ended … (7 min ago)" moves by the minute
    assert _wakes(idle, _progress_markup, progress_changes_at, 200) == [58, 118, 178]
    # and the screen looks again when the data turns stale (the view it then builds says so)
    soon = NOW + timedelta(seconds=30)
    assert progress_changes_at(replace(idle, stale_at=soon)) == soon
    held = [
        replace(running, hold="paused", stale_at=None),
        replace(running, hold="cached", stale_at=None),
        replace(running, hold="stale", data_at=NOW - timedelta(seconds=95), stale_at=None),
        replace(idle, hold="cached", stale_at=None),
        replace(idle, has_data=False, last_finished=None, stale_at=None),
    ]
    for view in held:
        _wakes(view, _progress_markup, progress_changes_at, 200)
    assert progress_changes_at(held[0]) is None  # paused: elapsed stands still with the data
    # no data yet: the reason and its "retrying in 5 s" (worked out again when the screen wakes)
    waiting = replace(held[4], waiting=("Cannot reach lab: no answer", "retrying in 5 s"))
    counting = replace(waiting, retry_at=NOW + timedelta(seconds=4.5))
    assert progress_changes_at(counting) == NOW + timedelta(seconds=0.5)  # "in 5 s" becomes "in 4 s"
    assert progress_changes_at(waiting) is None  # nothing to count down
    assert progress_changes_at(held[1]) is None  # cached: so does it


# -- the screen ---------------------------------------------------------------------------------------


async def test_the_screen_wakes_at_the_next_change_and_not_in_between() -> None:
    clock = FixedClock()
    async with polled_app(clock, (120, 40), running=False) as (app, pilot, _):
        screen, status = app.main_screen, app.query_one(StatusLine)
        assert "refreshed just now" in status.text
        seen = []
        for _ in range(7):
            wake = screen.wakes_at
            assert wake is not None
            seen.append((wake - START).total_seconds())
            clock.now = wake - timedelta(seconds=EPSILON)
            text, updates = status.text, status.updates
            progress = screen.query_one(LiveProgress).render().plain
            screen.tick()
            assert status.text == text and status.updates == updates  # not yet
            clock.now = wake + timedelta(seconds=EPSILON)  # (the screen's timer wakes a bit late)
            screen.tick()
            assert status.text != text or screen.query_one(LiveProgress).render().plain != progress
        # the age's steps, the verdict's minute (09:42:00, with "1 min ago"), the stale threshold
        assert seen == [10, 20, 30, 40, 50, 60, 90]
        # stale: the line says for how long, and no longer when it was refreshed
        assert "stale for 1m 30s" in status.text and "refreshed" not in status.text
        await poll(pilot)  # a poll: the age starts again
        assert "refreshed just now" in status.text
        assert screen.wakes_at == clock.now + timedelta(seconds=10)


async def test_a_running_backup_and_a_countdown_tick_by_the_second() -> None:
    clock = FixedClock()
    async with polled_app(clock, (80, 24)) as (app, pilot, simulator):  # a backup runs
        progress = app.query_one(LiveProgress)
        assert app.main_screen.wakes_at == clock.now + timedelta(seconds=1)
        clock.advance(1)
        app.main_screen.tick()
        assert "elapsed 1s" in progress.render().plain
        simulator.stop()
        await poll(pilot)  # unreachable: "retrying in N s" counts down
        status = app.query_one(StatusLine)
        assert "retrying in" in status.text
        wake = app.main_screen.wakes_at
        assert wake is not None and timedelta(0) < wake - clock.now <= timedelta(seconds=1)


class RunningClock(FixedClock):
    """A fixed clock that also moves with real time (for the one test that lets a timer fire)."""

    def __init__(self) -> None:
        self._base, self._since = START, time.monotonic()

    @property  # type: ignore[override]
    def now(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._since)

    @now.setter
    def now(self, value: datetime) -> None:
        self._base, self._since = value, time.monotonic()


async def test_the_screen_s_own_timer_moves_the_text() -> None:
    """No tick by hand: the screen's timer turns "just now" into "10 s ago" when the age gets there."""
    clock = RunningClock()
    async with polled_app(clock, (120, 40), running=False) as (app, pilot, _):
        status = app.query_one(StatusLine)
        assert "refreshed just now" in status.text
        clock.advance(9.8)  # behind the app's back: its timer still aims at the 10th second
        # (it fires about 10 s from now, when the clock reads 19.8 s and more: on a busy machine
        # a little past 20 s, so "20 s ago" is as good a proof as "10 s ago")
        moved = re.compile(r"refreshed [12]0 s ago")
        await wait_until(pilot, lambda: moved.search(status.text) is not None, "the screen's timer")
        assert app.main_screen.wakes_at is not None
