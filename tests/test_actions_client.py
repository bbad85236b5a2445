"""Back up now, one-off jobs, validate, parts and cancel against the real simulator, both flavours:
each action sent once, each refusal the appliance gives worded so the user can act on it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import pytest

from backuptui.core.appliance.actions import (
    ACTION_GROUP,
    ActionRefused,
    BackupActions,
    BackupRequest,
    LocationType,
    Refusal,
)
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import AuthenticationFailed
from backuptui.core.appliance.models import ApiFlavor, JobStatus
from backuptui.core.appliance.secret import Secret
from backuptui.simulator import Simulator

READER = "reader@vsphere.local"
FLAVORS = [ApiFlavor.API, ApiFlavor.REST]


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator]) -> Simulator:
    return simulator_factory(jobs=5, readonly_user=READER)


@pytest.fixture(params=FLAVORS, ids=["api", "rest"])
async def actions(sim: Simulator, request: pytest.FixtureRequest) -> AsyncIterator[BackupActions]:
    async with ApplianceClient(sim.url, sim.user, Secret(sim.password), flavor=request.param) as client:
        yield BackupActions(client)


def one_off(**changes: object) -> BackupRequest:
    fields: dict[str, object] = {
        "location_type": LocationType.SFTP,
        "location": "sftp://192.0.2.99/fresh/vcsa01",
        "location_user": "backupuser",
        "location_password": Secret("loc-Secret-1"),
        "parts": ("common",),
        "comment": "one-off",
    }
    fields.update(changes)
    return BackupRequest(**fields)  # type: ignore[arg-type]


async def test_run_schedule_starts_a_job_that_the_details_show_running(
    sim: Simulator, actions: BackupActions
) -> None:
    started = await actions.run_schedule("default", "backuptui: manual backup by tester")
    assert started.state == "INPROGRESS"
    assert sim.jobs.running == started.id
    details = await actions.client.list_job_details([started.id])
    assert details.jobs[0].status is JobStatus.RUNNING
    assert details.jobs[0].cancelable


async def test_a_second_backup_is_refused_naming_the_running_one(
    sim: Simulator, actions: BackupActions
) -> None:
    first = await actions.run_schedule(comment="first")
    with pytest.raises(ActionRefused) as refused:
        await actions.run_schedule(comment="second")
    assert refused.value.reason is Refusal.FEATURE_IN_USE
    assert refused.value.running_job == first.id
    assert f"already running (job {first.id})" in str(refused.value)
    with pytest.raises(ActionRefused) as again:
        await actions.create_job(one_off())
    assert again.value.reason is Refusal.FEATURE_IN_USE


async def test_a_missing_schedule_is_a_404_that_says_so(actions: BackupActions) -> None:
    with pytest.raises(ActionRefused) as refused:
        await actions.run_schedule("nightly")
    assert refused.value.reason is Refusal.NOT_FOUND
    assert "no backup schedule 'nightly'" in str(refused.value)


async def test_not_allowed_in_the_current_state(sim: Simulator, actions: BackupActions) -> None:
    sim.actions_not_allowed = "the appliance is being upgraded"
    with pytest.raises(ActionRefused) as refused:
        await actions.run_schedule()
    assert refused.value.reason is Refusal.NOT_ALLOWED
    assert "current state" in str(refused.value)
    assert "being upgraded" in str(refused.value)
    assert sim.jobs.running is None


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"location": "ftp://192.0.2.99/x"}, "location", "does not match location_type SFTP"),
        ({"parts": ("common", "nope")}, "parts", "unknown part 'nope'"),
        ({"backup_password": Secret("short")}, "backup_password", "8 to 20"),
        ({"backup_password": Secret("alllowercase1!")}, "backup_password", "upper-case"),
        ({"backup_password": Secret("NoDigits!!x")}, "backup_password", "digit"),
        ({"backup_password": Secret("NoSpecial123")}, "backup_password", "special"),
    ],
)
async def test_an_invalid_request_names_the_field(
    sim: Simulator, actions: BackupActions, changes: dict[str, object], field: str, said: str
) -> None:
    for call in (actions.validate, actions.create_job):
        with pytest.raises(ActionRefused) as refused:
            await call(one_off(**changes))
        assert refused.value.reason is Refusal.INVALID_ARGUMENT
        assert refused.value.field == field
        assert said in str(refused.value)
    assert sim.jobs.running is None


async def test_validate_warns_and_a_one_off_job_starts_there(sim: Simulator, actions: BackupActions) -> None:
    clean = await actions.validate(one_off(backup_password=Secret("Good-Pass1")))
    assert clean.status == "OK" and clean.messages == ()
    warned = await actions.validate(one_off(location="sftp://192.0.2.10/backups/vcsa01"))
    assert warned.status == "WARNING"
    assert any("not empty" in text for text in warned.messages)
    assert any("not be encrypted" in text for text in warned.messages)
    started = await actions.create_job(one_off(backup_password=Secret("Good-Pass1")))
    job = (await actions.client.list_job_details([started.id])).jobs[0]
    assert job.location.startswith("sftp://192.0.2.99/fresh/vcsa01/")
    assert job.type.value == "MANUAL"


async def test_parts_come_with_their_sizes(actions: BackupActions) -> None:
    parts = {part.id: part for part in await actions.parts()}
    assert set(parts) == {"common", "seat"}
    assert parts["common"].name == "Inventory and configuration" and not parts["common"].optional
    assert parts["seat"].optional
    assert parts["common"].size_mb == 1843 and parts["seat"].size_mb == 6554


async def test_cancel_answers_ok_and_the_job_ends_failed_as_canceled(
    sim: Simulator, actions: BackupActions
) -> None:
    started = await actions.run_schedule()
    answer = await actions.cancel(started.id)
    assert answer.status == "OK" and answer.ok
    assert answer.messages
    job = (await actions.client.list_job_details([started.id])).jobs[0]
    assert job.status is JobStatus.FAILED  # the appliance has no CANCELED status
    assert not job.cancelable
    later = await actions.cancel(started.id)
    assert later.status == "FAIL" and not later.ok
    assert "not running" in later.describe()


async def test_cancel_of_an_unknown_job_is_not_found(actions: BackupActions) -> None:
    with pytest.raises(ActionRefused) as refused:
        await actions.cancel("20000101-000000-1")
    assert refused.value.reason is Refusal.NOT_FOUND
    assert "does not know job 20000101-000000-1" in str(refused.value)


@pytest.mark.parametrize("flavor", FLAVORS, ids=["api", "rest"])
async def test_a_read_only_user_reads_but_may_not_act(sim: Simulator, flavor: ApiFlavor) -> None:
    async with ApplianceClient(sim.url, READER, Secret(sim.password), flavor=flavor) as client:
        actions = BackupActions(client)
        assert (await client.list_job_details()).jobs  # reads are allowed
        assert await actions.parts()
        for attempt in (actions.run_schedule(), actions.create_job(one_off()), actions.cancel("x")):
            with pytest.raises(ActionRefused) as refused:
                await attempt
            assert refused.value.reason is Refusal.NOT_AUTHORIZED
            assert ACTION_GROUP in str(refused.value)
            assert READER in str(refused.value)
    assert sim.jobs.running is None


async def test_an_expired_session_is_not_sent_again(sim: Simulator, actions: BackupActions) -> None:
    await actions.client.login()
    sim.sessions.expire_all()
    with pytest.raises(AuthenticationFailed) as failed:
        await actions.run_schedule()
    assert "did nothing" in str(failed.value)
    assert sim.jobs.running is None
    started = await actions.run_schedule()  # the next try logs in first
    assert sim.jobs.running == started.id


async def test_no_password_in_reprs_messages_or_logs(
    sim: Simulator, actions: BackupActions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    request = one_off(backup_password=Secret("Hidden-Pass9"), location_password=Secret("Loc-Hidden-7"))
    assert "Hidden" not in repr(request)
    assert "Hidden" not in repr(request.without_passwords().wire())
    await actions.validate(request)
    with pytest.raises(ActionRefused) as refused:
        await actions.create_job(one_off(location="ftp://x/y", location_password=Secret("Loc-Hidden-7")))
    assert "Hidden" not in str(refused.value)
    await actions.create_job(request)
    assert "Hidden" not in caplog.text
