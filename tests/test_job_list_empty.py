"""The empty job list says why it is empty in whole words, however narrow the terminal."""

from __future__ import annotations

from screen_text import screen_text
from textual.app import App, ComposeResult

from backuptui.tui.widgets.job_list import JobList

REASON = (
    "No data: 127.0.0.1:18799: connection refused on port 18799. Check the port in the URL and that "
    "the appliance is up."
)


class OneList(App[None]):
    def compose(self) -> ComposeResult:
        yield JobList()


async def test_the_empty_text_wraps_at_words_and_is_never_cut() -> None:
    app = OneList()
    async with app.run_test(size=(40, 12)) as pilot:
        app.query_one(JobList).empty_text = REASON
        await pilot.pause()
        shown = " ".join(line.strip() for line in screen_text(app).splitlines()[1:] if line.strip())
        assert REASON in shown  # every word, in order: before, the line was cut at the width
