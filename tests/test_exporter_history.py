"""`backuptui exporter` with the local history: a restart serves each appliance's last known state
(`vcsa_backup_up` 0) until its first poll answers, and `--no-history` keeps nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.exporter_driver import start_exporter, write_config
from tests.test_exporter_cli import samples

FAILED_LAST = {"status=FAILED": 1, "status=SUCCEEDED": 0, "status=CANCELED": 0}


def test_a_restart_while_the_appliance_is_unreachable_still_exports_the_last_job(
    simulator_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sim = simulator_factory(scenario="latest-failed", jobs=20)
    config = write_config(tmp_path / "c.toml", {"vcsa": sim.url}, idle=1)
    first = start_exporter(config)
    try:
        first.wait_for_line(lambda line: " vcsa (" in line and ": live, CRITICAL" in line)
        found = samples(first.get("/metrics").text)
        while ("vcsa_backup_last_job_status", "vcsa") not in found:  # the body follows the poll
            found = samples(first.get("/metrics").text)
        assert found[("vcsa_backup_last_job_status", "vcsa")] == FAILED_LAST
    finally:
        assert first.stop() == 0

    sim.faults.update_all(["drop=-1"])  # the appliance no longer answers
    second = start_exporter(config)
    try:
        second.wait_for_line(lambda line: "last known state of 1 appliance" in line)
        found = samples(second.get("/metrics").text)
        assert found[("vcsa_backup_up", "vcsa")] == {"": 0}
        assert found[("vcsa_backup_last_job_status", "vcsa")] == FAILED_LAST
        line = second.wait_for_line(lambda line: " vcsa (" in line and ": stale," in line)
        assert "CRITICAL" in line  # the stored jobs still judge, as through an outage
        found = samples(second.get("/metrics").text)
        assert found[("vcsa_backup_up", "vcsa")] == {"": 0}
        assert found[("vcsa_backup_last_job_status", "vcsa")] == FAILED_LAST
    finally:
        assert second.stop() == 0

    third = start_exporter(config, ("--all", "--no-history"))
    try:
        found = samples(third.get("/metrics").text)
        assert found[("vcsa_backup_up", "vcsa")] == {"": 0}
        assert ("vcsa_backup_last_job_status", "vcsa") not in found  # nothing known without it
        assert not any("last known state" in line for line in third.drain())
    finally:
        assert third.stop() == 0
