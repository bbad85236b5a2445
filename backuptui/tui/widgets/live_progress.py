"""The live progress widget: how the running backup is doing, or when the last one ended and how.

It shows the running job (the selected one if that runs, else the newest active one): a bar that
reads without colour (`█` done, `░` to do), the percentage and the appliance's progress message,
elapsed time, transfer rate and ETA from the monitor's `Transfer`. Elapsed time counts in whole
seconds from the injected clock; the widget repaints only when its text changed, and
`progress_changes_at` says when the clock alone changes it (the screen wakes then, not every second).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from textual.content import Content
from textual.widget import Widget

from backuptui.core.ages import countdown_changes_in, duration_changes_in, refresh_age, refresh_changes_in
from backuptui.core.appliance.models import BackupJob
from backuptui.core.watch.transfer import Transfer
from backuptui.tui.format import (
    EMPTY,
    human_bytes,
    human_duration,
    human_rate,
    job_status_label,
    job_status_tone,
    local_time,
    local_time_with_zone,
    one_line,
    percent_text,
    status_label,
    status_tone,
)
from backuptui.tui.widgets.job_detail import TONE_STYLES


@dataclass(frozen=True)
class ProgressView:
    """Everything the widget shows, so an unchanged view costs nothing."""

    job: BackupJob | None  # the active job shown, or None when nothing runs
    transfer: Transfer | None
    last_finished: BackupJob | None  # shown when nothing runs
    active_count: int
    now: datetime
    has_data: bool = True  # False before the first successful poll
    #: before the first data: what is wrong and what backuptui does (`views.connection_problem`)
    waiting: tuple[str, str] | None = None
    retry_at: datetime | None = None  # while `waiting`: when the next attempt starts (its countdown)
    data_at: datetime | None = None  # when the data shown was fetched
    # "paused", "stale" or "cached" (the local history's, before a poll answered): the data is not
    # moving, so neither is the widget
    hold: str | None = None
    stale_at: datetime | None = None  # when live data that is not held becomes stale


def _clock(view: ProgressView) -> datetime:
    """The moment the running job's figures are true at: now, or the data's time when held."""
    if view.hold and view.data_at is not None:
        return view.data_at
    return view.now


def _moment(view: ProgressView) -> str:
    """When the data shown was fetched: `09:46:00`, with its day when that is not today."""
    assert view.data_at is not None
    at = local_time(view.data_at)
    return at[-8:] if at[:10] == local_time(view.now)[:10] else at[:-3]


def hold_text(view: ProgressView) -> str:
    """Why the figures stand still: `PAUSED at 11:59:12`, `CACHED`, `as of 11:59:12` (stale: the
    status line says for how long; this says the moment the figures are true at)."""
    if view.hold == "paused":
        return f"PAUSED at {_moment(view)}" if view.data_at else "PAUSED"
    if view.hold == "cached":
        return "CACHED"
    return f"as of {_moment(view)}" if view.data_at else "no data"


def _elapsed(view: ProgressView) -> float | None:
    job = view.job
    if job is None:
        return None
    if job.start_time is not None:
        return max(0.0, (_clock(view) - job.start_time).total_seconds())
    if view.transfer is not None and view.transfer.elapsed is not None:
        return view.transfer.elapsed
    return float(job.duration) if job.duration is not None else None


def bar(percent: float | None, width: int) -> tuple[str, str]:
    """(done, to do) parts of a progress bar `width` cells wide."""
    width = max(1, width)
    if percent is None:
        return "", "░" * width
    done = int(width * max(0.0, min(100.0, percent)) / 100.0)
    return "█" * done, "░" * (width - done)


def progress_content(view: ProgressView, width: int) -> Content:
    """The widget's three lines for `view` at `width` cells."""
    if not view.has_data:
        return _waiting_content(view.waiting)
    job = view.job
    if job is None:
        return _idle_content(view)
    transfer = view.transfer
    percent = job.percent if job.percent is not None else (transfer.percent if transfer else None)
    others = view.active_count - 1
    title: list[str | tuple[str, str]] = [
        (status_label(job.status), TONE_STYLES[status_tone(job.status)]),
        "  ",
        (one_line(str(job.type)), "bold"),
        "  ",
        one_line(job.id),
        f"  (+{others} more active)" if others > 0 else "",
        "\n",
    ]
    bar_width = max(10, min(50, width // 2))
    done, todo = bar(percent, bar_width)
    note = one_line(job.progress.message.text) if job.progress else ""
    line2: list[str | tuple[str, str]] = [
        (done, "$accent"),
        (todo, "$text-muted"),
        f" {percent_text(percent):>4}  ",
    ]
    if view.hold:  # before the appliance's message: the widget cuts a long line at its end
        line2 += [(hold_text(view), "$text-warning bold"), "  " if note else ""]
    line2 += [note, "\n"]
    size = job.size if job.size is not None else (transfer.size if transfer else None)
    rate = transfer.rate if transfer else None
    # A stale ETA counted from a moment long gone would contradict the status line: unknown.
    eta = transfer.eta if transfer and view.hold not in ("stale", "cached") else None
    facts = [
        f"elapsed {human_duration(_elapsed(view))}",
        f"{human_bytes(size)} sent",
        human_rate(rate) if rate is not None else f"rate {EMPTY}",
        f"ETA {human_duration(eta) if eta is not None else EMPTY}",
    ]
    started = f"started {local_time(job.start_time)}"
    line3 = " · ".join(facts)
    if len(started) + 3 + len(line3) <= width:
        line3 = f"{started} · {line3}"
    return Content.assemble(*title, *line2, line3)


def _waiting_content(waiting: tuple[str, str] | None) -> Content:
    """No data yet: why (a problem stands out) and, on its own line, what backuptui does."""
    if waiting is None:
        return Content("Waiting for the first answer from the appliance…")
    what, doing = waiting
    if not doing:
        return Content(what)
    return Content.assemble((what, "$text-error bold"), "\n", doing[:1].upper() + doing[1:] + ".")


def progress_changes_at(view: ProgressView) -> datetime | None:
    """The first moment after `view.now` at which the widget may read differently as time passes,
    all else equal (a running job's elapsed time, an age, the data turning stale); None: not
    until something else changes."""
    if not view.has_data:  # the reason for no data, with its retry countdown
        if view.waiting is None or view.retry_at is None:
            return None
        wait = countdown_changes_in((view.retry_at - view.now).total_seconds())
        return None if wait == math.inf else view.now + timedelta(seconds=wait)
    waits: list[float] = []
    if view.hold is None and view.stale_at is not None:
        waits.append((view.stale_at - view.now).total_seconds())
    job = view.job
    if job is not None:
        if not view.hold and job.start_time is not None:
            waits.append(duration_changes_in(_elapsed(view) or 0.0))  # "elapsed 3m 05s"
    elif view.last_finished is not None and view.last_finished.end_time is not None:
        waits.append(refresh_changes_in(view.now - view.last_finished.end_time))  # "(2 h ago)"
    wait = min(waits, default=math.inf)
    return None if wait == math.inf else view.now + timedelta(seconds=max(0.0, wait))


def _idle_content(view: ProgressView) -> Content:
    last = view.last_finished
    if last is None:
        return Content("No backup is running. No finished backup in the history.")
    ended = last.end_time
    age = (view.now - ended).total_seconds() if ended else None
    problem = one_line(last.problem) if last.problem else ""
    # the age in the status line's steps: the same backup's end never reads "20 s ago" there and
    # "24 s ago" here
    when = f"\nended {local_time_with_zone(ended)} ({refresh_age(age)})" if age is not None else ""
    if view.hold == "stale":  # what was true when the appliance last answered
        title: list[str | tuple[str, str]] = [
            ("No backup was running ", "bold"),
            (hold_text(view), "$text-warning bold"),
            (".", "bold"),
        ]
    else:
        title = [
            ("No backup is running.", "bold"),
            ("  " + hold_text(view), "$text-warning bold") if view.hold else "",
        ]
    parts: list[str | tuple[str, str]] = [
        *title,
        "\nLast job: ",
        (job_status_label(last), TONE_STYLES[job_status_tone(last)]),
        f"  {one_line(str(last.type))}  {one_line(last.id)}",
        when or "\nend time unknown",
        f", took {human_duration(last.duration)}, {human_bytes(last.size)}",
    ]
    if problem:
        parts += ["  ·  ", (problem, "$text-error")]
    return Content.assemble(*parts)


class LiveProgress(Widget):
    """Three lines about the running backup; repaints only when what it shows changed."""

    DEFAULT_CSS = """
    LiveProgress { height: 3; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._view: ProgressView | None = None
        self._content: Content | None = None
        self._width = -1

    @property
    def view(self) -> ProgressView | None:
        return self._view

    def show(self, view: ProgressView) -> None:
        """Show `view`; repaints only when the text changed (the clock moves in whole seconds)."""
        self._view = view
        content = progress_content(view, self.content_region.width or 80)
        if self._content is None or content != self._content:
            self._content = content
            self.refresh()

    def on_resize(self) -> None:
        if self._view is not None:
            self._content = progress_content(self._view, self.content_region.width or 80)

    def render(self) -> Content:
        if self._content is None:
            return Content("")
        return self._content
