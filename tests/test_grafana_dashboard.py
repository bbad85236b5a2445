"""The Grafana dashboard (contrib/grafana/backuptui.json): loadable by file provisioning, and its
queries are valid PromQL (parsed by the real promtool) asking only for metrics the exporter serves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from backuptui.core.metrics import METRIC_NAMES

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "contrib" / "grafana" / "backuptui.json"
PROVISIONING = ROOT / "contrib" / "grafana" / "provisioning.yml"


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def queries(board: dict[str, Any]) -> Iterator[str]:
    for panel in board["panels"]:
        for target in panel["targets"]:
            yield target["expr"]
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            yield variable["query"]["query"]


def as_promql(expr: str) -> str:
    """A dashboard query with Grafana's variables replaced as Grafana would, for promtool."""
    return expr.replace("$__rate_interval", "5m").replace("$appliance", ".*")


def test_the_dashboard_is_a_provisionable_dashboard() -> None:
    board = dashboard()
    assert "__inputs" not in board  # import-only placeholders do not resolve under provisioning
    assert board["uid"] and board["title"] and board["schemaVersion"] >= 36
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert all(target["datasource"] == panel["datasource"] for target in panel["targets"])
    titles = {panel["title"] for panel in board["panels"]}
    assert {"Fleet by health", "Last success age"} <= titles
    assert any(title.startswith("Backup size") for title in titles)
    assert any(title.startswith("Backup duration") for title in titles)
    provider = yaml.safe_load(PROVISIONING.read_text())["providers"][0]
    assert provider["type"] == "file" and provider["options"]["path"]


def test_queries_use_only_served_metric_names() -> None:
    used: set[str] = set()
    for expr in queries(dashboard()):
        names = set(re.findall(r"\bvcsa_backup_\w+", expr))
        assert names, f"a query without an exporter metric: {expr}"
        assert names <= METRIC_NAMES, f"not served: {names - METRIC_NAMES} in {expr}"
        used |= names
    for needed in (
        "vcsa_backup_health",
        "vcsa_backup_last_success_timestamp_seconds",
        "vcsa_backup_last_job_size_bytes",
        "vcsa_backup_last_job_duration_seconds",
    ):
        assert needed in used


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (Debian: prometheus)")
def test_queries_are_valid_promql(tmp_path: Path) -> None:
    exprs = [as_promql(expr) for expr in queries(dashboard()) if not expr.startswith("label_values(")]
    rules = {
        "groups": [
            {"name": "dashboard", "rules": [{"record": f"q:{n}", "expr": e} for n, e in enumerate(exprs)]}
        ]
    }
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump(rules))
    result = subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
