"""`?`: every key and what it does, grouped, the filter syntax, and what the status line means.

The curated groups say what each key does in the user's words. Keys bound on the screen
underneath that the groups do not mention (a binding added later, or remapped) are listed
from that screen's live bindings under "More keys", so the help never silently misses one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from backuptui.core.appliance.models import JobStatus
from backuptui.core.watch.health import HealthLevel
from backuptui.tui.format import (
    BACKUP_AGE_CRITICAL,
    BACKUP_AGE_WARNING,
    CANCELED_LABEL,
    Tone,
    one_line,
    status_label,
    status_tone,
)
from backuptui.tui.keys import KeyLookup, describe_key, keys_by_id, keys_text
from backuptui.tui.screens.main import HEALTH_NOTES

#: (keys as shown, what they do)
KeyRow = tuple[str, str]

#: the keys of a help row: binding ids (their keys are read from the live bindings, after the
#: keymap), or a text for what has no binding of ours (the mouse, Textual's own keys)
KeySpec = tuple[str, ...] | str

#: what each key does, in the user's words; `{id}` in a text is that binding's keys
KEY_GROUPS: tuple[tuple[str, tuple[tuple[KeySpec, str], ...]], ...] = (
    (
        "The fleet (every appliance at a glance; in one appliance's monitor the keys below)",
        (
            (
                ("fleet-open",),
                "open the selected appliance's monitor (asks for its password if it needs one)",
            ),
            (("fleet-back",), "back from an appliance to the fleet (the cursor where it was)"),
            (
                ("fleet-filter",),
                "filter the appliances: words, verdict:critical, state:unreachable, -verdict:ok",
            ),
            (("fleet-sort",), "sort: worst first, by name, oldest good backup first, most failures first"),
            (("fleet-refresh",), "poll every appliance now"),
            (("fleet-dismiss-digest",), "dismiss the selected appliance's 'since last' marker"),
        ),
    ),
    (
        "Moving around",
        (
            (("cursor-up", "cursor-down"), "previous / next job"),
            (("cursor-first", "cursor-last"), "first / last job"),
            (("page-up", "page-down"), "a page up / down"),
            ("mouse", "click a job to select it, the wheel scrolls (off with --no-mouse)"),
        ),
    ),
    (
        "The selected job",
        (
            (("drill",), "open it: every message, the error as a tree, the raw JSON"),
            (("copy",), "copy it as JSON to your terminal's clipboard (OSC 52, works over SSH)"),
            (("save",), "save it as JSON to a file in the current directory (when copying does not arrive)"),
        ),
    ),
    (
        "The list",
        (
            (("filter",), "filter the jobs as you type; Enter keeps the filter, {filter.clear} clears it"),
            (("refresh",), "refresh now"),
            (("pause",), "pause / resume: the list freezes, the status line stays live"),
            (("toggle-detail",), "show / hide the detail pane (for small terminals)"),
            (("dismiss-digest",), "dismiss the 'since you last looked' panel"),
        ),
    ),
    (
        "Backup health",
        (
            (
                ("health",),
                "health: the verdict (as 'backuptui check'), its reasons, the schedule, the next run",
            ),
            (
                ("trend",),
                "trend: data transferred and duration of recent backups ({health.window}: 10 / 30 / 90)",
            ),
            (("export",), "export the list as shown (filtered) to a CSV or JSON file"),
        ),
    ),
    (
        "Acting on the appliance (not when read-only)",
        (
            (
                ("backup-now",),
                "back up now through its schedule, or to another location; asks first, never retried",
            ),
            (("cancel-job",), "cancel the selected running backup; asks first, shows the appliance's answer"),
        ),
    ),
    (
        "Inside a job (after {drill})",
        (
            (
                ("drilldown.messages", "drilldown.error", "drilldown.json-tab"),
                "messages / error tree / raw JSON",
            ),
            (("drilldown.toggle-json",), "raw JSON of the record, and back"),
            (
                ("drilldown.up", "drilldown.down", "drilldown.top", "drilldown.bottom"),
                "scroll (in the error tree: move between nodes)",
            ),
            (("drilldown.copy", "drilldown.save"), "copy / save this job's JSON"),
            (("drilldown.full-text",), "the full text of what is cut (… N more characters)"),
            (
                ("fulltext.next-page", "fulltext.previous-page", "fulltext.next-string"),
                "there: next / previous page, next cut text",
            ),
            (("drilldown.back",), "back to the list"),
        ),
    ),
    (
        "Everywhere",
        (
            (("help",), "this help ({help.close} closes it)"),
            (("switch-appliance", "switch-ctrl-o"), "switch to another appliance (saved profiles)"),
            ("Ctrl+P", "command palette: every action, searchable"),
            (("quit", "quit-ctrl-c"), "quit (logs out of the appliance; Ctrl+Q too)"),
        ),
    ),
)

_PLACEHOLDER = re.compile(r"\{([\w.-]+)\}")


def fill_keys(text: str, keys: KeyLookup) -> str:
    """`{id}` in `text` becomes that binding's keys."""
    return _PLACEHOLDER.sub(lambda match: keys_text(keys, match.group(1)) or match.group(0), text)


def key_rows(keys: KeyLookup) -> list[tuple[str, list[KeyRow]]]:
    """The curated groups with the live keys filled in."""
    groups: list[tuple[str, list[KeyRow]]] = []
    for title, rows in KEY_GROUPS:
        filled: list[KeyRow] = []
        for spec, what in rows:
            shown = spec if isinstance(spec, str) else keys_text(keys, *spec)
            if shown:
                filled.append((shown, fill_keys(what, keys)))
        if filled:  # the fleet's keys are not there in a single appliance's monitor
            groups.append((fill_keys(title, keys), filled))
    return groups


def documented_ids() -> frozenset[str]:
    """The binding ids the curated groups describe."""
    ids = {
        binding_id
        for _, rows in KEY_GROUPS
        for spec, _ in rows
        if not isinstance(spec, str)
        for binding_id in spec
    }
    return frozenset(
        ids
        | {
            "resume",
            "open-job",
            "back",
            "fleet-clear",
            "help.close",
            "help.up",
            "help.down",
            "help.top",
            "help.bottom",
        }
    )


FILTER_ROWS: tuple[KeyRow, ...] = (
    ("words", "every word must appear in the job: id, status, type, location, user, messages, error"),
    ('"no space"', "a quoted phrase is one word"),
    ("status:failed", "pending, running, blocked, succeeded, failed, or active / finished; prefixes work"),
    ("type:manual", "scheduled, manual, local_backup"),
    ("id: location: user:", "text in that field: id:2024-03, location:sftp, user:admin"),
    ("message: error:", "text in the job's messages / in its error"),
    ("since:2d  until:…", "started within 30m, 12h, 2d, 1w, or since/before a date (2026-11-01)"),
    ("-term  !term", "not: -status:succeeded, !sftp"),
    ("is:gone", "jobs no longer on the appliance, kept by the local history (-is:gone hides them)"),
)

_KEY_STYLE = "bold $text-accent"
_TONE_STYLE = {
    Tone.GOOD: "$text-success bold",
    Tone.BAD: "$text-error bold",
    Tone.ACTIVE: "$text-accent bold",
    Tone.WARNING: "$text-warning bold",
    Tone.NEUTRAL: "bold",
}
_TONE_COLOUR = {
    Tone.GOOD: "green",
    Tone.BAD: "red",
    Tone.ACTIVE: "accent colour: still going",
    Tone.WARNING: "yellow",
    Tone.NEUTRAL: "no colour",
}


#: a row of the help: the key (or a styled label) on the left, what it means on the right
HelpRow = tuple[str | tuple[str, str], str]


def _days(seconds: float) -> str:
    days = seconds / 86400
    return f"{days:g} day" if days == 1 else f"{days:g} days"


def legend_rows() -> list[tuple[str, list[HelpRow]]]:
    """What the status line's parts, colours and symbols mean, as (heading, rows) groups."""
    warn = _days(BACKUP_AGE_WARNING)
    crit = _days(BACKUP_AGE_CRITICAL)
    layout: list[HelpRow] = [
        ("appliance (host)", "the appliance's name and its host"),
        ("connection", "live, stale, unreachable, … (below)"),
        ("/api  /rest", "the API flavour in use"),
        ("refreshed N ago", "when data last arrived, said in 10 s steps"),
        ("N jobs", "all jobs (N of M while a filter is on), how many run, how many failed"),
        ("last good backup", "age of the newest successful backup, coloured (below)"),
        ("✔ backup OK", "the health verdict (below)"),
    ]
    connection: list[HelpRow] = [
        (("live", _TONE_STYLE[Tone.GOOD]), "green: the last poll answered"),
        (("connecting…", _TONE_STYLE[Tone.ACTIVE]), "logging in, first poll"),
        (
            ("cached, N old", _TONE_STYLE[Tone.WARNING]),
            "yellow: the local history's last known state, until the appliance answers",
        ),
        (
            ("stale for N", _TONE_STYLE[Tone.WARNING]),
            "yellow: no fresh data for a while; the last known data stays",
        ),
        (
            ("unreachable", _TONE_STYLE[Tone.BAD]),
            'red: no answer; "retrying in N s" with growing pauses, by itself; the data shown is stale',
        ),
        (
            ("authentication failed", _TONE_STYLE[Tone.BAD]),
            "red: wrong user or password; never retried on its own (SSO locks accounts)",
        ),
        (("not authorized", _TONE_STYLE[Tone.BAD]), "red: logged in, but this user may not read backup jobs"),
        (("TLS verification OFF", "$text-warning bold"), "the certificate is not checked (--no-verify)"),
        (("PAUSED", "reverse bold"), "the list is frozen; p resumes"),
    ]
    age: list[HelpRow] = [
        ((f"within {warn}", _TONE_STYLE[Tone.GOOD]), "green: fine"),
        ((f"over {warn}", _TONE_STYLE[Tone.WARNING]), "yellow: warning"),
        ((f"{crit} or more", _TONE_STYLE[Tone.BAD]), "red: critical (also when there was never one)"),
    ]
    statuses: list[HelpRow] = [
        ((status_label(status), _TONE_STYLE[status_tone(status)]), _TONE_COLOUR[status_tone(status)])
        for status in JobStatus
    ]
    statuses.append(
        (
            (CANCELED_LABEL, _TONE_STYLE[Tone.WARNING]),
            "a user canceled it (FAILED on the appliance): a warning",
        )
    )
    statuses.append(((status_label("NEW_STATUS"), "bold"), "a status this version does not know, as sent"))
    groups: list[tuple[str, list[HelpRow]]] = [
        ("Status line, left to right", layout),
        ("Connection", connection),
        ("Last good backup", age),
    ]
    health = _health_rows()
    if health:
        groups.append(("Health verdict in the status line (h explains it)", health))
    groups.append(("Job status (a symbol and the word, so it reads without colour)", statuses))
    return groups


def _health_rows() -> list[HelpRow]:
    """The health verdict's part of the status line, as the app writes it."""
    meaning = {
        "OK": "a recent good backup, and the schedule runs",
        "WARNING": "the last good backup is over 25 h old, or the schedule is off or missed a run",
        "CRITICAL": "the latest backup failed, or no good one for 3 days (or ever)",
        "UNKNOWN": "the appliance does not answer, so nobody can tell",
    }
    rows: list[HelpRow] = []
    for level, (text, tone) in HEALTH_NOTES.items():
        rows.append(((one_line(text), _TONE_STYLE[tone]), meaning.get(level.name, level.name.lower())))
    text, tone = HEALTH_NOTES[HealthLevel.OK]
    rows.append(
        (
            (f"{one_line(text)} (cached)", _TONE_STYLE[tone]),
            "any verdict the local history kept, until the appliance answers",
        )
    )
    return rows


def extra_key_rows(bindings: Iterable[Binding], documented: frozenset[str] | None = None) -> list[KeyRow]:
    """Our bindings (those with an id; Textual's own have none) with a description that the
    curated groups do not describe: a key added later is listed rather than missed."""
    documented = documented_ids() if documented is None else documented
    rows: dict[str, str] = {}
    for binding in bindings:
        if not binding.id or not binding.description or binding.id in documented or binding.key in rows:
            continue
        rows[binding.key] = one_line(binding.description)
    return sorted(((describe_key(key), what) for key, what in rows.items()), key=lambda row: row[0])


class HelpScreen(ModalScreen[None]):
    """Keys, filter syntax and the status-line legend; Esc (or ?, or q) closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > #help-panel {
        width: 100;
        max-width: 100%;
        height: 90%;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
    }
    HelpScreen #help-scroll { height: 1fr; padding: 0 1; }
    HelpScreen .help-heading { margin-top: 1; }
    HelpScreen .help-row { height: auto; }
    HelpScreen .help-key { width: 24; padding-left: 2; }
    HelpScreen .help-what { width: 1fr; }
    HelpScreen #help-hint { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close help", id="help.close"),
        Binding("j,down", "scroll_lines(1)", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll_lines(-1)", "Up", show=False, id="help.up"),
        Binding("g,home", "scroll_edge('home')", "Top", show=False, id="help.top"),
        Binding("G,end", "scroll_edge('end')", "Bottom", show=False, id="help.bottom"),
    ]

    AUTO_FOCUS = "#help-scroll"

    def __init__(
        self, keys: KeyLookup | None = None, *, name: str | None = None, id: str | None = None
    ) -> None:
        """`keys`: each binding id's keys after the keymap (default: as bound here)."""
        super().__init__(name=name, id=id)
        self.keys: KeyLookup = keys if keys is not None else keys_by_id(self.BINDINGS, {})

    def compose(self) -> ComposeResult:
        extra = extra_key_rows(self._bindings_beneath())
        groups: list[tuple[str, Sequence[HelpRow]]] = [
            (title, [((keys, _KEY_STYLE), what) for keys, what in rows])
            for title, rows in key_rows(self.keys)
        ]
        if extra:
            groups.append(("More keys on this screen", [((keys, _KEY_STYLE), what) for keys, what in extra]))
        groups.append(("Filter ( / )", [((keys, _KEY_STYLE), what) for keys, what in FILTER_ROWS]))
        groups.extend(legend_rows())
        with Vertical(id="help-panel") as panel:
            panel.border_title = "backuptui help"
            with VerticalScroll(id="help-scroll"):
                for title, rows in groups:
                    yield Static(Content.styled(title, "bold underline"), classes="help-heading")
                    for left, right in rows:
                        with Horizontal(classes="help-row"):
                            yield Static(Content.assemble(left), classes="help-key")
                            yield Static(Content(right), classes="help-what")
            scroll = keys_text(self.keys, "help.up", "help.down")
            yield Static(f"{scroll} scroll   {keys_text(self.keys, 'help.close')} close", id="help-hint")

    def _bindings_beneath(self) -> list[Binding]:
        stack = self.app.screen_stack
        beneath: Screen[object] | None = stack[-1] if stack and stack[-1] is not self else None
        if beneath is None and len(stack) >= 2:
            beneath = stack[-2]
        if beneath is None:
            return []
        return [active.binding for active in beneath.active_bindings.values()]

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll_lines(self, lines: int) -> None:
        self.query_one("#help-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_scroll_edge(self, edge: str) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        if edge == "home":
            scroll.scroll_home(animate=False)
        else:
            scroll.scroll_end(animate=False)
