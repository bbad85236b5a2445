"""One appliance string longer than the screen limit is cut once, before it is escaped or
wrapped, ending in "… N more characters": the detail pane and the drill-down stay small."""

from __future__ import annotations

from collections.abc import Callable

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
