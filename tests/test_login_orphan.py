"""A login whose answer is unusable (malformed, or cut short by the connection) may still have
opened a session on the appliance; it is logged out through the session cookie the answer set,
and when no session id can be read the error says that a session may be left open."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import InvalidResponse
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.simulator import Simulator


@pytest.mark.parametrize("fault", ["malformed", "truncate"])
@pytest.mark.parametrize("flavor", [ApiFlavor.API, ApiFlavor.REST])
async def test_the_session_of_an_unusable_login_is_logged_out(
    simulator: Simulator, flavor: ApiFlavor, fault: str
) -> None:
    simulator.set_fault(**{fault: 1}, match="/session")
    client = ApplianceClient(simulator.url, simulator.user, Secret(simulator.password), flavor=flavor)
    try:
        with pytest.raises(InvalidResponse) as caught:
            await client.login()
    finally:
        await client.close()
    assert "could not be logged out" not in str(caught.value)
    stats = simulator.stats()
    assert stats["logins"] == 1
    assert stats["logouts"] == 1 and stats["active_sessions"] == 0


async def test_a_cut_login_without_a_session_id_says_a_session_may_be_left_open() -> None:
    """No cookie, and half a token: nothing to log out with, so the error says so (once, no retry)."""
    requests: list[str] = []

    class Cut(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b'"3c1f0a9e'
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(f"{request.method} {request.url.path}")
        return httpx.Response(200, headers={"content-length": "34"}, stream=Cut())

    client = ApplianceClient(
        "https://vcsa01.example.com",
        "administrator@vsphere.local",
        Secret("pw"),
        flavor=ApiFlavor.API,
        transport=httpx.MockTransport(handle),
    )
    try:
        with pytest.raises(InvalidResponse) as caught:
            await client.login()
    finally:
        await client.close()
    text = str(caught.value)
    assert "truncated body" in text and "could not be logged out" in text and "3c1f0a9e" not in text
    assert requests == ["POST /api/session"]
