"""End to end with the real engine: Debian's Prometheus scrapes `backuptui exporter` watching three
simulated appliances (healthy, latest-failed, unreachable), evaluates contrib/prometheus/alerts.yml
(with short `for`s), and its HTTP API shows the series and the alerts firing."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.exporter_driver import ExporterProcess, closed_port, start_exporter, write_config

PROMETHEUS = shutil.which("prometheus")
pytestmark = pytest.mark.skipif(
    PROMETHEUS is None,
    reason="prometheus not installed (Debian: apt-get install prometheus; .ci/run does it)",
)
RULES = Path(__file__).resolve().parent.parent / "contrib" / "prometheus" / "alerts.yml"


def short_rules(path: Path) -> Path:
    """The shipped rules with every `for` cut to one second and evaluated twice a second (the
    expressions stay as shipped)."""
    document = yaml.safe_load(RULES.read_text())
    for group in document["groups"]:
        group["interval"] = "500ms"
        for rule in group["rules"]:
            rule["for"] = "1s"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


class Prometheus:
    def __init__(self, tmp: Path, target: str) -> None:
        self.port = closed_port()
        config = {
            "global": {"scrape_interval": "500ms", "evaluation_interval": "500ms", "scrape_timeout": "400ms"},
            "rule_files": [str(short_rules(tmp / "rules.yml"))],
            "scrape_configs": [{"job_name": "backuptui", "static_configs": [{"targets": [target]}]}],
        }
        (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
        assert PROMETHEUS is not None
        self.log = (tmp / "prometheus.log").open("w")
        self.process = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={tmp / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def api(self, path: str, **params: str) -> Any:
        response = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=5)
        response.raise_for_status()
        body = response.json()
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> dict[str, float]:
        """{appliance: value} of an instant query."""
        return {
            item["metric"].get("appliance", ""): float(item["value"][1])
            for item in self.api("query", query=expr)["result"]
        }

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def until(what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Ask again until `check()` gives something true (Prometheus scrapes and evaluates twice a second)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (httpx.HTTPError, AssertionError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(0.2)
    raise AssertionError(f"{what}: still {last!r} after {timeout:g} s")


@pytest.fixture
def fleet_exporter(simulator_factory: Callable[..., Any], tmp_path: Path) -> Iterator[ExporterProcess]:
    healthy = simulator_factory(scenario="healthy", jobs=30)
    failed = simulator_factory(scenario="latest-failed", jobs=30)
    config = write_config(
        tmp_path / "config.toml",
        {"healthy": healthy.url, "failed": failed.url, "unreachable": f"http://127.0.0.1:{closed_port()}"},
    )
    exporter = start_exporter(config, ("--all",))
    try:
        yield exporter
    finally:
        exporter.stop()


def test_prometheus_scrapes_the_exporter_and_the_alerts_fire(
    fleet_exporter: ExporterProcess, tmp_path: Path
) -> None:
    prometheus = Prometheus(tmp_path, fleet_exporter.url.removeprefix("http://"))
    try:
        until("the three appliances scraped", lambda: len(prometheus.query("vcsa_backup_up")) == 3)
        until(
            "the healthy and failed appliances polled",
            lambda: prometheus.query("vcsa_backup_up") == {"healthy": 1, "failed": 1, "unreachable": 0},
        )
        until(
            "their verdicts",
            lambda: prometheus.query("vcsa_backup_health") == {"healthy": 0, "failed": 2, "unreachable": 3},
        )
        status = prometheus.query('vcsa_backup_last_job_status{status="FAILED"}')
        assert status == {"healthy": 0, "failed": 1}
        assert set(prometheus.query("vcsa_backup_last_success_timestamp_seconds")) == {"healthy", "failed"}
        sizes = prometheus.query("vcsa_backup_last_job_size_bytes")
        assert sizes["healthy"] > 0
        assert prometheus.query('vcsa_backup_health_info{reason="latest-failed"}') == {"failed": 1}
        assert prometheus.query('vcsa_backup_failures{window="7d"}')["failed"] >= 1
        assert prometheus.query("vcsa_backup_schedule_enabled") == {"healthy": 1, "failed": 1}
        assert prometheus.query('vcsa_backup_poll_errors_total{kind="unreachable"}')["unreachable"] >= 1
        assert prometheus.query('up{job="backuptui"}') == {"": 1}

        def firing() -> set[tuple[str, str]]:
            alerts = prometheus.api("alerts")["alerts"]
            return {
                (a["labels"]["alertname"], a["labels"].get("appliance", ""))
                for a in alerts
                if a["state"] == "firing"
            }

        alerts = until(
            "VcsaBackupFailed and VcsaApplianceDown firing",
            lambda: (
                {("VcsaBackupFailed", "failed"), ("VcsaApplianceDown", "unreachable")} <= firing()
                and firing()
            ),
        )
        assert ("VcsaBackupFailed", "healthy") not in alerts
        assert ("VcsaApplianceDown", "healthy") not in alerts and (
            "VcsaApplianceDown",
            "failed",
        ) not in alerts
        assert not any(name == "VcsaBackupExporterDown" for name, _ in alerts)
    finally:
        prometheus.stop()
