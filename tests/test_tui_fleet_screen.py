"""The fleet screen on its own (Pilot): the order, the cursor across re-sorts, the filter, the
columns that give way at 80 columns. The rows are the screen's own entries, as the app makes them;
the whole app over a simulated fleet is in test_tui_fleet_app.py."""

from __future__ import annotations

from types import MappingProxyType

from textual.app import App, ComposeResult
from textual.widgets import Input

from backuptui.tui.format import Tone
from backuptui.tui.screens.fleet import FleetEntry, FleetScreen, verdict_counts
from backuptui.tui.widgets.fleet_table import FleetLine, FleetTable, cut_at_word, fleet_columns

SYMBOLS = {"OK": "✔", "WARNING": "▲", "CRITICAL": "✖", "UNKNOWN": "?"}


def entry(
    name: str, level: str, *, age: float | None = 3600.0, fails: tuple[int, int] = (0, 0), cause: str = ""
) -> FleetEntry:
    cells = {
        "verdict": f"{SYMBOLS[level]} {level}",
        "name": name,
        "state": "live",
        "age": "1 h",
        "latest": "✔ SUCCEEDED",
        "latest_progress": "✔ SUCCEEDED",
        "fails": f"{fails[0]}/{fails[1]}",
        "cause": cause,
        "cause_state": cause,
    }
    line = FleetLine(name, MappingProxyType(cells), MappingProxyType({"verdict": Tone.GOOD}))
    return FleetEntry(
        line, level, last_good_age=age, failures_24h=fails[0], failures_7d=fails[1], detail=name
    )


FLEET = [
    entry("ok-b", "OK"),
    entry("ok-a", "OK", age=100.0),
    entry("warn", "WARNING", age=90000.0),
    entry("crit", "CRITICAL", fails=(1, 3), cause="no space left on the backup server"),
    entry("unknown", "UNKNOWN", age=None),
]


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.fleet_screen = FleetScreen()

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.push_screen(self.fleet_screen)
        self.fleet_screen.show(FLEET)


def shown(screen: FleetScreen) -> list[str]:
    return [line.key for line in screen.table.lines]


async def test_worst_first_then_by_name_and_counted() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.fleet_screen
        assert shown(screen) == ["crit", "unknown", "warn", "ok-a", "ok-b"]
        header = str(screen.query_one("#fleet-header").render())
        assert header.startswith("5 appliances: 2 OK, 1 WARNING, 1 CRITICAL, 1 UNKNOWN")
    assert verdict_counts(FLEET[:2]) == "2 appliances: 2 OK"


async def test_the_cursor_stays_on_its_appliance_when_the_order_changes() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.fleet_screen
        screen.table.focus()
        await pilot.press("j", "j", "j")  # crit, unknown, warn, ok-a
        assert screen.selected == "ok-a"
        screen.update_entry(entry("ok-a", "CRITICAL", cause="backup failed"))  # ok-a turns bad: moves up
        await pilot.pause()
        assert shown(screen)[:2] == ["crit", "ok-a"]
        assert screen.selected == "ok-a"
        assert screen.table.cursor_row == 1
        await pilot.press("o")  # by name
        await pilot.pause()
        assert shown(screen) == ["crit", "ok-a", "ok-b", "unknown", "warn"]
        assert screen.selected == "ok-a"
        await pilot.press("o")  # oldest good backup first: never, then the oldest
        await pilot.pause()
        assert shown(screen)[0] == "unknown"
        assert screen.selected == "ok-a"
        await pilot.press("o")  # most failures first
        await pilot.pause()
        assert shown(screen)[0] == "crit"
        await pilot.press("o")  # back to worst first
        await pilot.pause()
        assert "worst first" in str(screen.query_one("#fleet-header").render())


async def test_until_the_user_moves_the_cursor_it_stays_on_the_worst_row() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.fleet_screen
        assert screen.selected == "crit"
        screen.update_entry(entry("ok-b", "CRITICAL", cause="backup failed"))
        screen.update_entry(entry("crit", "OK"))
        await pilot.pause()
        assert shown(screen)[0] == "ok-b" and screen.selected == "ok-b"


async def test_an_unchanged_row_is_not_redrawn() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.fleet_screen.query_one(FleetTable)
        table.rows_rendered = 0
        app.fleet_screen.show(list(FLEET))  # the same entries again
        await pilot.pause()
        assert table.rows_rendered == 0
        app.fleet_screen.update_entry(entry("warn", "WARNING", age=90000.0, cause="schedule missed"))
        await pilot.pause()
        assert table.rows_rendered == 1


async def test_a_new_order_repaints_the_rows_in_it_and_the_cursor_with_its_appliance() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.fleet_screen
        table = screen.table
        table.focus()
        await pilot.press("j")  # unknown
        await pilot.press("o")  # by name
        await pilot.pause()
        painted = [table.render_line(y).text for y in range(1, len(FLEET) + 1)]
        assert [text.split()[2] for text in painted] == ["crit", "ok-a", "ok-b", "unknown", "warn"]
        cursor = table.get_component_rich_style("fleet-table--cursor")
        row = shown(screen).index("unknown")
        backgrounds = [list(table.render_line(y))[-1].style.bgcolor for y in range(1, len(FLEET) + 1)]
        assert backgrounds[row] == (table.rich_style + cursor).bgcolor
        assert all(bg != backgrounds[row] for n, bg in enumerate(backgrounds) if n != row)
        assert "by name" in str(screen.query_one("#fleet-header").render())
        assert str(screen.query_one("#fleet-detail").render()) == "unknown"


async def test_slash_filters_and_escape_clears() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.fleet_screen
        screen.table.focus()
        await pilot.press("slash")
        await pilot.press(*"ok")
        await pilot.pause()
        assert shown(screen) == ["ok-a", "ok-b"]
        assert "2 of 5 appliances" in str(screen.query_one("#filter-count").render())
        field = screen.query_one("#filter-input", Input)
        field.value = "verdict:crit"
        await pilot.pause()
        assert shown(screen) == ["crit"]
        field.value = "-verdict:ok space"  # a word from the cause, and a negated field
        await pilot.pause()
        assert shown(screen) == ["crit"]
        field.value = "bogus:x"
        await pilot.pause()
        assert len(shown(screen)) == 5  # an unknown field is said, not applied
        assert "unknown field" in str(screen.query_one("#filter-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(shown(screen)) == 5
        assert not screen.query_one("#fleet-filter").has_class("-open")


async def test_enter_posts_the_selected_appliance() -> None:
    opened: list[str] = []

    class Opening(Host):
        def on_fleet_screen_opened(self, event: FleetScreen.Opened) -> None:
            opened.append(event.name)

    app = Opening()
    async with app.run_test() as pilot:
        await pilot.pause()
        app.fleet_screen.table.focus()
        await pilot.press("j", "enter")
        await pilot.pause()
    assert opened == ["unknown"]


def test_columns_give_way_whole_and_the_cause_is_cut_at_a_word() -> None:
    narrow = [column.id for column in fleet_columns(80)]
    wide = [column.id for column in fleet_columns(120)]
    assert narrow == ["verdict", "name", "age", "latest", "fails", "cause"]
    assert wide == ["verdict", "name", "state", "age", "latest", "fails", "next", "cause"]
    assert {"progress", "started"} <= {column.id for column in fleet_columns(150)}
    assert sum(column.width for column in fleet_columns(80)) + len(narrow) - 1 == 80
    assert sum(column.width for column in fleet_columns(120)) + len(wide) - 1 == 120
    # at 80 the connection and the progress live in the cause's and the latest job's cells
    cells = {column.id: column.cell_id for column in fleet_columns(80)}
    assert cells["cause"] == "cause_state" and cells["latest"] == "latest_progress"
    cells = {column.id: column.cell_id for column in fleet_columns(120)}
    assert cells["cause"] == "cause" and cells["latest"] == "latest_progress"
    assert all(column.width >= 22 for column in fleet_columns(80) if column.id == "cause")
    assert cut_at_word("unreachable: connection refused by the host", 24) == "unreachable: connection…"
    assert cut_at_word("vcsa-eu-production-01", 10) == "vcsa-eu-p…"
