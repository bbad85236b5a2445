"""The machine a run measured on, and the results page (benchmarks/RESULTS.md) it writes.

The page's generated part (machine, load, commit, the table, each row's method and details) is
rewritten by every full run; everything from the `## Notes` heading on is written by hand (what
the profiles showed, how figures moved) and kept as it is.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from harness import REPO, Result

NOTES_HEADING = "## Notes"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip()


def machine() -> dict[str, str]:
    cpu, ram = "unknown", "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
                break
    except OSError:
        pass
    tmux = "not installed"
    if shutil.which("tmux"):
        tmux = subprocess.run(["tmux", "-V"], capture_output=True, text=True, check=False).stdout.strip()
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    if _git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    from backuptui import __version__

    return {
        "cpus": str(os.cpu_count()),
        "cpu_model": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "textual": _version("textual"),
        "httpx": _version("httpx"),
        "msgspec": _version("msgspec"),
        "vmware-vcenter": _version("vmware-vcenter"),
        "tmux": tmux,
        "backuptui": __version__,
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_page(results: Sequence[Result], info: dict[str, str], mode: str, elapsed: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        "`python benchmarks/run.py` runs every row and rewrites this page down to its Notes "
        "(`--quick`: about 1.5 minutes, fewer repetitions, so noisier; `--rows 1,10` a subset; "
        "`--json out.json` the raw figures too). It needs tmux and the test extra "
        "(`pip install -e '.[test]'`, for the official VMware bindings). Every comparison figure "
        "is measured in the same run, interleaved with the figure it is compared with, and the "
        "verdict uses their ratio: absolute times on a shared 2-core machine move by up to 2x "
        "between runs.",
        "",
        "## Machine and run",
        "",
        "| | |",
        "|---|---|",
        f"| CPUs | {info['cpus']} ({info['cpu_model']}), {info['ram']} RAM |",
        f"| Software | CPython {info['python']}, Textual {info['textual']}, httpx {info['httpx']}, "
        f"msgspec {info['msgspec']}, {info['tmux']}, vmware-vcenter {info['vmware-vcenter']} |",
        f"| Run | {mode} run, {info['date']}, {elapsed:.0f} s; backuptui {info['backuptui']} at commit "
        f"{info['commit']} |",
        f"| Load | load average {info['loadavg']} at the start, {info.get('loadavg_end', '?')} at the "
        "end (1, 5, 15 min); the machine is shared with other sessions running test suites |",
        "",
        "## Results",
        "",
        "| # | measure | figure | compared with (same run) | ratio | target | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        cells = (r.row, r.measure, r.figure, r.baseline, r.ratio, r.target, r.verdict)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## How each row was measured, and what it showed", ""]
    for r in results:
        lines.append(f"- **{r.row}** ({r.verdict}). {r.method}")
        lines += [f"  - {note}" for note in r.notes]
    return "\n".join(lines) + "\n"


def write_results(
    path: Path, results: Sequence[Result], info: dict[str, str], mode: str, elapsed: float
) -> None:
    """Rewrite the generated part of the page; keep its hand-written Notes."""
    notes = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        at = text.find("\n" + NOTES_HEADING)
        if at >= 0:
            notes = text[at + 1 :]
    page = render_page(results, info, mode, elapsed)
    path.write_text(page + ("\n" + notes if notes else ""), encoding="utf-8")
