"""TLS is verified by default: the simulator's appliance server behind a trustme-signed certificate."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import TLSVerificationFailed
from backuptui.core.appliance.secret import Secret
from backuptui.simulator import Simulator, SimulatorConfig
from backuptui.simulator.server import ApplianceServer


@dataclass
class TLSAppliance:
    url: str
    ca_bundle: Path
    sim: Simulator


def serve_tls(sim: Simulator, ca: trustme.CA, *names: str) -> tuple[ApplianceServer, threading.Thread]:
    server = ApplianceServer(("127.0.0.1", 0), sim)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def tls_appliance(tmp_path: Path) -> Iterator[TLSAppliance]:
    ca = trustme.CA()
    ca_bundle = tmp_path / "appliance-ca.pem"
    ca.cert_pem.write_to_path(str(ca_bundle))
    sim = Simulator(SimulatorConfig(jobs=10))
    server, thread = serve_tls(sim, ca, "127.0.0.1", "localhost")
    try:
        yield TLSAppliance(f"https://127.0.0.1:{server.server_address[1]}", ca_bundle, sim)
    finally:
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join(timeout=5)


def client_for(appliance: TLSAppliance, verify: bool | str) -> ApplianceClient:
    return ApplianceClient(appliance.url, appliance.sim.user, Secret(appliance.sim.password), verify=verify)


async def test_verification_is_on_by_default(tls_appliance: TLSAppliance) -> None:
    client = client_for(tls_appliance, True)
    assert client.verify_tls
    with pytest.raises(TLSVerificationFailed) as info:
        await client.list_job_details()
    message = str(info.value)
    assert message.startswith("127.0.0.1:") and "could not be verified" in message
    assert "CA bundle" in message and "turn TLS verification off" in message
    await client.close()
    assert tls_appliance.sim.stats()["logins"] == 0  # the password never left this machine


async def test_the_profiles_ca_bundle_is_trusted(tls_appliance: TLSAppliance) -> None:
    async with client_for(tls_appliance, str(tls_appliance.ca_bundle)) as client:
        assert client.verify_tls
        assert len((await client.list_job_details()).jobs) == 10
    assert tls_appliance.sim.stats()["logouts"] == 1


async def test_verification_can_be_turned_off_per_profile(tls_appliance: TLSAppliance) -> None:
    async with client_for(tls_appliance, False) as client:
        assert not client.verify_tls
        assert len((await client.list_job_details()).jobs) == 10


async def test_a_certificate_for_another_name_fails_even_with_the_right_ca(tmp_path: Path) -> None:
    ca = trustme.CA()
    ca_bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_bundle))
    sim = Simulator(SimulatorConfig(jobs=1))
    server, thread = serve_tls(sim, ca, "vcsa99.example.com")
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        client = ApplianceClient(url, sim.user, Secret(sim.password), verify=str(ca_bundle))
        with pytest.raises(TLSVerificationFailed, match="mismatch"):
            await client.login()
        await client.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
