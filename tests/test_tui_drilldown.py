"""The drill-down screen: every message, the error tree, the raw JSON one key away, Esc back,
and appliance text shown as text (markup and escape sequences cannot restyle anything)."""

from __future__ import annotations

import copy
import json
from typing import Any

from screen_text import screen_text
from textual.app import App, ComposeResult
from textual.widgets import Static, TabbedContent, Tree
from textual.widgets.tree import TreeNode

from backuptui.core.appliance.models import BackupJob
from backuptui.core.appliance.parsing import parse_job
from backuptui.tui.screens.drilldown import TAB_ERROR, TAB_JSON, TAB_MESSAGES, DrillDownScreen

FAILED_ID = "20240316-020004-22617221"

FAILED_RECORD: dict[str, Any] = {
    "location": "sftp://192.0.2.10/backups/vcsa01/vCenter/sn_vcsa01.example.com/S_8.0.2.00100_20240316-020004_",
    "location_user": "backupuser",
    "type": "SCHEDULED",
    "status": "FAILED",
    "cancelable": False,
    "messages": [
        {
            "id": "com.vmware.applmgmt.backup.job.failed",
            "default_message": "BackupManager encountered an exception. Please check logs for details.",
            "args": [],
        },
        {
            "id": "com.vmware.applmgmt.backup.space",
            "default_message": "tar: Cannot write: {0} on {1}",
            "args": ["No space left on device", "/storage/backup"],
            "params": {"device": {"s": "/dev/sdb1"}},
            "localized": "tar: Cannot write: No space left on device on /storage/backup",
        },
    ],
    "description": {
        "id": "com.vmware.appliance.recovery.backup.job",
        "default_message": "Backup job",
        "args": [],
    },
    "service": "com.vmware.appliance.recovery.backup.job",
    "operation": "create",
    "start_time": "2024-03-16T02:00:04.000Z",
    "end_time": "2024-03-16T02:00:58.512Z",
    "duration": 54,
    "size": 0,
    "progress": {
        "total": 100,
        "completed": 10,
        "message": {
            "id": "com.vmware.applmgmt.backup.progress",
            "default_message": "Backup job failed",
            "args": [],
        },
    },
    "error": {
        "error_type": "ERROR",
        "messages": [
            {
                "id": "com.vmware.applmgmt.backup.job.failed",
                "default_message": "Full backup not allowed during VM snapshot",
                "args": [],
            }
        ],
    },
    "build": {"version_name": "8.0.2 GA", "version": "8.0.2.00100", "build_number": "22617221"},
    "fast_backup": False,
}

HOSTILE_TEXT = "[bold]loud[/] [/var/x] \x1b[31mred\x1b[0m \x9b2J done"


def failed_job() -> BackupJob:
    return parse_job(FAILED_ID, copy.deepcopy(FAILED_RECORD))


def hostile_job() -> BackupJob:
    record = copy.deepcopy(FAILED_RECORD)
    record["messages"] = [{"id": "x.[/y]", "default_message": HOSTILE_TEXT, "args": ["[i]arg[/i]"]}]
    record["error"] = {
        "type": "com.vmware.vapi.std.errors.error",
        "value": {
            "messages": [{"id": "[red]id", "default_message": HOSTILE_TEXT, "args": []}],
            "[/k]": "\x1b]52;c;x\x07",
        },
    }
    return parse_job("20240317-020003-[/]", record)


class DrillApp(App[None]):
    """A bare app that opens the drill-down on mount, as the monitor does on Enter."""

    def __init__(self, job: BackupJob) -> None:
        super().__init__()
        self.job = job

    def compose(self) -> ComposeResult:
        yield Static("MAIN SCREEN", id="main-marker")

    def on_mount(self) -> None:
        self.push_screen(DrillDownScreen(self.job))


def tree_labels(node: TreeNode[Any]) -> list[str]:
    labels = [node.label.plain]
    for child in node.children:
        labels.extend(tree_labels(child))
    return labels


async def test_messages_show_every_part_and_esc_returns() -> None:
    app = DrillApp(failed_job())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DrillDownScreen)
        text = screen_text(app)
        assert FAILED_ID in text
        assert "BackupManager encountered an exception. Please check logs for details." in text
        assert "com.vmware.applmgmt.backup.job.failed" in text
        # the second message: its text, its template, its args, params and localized text
        assert "tar: Cannot write: No space left on device on /storage/backup" in text
        assert "tar: Cannot write: {0} on {1}" in text
        assert '"No space left on device", "/storage/backup"' in text
        assert '"/dev/sdb1"' in text
        assert "Messages (2)" in text
        # the error summary is in the title line
        assert "Full backup not allowed during VM snapshot" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DrillDownScreen)
        assert "MAIN SCREEN" in screen_text(app)


async def test_error_tab_is_a_tree_of_the_error_and_its_messages() -> None:
    app = DrillApp(failed_job())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        screen = app.screen
        assert screen.query_one(TabbedContent).active == TAB_ERROR
        tree = screen.query_one("#drill-error-tree", Tree)
        assert app.focused is tree
        labels = tree_labels(tree.root)
        assert labels[0] == "✖ Full backup not allowed during VM snapshot"
        assert "type: ERROR" in labels
        assert "messages (1)" in labels
        assert "id: com.vmware.applmgmt.backup.job.failed" in labels
        assert "raw error {2}" in labels
        assert 'error_type: "ERROR"' in labels
        assert "Full backup not allowed during VM snapshot" in screen_text(app)
        # j/k move the tree cursor
        before = tree.cursor_line
        await pilot.press("j", "j")
        assert tree.cursor_line == before + 2
        await pilot.press("k")
        assert tree.cursor_line == before + 1


async def test_raw_json_is_one_key_away_and_toggles_back() -> None:
    job = failed_job()
    app = DrillApp(job)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == TAB_JSON
        body = app.screen.query_one("#drill-json-body", Static)
        shown = str(body.content)
        assert json.loads(shown) == {FAILED_ID: FAILED_RECORD}
        assert '"location_user": "backupuser"' in screen_text(app)
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == TAB_MESSAGES


async def test_scrolls_with_keys_when_content_is_long() -> None:
    record = copy.deepcopy(FAILED_RECORD)
    record["messages"] = [
        {"id": f"msg.{n}", "default_message": f"line number {n}", "args": [str(n)]} for n in range(60)
    ]
    app = DrillApp(parse_job(FAILED_ID, record))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scroll = app.screen.query_one("#drill-messages-scroll")
        assert scroll.max_scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
        assert "Description" in screen_text(app)
        await pilot.press("g")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert scroll.scroll_y == 3
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 3


async def test_clicking_a_tab_switches_to_it() -> None:
    app = DrillApp(failed_job())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert await pilot.click("#--content-tab-drill-json")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == TAB_JSON


async def test_markup_and_escape_sequences_show_literally() -> None:
    app = DrillApp(hostile_job())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]loud[/] [/var/x]" in text
        assert "␛[31mred␛[0m" in text
        assert "\\x9b2J" in text
        assert '"[i]arg[/i]"' in text
        assert "x.[/y]" in text
        assert "\x1b[31m" not in text and "\x9b" not in text
        await pilot.press("2")
        await pilot.pause()
        labels = tree_labels(app.screen.query_one(Tree).root)
        assert any("[bold]loud[/] [/var/x]" in label for label in labels)
        assert any(label == '[/k]: "\\u001b]52;c;x\\u0007"' for label in labels)
        assert all("\x1b" not in label for label in labels)
        await pilot.press("3")
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]loud[/]" in text
        assert "\x1b" not in text


async def test_job_without_error_or_messages() -> None:
    record = copy.deepcopy(FAILED_RECORD)
    record.update(status="SUCCEEDED", messages=[], size=2_147_483_648)
    del record["error"]
    app = DrillApp(parse_job(FAILED_ID, record))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "The appliance sent no messages for this job." in screen_text(app)
        await pilot.press("2")
        await pilot.pause()
        assert "No error recorded for this job." in screen_text(app)


async def test_update_job_refreshes_the_content() -> None:
    app = DrillApp(failed_job())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        record = copy.deepcopy(FAILED_RECORD)
        record["messages"].append({"id": "new.one", "default_message": "A third message arrived", "args": []})
        screen = app.screen
        assert isinstance(screen, DrillDownScreen)
        screen.update_job(parse_job(FAILED_ID, record))
        await pilot.pause()
        text = screen_text(app)
        assert "A third message arrived" in text
        assert "Messages (3)" in text


# -- the help screen (also a screen of this module's author) -------------------------------------

KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "enter": "Enter",
    "escape": "Esc",
    "ctrl+c": "Ctrl+C",
    "ctrl+q": "Ctrl+Q",
    "ctrl+p": "Ctrl+P",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "up": "↑",
    "down": "↓",
}
#: Textual's own focus and copy-selection keys, not the monitor's
TEXTUAL_KEYS = {"tab", "shift+tab", "super+c"}


async def test_help_lists_every_key_of_the_monitor_and_the_legend(simulator: Any) -> None:
    from backuptui.core.appliance.client import ApplianceClient
    from backuptui.core.appliance.secret import Secret
    from backuptui.core.watch.monitor import Monitor, RefreshSettings
    from backuptui.tui.app import MonitorApp
    from backuptui.tui.screens.help import HelpScreen

    client = ApplianceClient(simulator.url, simulator.user, Secret(simulator.password))
    app = MonitorApp(Monitor(client, RefreshSettings(idle=3600.0, running=3600.0)), user=simulator.user)
    async with app.run_test(size=(120, 200)) as pilot:
        # the monitor's own keys are the bindings with an id (Textual's scrolling ones have none)
        main_bindings = [b.binding for b in app.screen.active_bindings.values() if b.binding.id]
        assert len(main_bindings) >= 10
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        key_column = {
            token
            for key in app.screen.query(".help-key").results(Static)
            for token in str(key.content).split()
        }
        for binding in main_bindings:
            if binding.key in TEXTUAL_KEYS:
                continue
            shown = KEY_NAMES.get(binding.key) or (
                "Ctrl+" + binding.key.split("+")[-1].upper()
                if binding.key.startswith("ctrl+")
                else binding.key
            )
            assert shown in key_column, f"key {binding.key} ({binding.description}) is not in the help"
        for words in (
            "Moving around",
            "Filter ( / )",
            "status:failed",
            "Status line, left to right",
            "authentication failed",
            "stale for N",
            "within 1 day",
            "3 days or more",
            "✔ SUCCEEDED",
            "✖ FAILED",
            "▶ RUNNING",
            "✖ backup CRITICAL",
            "the full text of what is cut (… N more characters)",
            "there: next / previous page, next cut text",
        ):
            assert words in text, words
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_scrolls_and_lists_unknown_keys() -> None:
    from textual.binding import Binding

    from backuptui.tui.screens.help import HelpScreen

    class KeyApp(App[None]):
        BINDINGS = [Binding("x", "noop", "Explode the backups", id="explode")]

        def compose(self) -> ComposeResult:
            yield Static("MAIN SCREEN")

        def on_mount(self) -> None:
            self.push_screen(HelpScreen())

    app = KeyApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scroll = app.screen.query_one("#help-scroll")
        assert scroll.max_scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("g", "j")
        await pilot.pause()
        assert scroll.scroll_y == 1
        await pilot.press("home")
        text = "\n".join(str(s.content) for s in app.screen.query(Static))
        assert "Explode the backups" in text
        await pilot.press("question_mark")
        await pilot.pause()
        assert "MAIN SCREEN" in screen_text(app)
