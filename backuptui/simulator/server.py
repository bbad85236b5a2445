"""The HTTP transport: a threaded HTTP/1.1 (keep-alive) server on 127.0.0.1, faults, counting.

Appliance paths go through `routes.route` and are subject to faults and counted in the stats;
`/_simulator/*` (stats, faults, starting a backup) needs no session and is never faulted.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from backuptui.simulator import jsonrpc, wire
from backuptui.simulator.faults import FaultError, make_huge, nest_deeply
from backuptui.simulator.live import InProgress
from backuptui.simulator.routes import Answer, Request, answer, flavor_of, route

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
        if request.path.startswith("/_simulator/"):
            self._send(self._control(sim, request), count=False)
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
        fault = sim.faults.take(request.path, ("drop", "error_503", "error_500"))
        if fault == "drop":
            self.close_connection = True
            return
        flavor = flavor_of(request.path) or wire.API
        rpc = jsonrpc.is_jsonrpc(request) and wire.API in sim.flavors
        if fault in ("error_503", "error_500"):
            # the backup operations declare `error` (not `internal_server_error`) for a failure
            error_type, text = (
                ("SERVICE_UNAVAILABLE", "Service is unavailable.")
                if fault == "error_503"
                else ("ERROR", "Internal server error.")
            )
            if rpc:
                result = jsonrpc.error_answer(request, error_type, text)
            else:
                result = answer(wire.ERROR_STATUS[error_type], _error(flavor, error_type, text))
        else:
            try:
                result = jsonrpc.handle(sim, request) if rpc else route(sim, request)
            except Exception as exc:  # a simulator bug must look like an appliance 500, not hang
                text = f"Simulator error: {type(exc).__name__}"
                result = answer(500, _error(flavor, "ERROR", text))
        damage = sim.faults.take(request.path, ("malformed", "truncate", "deep")) if result.body else None
        huge = sim.faults.huge_bytes(request.path) if result.body else 0
        if huge:
            result = Answer(result.status, make_huge(result.body, huge), result.headers)
        if damage == "deep":
            result = Answer(result.status, nest_deeply(result.body), result.headers)
        elif damage == "malformed":
            # the body is damaged, the headers (a login's session cookie) are as they were
            damaged = result.body[: len(result.body) // 2] + b" <html>Bad Gateway"
            result = Answer(result.status, damaged, result.headers)
        self._send(result, count=True, truncate=damage == "truncate")

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

    def _control(self, sim: Simulator, request: Request) -> Answer:
        name = request.path[len("/_simulator/") :]
        if name == "stats" and request.method == "GET":
            return answer(200, sim.stats())
        if name == "fault" and request.method == "GET":
            return answer(200, sim.faults.state())
        if name == "fault" and request.method == "POST":
            try:
                change = json.loads(request.body or b"{}")
                if not isinstance(change, dict):
                    raise FaultError("the body must be a JSON object")
                return answer(200, sim.set_fault(change))
            except (ValueError, FaultError) as exc:
                return answer(400, {"error": str(exc)})
        if name == "backup" and request.method == "POST":
            try:
                return answer(200, {"id": sim.start_backup()})
            except InProgress as exc:
                return answer(409, {"error": str(exc)})
        return answer(404, {"error": f"no such simulator endpoint: {request.method} {request.path}"})


def _error(flavor: str, error_type: str, text: str) -> dict[str, Any]:
    msg_id = "com.vmware.vapi.std.errors." + error_type.lower()
    return wire.error_body(flavor, error_type, [wire.message(msg_id, text)])
