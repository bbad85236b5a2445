"""A login whose answer is unusable (malformed) may still have opened a session on the
appliance; it is logged out through the session cookie the answer set."""

from __future__ import annotations

import pytest

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import InvalidResponse
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.simulator import Simulator


@pytest.mark.parametrize("flavor", [ApiFlavor.API, ApiFlavor.REST])
async def test_the_session_of_an_unusable_login_is_logged_out(
    simulator: Simulator, flavor: ApiFlavor
) -> None:
    simulator.set_fault(malformed=1, match="/session")
    client = ApplianceClient(simulator.url, simulator.user, Secret(simulator.password), flavor=flavor)
    try:
        with pytest.raises(InvalidResponse):
            await client.login()
    finally:
        await client.close()
    stats = simulator.stats()
    assert stats["logins"] == 1
    assert stats["logouts"] == 1 and stats["active_sessions"] == 0
