"""A prometheus-client collector over the latest state: a scrape reads what the background polls
left and never waits on an appliance or logs in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector, CollectorRegistry

from backuptui.core.metrics.mapping import ApplianceReading, metric_families

ReadingSource = Callable[[], Iterable[ApplianceReading]]


class ApplianceCollector(Collector):
    """Collects `metric_families` of whatever `source` returns at scrape time.

    `source` must only read (immutable snapshots and verdicts): it runs on the HTTP server's thread.
    """

    def __init__(self, source: ReadingSource) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        yield from metric_families(self._source())


def exporter_registry(source: ReadingSource) -> CollectorRegistry:
    """A registry with only the appliance metrics (no process or platform collectors: their
    names are the node exporter's business, and each would cost every scrape)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ApplianceCollector(source))
    return registry


__all__ = ["ApplianceCollector", "ReadingSource", "exporter_registry"]
