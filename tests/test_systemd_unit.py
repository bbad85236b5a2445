"""contrib/systemd/backuptui-exporter.service: hardened, secrets only through credentials, loopback
by default; systemd's own parser finds nothing to complain about when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "contrib" / "systemd" / "backuptui-exporter.service"


def directives() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_the_unit_is_hardened_and_takes_the_password_as_a_credential() -> None:
    unit = directives()
    for key, value in {
        "DynamicUser": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
        "UMask": "0077",
        "KillSignal": "SIGTERM",
    }.items():
        assert unit.get(key) == [value], key
    assert any(value.endswith(".password:/etc/backuptui/vcsa01.password") for value in unit["LoadCredential"])
    assert "BACKUPTUI_CONFIG=%d/config.toml" in unit["Environment"]
    assert not any("BACKUPTUI_PASSWORD" in value for value in unit["Environment"])
    (command,) = unit["ExecStart"]
    assert command.split()[1:3] == ["exporter", "--all"]
    assert "--listen 127.0.0.1:" in command


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_accepts_every_directive(tmp_path: Path) -> None:
    executable = Path(sys.executable).parent / "backuptui"
    installed = tmp_path / UNIT.name
    installed.write_text(UNIT.read_text().replace("/usr/local/bin/backuptui", str(executable)))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(installed)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
