"""A user without the backup privilege (403 in each flavour) and a skewed appliance clock."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from backuptui.simulator import Simulator

BACKUP = "/appliance/recovery/backup"
NOT_AUTHORIZED_MESSAGES = [
    {"id": "vapi.security.authorization.invalid", "default_message": "Unable to authorize user", "args": []}
]
NOT_AUTHORIZED = {
    "api": {"error_type": "UNAUTHORIZED", "messages": NOT_AUTHORIZED_MESSAGES},
    "rest": {
        "type": "com.vmware.vapi.std.errors.unauthorized",
        "value": {"messages": NOT_AUTHORIZED_MESSAGES},
    },
}
FIXED = datetime(2026, 3, 15, 12, 0, 0, tzinfo=UTC)


def login(client: httpx.Client, flavor: str, user: str, password: str) -> str:
    if flavor == "api":
        response = client.post("/api/session", auth=(user, password))
        assert response.status_code == 201, response.text
        return str(response.json())
    response = client.post("/rest/com/vmware/cis/session", auth=(user, password))
    assert response.status_code == 200, response.text
    return str(response.json()["value"])


@pytest.mark.parametrize("flavor", ["api", "rest"])
def test_unprivileged_user_logs_in_but_backup_reads_are_403(
    simulator_factory: Callable[..., Simulator], flavor: str
) -> None:
    sim = simulator_factory(unprivileged_user="reader@vsphere.local")
    with httpx.Client(base_url=sim.url, timeout=10) as client:
        token = login(client, flavor, "reader@vsphere.local", sim.password)
        headers = {"vmware-api-session-id": token}
        some_id = sim.jobs.ids()[0]
        for path in ("/job", "/job/details", f"/job/{some_id}", "/schedules", "/schedules/default"):
            response = client.get(f"/{flavor}{BACKUP}{path}", headers=headers)
            assert response.status_code == 403, path
            assert response.json() == NOT_AUTHORIZED[flavor], path
        # the session itself is fine: who am I answers, and the main user still reads everything
        if flavor == "api":
            assert client.get("/api/session", headers=headers).json()["user"] == "reader@vsphere.local"
        admin = {"vmware-api-session-id": login(client, flavor, sim.user, sim.password)}
        assert client.get(f"/{flavor}{BACKUP}/job/details", headers=admin).status_code == 200


def test_unprivileged_user_with_a_wrong_password_is_401(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(unprivileged_user="reader@vsphere.local")
    with httpx.Client(base_url=sim.url, timeout=10) as client:
        response = client.post("/api/session", auth=("reader@vsphere.local", "wrong"))
    assert response.status_code == 401


def test_unprivileged_user_must_differ_from_the_main_user() -> None:
    from backuptui.simulator import SimulatorConfig

    with pytest.raises(ValueError, match="other than the main user"):
        SimulatorConfig(unprivileged_user="administrator@vsphere.local")


@pytest.mark.parametrize("skew", [0.0, 3600.0, -600.0])
def test_clock_skew_shifts_the_date_header_the_time_endpoint_and_job_times(
    simulator_factory: Callable[..., Simulator], skew: float
) -> None:
    sim = simulator_factory(clock=lambda: FIXED, clock_skew=skew)
    expected = FIXED + timedelta(seconds=skew)
    with httpx.Client(base_url=sim.url, timeout=10) as client:
        token = login(client, "api", sim.user, sim.password)
        headers = {"vmware-api-session-id": token}
        response = client.get("/api/appliance/system/time", headers=headers)
        assert response.status_code == 200
        assert email.utils.parsedate_to_datetime(response.headers["date"]) == expected
        body = response.json()
        assert body["seconds_since_epoch"] == expected.timestamp()
        assert body["timezone"] == "UTC"
        assert body["date"] == expected.strftime("%a %m-%d-%Y")
        assert body["time"] == expected.strftime("%I:%M:%S %p")
        rest = client.get(
            "/rest/appliance/system/time",
            headers={"vmware-api-session-id": login(client, "rest", sim.user, sim.password)},
        )
        assert rest.json() == {"value": body}
        # the generated history ends before the skewed "now", within the last day of it
        details = client.get(f"/api{BACKUP}/job/details", headers=headers).json()
        newest = max(info["start_time"] for info in details.values())
        started = datetime.fromisoformat(newest.replace("Z", "+00:00"))
        assert expected - timedelta(days=1) < started < expected
        # and a new backup starts at the appliance's time
        created = client.post(
            f"/api{BACKUP}/job", headers=headers, json={"location_type": "SFTP", "location": "sftp://h/p"}
        )
        assert created.status_code == 201
        assert created.json()["start_time"] == expected.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_system_time_needs_a_session(simulator: Simulator) -> None:
    with httpx.Client(base_url=simulator.url, timeout=10) as client:
        assert client.get("/api/appliance/system/time").status_code == 401


def test_simulate_cli_accepts_both_options() -> None:
    import argparse

    from backuptui.commands import simulate

    parser = argparse.ArgumentParser()
    simulate.register(parser.add_subparsers())
    args = parser.parse_args(["simulate", "--unprivileged-user", "ro@vsphere.local", "--clock-skew", "-90"])
    assert args.unprivileged_user == "ro@vsphere.local"
    assert args.clock_skew == -90.0
    with pytest.raises(SystemExit):
        parser.parse_args(["simulate", "--clock-skew", "nan"])
