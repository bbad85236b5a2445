"""The HTTP transport of one appliance: a threaded HTTP/1.1 (keep-alive) server on 127.0.0.1.

What it answers is `exchange`'s (faults, routes, the `/_simulator/*` control endpoints); here only
sockets, headers and counting.
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from backuptui.simulator.exchange import CONTROL_PREFIX, appliance_outcome, control
from backuptui.simulator.routes import Answer, Request, answer

if TYPE_CHECKING:
    from backuptui.simulator.simulator import Simulator


class ApplianceServer(ThreadingHTTPServer):
    """A `ThreadingHTTPServer` that remembers its open connections so `stop` can close them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: Simulator, *, vami: bool = False) -> None:
        self.sim = sim
        self.vami = vami  # the management port: Basic auth on every request
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.accepted = 0  # TCP connections accepted (keep-alive reuse shows as few connections)
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
            self.accepted += 1
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (or `stop` closing its socket) is normal, not worth a traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            print(f"simulator: error while serving {client_address}: {error!r}", file=sys.stderr)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "VMware-vAPI-simulator"
    sys_version = ""
    timeout = 300  # an idle keep-alive connection is closed after this many seconds
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's delayed
    # ACK (~40 ms per request on loopback). TCP_NODELAY sends it at once.
    disable_nagle_algorithm = True
    server: ApplianceServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` header from the appliance's clock (which may be skewed)."""
        if timestamp is None:
            timestamp = self.server.sim.clock().timestamp()
        return email.utils.formatdate(timestamp, usegmt=True)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        sim = self.server.sim
        split = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            self._send(answer(400, {"error": "bad Content-Length"}), count=False)
            return
        body = self.rfile.read(length) if length > 0 else b""
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qsl(split.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            vami=self.server.vami,
        )
        if request.path.startswith(CONTROL_PREFIX):
            self._send(control(sim, request), count=False)
            return
        sim.count_request(request.path)
        started = time.monotonic()
        try:
            self._appliance_request(sim, request)
        finally:
            sim.note_request(request.path, started, time.monotonic())

    def _appliance_request(self, sim: Simulator, request: Request) -> None:
        delay = sim.faults.delay(request.path)
        if delay:
            time.sleep(delay)
        outcome = appliance_outcome(sim, request)
        if outcome.answer is None:
            self.close_connection = True
            return
        self._send(outcome.answer, count=True, truncate=outcome.truncate)

    def _send(self, result: Answer, *, count: bool, truncate: bool = False) -> None:
        self.send_response(result.status)
        for name, value in result.headers.items():
            self.send_header(name, value)
        if result.status != 204:
            if "Content-Type" not in result.headers:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(result.body)))
        self.end_headers()
        data = result.body[: len(result.body) // 2] if truncate else result.body
        if count:
            # counted before the write: a client may have read the whole body (and asked for the
            # stats) before this thread gets to run again after writing it
            self.server.sim.count_bytes(len(data))
        if data and self.command != "HEAD":
            self.wfile.write(data)
        if truncate:
            self.wfile.flush()
            self.close_connection = True
