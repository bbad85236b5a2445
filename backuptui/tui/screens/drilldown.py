"""The drill-down: one job's messages, its error and its raw JSON, in full.

Everything on this screen came from the appliance, so every piece of it goes through
`safe_text` and is assembled as plain `Content`/`Text`, never as markup: `[bold]`, `[/]` or
`[/var/x]` show literally, and ESC/CSI/bidi characters show as visible symbols.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane, Tree
from textual.widgets.tree import TreeNode

from backuptui.core.appliance.models import BackupJob, Message
from backuptui.tui.clipboard import copy_job, redacted_record, save_job_and_notify, shown_job_json
from backuptui.tui.format import EMPTY, MAX_SHOWN, local_time_with_zone, one_line, safe_text, status_label
from backuptui.tui.long_text import cut_strings, long_strings

TAB_MESSAGES = "drill-messages"
TAB_ERROR = "drill-error"
TAB_JSON = "drill-json"

_MUTED = "$text-muted"

#: the most characters of the cause shown in the title
TITLE_PROBLEM = 160
_KEY = "bold $text-accent"


def _label(name: str, width: int = 10) -> tuple[str, str]:
    return (f"   {name:<{width}} ", _MUTED)


def _json_value(value: Any) -> str:
    # cut first: `json.dumps` of a 50 MB string alone takes a tenth of a second, every time
    shown = json.dumps(cut_strings(value), ensure_ascii=False, default=str)
    return safe_text(shown, keep_newlines=False)


def message_content(number: int | None, message: Message) -> Content:
    """One message with every part the appliance sent: text, id, default text, args, params, localized."""
    heading = f"{number}. " if number is not None else ""
    parts: list[str | tuple[str, str] | Content] = [
        (heading, "bold"),
        (safe_text(message.text) or EMPTY, "bold"),
        "\n",
        _label("id"),
        safe_text(message.id) or EMPTY,
        "\n",
    ]
    if message.default_message != message.text:
        parts += [_label("default"), safe_text(message.default_message) or EMPTY, "\n"]
    if message.args:
        parts += [_label("args")]
        parts += [", ".join(_json_value(arg) for arg in message.args), "\n"]
    else:
        parts += [_label("args"), ("none", _MUTED), "\n"]
    if message.params is not None:
        parts += [_label("params"), _json_value(message.params), "\n"]
    if message.localized is not None:
        parts += [_label("localized"), safe_text(message.localized), "\n"]
    return Content.assemble(*parts).rstrip()


def messages_content(job: BackupJob) -> Content:
    """The Messages tab: the job's messages, then its progress message and description."""
    blocks: list[Content] = []
    if job.messages:
        blocks.extend(message_content(n, m) for n, m in enumerate(job.messages, start=1))
    else:
        blocks.append(Content.assemble(("The appliance sent no messages for this job.", _MUTED)))
    if job.progress is not None:
        done = f"{job.progress.completed} of {job.progress.total}"
        blocks.append(
            Content.assemble((f"Progress message ({done})", "bold underline"), "\n")
            + message_content(None, job.progress.message)
        )
    blocks.append(
        Content.assemble(("Description", "bold underline"), "\n") + message_content(None, job.description)
    )
    return Content("\n\n").join(blocks)


_JSON_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")(?P<colon>\s*:)?|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)'
    r"|(?P<literal>\btrue\b|\bfalse\b|\bnull\b)"
)


def json_content(text: str) -> Content:
    """Pretty JSON with keys, strings and literals coloured; control characters made visible.

    `text` has its long strings cut already (`shown_job_json`): cutting again here would cut the
    "… N more characters" off a cut string."""
    parts: list[str | tuple[str, str]] = []
    position = 0
    for match in _JSON_TOKEN.finditer(text):
        parts.append(safe_text(text[position : match.start()], limit=None))
        if match.group("string") is not None:
            style = _KEY if match.group("colon") else "$text-success"
            parts.append((safe_text(match.group("string"), keep_newlines=False, limit=None), style))
            if match.group("colon"):
                parts.append(match.group("colon"))
        elif match.group("number") is not None:
            parts.append((match.group("number"), "$text-warning"))
        else:
            parts.append((match.group("literal"), "italic $text-primary"))
        position = match.end()
    parts.append(safe_text(text[position:], limit=None))
    return Content.assemble(*parts)


def _scalar(value: Any) -> Text:
    return Text(_json_value(value))


def _add_raw(node: TreeNode[None], name: str, value: Any) -> None:
    """The raw structure as tree nodes: objects and lists expand, scalars are leaves."""
    key = Text(safe_text(name, keep_newlines=False), style="bold")
    if isinstance(value, Mapping):
        child = node.add(Text.assemble(key, Text(f" {{{len(value)}}}", style="dim")), expand=True)
        for sub_key, sub_value in value.items():
            _add_raw(child, str(sub_key), sub_value)
        if not value:
            child.allow_expand = False
    elif isinstance(value, list):
        child = node.add(Text.assemble(key, Text(f" [{len(value)}]", style="dim")), expand=True)
        for index, item in enumerate(value):
            _add_raw(child, f"[{index}]", item)
        if not value:
            child.allow_expand = False
    else:
        node.add_leaf(Text.assemble(key, ": ", _scalar(value)))


def _add_message(node: TreeNode[None], index: int, message: Message) -> None:
    heading = Text.assemble(Text(f"[{index}] ", style="dim"), one_line(message.text) or EMPTY)
    child = node.add(heading, expand=True)
    child.add_leaf(Text.assemble(Text("id: ", style="bold"), one_line(message.id) or EMPTY))
    if message.default_message != message.text:
        child.add_leaf(Text.assemble(Text("default: ", style="bold"), one_line(message.default_message)))
    args = ", ".join(_json_value(a) for a in message.args) if message.args else "none"
    child.add_leaf(Text.assemble(Text("args: ", style="bold"), args))
    if message.params is not None:
        _add_raw(child, "params", dict(message.params))
    if message.localized is not None:
        child.add_leaf(Text.assemble(Text("localized: ", style="bold"), one_line(message.localized)))


def fill_error_tree(tree: Tree[None], job: BackupJob) -> None:
    """The error as a readable tree: its type, its messages, and the raw structure it came in."""
    tree.clear()
    error = job.error
    if error is None:
        tree.root.set_label(Text("No error recorded for this job."))
        tree.root.allow_expand = False
        return
    tree.root.allow_expand = True
    summary = one_line(error.summary) if error.summary else "error (no message)"
    tree.root.set_label(Text.assemble(Text("✖ ", style="bold red"), summary))
    tree.root.add_leaf(Text.assemble(Text("type: ", style="bold"), one_line(error.error_type or EMPTY)))
    messages = tree.root.add(Text(f"messages ({len(error.messages)})", style="bold"), expand=True)
    for index, message in enumerate(error.messages):
        _add_message(messages, index, message)
    if not error.messages:
        messages.allow_expand = False
    _add_raw(tree.root, "raw error", error.raw)
    tree.root.expand()


def title_content(job: BackupJob) -> Content:
    started = local_time_with_zone(job.start_time)
    parts: list[str | tuple[str, str]] = [
        (status_label(job.status), "bold"),
        "  ",
        (one_line(job.id), "bold"),
        ("  ·  ", _MUTED),
        one_line(str(job.type)),
        ("  ·  ", _MUTED),
        started,
    ]
    if job.problem:
        # two lines at most: a longer cause is in the tabs below, and in full one key away
        parts += ["\n", ("✖ ", "bold $text-error"), one_line(job.problem, limit=TITLE_PROBLEM)]
    return Content.assemble(*parts)


class DrillDownScreen(Screen[None]):
    """Enter on a job: its messages, its error as a tree and its raw JSON; Esc goes back."""

    DEFAULT_CSS = """
    DrillDownScreen #drill-title {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    DrillDownScreen TabbedContent { height: 1fr; }
    DrillDownScreen TabPane { padding: 0; }
    DrillDownScreen .drill-scroll { height: 1fr; padding: 0 1; }
    DrillDownScreen #drill-error-tree { height: 1fr; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="drilldown.back"),
        Binding("1", "show_tab('drill-messages')", "Messages", show=False, id="drilldown.messages"),
        Binding("2", "show_tab('drill-error')", "Error", show=False, id="drilldown.error"),
        Binding("3", "show_tab('drill-json')", "JSON", id="drilldown.json-tab", show=False),
        Binding("v", "toggle_json", "JSON", id="drilldown.toggle-json"),
        Binding("y", "copy_json", "Copy", id="drilldown.copy"),
        Binding("s", "save_json", "Save", id="drilldown.save"),
        Binding("f", "full_text", "Full", id="drilldown.full-text"),  # short: 80 columns
        Binding("j,down", "scroll_lines(1)", "Down", show=False, id="drilldown.down"),
        Binding("k,up", "scroll_lines(-1)", "Up", show=False, id="drilldown.up"),
        Binding("g,home", "scroll_edge('home')", "Top", show=False, id="drilldown.top"),
        Binding("G,end", "scroll_edge('end')", "Bottom", show=False, id="drilldown.bottom"),
    ]

    AUTO_FOCUS = "#drill-messages-scroll"

    def __init__(self, job: BackupJob, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.job = job
        self._previous_tab = TAB_MESSAGES
        #: the record's strings too long to show, with where they sit; None until it has been read
        self.long_strings: list[tuple[str, str]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(title_content(self.job), id="drill-title")
        with TabbedContent(initial=TAB_MESSAGES, id="drill-tabs"):
            with (
                TabPane(self._messages_title(), id=TAB_MESSAGES),
                VerticalScroll(id="drill-messages-scroll", classes="drill-scroll"),
            ):
                yield Static(messages_content(self.job), id="drill-messages-body")
            with TabPane("Error", id=TAB_ERROR):
                tree: Tree[None] = Tree("error", id="drill-error-tree")
                tree.show_root = True
                fill_error_tree(tree, self.job)
                yield tree
            with (
                TabPane("Raw JSON", id=TAB_JSON),
                VerticalScroll(id="drill-json-scroll", classes="drill-scroll"),
            ):
                yield Static(Content.assemble(("Reading the record…", _MUTED)), id="drill-json-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._read_record(self.job)

    # a description of its own: by default Textual writes one with `repr(job)`, 50 MB of it
    @work(thread=True, exclusive=True, group="drilldown-record", description="reading the record")
    def _read_record(self, job: BackupJob) -> None:
        """Off the UI loop: decode the record (kept compressed), cut its long strings, colour it."""
        record = redacted_record(job)
        content = json_content(shown_job_json(job, MAX_SHOWN, record))
        found = long_strings(record)
        self.app.call_from_thread(self._record_read, job, content, found)

    def _record_read(self, job: BackupJob, content: Content, found: list[tuple[str, str]]) -> None:
        if job is not self.job or not self.is_attached:
            return  # a newer record is being read
        self.query_one("#drill-json-body", Static).update(content)
        self.long_strings = found
        self.refresh_bindings()

    def _messages_title(self) -> str:
        return f"Messages ({len(self.job.messages)})"

    # -- keeping up with refreshes -----------------------------------------------------------

    def update_job(self, job: BackupJob) -> None:
        """Show a newer record of the same job (a running job's progress) without moving the view."""
        if job.id != self.job.id or (job == self.job and job.raw == self.job.raw):
            return
        self.job = job
        self.query_one("#drill-title", Static).update(title_content(job))
        self.query_one("#drill-messages-body", Static).update(messages_content(job))
        self._read_record(job)
        fill_error_tree(self.query_one("#drill-error-tree", Tree), job)
        tabs = self.query_one(TabbedContent)
        tabs.get_tab(TAB_MESSAGES).label = Content(self._messages_title())

    # -- actions -------------------------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    def action_back(self) -> None:
        self.dismiss()

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active != tab:
            self._previous_tab = tabs.active
        tabs.active = tab
        self._focus_tab_body(tab)

    def action_toggle_json(self) -> None:
        if self.active_tab == TAB_JSON:
            self.action_show_tab(self._previous_tab if self._previous_tab != TAB_JSON else TAB_MESSAGES)
        else:
            self.action_show_tab(TAB_JSON)

    def action_copy_json(self) -> None:
        copy_job(self.app, self.job)

    def action_save_json(self) -> None:
        save_job_and_notify(self.app, self.job)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "full_text":  # in the footer only when something is cut
            return bool(self.long_strings)
        return True

    def action_full_text(self) -> None:
        """The full text of the strings shown cut, a page at a time."""
        if self.long_strings:
            from backuptui.tui.screens.full_text import FullTextScreen

            self.app.push_screen(FullTextScreen(self.job.id, self.long_strings))

    def action_scroll_lines(self, lines: int) -> None:
        focused = self.focused
        if isinstance(focused, Tree):
            if lines > 0:
                focused.action_cursor_down()
            else:
                focused.action_cursor_up()
            return
        scroll = self._active_scroll()
        if scroll is not None:
            scroll.scroll_relative(y=lines, animate=False)

    def action_scroll_edge(self, edge: str) -> None:
        focused = self.focused
        if isinstance(focused, Tree):
            focused.action_scroll_home() if edge == "home" else focused.action_scroll_end()
            focused.move_cursor_to_line(0 if edge == "home" else max(0, focused.last_line))
            return
        scroll = self._active_scroll()
        if scroll is not None:
            if edge == "home":
                scroll.scroll_home(animate=False)
            else:
                scroll.scroll_end(animate=False)

    def _active_scroll(self) -> VerticalScroll | None:
        scrolls = {TAB_MESSAGES: "#drill-messages-scroll", TAB_JSON: "#drill-json-scroll"}
        scroll_id = scrolls.get(self.active_tab)
        return self.query_one(scroll_id, VerticalScroll) if scroll_id else None

    def _focus_tab_body(self, tab: str) -> None:
        target = {
            TAB_MESSAGES: "#drill-messages-scroll",
            TAB_ERROR: "#drill-error-tree",
            TAB_JSON: "#drill-json-scroll",
        }[tab]
        self.query_one(target).focus()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # A click on a tab: put the keyboard in that tab's body, so arrows scroll it.
        pane_id = event.pane.id
        if pane_id in (TAB_MESSAGES, TAB_ERROR, TAB_JSON):
            self.call_after_refresh(self._focus_tab_body, pane_id)
