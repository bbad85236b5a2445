"""Regenerate the README's screenshots from the app itself: `python screenshots/make.py`.

Each picture is the real app (real client, monitor and simulator over loopback HTTP) in one of
the states of the snapshot tests (`tests/test_snapshots.py`: fixed clock, fixed seeds, the
appliance shown as vcsa01.example.com), taken with `App.export_screenshot`. Writes
`screenshots/<name>.svg`; `--only NAME` makes one. Needs the test extra (`pip install -e '.[test]'`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Same look everywhere: local time is UTC, no colour or theme overrides from the shell.
os.environ["TZ"] = "UTC"
time.tzset()
for _name in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL", "COLUMNS", "LINES"):
    os.environ.pop(_name, None)

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import test_snapshots as states  # noqa: E402  (the snapshot harness: one source of truth)


@dataclass(frozen=True)
class Shot:
    name: str
    title: str
    state: Callable[[], states.State]
    size: tuple[int, int] = (120, 40)
    keys: tuple[str, ...] = ()


SHOTS = (
    Shot("live", "a backup running", states.live_running),
    Shot("live-80x24", "80x24", states.live_running, size=(80, 24)),
    Shot("failed-job", "a failed job", states.failed_detail),
    Shot("drilldown", "a failed job's messages", states.drilldown),
    Shot("drilldown-error", "the error as a tree", states.drilldown, keys=("2",)),
    Shot("drilldown-json", "the raw record", states.drilldown, keys=("v",)),
    Shot("filter", "filtered to failed jobs", states.live_running, keys=("slash", *"status:failed", "enter")),
    Shot("unreachable", "appliance unreachable, data stale", states.unreachable),
    Shot("auth-failed", "wrong password", states.auth_failed),
    Shot("empty", "no backup history", states.empty_history),
    Shot("help", "help", states.live_running, keys=("question_mark",)),
)


async def take(shot: Shot) -> str:
    state = shot.state()
    try:
        async with state.app.run_test(size=shot.size, notifications=True) as pilot:
            await state.run_before(pilot)
            await pilot.pause()
            if shot.keys:
                await pilot.press(*shot.keys)
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            return state.app.export_screenshot(title=f"backuptui — {shot.title}")
    finally:
        state.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", metavar="NAME", choices=[shot.name for shot in SHOTS], help="make one")
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write to (screenshots/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for shot in SHOTS:
        if args.only and shot.name != args.only:
            continue
        svg = asyncio.run(take(shot))
        path = args.out / f"{shot.name}.svg"
        path.write_text(svg, encoding="utf-8")
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{shown}  ({shot.size[0]}x{shot.size[1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
