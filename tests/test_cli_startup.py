"""Opening the monitor builds only the parser it needs: subcommand modules cost start-up time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backuptui.cli import SUBCOMMANDS, subcommands_needed


@pytest.mark.parametrize(
    ("words", "needed"),
    [
        (["--demo"], ()),
        (["-p", "check", "--no-mouse"], ()),  # a profile called "check" is not the subcommand
        (["--url", "h", "status", "--json"], ("status",)),
        (["check", "-h"], SUBCOMMANDS),
        (["--help"], SUBCOMMANDS),
        (["nonsense"], SUBCOMMANDS),  # the error lists every choice
    ],
)
def test_only_the_named_subcommand_is_built(words: list[str], needed: tuple[str, ...]) -> None:
    assert tuple(subcommands_needed(words)) == needed


def test_opening_the_monitor_imports_no_subcommand_module() -> None:
    code = (
        "import sys\n"
        "from backuptui.cli import build_parser, subcommands_needed\n"
        "args = build_parser(subcommands_needed(['--demo'])).parse_args(['--demo'])\n"
        "assert args.demo\n"
        "print(sorted(m for m in sys.modules if m.startswith('backuptui.commands.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_the_monitor_imports_no_http_stack_before_its_first_request() -> None:
    """A launch that paints the stored history paints before httpx and httpcore are loaded (tens
    of milliseconds): they come with the first request."""
    loaded = _modules_after(
        "import backuptui.tui.launch, backuptui.tui.app\n"
        "from backuptui.core.settings.target import ConnectionTarget\n"
        "from backuptui.core.appliance.secret import Secret\n"
        "ConnectionTarget('https://vcsa.example.com', 'u', Secret('p')).client()\n"
    )
    assert "backuptui.core.appliance.client" in loaded  # the client is built ...
    assert not loaded & {"httpx", "httpcore", "h11", "anyio"}  # ... without its HTTP stack


def test_httpcore_comes_without_trio() -> None:
    """httpcore imports trio whenever it is installed; backuptui runs under asyncio only."""
    pytest.importorskip("trio")
    loaded = _modules_after(
        "from backuptui.core.appliance._httpx import httpx\n"
        "httpx.AsyncClient()\n"
        "import httpcore._synchronization as s\n"
        "assert s.anyio is not None\n"
    )
    assert "httpcore" in loaded and "trio" not in loaded
    assert "trio" in _modules_after("from backuptui.core.appliance._httpx import httpx\nimport trio\n")
