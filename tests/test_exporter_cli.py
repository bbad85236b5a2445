"""`backuptui exporter` as a process: what it serves, what it logs, how it stops, and its bad input."""

from __future__ import annotations

import signal
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from backuptui.core.metrics import METRIC_NAMES
from tests.exporter_driver import BACKUPTUI, ExporterProcess, closed_port, start_exporter, write_config

PASSWORD = "VMware1!"  # the simulator's default password: it must never be logged


def samples(text: str) -> dict[tuple[str, str], dict[str, float]]:
    """{(metric, appliance): {other labels joined: value}}."""
    found: dict[tuple[str, str], dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            rest = ",".join(
                f"{k}={v}" for k, v in sorted(sample.labels.items()) if k not in ("appliance", "host")
            )
            found.setdefault((sample.name, sample.labels["appliance"]), {})[rest] = sample.value
    return found


@pytest.fixture
def three(
    simulator_factory: Callable[..., Any], tmp_path: Path
) -> Iterator[tuple[ExporterProcess, list[Any]]]:
    healthy = simulator_factory(scenario="healthy", jobs=30)
    failed = simulator_factory(scenario="latest-failed", jobs=30)
    config = write_config(
        tmp_path / "config.toml",
        {"healthy": healthy.url, "failed": failed.url, "unreachable": f"http://127.0.0.1:{closed_port()}"},
    )
    exporter = start_exporter(config)
    try:
        yield exporter, [healthy, failed]
    finally:
        exporter.stop()


def test_serves_every_metric_for_the_three_and_stops_with_a_logout(
    three: tuple[ExporterProcess, list[Any]],
) -> None:
    exporter, sims = three
    for name in ("healthy", "failed"):
        exporter.wait_for_line(
            lambda line, name=name: line.split(" ", 1)[1].startswith(f"{name} (") and ": live," in line
        )
    exporter.wait_for_line(lambda line: " unreachable (" in line and ": unreachable," in line)
    response = exporter.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    names = {name for name, _ in found}
    assert names == METRIC_NAMES - {"vcsa_backup_progress_ratio"}  # nothing is running
    for name in (
        "vcsa_backup_up",
        "vcsa_backup_health",
        "vcsa_backup_health_info",
        "vcsa_backup_poll_errors_total",
    ):
        assert {appliance for metric, appliance in found if metric == name} == {
            "healthy",
            "failed",
            "unreachable",
        }
    assert found[("vcsa_backup_up", "healthy")] == {"": 1}
    assert found[("vcsa_backup_up", "unreachable")] == {"": 0}
    assert found[("vcsa_backup_health", "failed")] == {"": 2}
    assert found[("vcsa_backup_health", "unreachable")] == {"": 3}
    assert found[("vcsa_backup_last_job_status", "failed")] == {
        "status=FAILED": 1,
        "status=SUCCEEDED": 0,
        "status=CANCELED": 0,
    }
    assert found[("vcsa_backup_poll_errors_total", "unreachable")]["kind=unreachable"] >= 1
    assert PASSWORD not in response.text

    index = exporter.get("/")
    assert index.status_code == 200 and 'href="metrics"' in index.text and "3 appliances" in index.text
    assert exporter.get("/-/healthy").status_code == 200
    assert exporter.get("/nothing").status_code == 404
    assert httpx.post(exporter.url + "/", timeout=5).status_code == 405
    head = httpx.head(exporter.url + "/metrics", timeout=5)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 1000

    assert exporter.stop(signal.SIGTERM) == 0
    lines = exporter.drain()
    assert any("SIGTERM: stopping" in line for line in lines)
    assert lines[-1].endswith("stopped: logged out everywhere (3 appliances watched)")
    assert not any(PASSWORD in line for line in lines)
    for sim in sims:
        stats = sim.stats()
        assert stats["logins"] == 1 and stats["logouts"] == 1 and stats["active_sessions"] == 0


def test_the_issue_walkthrough_with_simulate_appliances(tmp_path: Path) -> None:
    """`backuptui simulate --appliances 3 --mix healthy:1,latest-failed:1,unreachable:1
    --write-profiles f.toml`, then `BACKUPTUI_CONFIG=f.toml backuptui exporter --all`."""
    profiles = tmp_path / "f.toml"
    mix = "healthy:1,latest-failed:1,unreachable:1"
    simulate = subprocess.Popen(
        [BACKUPTUI, "simulate", "--appliances", "3", "--mix", mix, "--write-profiles", str(profiles)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert simulate.stdout is not None
        table = []
        while not (line := simulate.stdout.readline()).startswith("Profiles written"):
            assert line, "the simulator stopped: " + "".join(table)
            table.append(line)
        scenario = {row.split()[0]: row.split()[2] for row in table if row.startswith("  vcsa-")}
        exporter = start_exporter(profiles)
        try:
            for name in scenario:
                exporter.wait_for_line(
                    lambda line, name=name: f" {name} (" in line and "connecting" not in line
                )
            found = samples(exporter.get("/metrics").text)
        finally:
            assert exporter.stop() == 0
    finally:
        simulate.terminate()  # by its pid (SIGINT would be ignored under pytest-xdist's workers)
        simulate.wait(timeout=20)
    by_scenario = {scenario[appliance]: appliance for appliance in scenario}
    reachable = {by_scenario["healthy"], by_scenario["latest-failed"]}
    for metric in METRIC_NAMES - {"vcsa_backup_progress_ratio"}:  # nothing is running
        having = {appliance for name, appliance in found if name == metric}
        assert reachable <= having, metric
    for metric in (
        "vcsa_backup_up",
        "vcsa_backup_health",
        "vcsa_backup_health_info",
        "vcsa_backup_poll_errors_total",
    ):
        assert by_scenario["unreachable"] in {appliance for name, appliance in found if name == metric}
    assert found[("vcsa_backup_up", by_scenario["unreachable"])] == {"": 0}
    assert found[("vcsa_backup_last_job_status", by_scenario["latest-failed"])]["status=FAILED"] == 1


def test_the_last_result_stays_through_an_outage(
    simulator_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sim = simulator_factory(scenario="latest-failed", jobs=20)
    exporter = start_exporter(write_config(tmp_path / "c.toml", {"vcsa": sim.url}, idle=1))
    try:
        exporter.wait_for_line(lambda line: " vcsa (" in line and ": live, CRITICAL" in line)
        sim.faults.update_all(["drop=-1"])  # the appliance stops answering
        line = exporter.wait_for_line(lambda line: " vcsa (" in line and ": stale," in line)
        assert "CRITICAL" in line
        found = samples(exporter.get("/metrics").text)
        while found[("vcsa_backup_up", "vcsa")] != {"": 0}:  # the body is rebuilt after the poll
            found = samples(exporter.get("/metrics").text)
        assert found[("vcsa_backup_last_job_status", "vcsa")] == {
            "status=FAILED": 1,
            "status=SUCCEEDED": 0,
            "status=CANCELED": 0,
        }
        assert found[("vcsa_backup_health", "vcsa")] == {"": 2}
        assert found[("vcsa_backup_poll_errors_total", "vcsa")]["kind=unreachable"] >= 1
        sim.faults.update_all(["drop=0"])
        exporter.wait_for_line(
            lambda line: " vcsa (" in line and line.count(": live, CRITICAL") and line is not None
        )
    finally:
        assert exporter.stop() == 0


def test_a_refused_login_is_down_counted_and_logged_without_the_password(
    simulator_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sim = simulator_factory(scenario="healthy", jobs=10)
    wrong = "not-the-password-42"
    exporter = start_exporter(
        write_config(tmp_path / "c.toml", {"vcsa": sim.url}), env={"BACKUPTUI_PASSWORD": wrong}
    )
    try:
        line = exporter.wait_for_line(lambda line: " vcsa (" in line and "connecting" not in line)
        assert "login refused" in line
        found = samples(exporter.get("/metrics").text)
        while found[("vcsa_backup_poll_errors_total", "vcsa")]["kind=auth_failed"] != 1:
            found = samples(exporter.get("/metrics").text)
        assert found[("vcsa_backup_up", "vcsa")] == {"": 0}
        assert found[("vcsa_backup_health", "vcsa")] == {"": 3}
    finally:
        assert exporter.stop() == 0
    assert not any(wrong in line for line in exporter.drain())


def test_a_scrape_never_waits_on_an_appliance_nor_logs_in(
    simulator_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sim = simulator_factory(scenario="healthy", jobs=10, faults=("latency=4",))  # every answer 4 s late
    exporter = start_exporter(write_config(tmp_path / "c.toml", {"slow": sim.url}))
    try:
        for _ in range(5):
            found = samples(exporter.get("/metrics").text)
            # answered while the first poll is still waiting for the appliance: no poll has ended
            assert found[("vcsa_backup_health", "slow")] == {"": 3}
            assert ("vcsa_backup_poll_duration_seconds", "slow") not in found
        assert sim.stats()["logins"] == 0  # the login is still on its way; the scrapes added none
    finally:
        assert exporter.stop() == 0


def test_ctrl_c_stops_it_the_same_way(simulator_factory: Callable[..., Any], tmp_path: Path) -> None:
    sim = simulator_factory(scenario="healthy", jobs=10)
    exporter = start_exporter(write_config(tmp_path / "c.toml", {"one": sim.url}), ("-p", "one"))
    exporter.wait_for_line(lambda line: ": live," in line)
    assert exporter.stop(signal.SIGINT) == 0
    assert sim.stats()["logouts"] == 1


def test_tls_serves_https(simulator_factory: Callable[..., Any], tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "tls.pem"))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    sim = simulator_factory(scenario="healthy", jobs=10)
    config = write_config(tmp_path / "c.toml", {"one": sim.url})
    tls = ("--tls-cert", str(tmp_path / "tls.pem"), "--tls-key", str(tmp_path / "tls.pem"))
    exporter = start_exporter(config, ("--all", *tls))
    try:
        assert exporter.url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
        response = httpx.get(exporter.url + "/metrics", verify=trusted, timeout=10)
        assert response.status_code == 200 and "vcsa_backup_up" in response.text
    finally:
        assert exporter.stop() == 0


def test_a_non_loopback_address_is_said_in_the_log(
    simulator_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sim = simulator_factory(scenario="healthy", jobs=10)
    config = write_config(tmp_path / "c.toml", {"one": sim.url})
    process = subprocess.Popen(
        [BACKUPTUI, "exporter", "--all", "--listen", "0.0.0.0:0"],
        stderr=subprocess.PIPE,
        text=True,
        env={"BACKUPTUI_CONFIG": str(config), "BACKUPTUI_PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin"},
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert "not only on loopback" in first and "without TLS" in first
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_a_group_selects_its_profiles(simulator_factory: Callable[..., Any], tmp_path: Path) -> None:
    sim = simulator_factory(scenario="healthy", jobs=10)
    config = write_config(
        tmp_path / "c.toml",
        {"one": sim.url, "two": sim.url, "other": f"http://127.0.0.1:{closed_port()}"},
        groups={"one": ["prod"], "two": ["prod", "eu"]},
    )
    exporter = start_exporter(config, ("-g", "prod"))
    try:
        exporter.wait_for_line(lambda line: " one (" in line and ": live," in line)
        exporter.wait_for_line(lambda line: " two (" in line and ": live," in line)
        found = samples(exporter.get("/metrics").text)
        assert {appliance for name, appliance in found if name == "vcsa_backup_up"} == {"one", "two"}
    finally:
        assert exporter.stop() == 0


def test_an_appliance_without_a_password_is_down_and_says_why(
    tmp_path: Path, simulator_factory: Callable[..., Any]
) -> None:
    sim = simulator_factory(scenario="healthy", jobs=10)
    config = write_config(tmp_path / "c.toml", {"one": sim.url})
    exporter = start_exporter(config, ("--all",), env={"BACKUPTUI_PASSWORD": ""})
    try:
        line = exporter.wait_for_line(lambda line: " one (" in line)
        assert "password needed" in line
        found = samples(exporter.get("/metrics").text)
        assert found[("vcsa_backup_up", "one")] == {"": 0}
        assert found[("vcsa_backup_health", "one")] == {"": 3}
        assert sim.stats()["logins"] == 0  # nothing was tried
    finally:
        assert exporter.stop() == 0
