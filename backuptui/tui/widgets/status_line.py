"""The status line: how are backups, which appliance, is the connection live, how fresh is the data.

The screen builds a `StatusView` from the monitor's snapshot and its clock whenever the snapshot
changes and at the moment `status_changes_at` says its text next reads differently (the age of the
data moves in 10-second steps, a countdown by the second); the widget repaints only when the
resulting text changed.

The line is a row of segments, the health verdict first. A segment is never split across lines:
when they do not all fit the widget's lines, the line gets shorter (the host goes, then the labels
shorten, then segments go by rank: decoration first, the verdict, the connection state with its
retry and the last good backup last) instead of wrapping. Each fact is said once: while the data
is stale or cached, the line says how old it is in those words, never also "refreshed …".
Segments that hold a ticking age are laid out at the width of their longest age, so the place
where the line breaks does not move as "50 s ago" becomes "1 min ago".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget

from backuptui.core.ages import (
    countdown_changes_in,
    duration_changes_in,
    refresh_age,
    refresh_changes_in,
    refresh_span,
)
from backuptui.core.counting import counted
from backuptui.tui.format import (
    BACKUP_AGE_CRITICAL,
    BACKUP_AGE_WARNING,
    Tone,
    backup_age_tone,
    human_duration,
    one_line,
    retry_phrase,
)

_TONE_STYLE = {
    Tone.GOOD: "$text-success",
    Tone.WARNING: "$text-warning bold",
    Tone.BAD: "$text-error bold",
    Tone.ACTIVE: "$text-accent",
    Tone.NEUTRAL: "",
}

SEPARATOR = " · "
_SEPARATOR_STYLE = "$text-muted"
#: the longest text an age can take (a minute short of an hour, of two days, ...)
_AGE_WIDTH = max(len(refresh_age(s)) for s in (0.5, 59, 3599, 172799, 999 * 86400))
#: the longest text a duration can take in the status line (two units at most)
_DURATION_WIDTH = max(len(human_duration(s)) for s in (59, 3599, 86399, 99 * 86400))
_DURATION = re.compile(r"\d+[dhms](?: \d+[dhms])?")
_NO_FLAVOUR = 3  # the stage from which "/api" goes
_LAST_STAGE = 4


@dataclass(frozen=True)
class StatusView:
    appliance: str  # display name (profile name or host)
    host: str  # host[:port] of the base URL
    connection: str  # connecting | live | unreachable | auth_failed | not_authorized | error
    now: datetime
    flavor: str | None = None
    verify_tls: bool = True
    plain_http: bool = False  # an http:// URL: nothing is encrypted
    last_success: datetime | None = None  # last successful poll
    retry_at: datetime | None = None  # next attempt while backing off
    error_kind: str | None = None  # ApplianceError.kind of the last failure
    total: int = 0
    running: int = 0
    pending: int = 0  # counted apart from running: a pending or blocked job makes no progress
    blocked: int = 0
    failed: int = 0  # FAILED jobs a user did not cancel
    canceled: int = 0  # jobs a user canceled (FAILED on the appliance): said apart, only when some
    unreadable: int = 0  # records that could not be read (each a row of its own in the list)
    shown: int | None = None  # rows shown when a filter is active
    loading: bool = False  # only the newest jobs are known yet: no counts over the history
    last_backup_end: datetime | None = None  # end of the newest successful backup
    paused: bool = False
    stale_after: float = 90.0  # seconds without a successful poll before "live" becomes "stale"
    cached_at: datetime | None = None  # the jobs come from the local history, written then: its age
    # is the only age of the data the line says (no "refreshed", no "stale": no poll has answered)
    notes: tuple[tuple[str, Tone], ...] = ()  # more parts from other features (e.g. a health verdict)


#: how soon a segment goes when the line is too narrow, the soonest last: the verdict, the
#: connection state with its retry and the last good backup stay; the TLS note (the same for the
#: profile's every session, and moot while nothing answers) goes before the counts of the backups
_KEEP, _FACT, _COUNTS, _NOTE, _DECORATION = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class _Segment:
    content: Content
    reserve: int = 0  # cells the layout keeps for it (its longest form while a clock ticks)
    rank: int = _KEEP  # `_KEEP` … `_DECORATION`: which segments go first when they do not fit

    @property
    def width(self) -> int:
        return max(self.content.cell_length, self.reserve)


def _seconds_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def cached_text(view: StatusView) -> str:
    """`cached, 20 s old`, `cached, 12 min old` (`cached, just now` under 10 s)."""
    assert view.cached_at is not None
    span = refresh_span(view.now - view.cached_at)
    return "cached, just now" if span is None else f"cached, {span} old"


def _connection_parts(view: StatusView) -> tuple[list[str], Tone]:
    """(the state, how stale the data is, the retry countdown) as far as they apply."""
    age = _seconds_between(view.now, view.last_success) if view.last_success else None
    state = view.connection
    cached = cached_text(view) if view.cached_at is not None else None
    if state == "connecting" and cached is not None:
        return [cached], Tone.WARNING
    if state == "connecting":
        return ["connecting…"], Tone.ACTIVE
    if state == "live":
        if age is not None and age > view.stale_after:
            return [f"stale for {human_duration(age)}"], Tone.WARNING
        return ["live"], Tone.GOOD
    stale = f"data stale for {human_duration(age)}" if age is not None else ""
    if state in ("auth_failed", "not_authorized"):
        # after live data too: how old what the list shows is (never retried on its own)
        what = "authentication failed" if state == "auth_failed" else "not authorized"
        return [what, cached if cached is not None else stale], Tone.BAD
    what = "unreachable" if state == "unreachable" else one_line(view.error_kind or state)
    if state == "unreachable" and view.error_kind and view.error_kind != "unreachable":
        what = one_line(view.error_kind)  # e.g. "TLS verification failed"
    parts = [what]
    parts.append(cached if cached is not None else stale)  # the local history's age, not a stale one
    retry = retry_phrase(view.retry_at, view.now)
    if retry is not None:
        parts.append(retry)
    return parts, Tone.BAD


def connection_text(view: StatusView) -> tuple[str, Tone]:
    """The connection part of the status line as one phrase, and how it should look."""
    parts, tone = _connection_parts(view)
    text = parts[0]
    if len(parts) > 1 and parts[1]:
        text += f" ({parts[1]})"
    if len(parts) > 2:
        text += f", {parts[2]}"
    return text, tone


def status_changes_at(view: StatusView) -> datetime | None:
    """The first moment after `view.now` at which the line may read (or look) differently as
    time passes, all else equal; None: not until something else changes. Never later than the
    change; early only where a wait would cost more thought than the wake (under a second)."""
    waits: list[float] = []
    state = view.connection
    age = _seconds_between(view.now, view.last_success) if view.last_success else None
    failing = state not in ("connecting", "live")
    if view.cached_at is not None and state != "live":
        waits.append(refresh_changes_in(view.now - view.cached_at))  # "cached, 20 s old"
    elif age is not None:
        if state == "live" and age > view.stale_after:
            waits.append(duration_changes_in(age))  # "stale for 2m 05s"
        elif state == "live":
            waits.append(view.stale_after - age)  # "live" becomes "stale for …"
        elif failing:
            waits.append(duration_changes_in(age))  # "data stale for 1m 05s"
        if _says_refreshed(view):
            waits.append(refresh_changes_in(age))  # "refreshed 20 s ago"
    if view.retry_at is not None and failing and state not in ("auth_failed", "not_authorized"):
        waits.append(countdown_changes_in(_seconds_between(view.retry_at, view.now)))
    if view.last_backup_end is not None:  # (its segment shows when there is a backup end)
        backup_age = _seconds_between(view.now, view.last_backup_end)
        waits.append(refresh_changes_in(backup_age))  # "last good backup 20 s ago", "3 h ago"
        for threshold in (BACKUP_AGE_WARNING, BACKUP_AGE_CRITICAL):  # its colour
            if backup_age <= threshold:
                waits.append(threshold - backup_age)
    wait = min(waits, default=math.inf)
    return None if wait == math.inf else view.now + timedelta(seconds=wait)


def _ticking(text: str) -> int:
    """The width `text` can grow to while the durations and countdowns in it tick."""
    text = text.replace("retrying now", "retrying in 99 s")
    text = re.sub(r"in \d+ s", "in 99 s", text)
    return len(_DURATION.sub("x" * _DURATION_WIDTH, text))


def _reserve(text: str) -> int:
    """The width the layout keeps for a part of the connection segment while its clock runs."""
    if text.startswith("cached, "):  # "cached, just now" … "cached, 59 min old"
        return len("cached, ") + _AGE_WIDTH
    return _ticking(text)


def _jobs_segment(view: StatusView, stage: int) -> _Segment:
    if view.loading:
        return _Segment(Content.styled("loading history…", "italic"), rank=_COUNTS)
    jobs = counted(view.total, "job")
    if view.shown is not None:
        jobs = f"{view.shown} of {jobs}"
    parts: list[str | tuple[str, str]] = [jobs, ", "]
    if stage >= _LAST_STAGE and view.shown is None:
        parts = []  # the size of the history: the least of the counts
    parts.append((f"{view.running} running", "$text-accent bold" if view.running else ""))
    for count, word, style in (
        (view.pending, "pending", "$text-accent"),
        (view.blocked, "blocked", "$text-warning bold"),
    ):
        if count:
            parts += [", ", (f"{count} {word}", style)]
    if view.cached_at is not None:
        # the local history's jobs: what ran then, as the list shows it, not what runs now
        parts.append(" (cached)")
    parts.append(", ")
    parts.append((f"{view.failed} failed", "$text-error" if view.failed else ""))
    if view.canceled:
        parts.append((f", {view.canceled} canceled", "$text-warning"))
    if view.unreadable:
        parts.append((f", {view.unreadable} unreadable", "$text-warning bold"))
    return _Segment(Content.assemble(*parts), rank=_COUNTS)


def _says_refreshed(view: StatusView) -> bool:
    """Live and fresh: only then "refreshed …" (stale or cached data says its age in those words)."""
    if view.connection != "live" or view.cached_at is not None or view.last_success is None:
        return False
    return _seconds_between(view.now, view.last_success) <= view.stale_after


def _segments(view: StatusView, stage: int) -> list[_Segment]:
    """The parts, in the order they read; each higher `stage` is shorter.

    0: everything; 1: no host beside the name; 2: shorter labels, no refresh age; 3: no flavour;
    4: no number of jobs (the other counts stay)."""
    segments = [
        _Segment(Content.styled(one_line(text), _TONE_STYLE[tone])) for text, tone in view.notes
    ]  # the verdict leads: it is what a glance is for
    name = Content.styled(one_line(view.appliance), "bold")
    if view.host and view.host != view.appliance and stage == 0:
        name = Content.assemble(name, f" ({one_line(view.host)})")
    segments.append(_Segment(name, rank=_FACT))
    parts, tone = _connection_parts(view)
    state, stale, retry = [*parts, "", ""][:3]
    segments.append(_Segment(Content.styled(state, _TONE_STYLE[tone]), _reserve(state)))
    if stale:
        stale = stale if stage < 2 else stale.replace("data stale for", "stale")
        segments.append(_Segment(Content.styled(stale, _TONE_STYLE[tone]), _reserve(stale), _FACT))
    if retry:  # beside the state it is about
        segments.append(_Segment(Content(retry), _ticking(retry)))
    if view.paused:
        segments.append(_Segment(Content.styled("PAUSED", "reverse bold")))
    if view.plain_http:
        segments.append(_Segment(Content.styled("no TLS", "$text-warning bold"), rank=_NOTE))
    elif not view.verify_tls:
        off = "TLS verification OFF" if stage < 2 else "TLS not verified"
        segments.append(_Segment(Content.styled(off, "$text-warning bold"), rank=_NOTE))
    segments.append(_jobs_segment(view, stage))
    if view.last_success is not None or view.last_backup_end is not None:
        backup_age = _seconds_between(view.now, view.last_backup_end) if view.last_backup_end else None
        label = "last good backup " if stage < 2 else "good backup "
        # in the 10 s steps of the refresh age: a figure that moved every second would repaint
        # the line every second of a backup's first minute for a precision nobody reads
        said = refresh_age(backup_age) if backup_age is not None else "never"
        age = Content.styled(said, _TONE_STYLE[backup_age_tone(backup_age)])
        segments.append(_Segment(Content.assemble(label, age), len(label) + _AGE_WIDTH))
    if _says_refreshed(view) and stage < 2:
        assert view.last_success is not None
        refreshed = f"refreshed {refresh_age(_seconds_between(view.now, view.last_success))}"
        segments.append(_Segment(Content(refreshed), len("refreshed ") + _AGE_WIDTH, _DECORATION))
    if view.flavor and stage < _NO_FLAVOUR:
        segments.append(_Segment(Content(f"/{view.flavor}"), rank=_DECORATION))
    return segments


def _join(segments: list[_Segment]) -> Content:
    sep = Content.styled(SEPARATOR, _SEPARATOR_STYLE)
    return sep.join(segment.content for segment in segments)


def _layout(segments: list[_Segment], width: int, lines: int) -> list[list[_Segment]] | None:
    """Segments placed on at most `lines` lines of `width` cells, none split; None if they don't fit."""
    rows: list[list[_Segment]] = [[]]
    used = 0
    for segment in segments:
        need = segment.width + (len(SEPARATOR) if rows[-1] else 0)
        if used + need <= width:
            rows[-1].append(segment)
            used += need
            continue
        if len(rows) == lines or segment.width > width:
            return None
        rows.append([segment])
        used = segment.width
    return rows


def fit_lines(view: StatusView, width: int, lines: int, first: list[_Segment] | None = None) -> list[Content]:
    """The lines of the status line for a box of `width` x `lines` cells: whole segments,
    shortened to fit (`first`: the segments of stage 0, when the caller has them already)."""
    width, lines = max(1, width), max(1, lines)
    for stage in range(_LAST_STAGE + 1):
        segments = first if stage == 0 and first is not None else _segments(view, stage)
        rows = _layout(segments, width, lines)
        if rows is not None:
            return [_join(row) for row in rows]
    segments = _segments(view, _LAST_STAGE)
    while len(segments) > 1:  # the least important go (the later of equals), with a mark
        least = max(range(len(segments)), key=lambda i: (segments[i].rank, i))
        segments = segments[:least] + segments[least + 1 :]
        rows = _layout([*segments, _Segment(Content("…"))], width, lines)
        if rows is not None:
            return [_join(row) for row in rows]
    return [segments[0].content.truncate(width, ellipsis=True)]


def fit_status(view: StatusView, width: int, lines: int) -> Content:
    """The status line for a box of `width` x `lines` cells: whole segments, shortened to fit."""
    return Content("\n").join(fit_lines(view, width, lines))


def status_content(view: StatusView, *, compact: bool = False) -> Content:
    """The whole status line on one line (`compact`: without the host beside the name)."""
    return _join(_segments(view, 1 if compact else 0))


class StatusLine(Widget):
    """One or two lines at the top (by terminal width); repaints only when its text changed."""

    DEFAULT_CSS = """
    StatusLine { height: 2; padding: 0 1; background: $panel; text-wrap: nowrap; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._content = Content("connecting…")
        self._view: StatusView | None = None
        self._segments: list[_Segment] = []  # of the whole text (stage 0): the fit starts there
        #: (full text, width, lines, the lines shown)
        self._fitted: tuple[Content, int, int, list[Content]] | None = None
        #: each shown line's text, width and style, and its rendered strip: a repaint renders again
        #: only the lines whose text changed (as the clock moves, the age's line)
        self._strips: dict[int, tuple[Content, int, Style, Strip]] = {}
        #: how many times the text changed (tests prove an idle second repaints nothing)
        self.updates = 0

    @property
    def view(self) -> StatusView | None:
        return self._view

    @property
    def text(self) -> str:
        """Everything the line says, on one line (what fits the screen: `shown_text`)."""
        return self._content.plain

    @property
    def shown_text(self) -> str:
        """What the widget shows at its size, line breaks included."""
        return self.render().plain

    def show(self, view: StatusView) -> None:
        """Called when the snapshot or the clock's reading changed; repaints only when the text did."""
        self._view = view
        segments = _segments(view, 0)
        content = _join(segments)  # = status_content(view)
        if content != self._content:
            shown = self._fitted
            self._content, self._segments = content, segments
            self.updates += 1
            self._repaint(shown[1:] if shown is not None else None)

    def _box(self) -> tuple[int, int]:
        """The (width, lines) of the text: fixed by the terminal's width (CSS), never by the text."""
        width = self.content_region.width or self.size.width
        return width, max(1, self.content_region.height or self.size.height)

    def _repaint(self, shown: tuple[int, int, list[Content]] | None) -> None:
        """Repaint the lines that differ from `shown` (width, lines, text shown before)."""
        if shown is None or self._view is None or shown[:2] != self._box():
            self.refresh()  # the height is fixed (CSS): no layout pass
            return
        before, after = shown[2], self._lines()
        if len(before) != len(after):
            self.refresh()
            return
        width = self.size.width
        changed = [Region(0, y, width, 1) for y, line in enumerate(after) if line != before[y]]
        if changed:  # (no region at all would repaint everything)
            self.refresh(*changed)

    def _lines(self) -> list[Content]:
        """The lines shown at the widget's size (the whole text while it has no size)."""
        # The height is fixed by the terminal's width (CSS), never by the text: a status line
        # that grew a row when "just now" became "12 s ago" would shift the whole list.
        width, lines = self._box()
        if self._view is None or not width:
            return [self._content]
        key = (self._content, width, lines)
        if self._fitted is None or self._fitted[:3] != key:
            first = self._segments if self._segments else None
            self._fitted = (*key, fit_lines(self._view, width, lines, first))
        return self._fitted[3]

    def render(self) -> Content:
        return Content("\n").join(self._lines())

    def render_line(self, y: int) -> Strip:
        # Widget.render_line renders the whole text again for any change; this renders only the
        # lines whose text changed (as the clock moves, the age changes on one line).
        if self.text_selection is not None:
            return super().render_line(y)  # selection offsets span the whole text
        lines = self._lines()
        width, style = self.size.width, self.visual_style
        if y >= len(lines):
            return Strip.blank(width, style.rich_style)
        cached = self._strips.get(y)
        if cached is not None and cached[:3] == (lines[y], width, style):
            return cached[3]
        strips = Visual.to_strips(self, lines[y], width, 1, style)
        strip = strips[0] if strips else Strip.blank(width, style.rich_style)
        self._strips[y] = (lines[y], width, style, strip)
        return strip
