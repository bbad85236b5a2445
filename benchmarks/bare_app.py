"""The baseline: a bare Textual app with one DataTable, nothing else.

    python benchmarks/bare_app.py --rows rows.json   # paint these rows (a JSON list of lists of str)
    python benchmarks/bare_app.py --empty            # an empty DataTable (columns only)

The rows are the same jobs the simulator serves, already formatted, read from a local file at start:
no network, no parsing beyond one json.load. This is the floor a Textual job list can reach.
"""

from __future__ import annotations

import argparse
import json
import sys

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

COLUMNS = ("Job", "Status", "Type", "Started", "Duration", "Size", "Progress", "Location")


class BareTable(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, rows: list[list[str]], as_text: bool) -> None:
        super().__init__()
        self.rows = rows
        self.as_text = as_text

    def compose(self) -> ComposeResult:
        yield DataTable(id="jobs")

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
    args = parser.parse_args()
    rows: list[list[str]] = []
    if args.rows and not args.empty:
        with open(args.rows, encoding="utf-8") as f:
            rows = json.load(f)
    BareTable(rows, args.cells == "text").run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
