"""The status line: which appliance, is the connection live, how fresh is the data, how are backups.

The app builds a `StatusView` from the monitor's snapshot and its clock once per second; the
widget repaints only when the resulting text changed (no sub-second clocks, no flicker).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from textual.content import Content
from textual.widget import Widget

from backuptui.core.counting import counted
from backuptui.tui.format import Tone, backup_age_tone, human_age, human_duration, one_line

_TONE_STYLE = {
    Tone.GOOD: "$text-success",
    Tone.WARNING: "$text-warning bold",
    Tone.BAD: "$text-error bold",
    Tone.ACTIVE: "$text-accent",
    Tone.NEUTRAL: "",
}


@dataclass(frozen=True)
class StatusView:
    appliance: str  # display name (profile name or host)
    host: str  # host[:port] of the base URL
    connection: str  # connecting | live | unreachable | auth_failed | not_authorized | error
    now: datetime
    flavor: str | None = None
    verify_tls: bool = True
    last_success: datetime | None = None  # last successful poll
    retry_at: datetime | None = None  # next attempt while backing off
    error_kind: str | None = None  # ApplianceError.kind of the last failure
    total: int = 0
    running: int = 0
    pending: int = 0  # counted apart from running: a pending or blocked job makes no progress
    blocked: int = 0
    failed: int = 0
    unreadable: int = 0  # records that could not be read (each a row of its own in the list)
    shown: int | None = None  # rows shown when a filter is active
    loading: bool = False  # only the newest jobs are known yet: no counts over the history
    last_backup_end: datetime | None = None  # end of the newest successful backup
    paused: bool = False
    stale_after: float = 90.0  # seconds without a successful poll before "live" becomes "stale"
    notes: tuple[tuple[str, Tone], ...] = ()  # more parts from other features (e.g. a health verdict)


def _seconds_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def connection_text(view: StatusView) -> tuple[str, Tone]:
    """The connection part of the status line and how it should look."""
    age = _seconds_between(view.now, view.last_success) if view.last_success else None
    retry = ""
    if view.retry_at is not None:
        wait = math.ceil(_seconds_between(view.retry_at, view.now))
        retry = f", retrying in {wait} s" if wait > 0 else ", retrying now"
    state = view.connection
    if state == "connecting":
        return "connecting…", Tone.ACTIVE
    if state == "live":
        if age is not None and age > view.stale_after:
            return f"stale for {human_duration(age)}", Tone.WARNING
        return "live", Tone.GOOD
    if state == "auth_failed":
        return "authentication failed", Tone.BAD
    if state == "not_authorized":
        return "not authorized", Tone.BAD
    what = "unreachable" if state == "unreachable" else one_line(view.error_kind or state)
    if state == "unreachable" and view.error_kind and view.error_kind != "unreachable":
        what = one_line(view.error_kind)  # e.g. "TLS verification failed"
    if age is not None:
        what += f" (data stale for {human_duration(age)})"
    return what + retry, Tone.BAD


def status_content(view: StatusView, *, compact: bool = False) -> Content:
    """The status line's text: separated parts, wrapped by the widget at narrow widths.

    `compact` leaves out the host beside the name, for narrow terminals."""
    sep = (" · ", "$text-muted")
    connection, tone = connection_text(view)
    parts: list[str | tuple[str, str]] = [
        (one_line(view.appliance), "bold"),
    ]
    if view.host and view.host != view.appliance and not compact:
        parts.append(f" ({one_line(view.host)})")
    parts += [sep, (connection, _TONE_STYLE[tone])]
    if view.flavor:
        parts += [sep, f"/{view.flavor}"]
    if view.last_success is not None:
        parts += [sep, f"refreshed {human_age(_seconds_between(view.now, view.last_success))}"]
    if view.loading:
        parts += [sep, ("loading history…", "italic")]
    else:
        jobs = counted(view.total, "job")
        if view.shown is not None:
            jobs = f"{view.shown} of {jobs}"
        parts += [sep, jobs, ", "]
        parts.append((f"{view.running} running", "$text-accent bold" if view.running else ""))
        parts.append(", ")
        for count, word, style in (
            (view.pending, "pending", "$text-accent"),
            (view.blocked, "blocked", "$text-warning bold"),
        ):
            if count:
                parts += [(f"{count} {word}", style), ", "]
        parts.append((f"{view.failed} failed", "$text-error" if view.failed else ""))
        if view.unreadable:
            parts.append((f", {view.unreadable} unreadable", "$text-warning bold"))
    if view.last_success is not None or view.last_backup_end is not None:
        backup_age = _seconds_between(view.now, view.last_backup_end) if view.last_backup_end else None
        parts += [
            sep,
            "last good backup ",
            (human_age(backup_age), _TONE_STYLE[backup_age_tone(backup_age)]),
        ]
    for text, tone in view.notes:
        parts += [sep, (one_line(text), _TONE_STYLE[tone])]
    if not view.verify_tls:
        parts += [sep, ("TLS verification OFF", "$text-warning bold")]
    if view.paused:
        parts += [sep, ("PAUSED", "reverse bold")]
    return Content.assemble(*parts)


class StatusLine(Widget):
    """One or two lines at the top (by terminal width); repaints only when its text changed."""

    DEFAULT_CSS = """
    StatusLine { height: 2; padding: 0 1; background: $panel; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._content = Content("connecting…")
        self._compact: Content | None = self._content  # None: not made yet (only when needed)
        self._view: StatusView | None = None
        self._fit_key: tuple[Content, int, int] | None = None  # (content, width, lines) of _fits
        self._fits = True
        #: how many times the text changed (tests prove an idle second repaints nothing)
        self.updates = 0

    @property
    def view(self) -> StatusView | None:
        return self._view

    @property
    def text(self) -> str:
        return self._content.plain

    def show(self, view: StatusView) -> None:
        """Called once a second: builds the full text only; the compact one when it is needed."""
        self._view = view
        content = status_content(view)
        if content != self._content:
            self._content, self._compact = content, None
            self.updates += 1
            self.refresh()  # the height is fixed (CSS): no layout pass

    def render(self) -> Content:
        # The height is fixed by the terminal's width (CSS), never by the text: a status line
        # that grew a row when "just now" became "12 s ago" would shift the whole list.
        width = self.content_region.width or self.size.width
        lines = max(1, self.content_region.height or self.size.height)
        content = self._content
        if width and not self._fits_in(content, width, lines):
            if self._compact is None:
                view = self._view
                self._compact = content if view is None else status_content(view, compact=True)
            return self._compact  # the host beside the name goes first
        return content

    def _fits_in(self, content: Content, width: int, lines: int) -> bool:
        if self._fit_key != (content, width, lines):
            self._fit_key = (content, width, lines)
            self._fits = content.cell_length <= width or len(content.wrap(width)) <= lines
        return self._fits
