"""`e`: write the job history (the monitor's filtered list) to a CSV or JSON file, and say where.

The format follows the file name's suffix; the file is written atomically by
`backuptui.core.export` (schema in docs/json-schema.md) and never holds a password.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from backuptui.core.appliance.models import BackupJob
from backuptui.core.counting import counted
from backuptui.core.export import default_export_name, export_history
from backuptui.core.output_file import existing_file
from backuptui.tui.typeahead import FreshKeys


class ExportScreen(FreshKeys, ModalScreen[Path | None]):
    """Where to write the history: a file name (its suffix picks CSV or JSON); Enter writes, Esc cancels."""

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 76; max-width: 100%; height: auto; padding: 1 2;
        background: $panel; border: round $primary;
    }
    ExportScreen #export-error { color: $text-error; height: auto; }
    ExportScreen .export-hint { color: $text-muted; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]
    AUTO_FOCUS = "#export-path"

    def __init__(
        self,
        jobs: Sequence[BackupJob],
        *,
        appliance: str,
        base_url: str | None,
        filters: Mapping[str, Any],
        default_path: str,
    ) -> None:
        super().__init__()
        self.jobs = tuple(jobs)
        self.appliance = appliance
        self.base_url = base_url
        self.filters = dict(filters)
        self.default_path = default_path
        self._replace: Path | None = None  # the existing file Enter was pressed on once

    def compose(self) -> ComposeResult:
        with Vertical():
            what = f"Export {counted(len(self.jobs), 'job')}"
            if self.filters:
                what += " (the filtered list)"
            yield Static(Content.styled(what, "bold"))
            yield Static(
                "File name (.csv or .json; relative to the current directory). No passwords are written.",
                classes="export-hint",
                markup=False,
            )
            yield Input(self.default_path, id="export-path")
            yield Static("", id="export-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        error = self.query_one("#export-error", Static)
        if not text:
            error.update("Give a file name.")
            return
        suffix = Path(text).suffix.lower()
        if suffix not in (".csv", ".json"):
            error.update("The file name must end in .csv or .json.")
            return
        existing = existing_file(Path(text))
        if existing is not None and existing != self._replace:
            self._replace = existing
            error.update(f"{existing} already exists. Enter again replaces it; Esc cancels.")
            return
        try:
            path = export_history(
                self.jobs,
                Path(text),
                suffix.lstrip("."),
                appliance=self.appliance,
                base_url=self.base_url,
                filters=self.filters,
                overwrite=existing is not None,
            )
        except OSError as exc:
            error.update(f"Cannot write {text}: {exc.strerror or exc}")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_export(
    app: App[Any],
    jobs: Sequence[BackupJob],
    *,
    appliance: str,
    base_url: str | None,
    filters: Mapping[str, Any] | None = None,
    fmt: str = "csv",
) -> None:
    """Ask where to export `jobs`, write them, and tell the user the path written."""
    count = len(jobs)

    def written(path: Path | None) -> None:
        if path is not None:
            what = counted(count, "job")
            app.notify(f"Exported {what} to {path}", title="Export", timeout=10, markup=False)

    default = default_export_name(appliance, fmt)
    app.push_screen(
        ExportScreen(
            jobs, appliance=appliance, base_url=base_url, filters=filters or {}, default_path=default
        ),
        written,
    )
