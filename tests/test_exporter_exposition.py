"""The body /metrics sends (backuptui.exporter.exposition): formatted by prometheus-client ahead of
the scrape, rebuilt after a change, in the format and encoding the scraper asks for."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector, CollectorRegistry

from backuptui.exporter.exposition import FASTEST, SLOWEST, Exposition


class Counted(Collector):
    def __init__(self) -> None:
        self.value = 1.0
        self.collections = 0

    def collect(self) -> Iterator[Metric]:
        self.collections += 1
        yield GaugeMetricFamily("probe_value", "a value the test changes", value=self.value)


def exposition() -> tuple[Exposition, Counted]:
    registry = CollectorRegistry(auto_describe=False)
    collector = Counted()
    registry.register(collector)
    return Exposition(registry), collector


def test_the_first_scrape_builds_and_the_next_ones_reuse_the_body() -> None:
    built, collector = exposition()
    content_type, body, gzipped = built.body(None, None)
    assert content_type.startswith("text/plain") and not gzipped
    assert b"probe_value 1.0" in body
    for _ in range(5):
        assert built.body(None, None)[1] is body
    assert collector.collections == 1
    assert FASTEST <= built.interval <= SLOWEST


def test_a_change_is_served_after_the_background_rebuild() -> None:
    built, collector = exposition()
    built.start()
    try:
        built.body(None, None)
        collector.value = 2.0
        built.changed()
        deadline = time.monotonic() + 10
        while b"probe_value 2.0" not in built.body(None, None)[1]:
            assert time.monotonic() < deadline, "the change was never served"
            time.sleep(0.02)
        collections = collector.collections
        time.sleep(3 * built.interval)  # nothing changed: nothing is rebuilt
        assert collector.collections == collections
    finally:
        built.close()


def test_openmetrics_and_gzip_when_asked() -> None:
    built, _ = exposition()
    content_type, body, gzipped = built.body("application/openmetrics-text; version=1.0.0", "gzip")
    assert content_type.startswith("application/openmetrics-text") and gzipped
    text = gzip.decompress(body)
    assert text.endswith(b"# EOF\n") and b"probe_value 1.0" in text
    plain_type, plain, zipped = built.body("text/plain", None)
    assert plain_type.startswith("text/plain") and not zipped and b"# EOF" not in plain
