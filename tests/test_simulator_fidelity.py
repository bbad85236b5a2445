"""What other clients rely on: the session cookie, routing before auth, parts/{id}, id order, builds."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from backuptui.simulator import Simulator

BACKUP = "/appliance/recovery/backup"
LOGIN = {"api": "/api/session", "rest": "/rest/com/vmware/cis/session"}


@pytest.mark.parametrize("flavor", ["api", "rest"])
def test_a_cookie_only_client_reads_the_details(simulator: Simulator, flavor: str) -> None:
    with httpx.Client(base_url=simulator.url, timeout=10) as client:  # keeps cookies, like Postman
        login = client.post(LOGIN[flavor], auth=(simulator.user, simulator.password))
        token = login.json() if flavor == "api" else login.json()["value"]
        assert login.cookies["vmware-api-session-id"] == token
        assert "HttpOnly" in login.headers["set-cookie"]
        response = client.get(f"/{flavor}{BACKUP}/job/details")  # no session header at all
        assert response.status_code == 200, response.text
        assert "vmware-api-session-id" not in response.request.headers
    with httpx.Client(base_url=simulator.url, timeout=10) as script:  # a script setting the cookie itself
        cookie = {"Cookie": f"vmware-api-session-id={token}"}
        assert script.get(f"/{flavor}{BACKUP}/job", headers=cookie).status_code == 200
        assert script.get(f"/{flavor}{BACKUP}/job", headers={"Cookie": "other=1"}).status_code == 401


@pytest.mark.parametrize("flavor", ["api", "rest"])
def test_a_header_only_client_never_needs_the_cookie(simulator: Simulator, flavor: str) -> None:
    login = httpx.post(simulator.url + LOGIN[flavor], auth=(simulator.user, simulator.password))
    token = login.json() if flavor == "api" else login.json()["value"]
    response = httpx.get(
        f"{simulator.url}/{flavor}{BACKUP}/job/details", headers={"vmware-api-session-id": token}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/appliance/no/such/thing",
        "/rest/appliance/no/such/thing",
        f"/api{BACKUP}/nothing",
        f"/api{BACKUP}/job/a/b/c",
        "/api/vcenter/vm",
    ],
)
def test_unknown_paths_answer_404_before_asking_for_a_session(simulator: Simulator, path: str) -> None:
    response = httpx.get(simulator.url + path)
    assert response.status_code == 404
    assert "not_found" in response.text.lower()


def test_known_paths_without_a_session_are_401(simulator: Simulator) -> None:
    for path in ("/job", "/job/details", "/parts/common", "/schedules"):
        assert httpx.get(f"{simulator.url}/api{BACKUP}{path}").status_code == 401


@pytest.mark.parametrize("flavor", ["api", "rest"])
def test_part_size_in_mb(simulator: Simulator, flavor: str) -> None:
    with httpx.Client(base_url=simulator.url, timeout=10) as client:
        client.post(LOGIN[flavor], auth=(simulator.user, simulator.password))
        common = client.get(f"/{flavor}{BACKUP}/parts/common").json()
        assert (common if flavor == "api" else common["value"]) == 1843
        missing = client.get(f"/{flavor}{BACKUP}/parts/nope")
        assert missing.status_code == 404


def test_job_ids_are_newest_first(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=40, running_at_start=True)
    with httpx.Client(base_url=sim.url, timeout=10) as client:
        client.post("/api/session", auth=(sim.user, sim.password))
        ids = client.get(f"/api{BACKUP}/job").json()
        details = client.get(f"/api{BACKUP}/job/details").json()
    assert ids[0] == sim.jobs.running  # the running backup is element [0]
    starts = [details[ident]["start_time"] for ident in ids]
    assert starts == sorted(starts, reverse=True)
    assert ids == sorted(ids, reverse=True)  # ids start with the start time


def test_local_backup_records_come_only_with_a_9_0_build(simulator_factory: Callable[..., Simulator]) -> None:
    from backuptui.simulator.catalog import supports_local_backup

    sim = simulator_factory(jobs=120, variety=True, running_at_start=True)
    plain = simulator_factory(jobs=120)
    for each in (sim, plain):
        with httpx.Client(base_url=each.url, timeout=10) as client:
            client.post("/api/session", auth=(each.user, each.password))
            records = client.get(f"/api{BACKUP}/job/details").json()
        local = [info for info in records.values() if info["type"] == "LOCAL_BACKUP"]
        assert bool(local) == (each is sim)
        for ident, info in records.items():
            version = info["build"]["version"]
            assert ident.endswith("-" + info["build"]["build_number"])
            if info["type"] == "LOCAL_BACKUP":
                assert supports_local_backup(version)
    assert sim.jobs.build[1].startswith("9.")  # the running job carries the appliance's build


def test_500_fault_has_type_error_in_each_flavour(simulator: Simulator) -> None:
    with httpx.Client(base_url=simulator.url, timeout=10) as client:
        client.post("/api/session", auth=(simulator.user, simulator.password))
        client.post("/rest/com/vmware/cis/session", auth=(simulator.user, simulator.password))
        simulator.set_fault(error_500=2)
        assert client.get(f"/api{BACKUP}/job").json()["error_type"] == "ERROR"
        assert client.get(f"/rest{BACKUP}/job").json()["type"] == "com.vmware.vapi.std.errors.error"


def test_vami_listener_takes_basic_auth_on_every_request(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(vami=True, unprivileged_user="reader@vsphere.local")
    details = f"{sim.vami_url}/api{BACKUP}/job/details"
    for user in ("root", sim.user):  # like `curl -u root:...`: no session, no cookie
        response = httpx.get(details, auth=(user, sim.password))
        assert response.status_code == 200 and response.json(), user
        assert "set-cookie" not in response.headers
    rest = httpx.get(f"{sim.vami_url}/rest/appliance/health/system", auth=("root", sim.password))
    assert rest.json() == {"value": "green"}
    assert httpx.get(details, auth=("root", "wrong")).status_code == 401
    assert httpx.get(details, auth=("reader@vsphere.local", sim.password)).status_code == 403
    assert httpx.get(details).status_code == 401
    # the main port still wants a session, and root is no SSO user there
    assert httpx.get(f"{sim.url}/api{BACKUP}/job/details", auth=("root", sim.password)).status_code == 401
    assert httpx.post(f"{sim.url}/api/session", auth=("root", sim.password)).status_code == 401
    stats = sim.stats()
    assert stats["logins"] == 0 and stats["active_sessions"] == 0
