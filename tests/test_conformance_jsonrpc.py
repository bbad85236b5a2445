"""Conformance: the official bindings over their default transport, vAPI JSON-RPC 2.0 on `POST /api`.

The same calls as VMware's own sample `backup_job_list.py` (through `vapiconnect`: a JSON-RPC
connector, a user/password login with `Session.create`, then the session id), and the error types
the runtime raises from the simulator's typed error values. REST mode: `test_conformance.py`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
import requests

from backuptui.simulator import Simulator

pytestmark = pytest.mark.conformance

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from com.vmware.appliance.recovery.backup.job_client import Details
    from com.vmware.appliance.recovery.backup_client import Job, Parts, Schedules
    from com.vmware.cis_client import Session
    from com.vmware.vapi.std.errors_client import (
        Error,
        FeatureInUse,
        NotFound,
        Unauthenticated,
        Unauthorized,
    )
    from vmware.vapi.lib.connect import get_requests_connector
    from vmware.vapi.security.session import create_session_security_context
    from vmware.vapi.security.user_password import create_user_password_security_context
    from vmware.vapi.stdlib.client.factories import StubConfigurationFactory


def connect(sim: Simulator, user: str | None = None, password: str | None = None) -> Any:
    """What `vapiconnect.connect` does: JSON-RPC to `<url>/api`, log in, then use the session id."""
    connector = get_requests_connector(session=requests.Session(), msg_protocol="json", url=sim.url + "/api")
    cfg = StubConfigurationFactory.new_std_configuration(connector)
    connector.set_security_context(
        create_user_password_security_context(user or sim.user, password or sim.password)
    )
    token = Session(cfg).create()
    connector.set_security_context(create_session_security_context(token))
    return cfg


def test_backup_job_list_sample_over_jsonrpc(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=30, running_at_start=True)
    cfg = connect(sim)
    job = Job(cfg)
    ids = job.list()  # the sample: list the ids, then get each one and print a table
    assert ids == sim.jobs.ids() and ids[0] == sim.jobs.running
    rows = [(status.id, str(status.state), status.progress) for status in map(job.get, ids[:5])]
    assert rows[0][1] == "INPROGRESS" and all(row[1] for row in rows)
    assert sim.stats()["requests"]["/api"] >= 7  # everything went over POST /api
    assert "/api/appliance/recovery/backup/job" not in sim.stats()["requests"]


def test_details_with_and_without_the_filter_schedules_and_parts(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(jobs=120, seed=11, variety=True, running_at_start=True)
    cfg = connect(sim)
    jobs = Details(cfg).list()
    assert len(jobs) == 120 + 2 + 1
    assert {str(info.type) for info in jobs.values()} == {"SCHEDULED", "MANUAL", "LOCAL_BACKUP"}
    failed = [info for info in jobs.values() if str(info.status) == "FAILED"]
    assert failed and all(info.error is not None for info in failed)
    wanted = set(sorted(jobs)[:3])
    assert set(Details(cfg).list(Details.FilterSpec(jobs=wanted))) == wanted
    assert set(Schedules(cfg).list()) == {"default"}
    assert Schedules(cfg).get("default").enable is True
    assert Parts(cfg).get("common") == 1843
    assert [part.id for part in Parts(cfg).list()] == ["common", "seat"]
    assert Session(cfg).get().user == sim.user


def test_error_types_over_jsonrpc(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(jobs=10, unprivileged_user="reader@vsphere.local")
    cfg = connect(sim)
    with pytest.raises(NotFound):
        Job(cfg).get("20000101-000000-1")
    started = Job(cfg).create(Job.BackupRequest(location_type="SFTP", location="sftp://h/p", parts=[]))
    assert str(started.state) == "INPROGRESS"
    with pytest.raises(FeatureInUse):
        Schedules(cfg).run("default")
    sim.set_fault(error_500=1, match="/api")
    with pytest.raises(Error):
        Job(cfg).list()
    Session(cfg).delete()
    with pytest.raises(Unauthenticated) as gone:
        Job(cfg).list()
    assert gone.value.challenge and gone.value.messages[0].id.endswith("authentication.required")
    with pytest.raises(Unauthenticated):
        connect(sim, password="wrong")
    with pytest.raises(Unauthorized):
        Details(connect(sim, user="reader@vsphere.local")).list()
    assert sim.stats()["logins"] == 2 and sim.stats()["failed_logins"] == 1


def test_protocol_errors_have_jsonrpc_codes(simulator: Simulator) -> None:
    def call(body: bytes) -> Any:
        response = requests.post(simulator.url + "/api", data=body, timeout=10)
        assert response.status_code == 200
        return response.json()

    assert call(b"{not json")["error"]["code"] == -32700
    assert call(b'{"jsonrpc": "2.0", "id": "1", "method": "nope", "params": {}}')["error"]["code"] == -32601
    unknown = call(
        b'{"jsonrpc": "2.0", "id": "2", "method": "invoke",'
        b' "params": {"serviceId": "com.vmware.vcenter.vm", "operationId": "list"}}'
    )
    assert unknown["id"] == "2"
    assert list(unknown["result"]["error"]["ERROR"]) == ["com.vmware.vapi.std.errors.operation_not_found"]


def test_parts_get_in_rest_mode(simulator: Simulator) -> None:
    from tests.test_conformance import rest_login, stub_config

    assert Parts(stub_config(simulator, rest_login(simulator))).get("seat") == 6554


def test_the_schema_is_the_one_the_bindings_declare() -> None:
    import subprocess
    import sys
    from pathlib import Path

    tool = Path(__file__).resolve().parent.parent / "tools" / "jsonrpc_schema.py"
    assert subprocess.run([sys.executable, str(tool), "--check"], check=False).returncode == 0
