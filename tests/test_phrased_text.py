"""Text that breaks between phrases, never inside one, at any width (dialogs at 80 columns)."""

from __future__ import annotations

from pilot_waits import wait_until
from textual.app import App, ComposeResult

from backuptui.core.appliance.actions import BackupPart
from backuptui.tui.screens.confirm_backup import parts_phrases
from backuptui.tui.widgets.phrased_text import PhrasedText

LOCATION = ["Location:", "to sftp://192.0.2.10/backups/vcsa01", "as backupuser", "(schedule 'default')"]
PROGRESS = "It is at 7%, Backing up config files, 756 MiB so far, running for 2s."


class Dialog(App[None]):
    def compose(self) -> ComposeResult:
        yield PhrasedText(LOCATION, PROGRESS)


def shown(app: Dialog) -> list[str]:
    return str(app.query_one(PhrasedText).render()).splitlines()


async def test_lines_are_packed_by_phrases_and_again_when_the_width_changes() -> None:
    app = Dialog()
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_until(pilot, lambda: len(shown(app)) > 2, "the first packing")
        assert shown(app) == [
            "Location:",
            "to sftp://192.0.2.10/backups/vcsa01",
            "as backupuser (schedule 'default')",
            "It is at 7%, Backing up config files,",
            "756 MiB so far, running for 2s.",
        ]
        await pilot.resize_terminal(120, 12)
        await wait_until(pilot, lambda: len(shown(app)) == 2, "packing at the new width")
        assert shown(app) == [" ".join(LOCATION), PROGRESS]


def test_a_part_whose_name_holds_commas_stays_one_phrase() -> None:
    parts = [
        BackupPart("common", "Inventory and configuration", optional=False, size_mb=1800),
        BackupPart("seat", "Stats, Events, and Tasks", optional=True, size_mb=6400),
    ]
    assert parts_phrases(["seat"], parts) == [
        "Inventory and configuration (1.8 GB),",
        "Stats, Events, and Tasks (6.2 GB)",
    ]
    assert parts_phrases([], None) == ["the appliance's default parts"]
