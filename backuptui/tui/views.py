"""From a monitor snapshot to what each widget shows: pure functions, no widgets, no I/O.

The app calls these with its injected clock; tests call them with fixed values.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.models import BackupJob, JobStatus
from backuptui.core.watch.monitor import ConnectionState, Snapshot
from backuptui.tui.format import Tone, one_line, retry_phrase
from backuptui.tui.widgets.live_progress import ProgressView
from backuptui.tui.widgets.status_line import StatusView

CONNECTION_WORDS = {
    ConnectionState.CONNECTING: "connecting",
    ConnectionState.LIVE: "live",
    ConnectionState.UNREACHABLE: "unreachable",
    ConnectionState.AUTH_FAILED: "auth_failed",
    ConnectionState.NOT_AUTHORIZED: "not_authorized",
    ConnectionState.ERROR: "error",
}


def host_of(base_url: str) -> str:
    """`host[:port]` of a URL, without any user part."""
    try:
        parts = urlsplit(base_url)
    except ValueError:
        return base_url
    return parts.netloc.rpartition("@")[2] or base_url


def appliance_label(snapshot: Snapshot, name: str | None = None) -> str:
    return name or snapshot.appliance or host_of(snapshot.base_url)


def last_success_end(snapshot: Snapshot) -> datetime | None:
    """When the newest successful backup ended (the snapshot caches the search)."""
    job = snapshot.last_successful_job
    return (job.end_time or job.start_time) if job else None


def status_view(
    snapshot: Snapshot,
    *,
    now: datetime,
    name: str | None = None,
    paused: bool = False,
    stale_after: float = 90.0,
    shown: int | None = None,
    notes: tuple[tuple[str, Tone], ...] = (),
) -> StatusView:
    """The status line for the latest snapshot (live even while the list is paused)."""
    return StatusView(
        appliance=appliance_label(snapshot, name),
        host=host_of(snapshot.base_url),
        connection=CONNECTION_WORDS.get(snapshot.connection, str(snapshot.connection)),
        now=now,
        flavor=str(snapshot.flavor) if snapshot.flavor else None,
        # plain HTTP (the simulator) has no certificate to verify: nothing to warn about
        verify_tls=snapshot.verify_tls or not snapshot.base_url.startswith("https:"),
        plain_http=snapshot.base_url.startswith("http:"),
        last_success=snapshot.last_success,
        retry_at=snapshot.retry_at,
        error_kind=snapshot.error.kind if snapshot.error else None,
        total=snapshot.total,
        running=snapshot.active_counts[JobStatus.RUNNING],
        pending=snapshot.active_counts[JobStatus.PENDING],
        blocked=snapshot.active_counts[JobStatus.BLOCKED],
        failed=snapshot.failed_count,
        canceled=snapshot.canceled_count,
        unreadable=len(snapshot.rows) - len(snapshot.jobs),
        shown=shown,
        loading=not snapshot.complete,
        last_backup_end=last_success_end(snapshot),
        paused=paused,
        stale_after=stale_after,
        notes=notes,
        cached_at=snapshot.cached_at,
    )


def progress_view(
    snapshot: Snapshot,
    selected: BackupJob | None,
    *,
    now: datetime,
    paused: bool = False,
    stale_after: float = 90.0,
    connection: ConnectionState | None = None,
    live: Snapshot | None = None,
    name: str | None = None,
) -> ProgressView:
    """The selected job if it is active, else the newest active job, else the last one that ended.

    `snapshot` is what the list shows (frozen while paused); `connection` is the monitor's state
    now: while the appliance does not answer, or answered too long ago, the widget says so; before
    any data, it says why from `live` (the monitor's snapshot now) and the appliance's `name`."""
    active = snapshot.running
    if selected is not None and selected.is_active:
        current: BackupJob | None = snapshot.by_id.get(selected.id, selected)
    else:
        current = active[0] if active else None
    has_data = snapshot.last_success is not None or bool(snapshot.jobs)
    waiting = None if has_data else connection_problem(live or snapshot, now=now, name=name)
    hold = _hold(snapshot, now, paused=paused, stale_after=stale_after, connection=connection)
    last_success = snapshot.last_success
    return ProgressView(
        job=current,
        transfer=snapshot.transfers.get(current.id) if current else None,
        last_finished=snapshot.latest_finished_job if current is None else None,
        active_count=len(active),
        now=now,
        has_data=has_data,
        waiting=waiting,
        retry_at=(live or snapshot).retry_at if waiting is not None else None,
        data_at=last_success,
        hold=hold,
        stale_at=last_success + timedelta(seconds=stale_after) if hold is None and last_success else None,
    )


def _hold(
    snapshot: Snapshot,
    now: datetime,
    *,
    paused: bool,
    stale_after: float,
    connection: ConnectionState | None,
) -> str | None:
    if paused:
        return "paused"
    if snapshot.last_success is None:
        return None  # nothing shown yet: the widget says it is waiting
    if snapshot.cached_at is not None:
        return "cached"  # no poll has answered: the status line says how old the data is
    state = connection if connection is not None else snapshot.connection
    if state != ConnectionState.LIVE:
        return "stale"
    if (now - snapshot.last_success).total_seconds() > stale_after:
        return "stale"
    return None


#: the watched appliance's connection in the profile picker's words (beside its mark)
PICKER_WORDS = {
    ConnectionState.CONNECTING: "connecting",
    ConnectionState.LIVE: "connected",
    ConnectionState.UNREACHABLE: "unreachable",
    ConnectionState.AUTH_FAILED: "not logged in",
    ConnectionState.NOT_AUTHORIZED: "not authorized",
    ConnectionState.ERROR: "answering with errors",
}


def connection_word(snapshot: Snapshot) -> str:
    """`connected`, `unreachable`, `not logged in`, `connecting` ...: the monitor's state now."""
    return PICKER_WORDS.get(snapshot.connection, str(snapshot.connection))


def is_connected(snapshot: Snapshot) -> bool:
    """The appliance answered the last poll of this session (not only the local history): what
    acting on it (back up now, cancel) needs."""
    return snapshot.connection is ConnectionState.LIVE and snapshot.cached_at is None


def connection_problem(
    snapshot: Snapshot, *, now: datetime, name: str | None = None
) -> tuple[str, str] | None:
    """Why the appliance gives no live data: (what is wrong, what backuptui does about it, "" when
    nothing more than waiting), from what the status line knows (the state, the error, the retry
    time); None while it answers. The one wording for the list area before any data came and for
    an action refused while not connected."""
    state, error = snapshot.connection, snapshot.error
    if is_connected(snapshot):
        return None
    label = one_line(appliance_label(snapshot, name))
    problem = one_line(error.problem if isinstance(error, ApplianceError) else str(error or "no answer"))
    retry = retry_phrase(snapshot.retry_at, now) or "retrying"
    if state is ConnectionState.LIVE or state is ConnectionState.CONNECTING:
        if snapshot.cached_at is not None:
            return f"{label} has not answered yet (the list is its local history)", "waiting for its answer"
        return f"Waiting for the first answer from {label}…", ""
    if state is ConnectionState.UNREACHABLE:
        return f"Cannot reach {label}: {problem}", retry
    if state is ConnectionState.AUTH_FAILED:
        return f"Not logged in to {label}: {problem}", "waiting for the password (never retried on its own)"
    if state is ConnectionState.NOT_AUTHORIZED:
        return f"No access to the backup jobs of {label}: {problem}", retry
    return f"No usable answer from {label}: {problem}", retry


def empty_list_text(snapshot: Snapshot, *, filtered: bool) -> str:
    """What the job list says when it has no rows."""
    if snapshot.jobs:
        return "No job matches the filter." if filtered else "No backup jobs."
    if snapshot.last_success is not None:
        return "No backup jobs: this appliance has no backup history."
    if snapshot.connection == ConnectionState.CONNECTING:
        return "Connecting to the appliance…"
    if snapshot.error is not None and snapshot.connection != ConnectionState.AUTH_FAILED:
        # the reason, with what to do, where the jobs would be (a refused login has its prompt)
        return f"No data: {one_line(str(snapshot.error))}"
    return "No data: the appliance has not answered yet."
