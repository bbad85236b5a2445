"""One appliance string longer than the screen limit is cut once, before it is escaped or
wrapped, ending in "… N more characters": the detail pane and the drill-down stay small."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Static

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import BackupJob
from backuptui.core.settings.secrets import Secret
from backuptui.simulator import Simulator
from backuptui.tui.clipboard import shown_job_json
from backuptui.tui.format import MAX_SHOWN, one_line, safe_text
from backuptui.tui.screens.drilldown import messages_content
from backuptui.tui.widgets.job_detail import job_detail_lines


def test_a_long_string_is_cut_and_says_how_much_is_left() -> None:
    text = "\x1b" + "y" * (MAX_SHOWN + 4_999)
    assert safe_text(text) == "␛" + "y" * (MAX_SHOWN - 1) + "… 5,000 more characters"
    assert one_line("a\n" * MAX_SHOWN).endswith(f"… {MAX_SHOWN:,} more characters")
    assert safe_text("short") == "short" and one_line("short") == "short"
    assert len(safe_text(text, limit=None)) == len(text)


async def _huge_job(simulator_factory: Callable[..., Simulator]) -> BackupJob:
    sim = simulator_factory(jobs=3, faults=["huge=0.5", "match=/job/details"])
    async with ApplianceClient(sim.url, sim.user, Secret(sim.password)) as client:
        result = await client.list_job_details()
    [job] = [j for j in result.jobs if j.error is not None and len(j.error.messages[0].text) == 500_000]
    return job


async def test_the_detail_pane_shows_a_huge_message_cut(simulator_factory: Callable[..., Simulator]) -> None:
    job = await _huge_job(simulator_factory)
    lines = [line.plain for line in job_detail_lines(job, 80)]
    assert sum(len(line) for line in lines) < 10 * (MAX_SHOWN + 2_000)
    text = " ".join(" ".join(lines).split())  # the wrapped lines read as one
    assert "… 490,000 more characters" in text


async def test_the_drilldown_messages_show_a_huge_message_cut(
    simulator_factory: Callable[..., Simulator],
) -> None:
    job = await _huge_job(simulator_factory)
    content = messages_content(job)
    assert len(content.plain) < 10 * (MAX_SHOWN + 2_000)


async def test_the_drilldown_raw_json_shows_a_huge_message_cut(
    simulator_factory: Callable[..., Simulator],
) -> None:
    job = await _huge_job(simulator_factory)
    text = shown_job_json(job, MAX_SHOWN)
    assert len(text) < 10 * (MAX_SHOWN + 2_000)
    assert "… 490,000 more characters" in text


class _Untouchable(str):
    """A string that fails the test if anyone scans it whole (split, strip, lower, ...)."""

    def _refuse(self, *args: object, **kwargs: object) -> str:
        raise AssertionError("a huge message was scanned whole")

    split = lower = strip = casefold = replace = _refuse  # type: ignore[assignment]

    def __iter__(self):  # type: ignore[no-untyped-def]
        raise AssertionError("a huge message was read character by character")


def test_a_huge_message_is_not_scanned_to_decide_whether_it_is_generic() -> None:
    from backuptui.core.appliance.failure_cause import is_generic
    from backuptui.core.appliance.models import Message

    huge = Message(id="com.vmware.applmgmt.backup.job.failed", default_message=_Untouchable("x" * 100_000))
    assert not is_generic(huge)


def test_a_huge_problem_is_not_read_whole_for_the_status_line() -> None:
    """The health verdict's one-line problem of a 50 MB message read every character on the UI
    loop (67 s with the profiler on, the app frozen at first paint and at every poll)."""
    from backuptui.core.watch.health_text import one_line_problem

    line = one_line_problem(_Untouchable("\x1bx|y " * 1_000_000), 80)
    assert line.startswith("x/y x/y") and line.endswith("...") and len(line) == 80


async def test_the_drilldown_reads_the_record_off_the_ui_loop(
    simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decoding, cutting and colouring the raw record (a 50 MB one takes a second) runs in a thread."""
    import threading

    from textual.app import App

    from backuptui.tui.screens import drilldown

    threads: list[bool] = []
    real = drilldown.shown_job_json

    def watched(*args: Any, **kwargs: Any) -> str:
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(drilldown, "shown_job_json", watched)
    job = await _huge_job(simulator_factory)
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(drilldown.DrillDownScreen(job))
        await app.workers.wait_for_complete()
        await pilot.pause()
        body = str(app.screen.query_one("#drill-json-body", Static).render())
        assert "… 490,000 more characters" in body
    assert threads == [False]
