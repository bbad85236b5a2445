"""ApplianceClient against the real simulator over loopback HTTP, in both URL flavours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backuptui.core.appliance.client import ApplianceClient, Timeouts
from backuptui.core.appliance.errors import (
    ApiError,
    ApplianceError,
    ApplianceUnreachable,
    AuthenticationFailed,
    InvalidResponse,
    TLSVerificationFailed,
)
from backuptui.core.appliance.models import ApiFlavor, JobStatus
from backuptui.core.appliance.secret import Secret
from backuptui.simulator import Simulator

FLAVORS = [ApiFlavor.API, ApiFlavor.REST]
DETAILS = {
    ApiFlavor.API: "/api/appliance/recovery/backup/job/details",
    ApiFlavor.REST: "/rest/appliance/recovery/backup/job/details",
}
SESSION = {ApiFlavor.API: "/api/session", ApiFlavor.REST: "/rest/com/vmware/cis/session"}


def connect(sim: Simulator, password: str | None = None, **kwargs: Any) -> ApplianceClient:
    kwargs.setdefault("timeouts", Timeouts(connect=5.0, read=10.0))
    return ApplianceClient(sim.url, sim.user, Secret(password or sim.password), **kwargs)


def requests(sim: Simulator, path: str) -> int:
    return int(sim.stats()["requests"].get(path, 0))


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_login_list_filter_and_logout_on_close(
    simulator_factory: Callable[..., Simulator], flavor: ApiFlavor
) -> None:
    sim = simulator_factory(flavor=flavor.value, jobs=40)
    async with connect(sim) as client:
        everything = await client.list_job_details()
        assert client.flavor is flavor
        assert sim.stats()["logins"] == 1 and sim.stats()["active_sessions"] == 1
        assert len(everything.jobs) == 40 and everything.problems == ()
        assert [job.id for job in everything.jobs] == sorted(
            (job.id for job in everything.jobs), reverse=True
        )
        assert {job.status for job in everything.jobs} <= {JobStatus.SUCCEEDED, JobStatus.FAILED}
        wanted = [everything.jobs[3].id, everything.jobs[17].id]
        filtered = await client.list_job_details(jobs=wanted)
        assert sorted(job.id for job in filtered.jobs) == sorted(wanted)
        assert filtered.jobs[0] == next(job for job in everything.jobs if job.id == filtered.jobs[0].id)
        ids = await client.list_job_ids()
        assert set(ids) == {job.id for job in everything.jobs}
        (schedule,) = await client.get_schedules()
        assert schedule.id == "default" and schedule.recurrence is not None
        assert client.connections_opened == 1  # one keep-alive connection for all of it
        assert sim.stats()["connections"] == 1  # as the appliance saw it
    stats = sim.stats()
    assert stats["logins"] == 1 and stats["failed_logins"] == 0
    assert stats["logouts"] == 1 and stats["active_sessions"] == 0
    assert requests(sim, SESSION[flavor]) == 2  # login and logout
    if flavor is ApiFlavor.REST:
        assert requests(sim, "/api/session") == 1  # the probe that found no /api flavour
    assert client.bytes_received == stats["bytes_sent"]  # every body byte the appliance sent


async def test_explicit_flavour_override_skips_detection(simulator: Simulator) -> None:
    async with connect(simulator, flavor="rest") as client:
        await client.list_job_details()
        assert client.flavor is ApiFlavor.REST
    assert requests(simulator, "/api/session") == 0
    assert requests(simulator, SESSION[ApiFlavor.REST]) == 2


async def test_explicit_api_flavour_on_an_old_appliance_says_so(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(flavor="rest")
    async with connect(sim, flavor=ApiFlavor.API) as client:
        with pytest.raises(ApiError, match="/rest flavour") as info:
            await client.list_job_details()
    assert info.value.status_code == 404
    assert sim.stats()["logins"] == 0


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_silent_relogin_after_session_expiry(
    simulator_factory: Callable[..., Simulator], flavor: ApiFlavor
) -> None:
    sim = simulator_factory(flavor=flavor.value)
    async with connect(sim) as client:
        first = await client.list_job_details()
        sim.expire_sessions()
        again = await client.list_job_details()
        assert again.jobs == first.jobs
        assert sim.stats()["logins"] == 2  # exactly one extra login
        assert requests(sim, DETAILS[flavor]) == 3  # the call, its 401, the retry
        await client.list_job_details()
        assert sim.stats()["logins"] == 2


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_wrong_password_is_one_attempt_and_never_repeated(
    simulator_factory: Callable[..., Simulator], flavor: ApiFlavor
) -> None:
    sim = simulator_factory(flavor=flavor.value)
    client = connect(sim, password="not-the-password")
    with pytest.raises(AuthenticationFailed) as info:
        await client.list_job_details()
    message = str(info.value)
    assert message.startswith("127.0.0.1:") and "refused the login" in message and sim.user in message
    assert "Check the user name and password" in message and "lock" in message
    assert "not-the-password" not in message and sim.password not in message
    for call in (client.list_job_details, client.list_job_ids, client.get_schedules, client.login):
        with pytest.raises(AuthenticationFailed):
            await call()
    stats = sim.stats()
    assert stats["failed_logins"] == 1 and stats["logins"] == 0
    assert requests(sim, SESSION[flavor]) == 1
    client.set_password(Secret(sim.password))
    assert len((await client.list_job_details()).jobs) == 50
    assert sim.stats()["logins"] == 1 and sim.stats()["failed_logins"] == 1
    await client.close()
    assert sim.stats()["logouts"] == 1


async def test_cancel_a_running_backup(simulator: Simulator) -> None:
    job_id = simulator.start_backup()
    async with connect(simulator) as client:
        (running,) = (await client.list_job_details(jobs=[job_id])).jobs
        assert running.is_active
        await client.cancel_job(job_id)
        with pytest.raises(ApiError, match="could not cancel job"):
            await client.cancel_job(job_id)  # it has ended: the appliance answers FAIL
        with pytest.raises(ApiError, match="not found") as info:
            await client.cancel_job("20000101-000000-1")
        assert info.value.status_code == 404 and info.value.error_type == "NOT_FOUND"


# -- faults ---------------------------------------------------------------------------------------


async def fault_error(
    sim: Simulator, flavor: ApiFlavor, timeouts: Timeouts | None = None, **fault: Any
) -> ApplianceError:
    """Log in, arm a fault on the details path, and return what the next details call raises."""
    client = connect(sim, flavor=flavor, **({"timeouts": timeouts} if timeouts else {}))
    await client.login()
    sim.set_fault(match="/job/details", **fault)
    with pytest.raises(ApplianceError) as info:
        await client.list_job_details()
    sim.set_fault(clear=True)
    assert len((await client.list_job_details()).jobs) == 50  # and the next call works again
    await client.close()
    assert sim.stats()["logins"] == 1
    error = info.value
    assert str(error).startswith("127.0.0.1:") and sim.password not in str(error)
    return error


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize(
    ("fault", "status", "error_type"),
    [("error_500", 500, "ERROR"), ("error_503", 503, "SERVICE_UNAVAILABLE")],
)
async def test_server_errors_are_api_errors(
    simulator: Simulator, flavor: ApiFlavor, fault: str, status: int, error_type: str
) -> None:
    error = await fault_error(simulator, flavor, **{fault: 1})
    assert isinstance(error, ApiError)
    assert error.status_code == status
    assert error.error_type is not None and error.error_type.upper().endswith(error_type)
    assert error.messages and "API service had a problem" in str(error) and f"HTTP {status}" in str(error)


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_dropped_connection_is_unreachable(simulator: Simulator, flavor: ApiFlavor) -> None:
    error = await fault_error(simulator, flavor, drop=1)
    assert type(error) is ApplianceUnreachable
    assert "dropped" in str(error)


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_latency_beyond_the_read_timeout_is_a_timeout(simulator: Simulator, flavor: ApiFlavor) -> None:
    # a read timeout of 1 s (not less: the login and the recovery call must fit in it on a busy
    # machine) against 3 s of added latency on the details path only
    error = await fault_error(simulator, flavor, Timeouts(connect=5.0, read=1.0), latency=3.0)
    assert type(error) is ApplianceUnreachable
    assert "read timeout" in str(error) and "within 1 s" in str(error)


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("fault", ["malformed", "truncate"])
async def test_broken_bodies_are_invalid_responses(
    simulator: Simulator, flavor: ApiFlavor, fault: str
) -> None:
    error = await fault_error(simulator, flavor, **{fault: 1})
    assert isinstance(error, InvalidResponse)
    assert "job details" in str(error)
    if fault == "truncate":
        assert "truncated body" in str(error)


async def test_https_to_a_plain_http_port_says_check_the_scheme(simulator: Simulator) -> None:
    client = ApplianceClient(simulator.url.replace("http://", "https://"), simulator.user, Secret("x"))
    with pytest.raises(ApplianceUnreachable) as info:
        await client.login()
    assert not isinstance(info.value, TLSVerificationFailed)
    assert "TLS handshake failed" in str(info.value) and "scheme" in str(info.value)
    await client.close()
    assert simulator.stats()["failed_logins"] == 0


async def test_check_reachable_sends_no_credentials_and_names_the_scheme_to_use(simulator: Simulator) -> None:
    client = ApplianceClient(simulator.url, simulator.user, Secret(""))
    await client.check_reachable()  # any HTTP answer: the address works
    await client.close()
    wrong = ApplianceClient(simulator.url.replace("http://", "https://"), simulator.user, Secret(""))
    with pytest.raises(ApplianceUnreachable, match="plain HTTP, not HTTPS") as info:
        await wrong.check_reachable()
    assert f"{simulator.url} for a plain-HTTP service" in str(info.value)
    await wrong.close()
    assert (simulator.stats()["failed_logins"], simulator.stats()["active_sessions"]) == (0, 0)


async def test_an_empty_password_is_never_sent(simulator: Simulator) -> None:
    client = ApplianceClient(simulator.url, simulator.user, Secret(""))
    with pytest.raises(AuthenticationFailed, match="no password given"):
        await client.list_job_details()
    assert simulator.stats()["requests_total"] == 0
    client.set_password(Secret(simulator.password))
    await client.login()
    await client.close()
    assert simulator.stats()["logins"] == 1 and simulator.stats()["failed_logins"] == 0
