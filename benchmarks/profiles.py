"""What a row's profile shows, in a few lines for its notes: `-X importtime` summaries.

A row that misses its target says where the time goes from a measurement, not a guess. Start-up
rows (1, 10) are dominated by imports, so their profile is `python -X importtime` of the same
command: the self time of every imported module, summed per top-level package.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


@dataclass
class ImportProfile:
    """One `-X importtime` run: self microseconds per module, and the order they came in."""

    self_us: dict[str, int]

    @property
    def total_ms(self) -> float:
        return sum(self.self_us.values()) / 1000

    def by_package(self) -> dict[str, float]:
        """Self time in ms summed per top-level package (`backuptui`, `httpx`, `asyncio`, ...)."""
        groups: dict[str, float] = defaultdict(float)
        for name, us in self.self_us.items():
            groups[name.split(".", 1)[0]] += us / 1000
        return dict(sorted(groups.items(), key=lambda item: -item[1]))

    def slowest(self, prefix: str = "", count: int = 6) -> list[tuple[str, float]]:
        found = [(n, us / 1000) for n, us in self.self_us.items() if n.startswith(prefix)]
        return sorted(found, key=lambda item: -item[1])[:count]

    def summary(self, count: int = 8) -> str:
        groups = self.by_package()
        top = ", ".join(f"{name} {ms:.0f}" for name, ms in list(groups.items())[:count])
        ours = self.slowest("backuptui.", 4)
        mine = ", ".join(f"{name.removeprefix('backuptui.')} {ms:.1f}" for name, ms in ours)
        return (
            f"{len(self.self_us)} modules, {self.total_ms:.0f} ms of imports; by package (ms, self "
            f"time): {top}; slowest of backuptui's own: {mine or '-'}"
        )


def parse_importtime(stderr: str) -> ImportProfile:
    self_us: dict[str, int] = {}
    for line in stderr.splitlines():
        match = _LINE.match(line)
        if match:
            self_us[match.group(4)] = self_us.get(match.group(4), 0) + int(match.group(1))
    return ImportProfile(self_us)


def importtime(command: Sequence[str], env: dict[str, str], timeout: float = 60) -> ImportProfile:
    """Run `command` (a Python command line: `python ...`) with -X importtime; its import profile."""
    argv = [command[0], "-X", "importtime", *command[1:]]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return parse_importtime(proc.stderr)


def extra_imports(ours: ImportProfile, theirs: ImportProfile, count: int = 6) -> str:
    """What `ours` imports that `theirs` does not, by package, in ms of self time."""
    extra: dict[str, float] = defaultdict(float)
    for name, us in ours.self_us.items():
        if name not in theirs.self_us:
            extra[name.split(".", 1)[0]] += us / 1000
    ranked = sorted(extra.items(), key=lambda item: -item[1])
    total = sum(extra.values())
    return f"{total:.0f} ms in modules the reference does not import: " + ", ".join(
        f"{name} {ms:.0f}" for name, ms in ranked[:count]
    )
