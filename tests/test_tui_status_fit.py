"""The status line at every width: whole segments, verdict first, shorter instead of wrapped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from backuptui.tui.format import Tone
from backuptui.tui.widgets.status_line import SEPARATOR, StatusView, fit_status, status_content

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
VERDICTS = [("✖ backup CRITICAL", Tone.BAD), ("? backup UNKNOWN", Tone.NEUTRAL)]


def states() -> list[StatusView]:
    """Live, stale, unreachable with a countdown, paused, filtered, over plain HTTP, loading."""
    base = StatusView(
        appliance="vcsa01-lab", host="vcsa01.example.com:8443", connection="live", now=NOW,
        flavor="api", last_success=NOW - timedelta(seconds=4), total=1234, running=2, failed=17,
        canceled=3, last_backup_end=NOW - timedelta(minutes=1), notes=(VERDICTS[0],),
    )  # fmt: skip
    return [
        base,
        StatusView(**{**base.__dict__, "last_success": NOW - timedelta(seconds=200)}),
        StatusView(
            **{
                **base.__dict__,
                "connection": "unreachable",
                "notes": (VERDICTS[1],),
                "last_success": NOW - timedelta(seconds=48),
                "retry_at": NOW + timedelta(seconds=9),
            }
        ),
        StatusView(**{**base.__dict__, "paused": True, "shown": 12, "verify_tls": False}),
        StatusView(**{**base.__dict__, "plain_http": True, "loading": True}),
    ]


def phrases(view: StatusView) -> set[str]:
    """Every phrase any shortened form of the line may show (a shown line is made of these)."""
    out: set[str] = set()
    for compact in (False, True):
        out.update(status_content(view, compact=compact).plain.split(SEPARATOR))
    full = status_content(view).plain
    out.update(p.replace("last good backup", "good backup") for p in full.split(SEPARATOR))
    out.update(p.replace("data stale for", "stale") for p in full.split(SEPARATOR))
    out.update(p.replace("TLS verification OFF", "TLS not verified") for p in full.split(SEPARATOR))
    out.update(re.sub(r"^\d+ jobs?, ", "", p) for p in full.split(SEPARATOR))  # the counts, shortest
    return out | {"…"}


@pytest.mark.parametrize("lines", [1, 2])
@pytest.mark.parametrize("width", [20, 40, 58, 78, 100, 118, 148, 200])
def test_no_segment_is_split_and_the_verdict_leads(width: int, lines: int) -> None:
    for view in states():
        for tick in (0, 1, 5, 8, 9, 10, 55, 56, 59, 60, 61, 119, 3599, 3600, 7300, 90000):
            ticked = StatusView(**{**view.__dict__, "now": NOW + timedelta(seconds=tick)})
            shown = fit_status(ticked, width, lines).plain.split("\n")
            assert len(shown) <= lines
            assert all(len(line) <= width for line in shown)
            known = phrases(ticked)
            for line in shown:
                for part in line.split(SEPARATOR):
                    assert part in known or (part.endswith("…") and len(shown) == 1), (width, part)
            verdict = ticked.notes[0][0]
            assert shown[0].startswith(verdict[: width - 1])


def test_the_break_does_not_move_as_ages_tick() -> None:
    for view in states():
        for width in (78, 118):
            breaks = set()
            for tick in range(0, 200):  # "just now" → "50 s ago" → "3 min ago"; "59s" → "3m 20s"
                ticked = StatusView(**{**view.__dict__, "now": NOW + timedelta(seconds=tick)})
                first = fit_status(ticked, width, 2).plain.split("\n")[0]
                breaks.add(len(first.split(SEPARATOR)))
            assert len(breaks) <= 2, (view, width, breaks)  # at most once: live → stale


def test_at_80_columns_unreachable_keeps_the_verdict_and_the_counts() -> None:
    unreachable = states()[2]
    shown = fit_status(unreachable, 78, 2).plain
    assert shown.startswith("? backup UNKNOWN · vcsa01-lab · unreachable")
    assert "1234 jobs, 2 running, 17 failed, 3 canceled" in shown and "good backup 1 min ago" in shown
    assert "example.com" not in shown  # the host went first


def test_at_80_columns_unreachable_and_cached_keeps_the_retry_and_the_last_good_backup() -> None:
    cached_at = NOW - timedelta(minutes=12)
    view = StatusView(
        appliance="lab", host="127.0.0.1:18101", connection="unreachable", now=NOW, flavor="api",
        plain_http=True, last_success=cached_at, cached_at=cached_at, retry_at=NOW + timedelta(seconds=17),
        total=41, running=1, failed=1, last_backup_end=NOW - timedelta(hours=2),
        notes=(("✔ backup OK (cached)", Tone.GOOD),),
    )  # fmt: skip
    shown = fit_status(view, 78, 2).plain
    assert shown.startswith("✔ backup OK (cached) · lab · unreachable · cached, 12 min old")
    assert "retrying in 17 s" in shown and "good backup 2 h ago" in shown  # what matters stays
    assert "1 running (cached), 1 failed" in shown  # the counts, without the size of the history
    assert "/api" not in shown and "no TLS" not in shown  # decoration and the profile's note went
    wide = fit_status(view, 118, 2).plain
    assert "41 jobs, 1 running (cached), 1 failed" in wide and "no TLS" in wide


def test_plain_http_says_no_tls() -> None:
    shown = fit_status(states()[4], 118, 2).plain
    assert "no TLS" in shown and "TLS verification OFF" not in shown


async def test_a_tick_repaints_only_the_line_whose_age_changed() -> None:
    from textual.app import App, ComposeResult

    from backuptui.tui.widgets.status_line import StatusLine

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield StatusLine()

    app = One()
    async with app.run_test(size=(120, 24)) as pilot:
        status = app.query_one(StatusLine)
        view = states()[0]
        status.show(view)
        await pilot.pause()
        first, second = status.render_line(0), status.render_line(1)
        assert "refreshed just now" in second.text and "refreshed" not in first.text
        status.show(StatusView(**{**view.__dict__, "now": NOW + timedelta(seconds=6)}))
        await pilot.pause()
        assert status.render_line(0) is first  # the line without the age is not rendered again
        assert "refreshed 10 s ago" in status.render_line(1).text
        assert "refreshed 10 s ago" in status.shown_text.splitlines()[1]
