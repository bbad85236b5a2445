"""End to end: the installed `backuptui` watching a fleet in a real terminal (tmux), read like a person.

- `backuptui --demo --appliances 12` at 120x40 and 80x24: every state on screen (the verdicts
  counted on top), Enter opens an appliance's monitor, Esc comes back, `q` quits with status 0
  and the terminal is restored.
- `backuptui --all` and `-g GROUP` over a configuration of simulated appliances open the fleet;
  `-p NAME` still opens that appliance's monitor directly.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_helpers import quit_and_check_restored
from tmux_driver import TmuxSession

from backuptui.simulator import Simulator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

#: what the demo fleet of 12 shows once every appliance answered
DEMO_STATES = ("✖ CRITICAL", "▲ WARNING", "? UNKNOWN", "✔ OK", "▶ ")
DEMO_HEADER = "12 appliances: 7 OK, 1 WARNING, 2 CRITICAL, 2 UNKNOWN"


def table_rows(screen: str) -> list[str]:
    """The fleet table's rows: the lines that start with a verdict."""
    return [line for line in screen.splitlines() if line.startswith(("✖ ", "▲ ", "? ", "✔ "))]


@pytest.mark.parametrize(("width", "height"), [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_demo_fleet_every_state_enter_escape_and_quit(
    script: Path,
    tmux: Callable[[int, int], TmuxSession],
    width: int,
    height: int,
) -> None:
    session = tmux(width, height)
    session.start([str(script), "--demo", "--appliances", "12"])
    screen = session.wait_for(
        lambda s: DEMO_HEADER in s and all(state in s for state in DEMO_STATES), timeout=30
    )
    assert "login refused" in screen and "unreachable" in screen
    table = table_rows(screen)
    assert len(table) == 12, screen
    assert table[0].startswith("✖ CRITICAL") and table[-1].startswith("✔ OK")  # worst first
    if width >= 120:
        assert "Connection" in screen and "Next run" in screen
    # the cursor is on the worst row: Enter opens its monitor, with the whole history
    first = table[0].split()[2]
    session.send_keys("Enter")
    # ... and Esc's way back is in the footer
    session.wait_for(
        lambda s: f"backup CRITICAL · {first}" in s and "200 jobs" in s and "Fleet" in s, timeout=20
    )
    session.send_keys("Escape")
    screen = session.wait_for(DEMO_HEADER, timeout=10)
    # the refused one asks for its password when opened, and Esc there goes back to the fleet
    session.send_keys("/")
    session.wait_for("Clear filter", timeout=10)  # the footer shows the bar's keys: it has the focus
    session.type_text("state:refused")
    session.send_keys("Enter")  # keep the filter; the focus goes back to the table
    session.wait_gone("Clear filter", timeout=10)
    session.wait_for(lambda s: len(table_rows(s)) == 1 and "login refused" in table_rows(s)[0], timeout=10)
    refused = table_rows(session.screen())[0].split()[2]
    # (a toast may cover the prompt's last lines: its first lines tell whether it is open)
    session.send_keys("Enter")
    session.wait_for(lambda s: "Password for" in s and refused in s, timeout=10)
    session.send_keys("Escape")
    session.wait_gone("Password for", timeout=10)
    quit_and_check_restored(session)


def _profiles(tmp_path: Path, sims: dict[str, Simulator], groups: dict[str, list[str]]) -> Path:
    lines = []
    for name, sim in sims.items():
        lines += [
            f"[profiles.{name}]",
            f'url = "{sim.url}"',
            f'username = "{sim.user}"',
            'password_source = "env"',
            f"groups = {groups.get(name, [])!r}".replace("'", '"'),
            "",
        ]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines))
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    ("words", "fleet"),
    [
        (["--all"], ("site-a", "site-b", "site-c")),
        (["-g", "prod"], ("site-a", "site-b")),
        (["-p", "site-a", "-p", "site-c"], ("site-a", "site-c")),
        ([], ("site-a", "site-b", "site-c")),  # several profiles, no default_profile
        (["-p", "site-c"], None),
    ],
    ids=["all", "group", "two-profiles", "no-default", "one-profile"],
)
def test_the_fleet_opens_from_profiles(
    script: Path,
    tmux: Callable[[int, int], TmuxSession],
    simulator_factory: Callable[..., Simulator],
    tmp_path: Path,
    words: list[str],
    fleet: tuple[str, ...] | None,
) -> None:
    sims = {
        name: simulator_factory(scenario="healthy", seed=i)
        for i, name in enumerate(("site-a", "site-b", "site-c"))
    }
    config = _profiles(tmp_path, sims, {"site-a": ["prod"], "site-b": ["prod", "eu"]})
    session = tmux(120, 40)
    session.start(
        [str(script), *words],
        env={"BACKUPTUI_CONFIG": str(config), "BACKUPTUI_PASSWORD": sims["site-a"].password},
    )
    if fleet is None:  # one profile: its monitor, as before
        screen = session.wait_for(lambda s: "site-c" in s and "50 jobs" in s, timeout=30)
        assert "appliances:" not in screen
    else:
        header = f"{len(fleet)} appliances: {len(fleet)} OK"
        screen = session.wait_for(header, timeout=30)
        for name in fleet:
            assert name in screen
    quit_and_check_restored(session)
    for name, sim in sims.items():
        watched = name in fleet if fleet is not None else name == "site-c"
        assert sim.stats()["logouts"] == (1 if watched else 0), name
