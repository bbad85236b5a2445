"""`[keys]` in config.toml rebinds keys by binding id; help, footer and palette say the new key.

The config is written to a temporary file and read by the real loader, then handed to the app
the way `backuptui` does (`apply_settings`); the app watches the real simulator over loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pilot_waits import wait_until
from screen_text import screen_text
from test_tui_app import make_app, wait_for_jobs
from textual.widgets import Static

from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profiles import ProfileStore
from backuptui.tui.app import MonitorApp
from backuptui.tui.keys import check_keymap, describe_key
from backuptui.tui.screens.drilldown import DrillDownScreen
from backuptui.tui.screens.help import HelpScreen
from backuptui.tui.switching import apply_settings
from backuptui.tui.widgets.filter_bar import FilterBar

REMAPPED = """\
mouse = true

[keys]
filter = "f"
health = ["ctrl+g"]
"""


def load_settings(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return ProfileStore(path).load().settings


def help_keys(app: MonitorApp) -> dict[str, str]:
    """What each row of the help says, by the key column's text."""
    rows: dict[str, str] = {}
    for row in app.screen.query(".help-row"):
        key, what = (str(static.content) for static in row.query(Static))
        rows.setdefault(what, key)
    return rows


async def test_a_remapped_key_works_and_every_list_of_keys_says_so(simulator: Any, tmp_path: Path) -> None:
    settings = load_settings(tmp_path, REMAPPED)
    assert dict(settings.keys) == {"filter": "f", "health": "ctrl+g"}
    app = make_app(simulator)
    apply_settings(app, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_jobs(pilot)
        bar = app.main_screen.query_one(FilterBar)
        footer = screen_text(app).splitlines()[-1]
        assert "f Filter" in footer and "/ Filter" not in footer
        assert "^g Health" in footer

        await pilot.press("slash")  # the old key does nothing now
        await pilot.pause()
        assert not bar.is_open
        await pilot.press("f")  # the new one opens the filter
        await wait_until(pilot, lambda: bar.is_open, "the filter bar on f")
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: not bar.is_open, "the filter bar closed")

        commands = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert commands["Filter jobs"].endswith("(f)")
        assert commands["Backup health"].endswith("(Ctrl+G)")
        assert commands["Refresh now"].endswith("(r)")

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        rows = help_keys(app)
        assert rows["filter the jobs as you type; Enter keeps the filter, Esc clears it"] == "f"
        assert rows["refresh now"] == "r"
        assert rows[next(what for what in rows if what.startswith("health: the verdict"))] == "Ctrl+G"
        assert "/" not in rows.values()


async def test_help_lists_no_textual_internals(simulator: Any) -> None:
    app = make_app(simulator)
    async with app.run_test(size=(120, 60)) as pilot:
        await wait_for_jobs(pilot)
        for opened in ("main screen", "drill-down"):
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), f"the help on the {opened}")
            text = screen_text(app)
            for internal in ("PAGEDOWN", "PgDn Page", "Page Right", "Page Left", "Scroll Home", "Focus Next"):
                assert internal not in text, f"{internal!r} in the help on the {opened}"
            assert "More keys" not in text  # every binding of ours is described in the groups
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen), "the help closed")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, DrillDownScreen), "the drill-down")


def test_an_unknown_binding_id_names_the_file_line_key_and_the_closest_id(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    text = '[keys]\nfilter = "f"\nhelth = "x"\n'
    path.write_text(text)
    keymap = ProfileStore(path).load().settings.keys
    with pytest.raises(ConfigError) as caught:
        check_keymap(path, keymap, MonitorApp.known_binding_ids())
    message = str(caught.value)
    assert str(path) in message
    assert "line 3" in message and "keys.helth" in message
    assert "did you mean 'health'?" in message


def test_keys_that_cannot_be_keys_are_refused_with_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\n\nfilter = "ctrl f"\n')
    with pytest.raises(ConfigError) as caught:
        ProfileStore(path).load()
    assert "line 3" in str(caught.value) and "keys.filter" in str(caught.value)


def test_backuptui_refuses_an_unknown_binding_id_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "backuptui").mkdir()
    (tmp_path / "backuptui" / "config.toml").write_text('[keys]\nfliter = "f"\n')
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEXTUAL", "NO_COLOR"))}
    env |= {
        "XDG_CONFIG_HOME": str(tmp_path),
        "BACKUPTUI_PASSWORD": "not used",
        "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver",
    }
    result = subprocess.run(
        [sys.executable, "-m", "backuptui", "--url", "http://127.0.0.1:9", "--user", "u"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "line 2" in result.stderr and "keys.fliter" in result.stderr and "'filter'" in result.stderr


def test_every_binding_of_ours_has_a_unique_id_per_owner() -> None:
    ids = [binding.id for binding in MonitorApp.known_bindings() if hasattr(binding, "id")]
    assert all(ids), "a binding without an id cannot be remapped"
    assert "filter" in ids and "drilldown.copy" in ids and "profile-add" in ids


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("ctrl+o", "Ctrl+O"),
        ("question_mark", "?"),
        ("up", "↑"),
        ("pagedown", "PgDn"),
        ("G", "G"),
        ("f5", "F5"),
    ],
)
def test_describe_key(key: str, shown: str) -> None:
    assert describe_key(key) == shown
