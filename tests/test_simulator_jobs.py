"""Simulator job endpoints and the live backup, over real loopback HTTP in both flavours."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from backuptui.simulator import InProgress, Simulator
from backuptui.simulator.catalog import FAILURE_CAUSES, PHASES, VAMI_FAILURE

BACKUP = "/appliance/recovery/backup"
REQUEST = {"parts": ["seat"], "location_type": "SFTP", "location": "sftp://192.0.2.10/backups/vcsa01"}


def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


class Appliance:
    """A logged-in plain-httpx client of one flavour."""

    def __init__(self, sim: Simulator, flavor: str) -> None:
        self.sim, self.flavor = sim, flavor
        self.http = httpx.Client(base_url=f"{sim.url}/{flavor}", timeout=10)
        if flavor == "api":
            token = self.http.post("/session", auth=(sim.user, sim.password)).json()
        else:
            token = self.http.post("/com/vmware/cis/session", auth=(sim.user, sim.password)).json()["value"]
        self.http.headers["vmware-api-session-id"] = token

    def value(self, response: httpx.Response) -> Any:
        data = response.json()
        return data["value"] if self.flavor == "rest" else data

    def details(self, *ids: str) -> dict[str, Any]:
        if self.flavor == "api":
            params: list[tuple[str, str | int | float | bool | None]] = [("jobs", i) for i in ids]
        else:
            params = [(f"filter.jobs.{n}", i) for n, i in enumerate(ids, 1)]
        data = self.http.get(f"{BACKUP}/job/details", params=params).json()
        if self.flavor == "rest":
            return {entry["key"]: entry["value"] for entry in data["value"]}
        return dict(data)

    def create(self) -> httpx.Response:
        body = {"piece": REQUEST} if self.flavor == "rest" else REQUEST
        return self.http.post(f"{BACKUP}/job", json=body)


@pytest.fixture(params=["api", "rest"])
def appliance(
    request: pytest.FixtureRequest, simulator_factory: Callable[..., Simulator]
) -> Iterator[Appliance]:
    sim = simulator_factory(jobs=30, seed=2, fail_rate=0.0, speed=1.0)
    client = Appliance(sim, request.param)
    yield client
    client.http.close()


def test_job_list_is_newest_first_and_get_is_a_backup_job_status(appliance: Appliance) -> None:
    ids = appliance.value(appliance.http.get(f"{BACKUP}/job"))
    assert len(ids) == 30 and ids == sorted(ids, reverse=True)
    status = appliance.value(appliance.http.get(f"{BACKUP}/job/{ids[0]}"))
    assert set(status) == {"id", "state", "messages", "progress", "start_time", "end_time"}
    assert status["id"] == ids[0] and status["state"] == "SUCCEEDED" and status["progress"] == 100
    missing = appliance.http.get(f"{BACKUP}/job/20000101-000000-1")
    assert missing.status_code == 404


def test_create_runs_one_backup_at_a_time_and_cancel_ends_it(appliance: Appliance) -> None:
    created = appliance.create()
    assert created.status_code == (201 if appliance.flavor == "api" else 200)
    status = appliance.value(created)
    assert status["state"] == "INPROGRESS" and "end_time" not in status
    job_id = status["id"]
    busy = appliance.create()
    assert busy.status_code == 400
    body = busy.json()
    if appliance.flavor == "rest":
        assert body["type"] == "com.vmware.vapi.std.errors.feature_in_use"
        messages = body["value"]["messages"]
    else:
        assert body["error_type"] == "FEATURE_IN_USE"
        messages = body["messages"]
    assert messages[0]["default_message"] == "A backup or restore is already in progress."
    running = appliance.details(job_id)[job_id]
    assert running["status"] == "RUNNING" and running["cancelable"] is True
    assert running["user"] == appliance.sim.user and running["type"] == "MANUAL"
    assert "/M_8.0.3.00400_" in running["location"] and "end_time" not in running
    canceled = appliance.http.post(f"{BACKUP}/job/{job_id}/cancel")
    assert canceled.status_code == 200 and appliance.value(canceled)["status"] == "OK"
    ended = appliance.details(job_id)[job_id]
    assert ended["status"] == "FAILED" and ended["cancelable"] is False and "end_time" in ended
    assert ended["error"]["error_type"] == "CANCELED"
    again = appliance.http.post(f"{BACKUP}/job/{job_id}/cancel")
    assert appliance.value(again)["status"] == "FAIL"
    assert appliance.http.post(f"{BACKUP}/job/20000101-000000-1/cancel").status_code == 404
    assert appliance.create().status_code in (200, 201)  # free again


def test_create_validates_the_body(appliance: Appliance) -> None:
    wrong = REQUEST if appliance.flavor == "rest" else {"piece": REQUEST}  # the other flavour's shape
    response = appliance.http.post(f"{BACKUP}/job", json=wrong)
    assert response.status_code == 400
    assert "INVALID_ARGUMENT" in response.text.upper()


def test_schedules_in_each_shape_and_run(appliance: Appliance) -> None:
    response = appliance.http.get(f"{BACKUP}/schedules").json()
    if appliance.flavor == "rest":
        assert [entry["key"] for entry in response["value"]] == ["default"]
        info = response["value"][0]["value"]
    else:
        assert list(response) == ["default"]
        info = response["default"]
    assert info["enable"] is True and info["parts"] == ["seat"]
    assert set(info["recurrence_info"]) == {"hour", "minute"}  # no days = every day
    assert appliance.value(appliance.http.get(f"{BACKUP}/schedules/default")) == info
    assert appliance.http.get(f"{BACKUP}/schedules/weekly").status_code == 404
    run = appliance.http.post(
        f"{BACKUP}/schedules/default", params={"action": "run"}, json={"comment": "now"}
    )
    assert appliance.value(run)["state"] == "INPROGRESS"


def test_parts(appliance: Appliance) -> None:
    parts = appliance.value(appliance.http.get(f"{BACKUP}/parts"))
    assert [part["id"] for part in parts] == ["common", "seat"]


def test_live_backup_progresses_through_phases_and_finishes(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(jobs=5, fail_rate=0.0, speed=600.0)  # a 15-35 min backup takes 1.5-3.5 s
    client = Appliance(sim, "api")
    job_id = sim.start_backup()
    seen: list[dict[str, Any]] = []

    def finished() -> bool:
        info = client.details(job_id)[job_id]
        seen.append(info)
        return bool(info["status"] != "RUNNING")

    wait_for(finished)
    final = seen[-1]
    assert final["status"] == "SUCCEEDED" and final["progress"]["completed"] == 100
    assert final["end_time"] > final["start_time"] and "error" not in final
    running = [info for info in seen if info["status"] == "RUNNING"]
    assert len(running) >= 5
    sizes = [info["size"] for info in running]
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0]
    assert [info["progress"]["completed"] for info in running] == sorted(
        i["progress"]["completed"] for i in running
    )
    texts = {info["progress"]["message"]["default_message"] for info in running}
    assert len(texts & {text for _, _, text in PHASES}) >= 3
    assert final["size"] >= sizes[-1]
    ids = client.value(client.http.get(f"{BACKUP}/job"))
    assert ids[0] == job_id and len(ids) == 6
    sim.start_backup()  # the previous one has ended, so this one starts ...
    with pytest.raises(InProgress):
        sim.start_backup()  # ... and a second one is refused


def test_live_backup_can_fail_midway_with_a_real_failure_text(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(jobs=2, fail_rate=1.0, speed=600.0)
    client = Appliance(sim, "rest")
    job_id = sim.start_backup()
    final = wait_for(lambda: (info := client.details(job_id)[job_id])["status"] != "RUNNING" and info)
    assert final["status"] == "FAILED"
    assert 10 <= final["progress"]["completed"] <= 70
    assert final["messages"][0] == VAMI_FAILURE
    assert final["messages"][1]["default_message"] in {text for _, _, text in FAILURE_CAUSES}
    assert final["error"]["messages"][0]["default_message"].startswith(
        "BackupManager encountered an exception"
    )


def test_auto_backup_starts_new_backups(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=3, fail_rate=0.0, speed=3000.0, auto_backup_every=0.3)
    client = Appliance(sim, "api")
    history = set(client.details())
    wait_for(lambda: len(client.value(client.http.get(f"{BACKUP}/job"))) >= 6)
    jobs = client.details()
    new = {job_id: info for job_id, info in jobs.items() if job_id not in history}
    assert len(new) >= 3
    assert min(new) > max(history)
    for info in new.values():
        assert info["status"] in ("RUNNING", "SUCCEEDED")
        assert ("user" in info) == (info["type"] == "MANUAL")


def test_running_at_start(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=3, running_at_start=True)
    client = Appliance(sim, "api")
    running = [info for info in client.details().values() if info["status"] == "RUNNING"]
    assert len(running) == 1
    assert sim.stats()["running_job"] is not None


def test_simulator_backup_control_endpoint(simulator: Simulator) -> None:
    with httpx.Client(base_url=simulator.url) as http:
        first = http.post("/_simulator/backup")
        assert first.status_code == 200 and first.json()["id"]
        assert http.post("/_simulator/backup").status_code == 409


def test_backups_started_within_one_second_never_end_ahead_of_the_clock(
    simulator_factory: Callable[..., Simulator],
) -> None:
    """Job ids are per second: a second backup in the same second starts in the next one, and
    its times follow (an end time ahead of the clock made the digest miss a backup)."""
    from datetime import UTC, datetime

    sim = simulator_factory(jobs=5, fail_rate=0.0, speed=600.0)
    started: list[str] = []
    for _ in range(3):
        ident = sim.start_backup()
        started.append(ident)
        assert sim.jobs.cancel(ident) == "OK"  # ends at once: the next starts in the same second
        wait_for(lambda: sim.jobs.running is None)  # (one moved to a later second ends only then)
    assert len(set(started)) == 3
    for ident in started:
        info = wait_for(lambda ident=ident: (i := sim.jobs.info(ident)) and i["status"] == "FAILED" and i)
        start, end = datetime.fromisoformat(info["start_time"]), datetime.fromisoformat(info["end_time"])
        assert start <= end <= datetime.now(UTC)
