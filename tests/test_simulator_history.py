"""The generated history: deterministic, realistic, every record within the bindings' union rules."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.parsing import parse_details
from backuptui.simulator import Simulator, SimulatorConfig
from backuptui.simulator.catalog import FAILURE_CAUSES, VAMI_FAILURE

NOW = datetime(2026, 11, 28, 21, 5, 17, tzinfo=UTC)
GB = 1024**3
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

UNION = {  # what the bindings' union rules require for each status; the others must be absent
    "SUCCEEDED": {"duration", "size", "progress", "start_time", "end_time"},
    "FAILED": {"duration", "size", "progress", "start_time", "end_time"},
    "RUNNING": {"duration", "size", "progress", "start_time"},
    "BLOCKED": {"start_time"},
    "PENDING": set(),
}
UNION_FIELDS = {"duration", "size", "progress", "start_time", "end_time", "error"}
REQUIRED = {"location", "location_user", "type", "messages", "description", "service", "operation", "status"}


def check_message(message: Any) -> None:
    assert isinstance(message, dict)
    assert isinstance(message["id"], str) and isinstance(message["default_message"], str)
    assert isinstance(message["args"], list)


def check_record(job_id: str, info: dict[str, Any]) -> None:
    """The rules of the official bindings (vmware-vcenter 9.1.1.0) for one `Details.Info`."""
    assert set(info) >= REQUIRED and isinstance(info["cancelable"], bool), job_id
    assert info["status"] in UNION, job_id
    present = UNION_FIELDS & set(info)
    allowed = UNION[info["status"]] | ({"error"} if info["status"] == "FAILED" else set())
    assert UNION[info["status"]] <= present <= allowed, (job_id, info["status"], present)
    for message in info["messages"]:
        check_message(message)
    check_message(info["description"])
    if "progress" in info:
        progress = info["progress"]
        assert set(progress) == {"total", "completed", "message"}
        assert 0 <= progress["completed"] <= progress["total"] == 100
        check_message(progress["message"])
    for name in ("start_time", "end_time"):
        if name in info:
            assert TIME.match(info[name]), (job_id, info[name])
    if "start_time" in info:
        assert job_id.startswith(datetime.fromisoformat(info["start_time"]).strftime("%Y%m%d-%H%M%S"))
    if "end_time" in info:
        assert info["end_time"] > info["start_time"]
    assert isinstance(info.get("duration", 0), int) and isinstance(info.get("size", 0), int)
    if "error" in info:
        for message in info["error"]["messages"]:
            check_message(message)
    build = info["build"]
    assert job_id.endswith("-" + build["build_number"])
    assert re.fullmatch(r"[a-z]+://\S+", info["location"])
    assert ("/" + build["version"] + "_") in info["location"].replace("/S_", "/").replace("/M_", "/").replace(
        "/L_", "/"
    )


def history(**fields: Any) -> dict[str, dict[str, Any]]:
    fields.setdefault("clock", lambda: NOW)
    sim = Simulator(SimulatorConfig(**fields))
    body: dict[str, dict[str, Any]] = json.loads(sim.jobs.details("api", None))
    return body


def test_same_seed_and_clock_give_the_same_history_over_http(
    simulator_factory: Callable[..., Simulator],
) -> None:
    bodies = []
    for seed in (7, 7, 8):
        sim = simulator_factory(jobs=200, seed=seed, clock=lambda: NOW)
        with httpx.Client(base_url=sim.url) as http:
            token = http.post("/api/session", auth=(sim.user, sim.password)).json()
            bodies.append(
                http.get(
                    "/api/appliance/recovery/backup/job/details", headers={"vmware-api-session-id": token}
                ).content
            )
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]


@pytest.mark.parametrize(
    "scenario", [None, "healthy", "latest-failed", "stale", "missed-schedule", "schedule-disabled"]
)
def test_every_record_obeys_the_union_rules(scenario: str | None) -> None:
    jobs = history(jobs=400, seed=4, scenario=scenario)
    assert len(jobs) == 400
    for job_id, info in jobs.items():
        check_record(job_id, info)


def test_variety_contains_every_status_and_type_and_obeys_the_rules() -> None:
    sim = Simulator(SimulatorConfig(jobs=100, seed=9, variety=True, running_at_start=True, clock=lambda: NOW))
    jobs = json.loads(sim.jobs.details("rest", None))["value"]
    assert {entry["value"]["status"] for entry in jobs} == set(UNION)
    assert {entry["value"]["type"] for entry in jobs} == {"SCHEDULED", "MANUAL", "LOCAL_BACKUP"}
    for entry in jobs:
        check_record(entry["key"], entry["value"])


def test_the_project_parser_reads_every_record_without_problems() -> None:
    body = history(jobs=300, seed=2, variety=True)
    result = parse_details(body, ApiFlavor.API)
    assert result.problems == ()
    assert len(result.jobs) == 302


def test_history_looks_like_a_real_appliance() -> None:
    jobs = history(jobs=2000, seed=1)
    assert len(jobs) == 2000
    infos = [jobs[key] for key in sorted(jobs, reverse=True)]  # newest first
    statuses = Counter(info["status"] for info in infos)
    assert 0.05 <= statuses["FAILED"] / len(infos) <= 0.10
    types = Counter(info["type"] for info in infos)
    assert types["SCHEDULED"] > types["MANUAL"] > 50
    scheduled_times = Counter(info["start_time"][11:16] for info in infos if info["type"] == "SCHEDULED")
    assert len(scheduled_times) == 1  # all at the schedule's hour:minute (plus a few seconds)
    for info in infos:
        assert ("user" in info) == (info["type"] == "MANUAL")
        kind = "/S_" if info["type"] == "SCHEDULED" else "/M_"
        assert f"/vCenter/sn_vcsa01.example.com{kind}" in info["location"]
        if info["status"] == "FAILED":
            assert 10 <= info["duration"] <= 60 and info["size"] < 10 * 1024**2
            assert 5 <= info["progress"]["completed"] <= 15
            assert info["messages"][0] == VAMI_FAILURE
            assert info["messages"][1]["default_message"] in {text for _, _, text in FAILURE_CAUSES}
            assert info["error"]["messages"][0] == VAMI_FAILURE
        else:
            assert 0.3 * GB <= info["size"] <= 50 * GB
            assert 180 <= info["duration"] <= 4 * 3600
            assert info["progress"]["completed"] == 100
    # builds change over time like upgrades: newer jobs never run an older build
    versions = [tuple(int(p) for p in info["build"]["version"].split(".")) for info in infos]
    assert versions == sorted(versions, reverse=True)
    assert len(set(versions)) >= 5
    # sizes grow slowly: the newest scheduled backups are bigger than the oldest
    sizes = [info["size"] for info in infos if info["type"] == "SCHEDULED" and info["status"] == "SUCCEEDED"]
    assert sum(sizes[:100]) > 1.5 * sum(sizes[-100:])


def test_ten_thousand_jobs() -> None:
    jobs = history(jobs=10_000, seed=1)
    assert len(jobs) == 10_000
    assert len({info["start_time"] for info in jobs.values()}) == 10_000


def last_due(schedule: dict[str, Any], now: datetime) -> datetime:
    recurrence = schedule["recurrence_info"]
    due = now.replace(hour=recurrence["hour"], minute=recurrence["minute"], second=0, microsecond=0)
    days = recurrence.get("days")
    while due > now or (days and due.strftime("%A").upper() not in days):
        due -= timedelta(days=1)
    return due


def times(info: dict[str, Any], name: str) -> datetime:
    return datetime.fromisoformat(info[name])


def scenario(name: str | None, seed: int = 3, **fields: Any) -> tuple[Simulator, list[dict[str, Any]]]:
    sim = Simulator(SimulatorConfig(jobs=150, seed=seed, scenario=name, clock=lambda: NOW, **fields))
    body = json.loads(sim.jobs.details("api", None))
    return sim, [body[key] for key in sorted(body, reverse=True)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scenario_healthy(seed: int) -> None:
    sim, jobs = scenario("healthy", seed)
    assert sim.schedule is not None and sim.schedule["enable"] is True
    assert "days" not in sim.schedule["recurrence_info"]
    due = last_due(sim.schedule, NOW)
    assert jobs[0]["status"] == "SUCCEEDED" and times(jobs[0], "start_time") >= due
    assert all(
        job["status"] == "SUCCEEDED" for job in jobs if times(job, "start_time") > NOW - timedelta(days=7)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scenario_latest_failed(seed: int) -> None:
    _, jobs = scenario("latest-failed", seed)
    assert jobs[0]["status"] == "FAILED"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scenario_stale(seed: int) -> None:
    sim, jobs = scenario("stale", seed)
    assert sim.schedule is not None and sim.schedule["enable"] is True
    due = last_due(sim.schedule, NOW)
    assert NOW - due > timedelta(hours=72)  # weekly: the last due run was days ago ...
    assert jobs[0]["status"] == "SUCCEEDED" and times(jobs[0], "start_time") >= due  # ... and it ran
    assert NOW - times(jobs[0], "end_time") > timedelta(hours=72)  # last success older than 72 h
    assert len(sim.schedule["recurrence_info"]["days"]) == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scenario_missed_schedule(seed: int) -> None:
    sim, jobs = scenario("missed-schedule", seed)
    assert sim.schedule is not None and sim.schedule["enable"] is True
    due = last_due(sim.schedule, NOW)
    assert NOW - due >= timedelta(hours=3)
    assert all(times(job, "start_time") < due for job in jobs)  # nothing started after the due time
    assert jobs[0]["status"] == "SUCCEEDED"
    assert NOW - times(jobs[0], "end_time") < timedelta(hours=24)  # not stale: only the run is missing


def test_scenario_not_configured_ignores_jobs() -> None:
    sim, jobs = scenario("not-configured")
    assert sim.schedule is None and jobs == []


def test_scenario_schedule_disabled() -> None:
    sim, jobs = scenario("schedule-disabled")
    assert sim.schedule is not None and sim.schedule["enable"] is False
    assert len(jobs) == 150


def test_scenarios_combine_with_running_and_seed() -> None:
    _, jobs = scenario("latest-failed", 5, running_at_start=True)
    assert jobs[0]["status"] == "RUNNING" and jobs[1]["status"] == "FAILED"


def test_config_rejects_nonsense() -> None:
    for fields in ({"flavor": "soap"}, {"scenario": "on-fire"}, {"jobs": -1}, {"speed": 0}):
        with pytest.raises(ValueError):
            SimulatorConfig(**fields)
    assert "VMware1!" not in repr(SimulatorConfig())
