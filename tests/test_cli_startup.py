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
