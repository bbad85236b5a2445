"""An appliance served from an asyncio event loop: many simulated appliances, one thread.

The threaded server (`server.py`) costs a thread per appliance and per connection, and each
listener wakes ten times a second; two hundred of them would keep two cores busy doing nothing.
Here every appliance is one `asyncio.start_server` listener on the same loop; what it answers is
`exchange`'s, so faults, counts and answers are those of the threaded server. HTTP/1.1 with
keep-alive, as the appliance's reverse proxy speaks it; a latency fault is an `asyncio.sleep`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import time
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from backuptui.simulator.exchange import CONTROL_PREFIX, appliance_outcome, control
from backuptui.simulator.routes import Answer, Request, answer

if TYPE_CHECKING:
    from backuptui.simulator.simulator import Simulator

#: the most a request head may hold (the client sends a few hundred bytes)
_HEAD_LIMIT = 64 * 1024
#: an idle keep-alive connection is closed after this many seconds (as `server.Handler.timeout`)
_IDLE = 300.0


class LoopListener:
    """One appliance's listening socket on the loop: its port and how many connections it took."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.accepted = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, host: str, port: int) -> LoopListener:
        self._server = await asyncio.start_server(self._connection, host, port, limit=_HEAD_LIMIT)
        self.port = int(self._server.sockets[0].getsockname()[1])
        self.sim.listener = self
        return self

    async def close(self) -> None:
        """Stop listening and close every open connection."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
        self.sim.listener = None

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.add(writer)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read one request, answer it; False: close the connection."""
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _IDLE)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            await self._write(writer, "GET", answer(400, {"error": "bad request line"}), count=False)
            return False
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            await self._write(writer, method, answer(400, {"error": "bad Content-Length"}), count=False)
            return False
        body = await reader.readexactly(length) if length > 0 else b""
        split = urlsplit(target)
        request = Request(
            method=method,
            path=split.path,
            query=parse_qsl(split.query, keep_blank_values=True),
            headers=headers,
            body=body,
        )
        keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
        sim = self.sim
        if request.path.startswith(CONTROL_PREFIX):
            await self._write(writer, method, control(sim, request), count=False)
            return keep
        sim.count_request(request.path)
        started = time.monotonic()
        try:
            delay = sim.faults.delay(request.path)
            if delay:
                await asyncio.sleep(delay)
            outcome = appliance_outcome(sim, request)
            if outcome.answer is None:  # the drop fault
                return False
            await self._write(writer, method, outcome.answer, count=True, truncate=outcome.truncate)
            return keep and not outcome.truncate
        finally:
            sim.note_request(request.path, started, time.monotonic())

    async def _write(
        self,
        writer: asyncio.StreamWriter,
        method: str,
        result: Answer,
        *,
        count: bool,
        truncate: bool = False,
    ) -> None:
        try:
            reason = HTTPStatus(result.status).phrase
        except ValueError:
            reason = ""
        date = email.utils.formatdate(self.sim.clock().timestamp(), usegmt=True)
        lines = [f"HTTP/1.1 {result.status} {reason}", "Server: VMware-vAPI-simulator", f"Date: {date}"]
        lines.extend(f"{name}: {value}" for name, value in result.headers.items())
        if result.status != 204:
            if "Content-Type" not in result.headers:
                lines.append("Content-Type: application/json")
            lines.append(f"Content-Length: {len(result.body)}")
        data = result.body[: len(result.body) // 2] if truncate else result.body
        if count:
            self.sim.count_bytes(len(data))
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if data and method != "HEAD":
            writer.write(data)
        await writer.drain()
