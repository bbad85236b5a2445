"""The full text of a string shown cut is one key away in the drill-down (`f`), a page at a time:
only the page on screen is escaped and laid out, so a 50 MB message opens like a short one."""

from __future__ import annotations

import copy

from screen_text import screen_text
from test_tui_drilldown import FAILED_ID, FAILED_RECORD, DrillApp

from backuptui.core.appliance.parsing import parse_job
from backuptui.tui.format import MAX_SHOWN
from backuptui.tui.screens.drilldown import DrillDownScreen
from backuptui.tui.screens.full_text import PAGE, FullTextScreen

#: a message of three and a half pages whose every page starts with its own marker
LONG = "".join(f"<page-{n}>".ljust(PAGE, "abcdefghij"[n]) for n in range(3)) + "<page-3>\x1b[31m tail"


def long_job() -> DrillApp:
    record = copy.deepcopy(FAILED_RECORD)
    record["error"]["messages"][0]["default_message"] = LONG
    return DrillApp(parse_job(FAILED_ID, record))


async def test_f_shows_the_full_text_of_a_cut_message_page_by_page() -> None:
    assert len(LONG) > MAX_SHOWN
    app = long_job()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        drill = app.screen
        assert isinstance(drill, DrillDownScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "f Full " in screen_text(app).splitlines()[-1]
        await pilot.press("f")
        await pilot.pause()
        full = app.screen
        assert isinstance(full, FullTextScreen)
        text = screen_text(app)
        assert "error.value.messages[0].default_message" in text or "default_message" in text
        assert "page 1 of 4" in text and "<page-0>" in text and "<page-1>" not in text
        await pilot.press("n")
        await pilot.pause()
        text = screen_text(app)
        assert "page 2 of 4" in text and "<page-1>" in text and "<page-0>" not in text
        await pilot.press("b")
        await pilot.pause()
        assert "page 1 of 4" in screen_text(app)
        await pilot.press("pagedown")
        await pilot.pause()
        assert "page 2 of 4" in screen_text(app)
        await pilot.press("G")
        await pilot.pause()
        text = screen_text(app)
        assert "page 4 of 4" in text and "<page-3>␛[31m tail" in text  # the escape shows inert
        assert full.page_text() == "<page-3>␛[31m tail"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is drill


async def test_the_full_text_key_shows_only_when_something_is_cut() -> None:
    app = DrillApp(parse_job(FAILED_ID, copy.deepcopy(FAILED_RECORD)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "f Full" not in screen_text(app)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, DrillDownScreen)
