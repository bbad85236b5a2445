"""A response larger than the client's limit is refused after reading at most the limit, with an
error that names the appliance and the limit; below the limit a huge record still reads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from backuptui.core.appliance._httpx import httpx
from backuptui.core.appliance.client import DEFAULT_MAX_BODY, ApplianceClient
from backuptui.core.appliance.errors import InvalidResponse
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.settings.secrets import Secret
from backuptui.simulator import Simulator
from backuptui.simulator.faults import FaultError, parse_spec


@pytest.mark.parametrize("flavor", [ApiFlavor.API, ApiFlavor.REST])
async def test_a_body_over_the_limit_is_refused_naming_the_appliance_and_the_limit(
    simulator_factory: Callable[..., Simulator], flavor: ApiFlavor
) -> None:
    sim = simulator_factory(jobs=5, faults=["huge=3", "match=/job/details"])
    async with ApplianceClient(
        sim.url, sim.user, Secret(sim.password), flavor=flavor, name="vc-big", max_body=1024 * 1024
    ) as client:
        await client.login()
        before = client.bytes_received
        with pytest.raises(InvalidResponse) as caught:
            await client.list_job_details()
        assert client.bytes_received - before <= 1024 * 1024
    message = str(caught.value)
    assert "vc-big" in message and "larger than the limit of 1 MiB" in message


async def test_a_huge_record_below_the_limit_reads_and_keeps_its_message(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(jobs=5, faults=["huge=2", "match=/job/details"])
    async with ApplianceClient(sim.url, sim.user, Secret(sim.password)) as client:
        result = await client.list_job_details()
    [huge] = [
        job
        for job in result.jobs
        if job.error is not None and job.error.messages and len(job.error.messages[0].text) == 2_000_000
    ]
    assert huge.status.value == "FAILED"
    assert len(result.jobs) == 5


async def test_a_streamed_body_stops_at_the_limit_without_reading_the_rest() -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        while True:
            pulled += 1
            yield b"x" * 65536

    class Stream(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in endless():
                yield chunk

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/session":
            return httpx.Response(201, json="token")
        return httpx.Response(200, stream=Stream())  # no Content-Length: read until the limit

    client = ApplianceClient(
        "https://vc.example", "u", Secret("p"), transport=httpx.MockTransport(handler), max_body=1_000_000
    )
    async with client:
        with pytest.raises(InvalidResponse, match="larger than the limit"):
            await client.list_job_details()
    assert pulled <= 1_000_000 // 65536 + 1


def test_the_default_limit_is_well_above_a_real_history() -> None:
    assert DEFAULT_MAX_BODY >= 64 * 1024 * 1024
    with pytest.raises(ValueError):
        ApplianceClient("https://vc.example", "u", Secret("p"), max_body=0)


def test_the_huge_fault_spec() -> None:
    assert parse_spec("huge=50") == {"huge": 50.0}
    with pytest.raises(FaultError):
        parse_spec("huge=lots")
