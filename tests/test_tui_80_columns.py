"""Screens at 80x24 (and 120x40): every footer key, figure, user name and path stays whole."""

from __future__ import annotations

from typing import Any

import pytest
from screen_text import screen_text
from test_tui_app import make_app, wait_for_jobs

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
