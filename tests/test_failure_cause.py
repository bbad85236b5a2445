"""The cause of a failure, not the generic "check logs" text, wherever a failure is summarised."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from backuptui.cli import build_parser
from backuptui.commands import check, status
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.failure_cause import failure_cause, most_specific
from backuptui.core.appliance.models import BackupJob, Message
from backuptui.core.appliance.parsing import parse_job
from backuptui.core.appliance.secret import Secret
from backuptui.core.watch.health_rules import evaluate_health
from backuptui.simulator import Simulator
from backuptui.tui.screens.health import facts_content
from backuptui.tui.widgets.job_detail import job_fields

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
GENERIC = Message(
    "com.vmware.applmgmt.backup.job.failed",
    "BackupManager encountered an exception. Please check logs for details.",
)
VUM = Message("com.vmware.applmgmt.backup.component", "Error during component vum backup")


def failed(error_messages: list[dict[str, Any]] | None, messages: list[dict[str, Any]]) -> BackupJob:
    record: dict[str, Any] = {
        "status": "FAILED",
        "type": "SCHEDULED",
        "location": "sftp://192.0.2.10/backups",
        "description": {"id": "d", "default_message": "Backup job", "args": []},
        "messages": messages,
    }
    if error_messages is not None:
        record["error"] = {"error_type": "ERROR", "messages": error_messages}
    return parse_job("20261128-090004-24853646", record)


def wire(message: Message) -> dict[str, Any]:
    return {"id": message.id, "default_message": message.default_message, "args": []}


def test_the_cause_beats_the_generic_text_in_either_place() -> None:
    assert failed([wire(GENERIC), wire(VUM)], [wire(GENERIC)]).problem == VUM.text
    # the error says only the generic text; the job's messages hold the cause
    assert failed([wire(GENERIC)], [wire(GENERIC), wire(VUM)]).problem == VUM.text
    # no error at all: the job's messages
    assert failed(None, [wire(GENERIC), wire(VUM)]).problem == VUM.text


def test_the_generic_text_only_when_it_is_all_there_is() -> None:
    job = failed([wire(GENERIC)], [wire(GENERIC)])
    assert job.problem == GENERIC.text
    assert failure_cause(job) == GENERIC.text
    assert most_specific([]) is None
    assert most_specific([Message("x", "")]) is None
    # the generic id with a text that names the cause is the cause
    cause = Message(GENERIC.id, "BackupManager encountered an exception. Exception: Full backup not allowed")
    assert most_specific([GENERIC, cause]) == cause.text


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return simulator_factory(jobs=60, seed=3, scenario="latest-failed", clock=lambda: NOW)


def newest_cause(sim: Simulator) -> str:
    """The cause as the appliance wrote it: the last message of the newest job's error."""
    login = httpx.post(f"{sim.url}/api/session", auth=(sim.user, sim.password))
    body = httpx.get(
        f"{sim.url}/api/appliance/recovery/backup/job/details",
        headers={"vmware-api-session-id": login.json()},
    ).json()
    newest = body[max(body)]
    assert newest["status"] == "FAILED"
    texts = [m["default_message"] for m in newest["error"]["messages"]]
    assert texts[0] == GENERIC.text and len(texts) == 2
    return str(texts[-1])


def run(module: Any, sim: Simulator, *extra: str) -> tuple[int, str]:
    args = build_parser().parse_args([extra[0], "--url", sim.url, "--user", sim.user, *extra[1:]])
    out = io.StringIO()
    if module is status:
        code = status.run(args, out=out, err=io.StringIO())
    else:
        code = check.run(args, out=out, clock=lambda: NOW)
    return code, out.getvalue()


def test_check_names_the_cause(sim: Simulator) -> None:
    cause = newest_cause(sim)
    code, out = run(check, sim, "check")
    assert code == 2
    assert f"last backup FAILED 2026-11-28 09:00 UTC: {cause}" in out
    assert "check logs" not in out


def test_status_table_csv_and_json_name_the_cause(sim: Simulator) -> None:
    cause = newest_cause(sim)
    _, table = run(status, sim, "status", "--limit", "1")
    assert table.splitlines()[2] == f"    ↳ {cause}"
    _, text = run(status, sim, "status", "--limit", "1", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["problem"] == cause
    _, text = run(status, sim, "status", "--limit", "1", "--json")
    assert json.loads(text)["jobs"][0]["problem"] == cause


def test_status_error_filter_prints_the_matching_text(
    simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    sim = simulator_factory(jobs=300, seed=1, clock=lambda: NOW)
    code, out = run(status, sim, "status", "--filter", 'error:"no space"')
    notes = [line for line in out.splitlines() if line.startswith("    ↳")]
    assert code == 0 and notes
    assert all("No space left on device" in line for line in notes)


async def _jobs(sim: Simulator) -> tuple[BackupJob, ...]:
    async with ApplianceClient(sim.url, sim.user, Secret(sim.password)) as client:
        return (await client.list_job_details()).jobs


def test_health_panel_and_detail_pane_name_the_cause(sim: Simulator) -> None:
    cause = newest_cause(sim)
    jobs = asyncio.run(_jobs(sim))
    verdict = evaluate_health(jobs, None, now=NOW)
    facts = facts_content(verdict, NOW).plain
    assert f"Why it failed  {cause}" in facts
    first = next(iter(job_fields(jobs[0])))
    assert first == ("Why it failed", cause)  # at the top of the detail pane
