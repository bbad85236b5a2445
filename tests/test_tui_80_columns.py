"""Screens at 80x24 (and 120x40): every footer key, figure, user name and path stays whole."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from pilot_waits import wait_until
from screen_text import screen_text
from test_tui_app import make_app, wait_for_jobs
from test_tui_health import Host, growing_history, settle
from textual.widgets._toast import Toast

from backuptui.tui.clipboard import job_filename
from backuptui.tui.screens.drilldown import DrillDownScreen

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES)
async def test_drilldown_footer_shows_every_key(simulator: Any, size: tuple[int, int]) -> None:
    app = make_app(simulator)
    async with app.run_test(size=size) as pilot:
        await wait_for_jobs(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DrillDownScreen)
        footer = screen_text(app).rstrip("\n").splitlines()[-1]
        shown = [b.binding for b in app.screen.active_bindings.values() if b.binding.show and b.binding.id]
        assert len(shown) >= 6
        for binding in shown:
            key = binding.key_display or binding.key
            key = {"escape": "esc", "question_mark": "?"}.get(key, key)
            assert f"{key} {binding.description}" in footer, (binding.id, footer)


#: what a figure's second half looks like at the start of a line: a unit, a clock time, "ago"
FIGURE_TAIL = re.compile(r"^(B|KiB|MiB|GiB|TiB|UTC|h|min|s|ago|days?|\d\d:\d\d|\d\ds)\b")


def split_figures(text: str) -> list[str]:
    """Line breaks that fall inside a figure: `3.46` / `MiB`, `2026-11-28` / `02:00`, `(3` / `h ago)`."""
    lines = [line.strip(" │▂▃▄▅▆▇█") for line in text.splitlines()]
    return [
        f"{before!r} / {after!r}"
        for before, after in itertools.pairwise(lines)
        if before and after and before[-1].isdigit() and FIGURE_TAIL.match(after)
    ]


@pytest.mark.parametrize("size", [(80, 24), (72, 30), (120, 40)])
async def test_health_panel_never_splits_a_figure(size: tuple[int, int]) -> None:
    app = Host(growing_history())
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Last backup" in text
        assert split_figures(text) == [], text


@pytest.mark.parametrize("size", SIZES)
async def test_save_toast_keeps_the_file_name_whole(
    simulator: Any, size: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / "a-rather-long-directory-name" / "and-another-one-below-it"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    app = make_app(simulator)
    async with app.run_test(size=size, notifications=True) as pilot:
        job_list = await wait_for_jobs(pilot)
        await pilot.press("s")
        name = job_filename(job_list.jobs[0])
        await wait_until(pilot, lambda: bool(app.screen.query(Toast)), "the save toast")
        await pilot.pause()
        assert (deep / name).exists()
        lines = [line.strip(" ▌▐") for line in screen_text(app).splitlines()]
        assert any(line.endswith(name) for line in lines), screen_text(app)
