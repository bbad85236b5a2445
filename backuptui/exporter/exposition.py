"""The `/metrics` body, built ahead of the scrape: prometheus-client formats the registry in a
background thread whenever a poll changed something, and a scrape sends the latest body at once.

Formatting 100 appliances (about 3,000 samples) takes prometheus-client tens of milliseconds of
pure Python; done per scrape, that is the scrape's latency. Built ahead, a scrape costs a copy,
and the exported state is at most one rebuild interval older than the polls (which are seconds to
minutes apart anyway). The interval adapts: a hundred times the last build's duration, between
`FASTEST` and `SLOWEST` seconds, so rebuilding never takes more than about 1 % of a core.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry

FASTEST = 0.25
SLOWEST = 5.0
_SHARE = 100  # the interval is this many times the last build's duration


@dataclass(frozen=True, slots=True)
class Body:
    content_type: str
    data: bytes
    gzipped: bytes | None
    generation: int


class Exposition:
    """The latest formatted body per format asked for (text, OpenMetrics), plain and gzipped."""

    def __init__(self, registry: CollectorRegistry, clock: Callable[[], float] = time.monotonic) -> None:
        self._registry = registry
        self._clock = clock
        self._lock = threading.Lock()
        self._bodies: dict[str, Body] = {}  # by the Accept header's choice of content type
        self._encoders: dict[str, Callable[[CollectorRegistry], bytes]] = {}
        self._gzip: set[str] = set()  # content types somebody asked for gzipped
        self._generation = 0
        self.interval = FASTEST
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._refresh_loop, name="metrics-exposition", daemon=True)

    def changed(self) -> None:
        """Something a metric shows may have changed (called after every poll, on the event loop)."""
        self._generation += 1

    def body(self, accept: str | None, accept_encoding: str | None) -> tuple[str, bytes, bool]:
        """(content type, body, gzipped) for a scrape: the latest built body, built now only the
        first time a format is asked for."""
        encoder, content_type = choose_encoder(accept or "")
        wants_gzip = "gzip" in (accept_encoding or "")
        body = self._bodies.get(content_type)
        if body is None or (wants_gzip and body.gzipped is None):
            with self._lock:
                self._encoders[content_type] = encoder
                if wants_gzip:
                    self._gzip.add(content_type)
                body = self._bodies.get(content_type)
                if body is None or (wants_gzip and body.gzipped is None):
                    body = self._build(content_type)
        if wants_gzip and body.gzipped is not None:
            return body.content_type, body.gzipped, True
        return body.content_type, body.data, False

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _build(self, content_type: str) -> Body:
        """Format the registry now (the caller holds the lock)."""
        generation = self._generation
        started = self._clock()
        data = self._encoders[content_type](self._registry)
        gzipped = gzip.compress(data, compresslevel=6) if content_type in self._gzip else None
        self.interval = min(SLOWEST, max(FASTEST, _SHARE * (self._clock() - started)))
        body = Body(content_type, data, gzipped, generation)
        self._bodies[content_type] = body
        return body

    def _refresh_loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                for content_type, body in list(self._bodies.items()):
                    if body.generation != self._generation:
                        self._build(content_type)


__all__ = ["FASTEST", "SLOWEST", "Exposition"]
