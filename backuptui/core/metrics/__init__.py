"""Appliance state as Prometheus metrics: the mapping (pure), the poll figures, the collector."""

from backuptui.core.metrics.collector import ApplianceCollector, exporter_registry
from backuptui.core.metrics.mapping import METRIC_NAMES, ApplianceReading, metric_families
from backuptui.core.metrics.poll_stats import PollStats, error_kind

__all__ = [
    "METRIC_NAMES",
    "ApplianceCollector",
    "ApplianceReading",
    "PollStats",
    "error_kind",
    "exporter_registry",
    "metric_families",
]
