"""JSON nested deeper than anything real (10,000 levels, from the simulator's `deep` fault):
the record is refused with an error that names it, the other records still show, and no
command ends in a RecursionError."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from backuptui.cli import build_parser
from backuptui.commands import check, status
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.models import ApiFlavor, RecordError
from backuptui.core.appliance.nesting import MAX_NESTING, text_too_deep, value_end, value_too_deep
from backuptui.core.appliance.secret import Secret
from backuptui.simulator import Simulator

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def deep(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """Every details answer: its first (newest) record's `error` nests 10,000 levels."""
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return simulator_factory(
        jobs=6, seed=3, scenario="healthy", clock=lambda: NOW, faults=["deep=-1", "match=/job/details"]
    )


@pytest.mark.parametrize("flavor", [ApiFlavor.API, ApiFlavor.REST])
async def test_the_client_names_the_deep_record_and_keeps_the_others(
    deep: Simulator, flavor: ApiFlavor
) -> None:
    async with ApplianceClient(deep.url, deep.user, Secret(deep.password), flavor=flavor) as client:
        result = await client.list_job_details()
    assert len(result.jobs) == 5
    [problem] = result.problems
    assert isinstance(problem, RecordError)
    assert problem.record_id not in {job.id for job in result.jobs}
    assert f"job {problem.record_id}: nested more than {MAX_NESTING} levels deep" in str(problem)


def test_status_shows_the_other_records_and_warns_about_the_deep_one(deep: Simulator) -> None:
    args = build_parser().parse_args(["status", "--url", deep.url, "--user", deep.user])
    out, err = io.StringIO(), io.StringIO()
    assert status.run(args, out=out, err=err) == 0
    lines = out.getvalue().splitlines()
    assert sum("SUCCEEDED" in line for line in lines) == 5  # the five readable jobs
    assert any("UNREADABLE" in line for line in lines)  # and the deep one, named
    assert "a record could not be read: job " in err.getvalue()
    assert "levels deep" in err.getvalue() and "Recursion" not in err.getvalue()


def test_check_names_the_deep_record_not_an_internal_error(deep: Simulator) -> None:
    args = build_parser().parse_args(["check", "--url", deep.url, "--user", deep.user])
    out = io.StringIO()
    code = check.run(args, out=out, clock=lambda: NOW)
    line = out.getvalue()
    assert code != 3, line
    assert "internal error" not in line and "Recursion" not in line
    assert "could not be read" in line and "job 2026" in line


async def test_a_deep_error_body_is_a_clear_api_error(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(jobs=3, faults=["500=-1", "deep=-1", "match=/job/details"])
    async with ApplianceClient(sim.url, sim.user, Secret(sim.password)) as client:
        with pytest.raises(ApplianceError, match=r"HTTP 500"):
            await client.list_job_details()


def test_depth_is_counted_outside_strings() -> None:
    inside_a_string = '{"a":"' + "[" * 500 + '"}'
    assert not text_too_deep(inside_a_string)
    nested = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    assert text_too_deep(nested)
    assert not text_too_deep("[" * MAX_NESTING + "]" * MAX_NESTING)
    escaped = '[{"a":"\\"]}"},1]'
    assert value_end(escaped + ",2]", 0) == len(escaped)
    deep_value: list[object] = []
    cursor = deep_value
    for _ in range(MAX_NESTING):
        cursor.append([])
        cursor = cursor[0]  # type: ignore[assignment]
    assert value_too_deep(deep_value) and not value_too_deep([[1], {"a": [2]}])
