"""Fault injection of the simulator: every mode observable over real HTTP, switchable at runtime."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from backuptui.simulator import FaultError, Simulator

DETAILS = "/api/appliance/recovery/backup/job/details"


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator]) -> Simulator:
    return simulator_factory(jobs=20)


@pytest.fixture
def http(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.url, timeout=10) as client:
        token = client.post("/api/session", auth=(sim.user, sim.password)).json()
        client.headers["vmware-api-session-id"] = token
        yield client


def set_fault(http: httpx.Client, **change: object) -> dict[str, object]:
    response = http.post("/_simulator/fault", content=json.dumps(change))
    assert response.status_code == 200, response.text
    state: dict[str, object] = response.json()
    return state


def test_500_burst_then_recovery(http: httpx.Client) -> None:
    state = set_fault(http, error_500=2)
    assert state["error_500"] == 2
    for _ in range(2):
        failed = http.get(DETAILS)
        assert failed.status_code == 500
        assert failed.json()["error_type"] == "ERROR"
    assert http.get(DETAILS).status_code == 200


def test_503_burst_in_rest_shape(http: httpx.Client, sim: Simulator) -> None:
    rest = http.post("/rest/com/vmware/cis/session", auth=(sim.user, sim.password)).json()["value"]
    set_fault(http, error_503=1)
    failed = http.get("/rest/appliance/recovery/backup/job/details", headers={"vmware-api-session-id": rest})
    assert failed.status_code == 503
    assert failed.json()["type"] == "com.vmware.vapi.std.errors.service_unavailable"
    assert http.get(DETAILS).status_code == 200


def test_dropped_connection_sends_no_response(http: httpx.Client) -> None:
    set_fault(http, drop=1)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(DETAILS)
    assert http.get(DETAILS).status_code == 200  # a new connection works again


def test_malformed_json(http: httpx.Client) -> None:
    set_fault(http, malformed=1)
    response = http.get(DETAILS)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert len(http.get(DETAILS).json()) == 20


def test_truncated_body(http: httpx.Client) -> None:
    set_fault(http, truncate=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        http.get(DETAILS)
    assert len(http.get(DETAILS).json()) == 20


def test_latency_delays_responses(http: httpx.Client) -> None:
    set_fault(http, latency=0.3)
    started = time.monotonic()
    assert http.get(DETAILS).status_code == 200
    assert time.monotonic() - started >= 0.3
    set_fault(http, latency=0)
    assert http.get("/_simulator/fault").json()["latency"] == 0.0


def test_expire_sessions_now(http: httpx.Client, sim: Simulator) -> None:
    assert http.get(DETAILS).status_code == 200
    set_fault(http, expire_sessions=True)
    assert http.get(DETAILS).status_code == 401
    assert sim.stats()["active_sessions"] == 0


def test_expire_sessions_method(http: httpx.Client, sim: Simulator) -> None:
    sim.expire_sessions()
    assert http.get(DETAILS).status_code == 401


def test_match_limits_faults_to_some_paths_and_minus_one_means_until_cleared(http: httpx.Client) -> None:
    set_fault(http, error_500=-1, match="/job/details")
    assert http.get("/api/appliance/recovery/backup/job").status_code == 200
    for _ in range(3):
        assert http.get(DETAILS).status_code == 500
    set_fault(http, clear=True)
    assert http.get(DETAILS).status_code == 200


def test_faults_never_touch_the_control_paths(http: httpx.Client) -> None:
    set_fault(http, drop=-1, latency=0.0)
    assert http.get("/_simulator/stats").status_code == 200
    assert http.get("/_simulator/fault").json()["drop"] == -1


def test_faults_at_start_and_by_method(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=2, faults=("503=1", {"error_500": 1}))
    with httpx.Client(base_url=sim.url) as http:
        assert http.post("/api/session", auth=(sim.user, sim.password)).status_code == 503
        assert http.post("/api/session", auth=(sim.user, sim.password)).status_code == 500
        assert http.post("/api/session", auth=(sim.user, sim.password)).status_code == 201
        sim.set_fault("500=1")
        assert http.post("/api/session", auth=(sim.user, sim.password)).status_code == 500
        assert sim.set_fault(clear=True)["error_500"] == 0


def test_bad_fault_requests_are_rejected(http: httpx.Client, sim: Simulator) -> None:
    for body in ('{"explode": 1}', '{"error_500": "x"}', "[1]", "not json", '{"latency": -1}'):
        response = http.post("/_simulator/fault", content=body)
        assert response.status_code == 400, body
        assert response.json()["error"]
    with pytest.raises(FaultError):
        sim.set_fault("boom")


def test_stats_count_faulted_requests_and_bytes(http: httpx.Client, sim: Simulator) -> None:
    before = sim.stats()
    set_fault(http, error_500=1)
    http.get(DETAILS)
    body = http.get(DETAILS).content
    after = sim.stats()
    assert after["requests"][DETAILS] == before["requests"].get(DETAILS, 0) + 2
    assert after["bytes_sent"] - before["bytes_sent"] > len(body)
