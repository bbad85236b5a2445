"""The benchmark runner's bookkeeping (no figures are measured here): rows are found in their
modules, a missing or broken module's rows are reported instead of stopping the run, and a full
run's page keeps its hand-written notes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """benchmarks/ importable, plus a directory for rows modules made by the test."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    made = ("rows_fleet", "rows_exporter", "rows_history", "registry", "harness", "report")
    for name in [n for n in sys.modules if n in made]:
        del sys.modules[name]  # benchmarks/ is not a package: its module names stay out of the others' way


def test_planned_rows_without_a_module_say_not_built(runner: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import registry

    (runner / "rows_fleet.py").write_text(
        "from registry import Row\n"
        "def f1(ctx):\n    raise AssertionError('not run here')\n"
        "ROWS = [Row('F1', 'launch', '≤ 3x', f1, tmux=True)]\n"
    )
    (runner / "rows_exporter.py").write_text("import backuptui.no_such_feature\n")
    (runner / "rows_history.py").write_text("x = (\n")  # broken: its rows are errors, the run goes on
    monkeypatch.setattr(registry, "PLANNED", {k: v for k, v in registry.PLANNED.items() if k != "rows_core"})
    loaded = registry.load_rows()
    assert [row.key for row in loaded.rows] == ["F1"]
    verdicts = {r.row: (r.verdict, r.notes[0]) for r in loaded.not_built}
    assert verdicts["F2"] == ("not built", "benchmarks/rows_fleet.py declares no row F2")
    assert verdicts["X1"][0] == "not built" and "backuptui.no_such_feature" in verdicts["X1"][1]
    assert verdicts["H1"][0] == "ERROR" and "SyntaxError" in verdicts["H1"][1]
    assert "F1" not in verdicts
    for result in loaded.not_built:
        assert result.figure in ("not built", "-")  # never a made-up figure


def test_rows_sort_by_number_then_by_issue(runner: Path) -> None:
    from registry import row_order

    keys = ["H1", "10", "3b", "F2", "1", "X1", "3a", "9", "F1"]
    assert sorted(keys, key=row_order) == ["1", "3a", "3b", "9", "10", "F1", "F2", "X1", "H1"]


def test_a_full_run_rewrites_the_page_above_its_notes(runner: Path) -> None:
    from harness import Result
    from report import write_results

    page = runner / "RESULTS.md"
    page.write_text("# Benchmark results\n\nold figures\n\n## Notes\n\nWritten by hand | kept.\n")
    info = {
        "cpus": "2",
        "cpu_model": "test",
        "ram": "1 GB",
        "python": "3",
        "textual": "8",
        "httpx": "0",
        "msgspec": "0",
        "tmux": "tmux",
        "vmware-vcenter": "9",
        "backuptui": "0",
        "commit": "abc1234",
        "date": "today",
        "loadavg": "0.1",
    }
    result = Result("1", "launch", "1 ms", "bare: 1 ms", "1.00x", "≤ 1.1x", True, "how", ["a | note"])
    write_results(page, [result], info, "full", 1.0)
    text = page.read_text()
    assert "old figures" not in text and "abc1234" in text
    assert "| 1 | launch | 1 ms | bare: 1 ms | 1.00x | ≤ 1.1x | PASS |" in text
    assert "a \\| note" not in text and "  - a | note" in text  # notes are list items, not cells
    assert text.endswith("## Notes\n\nWritten by hand | kept.\n")
