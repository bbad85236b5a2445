"""Conformance: the official VMware bindings (vmware-vcenter 9.1.1.0, REST mode) read the simulator.

As the SDK's REST mode needs: log in with plain `requests`, hand the session token to a REST
connector on `<url>/rest`, and let `Details(cfg).list()` deserialize every job. The bindings enforce
the union rules keyed on `status`, so one wrong record fails the whole call.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from backuptui.simulator import Simulator

pytestmark = pytest.mark.conformance

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import requests
    from com.vmware.appliance.recovery.backup.job_client import Details
    from com.vmware.appliance.recovery.backup_client import Job, Parts, Schedules
    from com.vmware.vapi.std.errors_client import FeatureInUse, NotFound, Unauthenticated
    from vmware.vapi.lib.connect import get_requests_connector
    from vmware.vapi.security.client.security_context_filter import LegacySecurityContextFilter
    from vmware.vapi.security.session import create_session_security_context
    from vmware.vapi.stdlib.client.factories import StubConfigurationFactory


def stub_config(sim: Simulator, token: str) -> Any:
    connector = get_requests_connector(
        session=requests.Session(),
        msg_protocol="rest",
        url=sim.url + "/rest",
        provider_filter_chain=[
            LegacySecurityContextFilter(security_context=create_session_security_context(token))
        ],
    )
    return StubConfigurationFactory.new_std_configuration(connector)


def rest_login(sim: Simulator) -> str:
    response = requests.post(
        sim.url + "/rest/com/vmware/cis/session", auth=(sim.user, sim.password), timeout=10
    )
    assert response.status_code == 200
    token: str = response.json()["value"]
    return token


@pytest.fixture
def varied(simulator_factory: Callable[..., Simulator]) -> Simulator:
    """A history with every status and every type: FAILED/SUCCEEDED history, a RUNNING live job,
    PENDING, BLOCKED and LOCAL_BACKUP records (the `variety` option)."""
    return simulator_factory(jobs=400, seed=11, variety=True, running_at_start=True, speed=1.0)


def test_sdk_deserializes_every_job_of_every_status_and_type(varied: Simulator) -> None:
    cfg = stub_config(varied, rest_login(varied))
    jobs = Details(cfg).list()
    assert len(jobs) == 400 + 2 + 1  # history + PENDING + BLOCKED + the running backup
    statuses = Counter(str(info.status) for info in jobs.values())
    types = Counter(str(info.type) for info in jobs.values())
    assert set(statuses) == {"SUCCEEDED", "FAILED", "RUNNING", "PENDING", "BLOCKED"}, statuses
    assert set(types) == {"SCHEDULED", "MANUAL", "LOCAL_BACKUP"}, types
    for job_id, info in jobs.items():
        assert info.messages is not None
        if str(info.status) in ("SUCCEEDED", "FAILED", "RUNNING"):
            assert info.progress.total == 100
            assert job_id.startswith(info.start_time.strftime("%Y%m%d-%H%M%S"))
        if str(info.status) == "FAILED":
            assert info.end_time > info.start_time
            assert info.error is not None
            assert info.error.get_error_value() is not None
    # The SDK asks with GET and a JSON body of {}: one request.
    assert varied.stats()["requests"]["/rest/appliance/recovery/backup/job/details"] == 1


def test_sdk_filtered_list_through_the_get_body(varied: Simulator) -> None:
    cfg = stub_config(varied, rest_login(varied))
    every = sorted(Details(cfg).list())
    wanted = {every[0], every[5], every[-1]}
    filtered = Details(cfg).list(Details.FilterSpec(jobs=wanted))
    assert set(filtered) == wanted


def test_sdk_default_history_and_scenarios(simulator_factory: Callable[..., Simulator]) -> None:
    for scenario in (
        None,
        "latest-failed",
        "stale",
        "missed-schedule",
        "schedule-disabled",
        "not-configured",
    ):
        sim = simulator_factory(jobs=60, seed=5, scenario=scenario)
        cfg = stub_config(sim, rest_login(sim))
        jobs = Details(cfg).list()
        assert len(jobs) == (0 if scenario == "not-configured" else 60)
        schedules = Schedules(cfg).list()
        assert set(schedules) == (set() if scenario == "not-configured" else {"default"})
        sim.stop()


def test_sdk_job_get_create_cancel_and_feature_in_use(simulator: Simulator) -> None:
    cfg = stub_config(simulator, rest_login(simulator))
    job = Job(cfg)
    ids = job.list()
    assert ids == sorted(ids, reverse=True)
    status = job.get(ids[0])
    assert str(status.state) in ("SUCCEEDED", "FAILED")
    request = Job.BackupRequest(
        parts=["seat"],
        location_type=Job.LocationType.SFTP,
        location="sftp://192.0.2.10/backups/vcsa01",
        location_user="backupuser",
        location_password="secret",
    )
    created = job.create(request)
    assert str(created.state) == "INPROGRESS"
    with pytest.raises(FeatureInUse):
        job.create(request)
    result = job.cancel(created.id)
    assert str(result.status) == "OK"
    assert str(job.get(created.id).state) == "FAILED"
    assert str(Details(cfg).list(Details.FilterSpec(jobs={created.id}))[created.id].status) == "FAILED"


def test_sdk_sees_unauthenticated_for_a_bad_token(simulator: Simulator) -> None:
    with pytest.raises(Unauthenticated) as caught:
        Details(stub_config(simulator, "expired")).list()
    assert caught.value.messages[0].id == "com.vmware.vapi.endpoint.method.authentication.required"


def test_sdk_parts_schedule_get_and_run(simulator: Simulator) -> None:
    cfg = stub_config(simulator, rest_login(simulator))
    assert [part.id for part in Parts(cfg).list()] == ["common", "seat"]
    schedule = Schedules(cfg).get("default")
    assert schedule.enable is True and schedule.recurrence_info.days is None
    started = Schedules(cfg).run("default", comment="now")
    assert str(started.state) == "INPROGRESS"
    with pytest.raises(FeatureInUse):
        Schedules(cfg).run("default", comment="again")
    with pytest.raises(NotFound):
        Schedules(cfg).get("weekly")
