"""The baseline: a bare Textual app with one DataTable, nothing else.

    python benchmarks/bare_app.py --rows rows.json   # paint these rows (a JSON list of lists of str)
    python benchmarks/bare_app.py --empty            # an empty DataTable (columns only)
    python benchmarks/bare_app.py --rows rows.json --cursor-label   # + a line with the selected id

The rows are the same jobs the simulator serves, already formatted, read from a local file at start:
no network, no parsing beyond one json.load. This is the floor a Textual job list can reach.
"""

from __future__ import annotations

import argparse
import json
import sys

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

COLUMNS = ("Job", "Status", "Type", "Started", "Duration", "Size", "Progress", "Location")


class BareTable(App[None]):
    BINDINGS = [("q", "quit", "Quit")]
    CSS = "DataTable.with-label { height: 1fr; } #selected { height: 1; }"

    def __init__(self, rows: list[list[str]], as_text: bool, cursor_label: bool) -> None:
        super().__init__()
        self.rows = rows
        self.as_text = as_text
        self.cursor_label = cursor_label

    def compose(self) -> ComposeResult:
        yield DataTable(id="jobs", classes="with-label" if self.cursor_label else "")
        if self.cursor_label:  # only for the key-latency reference (row 6): the selected job's id
            yield Static("", id="selected", markup=False)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if self.cursor_label:
            self.query_one("#selected", Static).update(f"Selected: {self.rows[event.coordinate.row][0]}")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        if self.as_text:
            table.add_rows([Text(cell) for cell in row] for row in self.rows)
        else:
            table.add_rows(self.rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", help="JSON file: list of rows, each a list of 8 strings")
    parser.add_argument("--empty", action="store_true")
    parser.add_argument("--cells", choices=("str", "text"), default="text")
    parser.add_argument("--cursor-label", action="store_true", help="show the selected row's job id below")
    args = parser.parse_args()
    rows: list[list[str]] = []
    if args.rows and not args.empty:
        with open(args.rows, encoding="utf-8") as f:
            rows = json.load(f)
    BareTable(rows, args.cells == "text", args.cursor_label).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
