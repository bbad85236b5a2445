"""The alert rules (contrib/prometheus/alerts.yml) under the real promtool: valid, unit-tested
firing and not firing, and asking only for metrics the exporter serves."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from backuptui.core.metrics import METRIC_NAMES

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "contrib" / "prometheus" / "alerts.yml"
RULE_TESTS = ROOT / "tests" / "prometheus" / "alerts_test.yml"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (Debian: apt-get install prometheus; .ci/run does it)"
)

EXPECTED_ALERTS = {
    "VcsaBackupFailed",
    "VcsaBackupCanceled",
    "VcsaBackupTooOld",
    "VcsaBackupScheduleMissed",
    "VcsaBackupScheduleDisabled",
    "VcsaBackupNotConfigured",
    "VcsaApplianceDown",
    "VcsaBackupExporterDown",
}


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def promtool(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@needs_promtool
def test_promtool_check_rules() -> None:
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@needs_promtool
def test_promtool_test_rules() -> None:
    result = promtool("test", "rules", RULE_TESTS.name, cwd=RULE_TESTS.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_summary_and_a_description_naming_the_appliance() -> None:
    alerts = rules()
    assert {rule["alert"] for rule in alerts} == EXPECTED_ALERTS
    for rule in alerts:
        annotations = rule["annotations"]
        assert annotations["summary"] and annotations["description"], rule["alert"]
        who = "$labels.instance" if rule["alert"] == "VcsaBackupExporterDown" else "$labels.appliance"
        assert who in annotations["summary"] and who in annotations["description"], rule["alert"]
        assert rule["labels"]["severity"] in ("warning", "critical")
    too_old = {
        rule["labels"]["severity"]: rule["expr"] for rule in alerts if rule["alert"] == "VcsaBackupTooOld"
    }
    assert "25 * 3600" in too_old["warning"] and "72 * 3600" in too_old["critical"]
    down = next(rule for rule in alerts if rule["alert"] == "VcsaApplianceDown")
    assert down["for"] == "10m"


def test_every_rule_is_unit_tested_firing_and_not_firing() -> None:
    document = yaml.safe_load(RULE_TESTS.read_text())
    firing: set[tuple[str, str]] = set()
    quiet: set[str] = set()
    for case in document["tests"]:
        for check in case.get("alert_rule_test", []):
            if check["exp_alerts"]:
                firing |= {
                    (check["alertname"], alert["exp_labels"]["severity"]) for alert in check["exp_alerts"]
                }
            else:
                quiet.add(check["alertname"])
    for rule in rules():
        assert (rule["alert"], rule["labels"]["severity"]) in firing, f"{rule['alert']} never tested firing"
        assert rule["alert"] in quiet, f"{rule['alert']} never tested not firing"


def test_rules_ask_only_for_metrics_the_exporter_serves() -> None:
    for rule in rules():
        names = set(re.findall(r"\bvcsa_backup_\w+", rule["expr"] + " ".join(rule["annotations"].values())))
        assert names <= METRIC_NAMES, f"{rule['alert']}: {names - METRIC_NAMES}"
