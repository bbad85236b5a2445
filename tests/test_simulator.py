"""The simulator over real loopback HTTP, both flavours: sessions, job endpoints, details filters."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from backuptui.simulator import Simulator

DETAILS = "/appliance/recovery/backup/job/details"
AUTH_401_REST = {
    "type": "com.vmware.vapi.std.errors.unauthenticated",
    "value": {
        "messages": [
            {
                "args": [],
                "default_message": "Authentication required.",
                "id": "com.vmware.vapi.endpoint.method.authentication.required",
            }
        ]
    },
}
AUTH_401_API = {"error_type": "UNAUTHENTICATED", "messages": AUTH_401_REST["value"]["messages"]}  # type: ignore[index]


def challenged(body: dict[str, Any]) -> dict[str, Any]:
    """A 401 body without its `challenge` (a 7.0+ build always sends one; checked here)."""
    inner = dict(body["value"]) if "value" in body else dict(body)
    challenge = inner.pop("challenge")
    assert challenge.startswith('Basic realm="VAPI endpoint",SIGN realm="')
    return {**body, "value": inner} if "value" in body else inner


@pytest.fixture
def http(simulator: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=simulator.url, timeout=10) as client:
        yield client


def login(http: httpx.Client, sim: Simulator, flavor: str) -> str:
    if flavor == "api":
        response = http.post("/api/session", auth=(sim.user, sim.password))
        assert response.status_code == 201
        token = response.json()
    else:
        response = http.post("/rest/com/vmware/cis/session", auth=(sim.user, sim.password))
        assert response.status_code == 200
        token = response.json()["value"]
    assert isinstance(token, str) and len(token) >= 16
    return token


def details(
    http: httpx.Client, flavor: str, token: str, query: str = "", body: bytes | None = None
) -> dict[str, Any]:
    """GET details (with an optional body, as the SDK sends it) as {id: info}."""
    request = http.build_request(
        "GET", f"/{flavor}{DETAILS}{query}", headers={"vmware-api-session-id": token}, content=body
    )
    response = http.send(request)
    assert response.status_code == 200, response.text
    data = response.json()
    if flavor == "rest":
        assert set(data) == {"value"}
        return {entry["key"]: entry["value"] for entry in data["value"]}
    return dict(data)


@pytest.mark.parametrize("flavor", ["api", "rest"])
def test_session_lifecycle(http: httpx.Client, simulator: Simulator, flavor: str) -> None:
    token = login(http, simulator, flavor)
    headers = {"vmware-api-session-id": token}
    if flavor == "api":
        info = http.get("/api/session", headers=headers)
        assert info.status_code == 200
        assert info.json()["user"] == simulator.user
        assert http.delete("/api/session", headers=headers).status_code == 204
        again = http.get("/api/session", headers=headers)
        assert again.status_code == 401 and challenged(again.json()) == AUTH_401_API
    else:
        info = http.post("/rest/com/vmware/cis/session?~action=get", headers=headers)
        assert info.status_code == 200
        assert info.json()["value"]["user"] == simulator.user
        assert set(info.json()["value"]) == {"user", "created_time", "last_accessed_time"}
        gone = http.delete("/rest/com/vmware/cis/session", headers=headers)
        assert gone.status_code == 200 and gone.content == b""
        again = http.post("/rest/com/vmware/cis/session?~action=get", headers=headers)
        assert again.status_code == 401 and challenged(again.json()) == AUTH_401_REST
    assert http.get(f"/{flavor}{DETAILS}", headers=headers).status_code == 401
    stats = simulator.stats()
    assert (stats["logins"], stats["logouts"], stats["failed_logins"]) == (1, 1, 0)


@pytest.mark.parametrize(("flavor", "expected"), [("api", AUTH_401_API), ("rest", AUTH_401_REST)])
def test_wrong_password_and_missing_token_are_401_in_each_shape(
    http: httpx.Client, simulator: Simulator, flavor: str, expected: dict[str, Any]
) -> None:
    path = "/api/session" if flavor == "api" else "/rest/com/vmware/cis/session"
    bad = http.post(path, auth=(simulator.user, "wrong"))
    assert bad.status_code == 401 and challenged(bad.json()) == expected
    assert "lock" not in bad.text.lower()
    anonymous = http.get(f"/{flavor}{DETAILS}")
    assert anonymous.status_code == 401 and challenged(anonymous.json()) == expected
    assert simulator.stats()["failed_logins"] == 1


def test_unknown_paths_are_404_in_each_flavour(http: httpx.Client, simulator: Simulator) -> None:
    token = login(http, simulator, "api")
    headers = {"vmware-api-session-id": token}
    api = http.get("/api/appliance/no/such/thing", headers=headers)
    assert api.status_code == 404
    assert api.json()["error_type"] == "NOT_FOUND"
    assert api.json()["messages"][0]["id"] == "com.vmware.vapi.rest.httpNotFound"
    rest = http.get("/rest/appliance/no/such/thing", headers=headers)
    assert rest.status_code == 404
    assert rest.json()["type"] == "com.vmware.vapi.std.errors.not_found"
    missing_job = http.get("/api/appliance/recovery/backup/job/20000101-000000-1", headers=headers)
    assert missing_job.status_code == 404


def test_both_flavours_serve_the_same_history(http: httpx.Client, simulator: Simulator) -> None:
    api = details(http, "api", login(http, simulator, "api"))
    rest = details(http, "rest", login(http, simulator, "rest"))
    assert api == rest
    assert len(api) == 50
    raw = http.get(f"/api{DETAILS}", headers={"vmware-api-session-id": login(http, simulator, "api")})
    assert list(raw.json()) == sorted(raw.json(), reverse=True)  # newest first


FILTERS = [
    ("rest", "?filter.jobs={a}", None),
    ("rest", "?filter.jobs.1={a}&filter.jobs.2={b}", None),
    ("rest", "?filter.jobs={a}&filter.jobs={b}", None),
    ("api", "?jobs={a}&jobs={b}", None),
    ("api", "?jobs={a}", None),
    ("rest", "", '{{"filter": {{"jobs": ["{a}", "{b}"]}}}}'),
    ("api", "", '{{"filter": {{"jobs": ["{a}"]}}}}'),
]


@pytest.mark.parametrize(("flavor", "query", "body"), FILTERS)
def test_details_filters_in_every_syntax(
    http: httpx.Client, simulator: Simulator, flavor: str, query: str, body: str | None
) -> None:
    token = login(http, simulator, flavor)
    everything = details(http, flavor, token)
    a, b = sorted(everything)[3], sorted(everything)[7]
    got = details(
        http, flavor, token, query.format(a=a, b=b), body.format(a=a, b=b).encode() if body else None
    )
    wanted = {a, b} if "{b}" in (query + (body or "")) else {a}
    assert set(got) == wanted
    assert got[a] == everything[a]


@pytest.mark.parametrize("flavor", ["api", "rest"])
def test_empty_json_body_on_get_is_tolerated(http: httpx.Client, simulator: Simulator, flavor: str) -> None:
    token = login(http, simulator, flavor)
    assert len(details(http, flavor, token, body=b"{}")) == 50


def test_lockout_after_five_failures(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=3)
    with httpx.Client(base_url=sim.url) as http:
        for _ in range(5):
            assert http.post("/api/session", auth=(sim.user, "nope")).status_code == 401
        locked = http.post("/api/session", auth=(sim.user, sim.password))
        assert locked.status_code == 401
        assert challenged(locked.json()) == AUTH_401_API  # no "locked" wording
        assert sim.stats()["failed_logins"] == 6
        assert sim.stats()["logins"] == 0


def test_four_failures_do_not_lock(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=3)
    with httpx.Client(base_url=sim.url) as http:
        for _ in range(4):
            http.post("/rest/com/vmware/cis/session", auth=(sim.user, "nope"))
        assert http.post("/rest/com/vmware/cis/session", auth=(sim.user, sim.password)).status_code == 200


def test_lock_expires(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=3, lockout_time=0.3)
    with httpx.Client(base_url=sim.url) as http:
        for _ in range(5):
            http.post("/api/session", auth=(sim.user, "nope"))
        assert http.post("/api/session", auth=(sim.user, sim.password)).status_code == 401
        wait_for(lambda: http.post("/api/session", auth=(sim.user, sim.password)).status_code == 201)


def test_garbage_authorization_header_is_401(http: httpx.Client) -> None:
    for value in ("Basic !!!", "Bearer x", "Basic " + base64.b64encode(b"no-colon").decode()):
        assert http.post("/api/session", headers={"Authorization": value}).status_code == 401


def test_idle_timeout_expires_sessions(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=3, idle_timeout=0.3)
    with httpx.Client(base_url=sim.url) as http:
        token = login(http, sim, "api")
        headers = {"vmware-api-session-id": token}
        assert http.get(f"/api{DETAILS}", headers=headers).status_code == 200
        wait_for(lambda: sim.stats()["active_sessions"] == 0)
        expired = http.get(f"/api{DETAILS}", headers=headers)
        assert expired.status_code == 401 and challenged(expired.json()) == AUTH_401_API


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_flavor_api_only_hides_rest(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=3, flavor="api")
    with httpx.Client(base_url=sim.url) as http:
        assert http.post("/rest/com/vmware/cis/session", auth=(sim.user, sim.password)).status_code == 404
        assert http.post("/api/session", auth=(sim.user, sim.password)).status_code == 201


def test_flavor_rest_only_hides_api(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=3, flavor="rest")
    with httpx.Client(base_url=sim.url) as http:
        assert http.post("/api/session", auth=(sim.user, sim.password)).status_code == 404
        assert http.post("/rest/com/vmware/cis/session", auth=(sim.user, sim.password)).status_code == 200


def test_stats_endpoint_needs_no_auth_and_counts_per_path(http: httpx.Client, simulator: Simulator) -> None:
    token = login(http, simulator, "api")
    http.get(f"/api{DETAILS}?jobs=x", headers={"vmware-api-session-id": token})
    http.get(f"/api{DETAILS}", headers={"vmware-api-session-id": token})
    stats = http.get("/_simulator/stats").json()
    assert stats["requests"][f"/api{DETAILS}"] == 2  # the query is not part of the key
    assert stats["requests"]["/api/session"] == 1
    assert stats["requests_total"] == 3
    assert stats["logins"] == 1 and stats["active_sessions"] == 1
    assert stats["bytes_sent"] > 1000
    assert "/_simulator/stats" not in stats["requests"]
    assert json.dumps(stats)  # plain JSON


def test_keep_alive_reuses_one_connection(http: httpx.Client, simulator: Simulator) -> None:
    token = login(http, simulator, "rest")
    for _ in range(5):
        details(http, "rest", token)
    assert http.get("/_simulator/stats").json()["connections"] == 1


def test_stop_closes_open_connections_and_the_port(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=2)
    with httpx.Client(base_url=sim.url, timeout=5) as http:
        assert http.get("/_simulator/stats").status_code == 200  # a keep-alive connection is open
        sim.stop()
        with pytest.raises(httpx.TransportError):
            http.get("/_simulator/stats")
    sim.stop()  # idempotent
