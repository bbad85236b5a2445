"""The exporter's HTTP side: `/metrics` (the body prometheus-client formatted last, in the format
the scraper asks for), `/` (a page linking to it), `/-/healthy`; where to listen (loopback unless
told otherwise) and optional TLS.

The server runs in its own threads; a scrape only reads the collector's latest state.
"""

from __future__ import annotations

import html
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client.exposition import ThreadingWSGIServer

from backuptui import __version__
from backuptui.core.counting import counted
from backuptui.exporter.exposition import Exposition

#: the default port. Exporters pick theirs in 9100-9999, a range the Prometheus wiki's list of
#: default ports has fully handed out, so another exporter on the same host may use it: --listen
DEFAULT_PORT = 9847
DEFAULT_HOST = "127.0.0.1"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = dict[str, Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class ListenError(ValueError):
    """A `--listen` value that is not HOST:PORT, or TLS options that do not fit together."""


@dataclass(frozen=True, slots=True)
class Listen:
    host: str
    port: int

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def url(self, port: int | None = None, *, tls: bool = False) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if tls else 'http'}://{host}:{self.port if port is None else port}"


def parse_listen(text: str) -> Listen:
    """`127.0.0.1:9847`, `[::1]:9847`, `0.0.0.0:9847`, `:9847` (loopback) or `9847` (loopback)."""
    value = text.strip()
    if value.isdigit():
        host, port_text = DEFAULT_HOST, value
    elif value.startswith("["):
        end = value.find("]")
        if end < 0 or value[end + 1 : end + 2] != ":":
            raise ListenError(f"--listen {text!r}: write an IPv6 address as [ADDRESS]:PORT, e.g. [::1]:9847")
        host, port_text = value[1:end], value[end + 2 :]
    elif value.count(":") == 1:
        host, port_text = value.split(":")
        host = host or DEFAULT_HOST
    else:
        raise ListenError(f"--listen {text!r}: write HOST:PORT, e.g. 127.0.0.1:{DEFAULT_PORT}")
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ListenError(f"--listen {text!r}: the port must be a number from 0 to 65535")
    return Listen(host, int(port_text))


def tls_context(cert: str | None, key: str | None, client_ca: str | None = None) -> ssl.SSLContext | None:
    """A server TLS context from PEM files (the options prometheus-client's server takes), or None."""
    if cert is None and key is None:
        if client_ca is not None:
            raise ListenError("--tls-client-ca needs --tls-cert and --tls-key")
        return None
    if cert is None or key is None:
        raise ListenError("TLS needs both --tls-cert and --tls-key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
        if client_ca is not None:
            context.load_verify_locations(cafile=client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise ListenError(f"the TLS certificate or key could not be loaded: {reason}") from None
    return context


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>backuptui exporter</title></head>
<body>
<h1>backuptui exporter</h1>
<p>Backups of vCenter Server Appliances, as Prometheus metrics (backuptui {version}).</p>
<ul>
<li><a href="metrics">/metrics</a>: the metrics ({count} watched)</li>
<li><a href="-/healthy">/-/healthy</a>: is the exporter running</li>
</ul>
</body></html>
"""


def exporter_app(exposition: Exposition, appliance_count: Callable[[], int]) -> WsgiApp:
    """The WSGI application: metrics, the index page and the health check; 404 for anything else."""

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", "use GET\n", [("Allow", "GET, HEAD")])
        if path == "/metrics":
            content_type, body, gzipped = exposition.body(
                environ.get("HTTP_ACCEPT"), environ.get("HTTP_ACCEPT_ENCODING")
            )
            headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            if gzipped:
                headers.append(("Content-Encoding", "gzip"))
            start_response("200 OK", headers)
            return [body]
        if path == "/":
            page = _PAGE.format(
                version=html.escape(__version__), count=counted(appliance_count(), "appliance")
            )
            body = page.encode()
            start_response(
                "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if path == "/-/healthy":
            return _plain(start_response, "200 OK", "backuptui exporter is healthy\n")
        return _plain(start_response, "404 Not Found", "not found: the metrics are at /metrics\n")

    def head_or_get(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = app(environ, start_response)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else body  # HEAD: the headers only

    return head_or_get


def _plain(
    start_response: StartResponse, status: str, text: str, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    body = text.encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *(extra or []),
    ]
    start_response(status, headers)
    return [body]


class _QuietHandler(WSGIRequestHandler):
    """No access log: the exporter logs state changes, not every scrape."""

    def log_message(self, format: str, *args: Any) -> None:
        return


class MetricsServer:
    """A threaded HTTP(S) server for the exporter app; `close()` stops it and frees the port."""

    def __init__(self, app: WsgiApp, listen: Listen, tls: ssl.SSLContext | None) -> None:
        family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET

        class Server(ThreadingWSGIServer):
            address_family = family

        self._httpd = make_server(listen.host, listen.port, app, Server, handler_class=_QuietHandler)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.listen = listen
        self.tls = tls is not None
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="metrics-http", daemon=True)

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return self.listen.url(self.port, tls=self.tls)

    def close(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "Listen",
    "ListenError",
    "MetricsServer",
    "WsgiApp",
    "exporter_app",
    "parse_listen",
    "tls_context",
]
