"""What one appliance's latest state says as Prometheus metrics: a pure function of its snapshot,
its health verdict and the poll figures, with no I/O and no clock of its own.

The last finished job (its status, end, size and duration) comes from the snapshot's history, so it
stays exported while the next job runs and while the appliance cannot be reached (the monitor keeps
the last history it fetched; `vcsa_backup_up` then says 0): an alert on "the last backup failed"
does not clear and fire again at every run start or outage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlsplit

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from backuptui.core.appliance.failure_cause import CANCELED, status_word
from backuptui.core.appliance.models import BackupJob, JobStatus
from backuptui.core.watch.health import HealthVerdict
from backuptui.core.watch.snapshot import ConnectionState, Snapshot
from backuptui.core.watch.timing import job_finished

#: the labels every appliance series carries: the profile name, and the host it connects to
LABELS = ("appliance", "host")

#: the states of `vcsa_backup_last_job_status` (one series each, 1 for the current one); a job a
#: user canceled is CANCELED (`status_word`), not FAILED, so an alert on `status="FAILED"` does not
#: fire for it
LAST_JOB_STATES = (str(JobStatus.SUCCEEDED), str(JobStatus.FAILED), CANCELED)
#: `vcsa_backup_jobs` always has these statuses (0 when none), plus any other the appliance names
JOB_STATES = (
    str(JobStatus.PENDING),
    str(JobStatus.RUNNING),
    str(JobStatus.BLOCKED),
    str(JobStatus.SUCCEEDED),
    str(JobStatus.FAILED),
    CANCELED,
)
#: the `kind` values of `vcsa_backup_poll_errors_total`
POLL_ERROR_KINDS = ("unreachable", "tls", "auth_failed", "not_authorized", "api_error", "invalid_response")

EMPTY_COUNTS: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True)
class ApplianceReading:
    """What a scrape reads for one appliance: the newest snapshot and verdict and the poll figures.

    `poll_errors` counts failed polls since the exporter started, by kind (`POLL_ERROR_KINDS`).
    """

    appliance: str
    snapshot: Snapshot
    verdict: HealthVerdict
    host: str = ""  # empty: the host of the snapshot's base URL
    poll_duration: float | None = None  # seconds the last poll took
    poll_errors: Mapping[str, int] = field(default_factory=lambda: EMPTY_COUNTS)

    @property
    def host_label(self) -> str:
        return self.host or host_of(self.snapshot.base_url)


def host_of(base_url: str) -> str:
    """`vcsa.example.com` or `127.0.0.1:8443`: the host (and a port other than the scheme's)."""
    parts = urlsplit(base_url)
    host = parts.hostname or base_url
    if ":" in host:  # an IPv6 address, bracketed as in a URL
        host = f"[{host}]"
    default = {"https": 443, "http": 80}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        port = None
    return host if port is None or port == default else f"{host}:{port}"


@dataclass(frozen=True)
class MetricSpec:
    name: str
    kind: str  # "gauge" or "counter"
    help: str
    extra: tuple[str, ...] = ()  # labels after `appliance` and `host`


SPECS = (
    MetricSpec("vcsa_backup_up", "gauge", "1 if the last poll of the appliance answered, else 0."),
    MetricSpec(
        "vcsa_backup_last_success_timestamp_seconds",
        "gauge",
        "When the newest successful backup job ended (Unix time).",
    ),
    MetricSpec(
        "vcsa_backup_last_job_end_timestamp_seconds",
        "gauge",
        "When the newest finished backup job (succeeded or failed) ended (Unix time).",
    ),
    MetricSpec(
        "vcsa_backup_last_job_status",
        "gauge",
        "State set: 1 for the status of the newest finished backup job (CANCELED for one a user "
        "canceled, which the appliance calls FAILED), 0 for the others.",
        ("status",),
    ),
    MetricSpec(
        "vcsa_backup_last_job_duration_seconds", "gauge", "How long the newest finished backup job took."
    ),
    MetricSpec(
        "vcsa_backup_last_job_size_bytes", "gauge", "How many bytes the newest finished backup job wrote."
    ),
    MetricSpec("vcsa_backup_running", "gauge", "1 while a backup job is pending, running or blocked."),
    MetricSpec(
        "vcsa_backup_progress_ratio", "gauge", "Progress of the active backup job, 0 to 1 (while one runs)."
    ),
    MetricSpec(
        "vcsa_backup_failures",
        "gauge",
        "Failed backup jobs in the window (24h or 7d) before the last verdict, cancels left out.",
        ("window",),
    ),
    MetricSpec(
        "vcsa_backup_cancellations",
        "gauge",
        "Backup jobs a user canceled in the window (24h or 7d) before the last verdict.",
        ("window",),
    ),
    MetricSpec(
        "vcsa_backup_schedule_enabled",
        "gauge",
        "1 if a backup schedule is enabled, 0 if every schedule is disabled (absent: no schedule).",
    ),
    MetricSpec(
        "vcsa_backup_schedule_next_run_timestamp_seconds",
        "gauge",
        "The next time an enabled schedule names (Unix time).",
    ),
    MetricSpec("vcsa_backup_health", "gauge", "Health verdict: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."),
    MetricSpec(
        "vcsa_backup_health_info",
        "gauge",
        "The reasons behind the health verdict (a stable code each, worst first), value 1.",
        ("reason", "level"),
    ),
    MetricSpec(
        "vcsa_backup_jobs",
        "gauge",
        "Backup jobs in the appliance's history, by status (CANCELED apart from FAILED).",
        ("status",),
    ),
    MetricSpec("vcsa_backup_poll_duration_seconds", "gauge", "How long the exporter's last poll took."),
    MetricSpec(
        "vcsa_backup_poll_errors", "counter", "Failed polls since the exporter started, by kind.", ("kind",)
    ),
)

#: every metric name the exporter serves (a counter's samples end in `_total`)
METRIC_NAMES = frozenset(spec.name + "_total" if spec.kind == "counter" else spec.name for spec in SPECS)


def _families() -> dict[str, GaugeMetricFamily | CounterMetricFamily]:
    families: dict[str, GaugeMetricFamily | CounterMetricFamily] = {}
    for spec in SPECS:
        labels = [*LABELS, *spec.extra]
        if spec.kind == "counter":
            families[spec.name] = CounterMetricFamily(spec.name, spec.help, labels=labels)
        else:
            families[spec.name] = GaugeMetricFamily(spec.name, spec.help, labels=labels)
    return families


def _newest_timed_success(jobs: Iterable[BackupJob]) -> float | None:
    for job in jobs:
        if job.status == JobStatus.SUCCEEDED:
            ended = job_finished(job)
            if ended is not None:
                return ended.timestamp()
    return None


def _has_history(snapshot: Snapshot) -> bool:
    """The snapshot holds a whole history fetched at some point (counts over it mean something)."""
    return snapshot.last_success is not None and snapshot.complete


def add_appliance(
    families: Mapping[str, GaugeMetricFamily | CounterMetricFamily], reading: ApplianceReading
) -> None:
    """Add one appliance's samples to the families (`metric_families` makes them)."""
    snapshot, verdict = reading.snapshot, reading.verdict
    base = [reading.appliance, reading.host_label]

    def put(name: str, value: float | None, *extra: str) -> None:
        if value is not None:
            families[name].add_metric([*base, *extra], float(value))

    put("vcsa_backup_up", 1 if snapshot.connection == ConnectionState.LIVE else 0)
    put("vcsa_backup_health", int(verdict.level))
    for finding in verdict.reasons:
        put("vcsa_backup_health_info", 1, finding.code, finding.level.name)
    put("vcsa_backup_poll_duration_seconds", reading.poll_duration)
    kinds = dict.fromkeys(POLL_ERROR_KINDS, 0) | dict(reading.poll_errors)
    for kind, count in kinds.items():
        put("vcsa_backup_poll_errors", count, kind)

    if snapshot.last_success is None:  # nothing fetched yet: no figure about the backups is known
        return
    put("vcsa_backup_last_success_timestamp_seconds", _newest_timed_success(snapshot.jobs))
    latest = snapshot.latest_finished_job
    if latest is not None:
        ended = job_finished(latest)
        put("vcsa_backup_last_job_end_timestamp_seconds", None if ended is None else ended.timestamp())
        latest_word = status_word(latest)
        for state in LAST_JOB_STATES:
            put("vcsa_backup_last_job_status", 1 if latest_word == state else 0, state)
        put("vcsa_backup_last_job_duration_seconds", latest.duration)
        put("vcsa_backup_last_job_size_bytes", latest.size)
    active = snapshot.running[0] if snapshot.running else None
    put("vcsa_backup_running", 0 if active is None else 1)
    if active is not None and active.percent is not None:
        put("vcsa_backup_progress_ratio", active.percent / 100.0)

    if not _has_history(snapshot):  # only the newest page so far: counts wait for the history
        return
    counts = dict.fromkeys(JOB_STATES, 0)
    for job in snapshot.jobs:
        word = status_word(job)
        counts[word] = counts.get(word, 0) + 1
    for status, count in counts.items():
        put("vcsa_backup_jobs", count, status)
    if verdict.job_count == len(snapshot.jobs):  # the verdict judged this history
        put("vcsa_backup_failures", verdict.failures_24h, "24h")
        put("vcsa_backup_failures", verdict.failures_7d, "7d")
        put("vcsa_backup_cancellations", verdict.canceled_24h, "24h")
        put("vcsa_backup_cancellations", verdict.canceled_7d, "7d")
    if verdict.schedules:
        put("vcsa_backup_schedule_enabled", 1 if any(s.enabled for s in verdict.schedules) else 0)
    if verdict.next_run is not None:
        put("vcsa_backup_schedule_next_run_timestamp_seconds", verdict.next_run.timestamp())


def metric_families(readings: Iterable[ApplianceReading]) -> list[Metric]:
    """The exporter's metric families for these appliances (empty families are served too, so
    every metric has its HELP and TYPE even before the first poll)."""
    families = _families()
    for reading in readings:
        add_appliance(families, reading)
    return list(families.values())


__all__ = [
    "JOB_STATES",
    "LABELS",
    "LAST_JOB_STATES",
    "METRIC_NAMES",
    "POLL_ERROR_KINDS",
    "SPECS",
    "ApplianceReading",
    "add_appliance",
    "host_of",
    "metric_families",
]
