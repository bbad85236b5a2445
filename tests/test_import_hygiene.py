"""backuptui/core/ never loads Textual or Rich: the headless commands and benchmarks stay cheap."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import backuptui.core

CORE_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(backuptui.core.__path__, prefix="backuptui.core.")
    if not info.ispkg
)
FORBIDDEN = ("textual", "rich")


def test_the_core_modules_are_found() -> None:
    expected = {
        "backuptui.core.appliance.client",
        "backuptui.core.appliance.models",
        "backuptui.core.watch.monitor",
    }
    assert expected <= set(CORE_MODULES)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_ui_library(module: str) -> None:
    probe = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = set(__import__("json").loads(done.stdout))
    assert not loaded & set(FORBIDDEN), f"{module} loads {sorted(loaded & set(FORBIDDEN))}"


def test_the_probe_would_notice_textual() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import textual.app, sys; print('rich' in sys.modules, 'textual' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.split() == ["True", "True"]
