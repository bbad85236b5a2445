"""doctor's TLS step lists the chain (who issued each certificate, until when), in the text and in
`--json`, and names a host-name mismatch with what to do. Certificates made with trustme: a root,
an intermediate the server sends, and a leaf."""

from __future__ import annotations

import json
import os
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from backuptui.simulator import Simulator, SimulatorConfig
from backuptui.simulator.server import ApplianceServer
from tests.test_doctor import PASSWORD, run_doctor, step_line, write_profile

Serve = Callable[..., tuple[Simulator, Path]]


@pytest.fixture
def serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Serve]:
    """`serve(*names)`: the simulator over TLS with a leaf for `names` issued by an intermediate of
    a private root; the 'lab' profile points at it by IP; returns it and the root's bundle."""
    monkeypatch.setenv("BACKUPTUI_PASSWORD", PASSWORD)
    running: list[tuple[ApplianceServer, threading.Thread]] = []

    def make(*names: str) -> tuple[Simulator, Path]:
        root = trustme.CA(organization_name="Lab Root")
        intermediate = root.create_child_ca()
        bundle = tmp_path / "root.pem"
        root.cert_pem.write_to_path(str(bundle))
        sim = Simulator(SimulatorConfig(jobs=5))
        server = ApplianceServer(("127.0.0.1", 0), sim)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        intermediate.issue_cert(*names).configure_cert(context)  # sends the leaf and the intermediate
        server.socket = context.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        running.append((server, thread))
        write_profile(f"https://127.0.0.1:{server.server_address[1]}", sim.user)
        return sim, bundle

    yield make
    for server, thread in running:
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join(timeout=5)


def test_the_tls_step_lists_the_verified_chain_up_to_the_root(serve: Serve) -> None:
    sim, bundle = serve("127.0.0.1", "vcsa01.lab.example")
    code, text = run_doctor("-p", "lab", "--ca-bundle", str(bundle))
    assert code == 0, text
    tls = step_line(text, "TLS")
    assert tls.startswith("✔") and "certificate chain, the appliance's first: 1. OU=Testing cert" in tls
    assert " 2. OU=Testing CA" in tls and " 3. OU=Testing CA" in tls and "Lab Root: self-signed" in tls
    code, out = run_doctor("-p", "lab", "--ca-bundle", str(bundle), "--json")
    [step] = [s for s in json.loads(out)["steps"] if s["step"] == "TLS"]
    chain = step["chain"]
    assert len(chain) == 3
    assert chain[0]["names"] == ["127.0.0.1", "vcsa01.lab.example"] and not chain[0]["self_signed"]
    assert chain[0]["issuer"] == chain[1]["subject"] and chain[1]["issuer"] == chain[2]["subject"]
    assert chain[2]["self_signed"] and "Lab Root" in chain[2]["subject"]
    assert all(cert["days_left"] > 30 and cert["not_after"] for cert in chain)
    assert sim.stats()["logins"] == 2  # one per run


def test_an_untrusted_chain_is_listed_as_the_server_sent_it(serve: Serve) -> None:
    sim, _ = serve("127.0.0.1")
    code, out = run_doctor("-p", "lab", "--json")
    assert code == 1
    [step] = [s for s in json.loads(out)["steps"] if s["step"] == "TLS"]
    assert step["outcome"] == "failed" and len(step["chain"]) == 2  # leaf and intermediate, no root
    code, text = run_doctor("-p", "lab")
    assert "certificate chain, the appliance's first: 1. " in step_line(text, "TLS")
    assert sim.stats()["logins"] == 0


def test_a_certificate_for_another_name_says_which_names_and_what_to_do(serve: Serve) -> None:
    sim, bundle = serve("vcsa99.example.com")
    code, text = run_doctor("-p", "lab", "--ca-bundle", str(bundle))
    assert code == 1
    tls = step_line(text, "TLS")
    assert tls.startswith("✖") and "mismatch" in tls and "127.0.0.1" in tls
    assert "for vcsa99.example.com" in tls  # the names the certificate lists
    assert "→ Connect by a name the certificate lists (not 127.0.0.1), or reissue the certificate" in tls
    assert step_line(text, "login").startswith("·")
    assert sim.stats()["logins"] == 0  # the password never left
    assert os.environ["BACKUPTUI_PASSWORD"] not in text
