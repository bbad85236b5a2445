"""`record`: watch an appliance as the monitor does and keep every exchange.

A `RecordingTransport` sits between the client's httpx client and its real transport, so the
monitor's own requests (login, first page, full history, active jobs, logout) are what is kept,
with the time each was sent and how long its answer took.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from backuptui.core.appliance._httpx import httpx
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.record.recording import Exchange, Recording
from backuptui.core.record.scrub import Anonymizer, is_login, kept_headers, without_secrets
from backuptui.core.watch.monitor import FIRST_PAGE, Monitor, RefreshSettings


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests on to `inner` and appends each exchange (body read in full) to `exchanges`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, start: float | None = None) -> None:
        self._inner = inner
        self.start = time.monotonic() if start is None else start
        self.exchanges: list[Exchange] = []
        self.tokens: set[str] = set()  # session ids seen in login answers: scrubbed everywhere

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = time.monotonic()
        response = await self._inner.handle_async_request(request)
        try:
            body = await response.aread()
        finally:
            await response.aclose()
        done = time.monotonic()
        method, path = request.method, request.url.path
        if is_login(method, path) and response.status_code < 300:
            try:
                token = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                token = None
            if isinstance(token, dict):  # /rest: {"value": "..."}
                token = token.get("value")
            if isinstance(token, str) and token:
                self.tokens.add(token)
            kept: bytes | None = None
        else:
            kept = body
        self.exchanges.append(
            Exchange(
                t=sent - self.start,
                elapsed=done - sent,
                method=method,
                path=path,
                query=request.url.query.decode("ascii", "replace"),
                status=response.status_code,
                headers=kept_headers(response.headers.items()),
                body=kept,
            )
        )
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-encoding"]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def attach(client: ApplianceClient) -> RecordingTransport:
    """Put a `RecordingTransport` in front of `client`'s real transport (TLS settings kept)."""
    # the client owns its httpx client; the recorder wraps that client's transport in place
    http = client._http
    recorder = RecordingTransport(http._transport)
    http._transport = recorder
    return recorder


async def record(
    client: ApplianceClient,
    seconds: float,
    *,
    password: str | None = None,
    anonymize: bool = False,
    settings: RefreshSettings | None = None,
    progress: Callable[[str], None] | None = None,
) -> Recording:
    """Watch the appliance for `seconds` as the monitor does, log out, and return what was seen."""
    recorder = attach(client)
    # the same requests as the monitor's (its first page too), so that the monitor replays them
    monitor = Monitor(client, settings or RefreshSettings(), first_page=FIRST_PAGE)
    started = datetime.now(UTC)
    deadline = time.monotonic() + seconds
    try:
        while True:
            snapshot = await monitor.poll()
            if progress is not None:
                progress(f"{len(recorder.exchanges)} requests; {snapshot.connection.value}")
            delay = monitor.next_delay()
            left = deadline - time.monotonic()
            if delay is None or left <= 0:
                break
            await asyncio.sleep(min(delay, left))
    finally:
        await monitor.close()
    secrets = set(recorder.tokens) | ({password} if password else set())
    exchanges = [without_secrets(e, secrets) for e in recorder.exchanges]
    appliance = client.base_url
    if anonymize:
        names = Anonymizer()
        host = urlsplit(appliance).hostname or ""
        names.host(host)
        appliance = names.url(appliance)
        exchanges = [names.exchange(e) for e in exchanges]
    flavor = client.flavor.value if client.flavor is not None else None
    return Recording(
        appliance=appliance,
        flavor=flavor,
        recorded_at=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        exchanges=exchanges,
        anonymized=anonymize,
    )
