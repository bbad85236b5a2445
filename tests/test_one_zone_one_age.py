"""One time zone per screen, named; one way to say an age; plurals; comma lists in the filter."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from backuptui.cli import build_parser
from backuptui.commands import check
from backuptui.core.ages import human_age
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.models import JobStatus
from backuptui.core.appliance.secret import Secret
from backuptui.core.counting import counted
from backuptui.core.filtering import JobFilter
from backuptui.core.watch.health_rules import evaluate_health
from backuptui.simulator import Simulator
from backuptui.tui.screens.health import facts_content, schedule_content, verdict_content
from backuptui.tui.widgets.live_progress import ProgressView, progress_content

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return simulator_factory(jobs=30, seed=3, scenario="healthy", clock=lambda: NOW)


async def _read(sim: Simulator):  # type: ignore[no-untyped-def]
    async with ApplianceClient(sim.url, sim.user, Secret(sim.password)) as client:
        return (await client.list_job_details()).jobs, await client.get_schedules()


def test_the_health_panel_names_one_zone_the_local_one(sim: Simulator, berlin: None) -> None:
    jobs, schedules = asyncio.run(_read(sim))
    verdict = evaluate_health(jobs, schedules, now=NOW, local_times=True)
    screen = "\n".join(
        content.plain
        for content in (
            verdict_content(verdict),
            facts_content(verdict, NOW),
            schedule_content(verdict, None, NOW),
        )
    )
    assert "CET" in screen and "UTC" not in screen
    assert "last backup succeeded 2026-11-28 10:" in screen  # 09:xx UTC is 10:xx in Berlin
    assert "Daily 10:00 CET" in screen
    # the progress widget's "ended" names the same zone
    idle = progress_content(ProgressView(None, None, jobs[0], 0, NOW), 120).plain
    assert " CET (" in idle


def test_check_keeps_utc(sim: Simulator, berlin: None) -> None:
    args = build_parser().parse_args(["check", "--url", sim.url, "--user", sim.user])
    out = io.StringIO()
    assert check.run(args, out=out, clock=lambda: NOW) == 0
    assert "last backup succeeded 2026-11-28 09:" in out.getvalue() and "UTC" in out.getvalue()
    assert "CET" not in out.getvalue()


def test_one_age_formatter_for_the_same_moment(sim: Simulator) -> None:
    jobs, schedules = asyncio.run(_read(sim))
    ended = jobs[0].end_time
    assert ended is not None
    moment = ended + timedelta(seconds=24)
    verdict = evaluate_health(jobs, schedules, now=moment)
    (finding,) = [f for f in verdict.reasons if f.code == "last-success"]
    assert finding.text.endswith("(24 s ago)")  # not "(0 min ago)"
    assert human_age(24.0) == "24 s ago"  # what the status line and the panel say


def test_plurals() -> None:
    assert counted(1, "failed backup") == "1 failed backup"
    assert counted(2, "failed backup") == "2 failed backups"
    assert counted(0, "job") == "0 jobs"


def test_the_filter_takes_a_comma_list_of_statuses() -> None:
    parsed = JobFilter.parse("status:failed,running")
    assert parsed.errors == ()
    assert parsed.terms[0].statuses == {JobStatus.FAILED, JobStatus.RUNNING}
    bad = JobFilter.parse("status:failed,exploded")
    assert bad.terms == () and bad.error is not None and "no status 'exploded'" in bad.error
