"""Keeping secrets and names out of a recording.

Always: only the headers that matter are kept (no Authorization, session id, cookie or
Set-Cookie), a login's answer (the token) is left out, and any known secret (password, token)
still found in a path, query or body is replaced. `Anonymizer` also replaces host names, IP
addresses, user names and backup locations, the same name always by the same stand-in.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from backuptui.core.record.recording import Exchange

#: response headers worth keeping: how the body is encoded, and the appliance's clock
KEPT_HEADERS = ("content-type", "date")
SECRET_MARK = "<secret>"  # noqa: S105 - what replaces a secret
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_SN = re.compile(r"/sn_([A-Za-z0-9.-]+)/")
_USER_FIELDS = frozenset({"user", "location_user"})


def kept_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers if name.lower() in KEPT_HEADERS}


def is_login(method: str, path: str) -> bool:
    return method == "POST" and path.rstrip("/") in ("/api/session", "/rest/com/vmware/cis/session")


def without_secrets(exchange: Exchange, secrets: Iterable[str]) -> Exchange:
    """`exchange` with every occurrence of each secret replaced (longest first)."""
    words = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
    if not words:
        return exchange
    path, query, body = exchange.path, exchange.query, exchange.body
    for word in words:
        path = path.replace(word, SECRET_MARK)
        query = query.replace(word, SECRET_MARK)
        if body is not None:
            body = body.replace(word.encode("utf-8"), SECRET_MARK.encode())
    exchange.path, exchange.query, exchange.body = path, query, body
    return exchange


@dataclass
class Anonymizer:
    """Consistent stand-ins: `host-1.example.invalid`, `198.51.100.1`, `user-1`, `/location-1`."""

    hosts: dict[str, str] = field(default_factory=dict)
    ips: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)

    def host(self, name: str) -> str:
        if not name:
            return name
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return self.hosts.setdefault(name.lower(), f"host-{len(self.hosts) + 1}.example.invalid")
        return self.ip(name)

    def ip(self, address: str) -> str:
        return self.ips.setdefault(address, f"198.51.100.{len(self.ips) + 1}")

    def user(self, name: str) -> str:
        return self.users.setdefault(name, f"user-{len(self.users) + 1}") if name else name

    def url(self, text: str) -> str:
        """A URL with its host (and port kept) replaced."""
        parts = urlsplit(text)
        if not parts.hostname:
            return self.text(text)
        netloc = self.host(parts.hostname) + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, self.text(parts.path), parts.query, parts.fragment))

    def location(self, text: str) -> str:
        """A backup location: its server and folder become stand-ins; the appliance's own
        `/vCenter/sn_<fqdn>/<kind>_<version>_<time>_` tail keeps its shape (with the fqdn replaced)."""
        base, sep, tail = text.partition("/vCenter/")
        parts = urlsplit(base)
        folder = self.places.setdefault((parts.path or base).rstrip("/"), f"/location-{len(self.places) + 1}")
        head = f"{parts.scheme}://{self.host(parts.hostname)}{folder}" if parts.hostname else folder
        return head + (self.text(sep + tail) if sep else "")

    def text(self, text: str) -> str:
        """Any string: IP addresses and known host names replaced."""
        text = _IPV4.sub(lambda m: self.ip(m.group(0)) if _is_ip(m.group(0)) else m.group(0), text)
        text = _SN.sub(lambda m: f"/sn_{self.host(m.group(1))}/", text)
        for name in sorted(self.hosts, key=len, reverse=True):
            text = re.sub(re.escape(name), self.hosts[name], text, flags=re.IGNORECASE)
        return text

    def value(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            if set(value) == {"key", "value"}:  # a /rest map entry: the key is no field name
                return {"key": self.value(value["key"]), "value": self.value(value["value"])}
            return {k: self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(item, key) for item in value]
        if isinstance(value, str):
            if key in _USER_FIELDS:
                return self.user(value)
            if key == "location":
                return self.location(value)
            return self.text(value)
        return value

    def exchange(self, exchange: Exchange) -> Exchange:
        exchange.path = self.text(exchange.path)
        exchange.query = self.text(exchange.query)
        if exchange.body:
            try:
                data = json.loads(exchange.body)
            except (ValueError, UnicodeDecodeError):
                exchange.body = self.text(exchange.body.decode("utf-8", "replace")).encode("utf-8")
            else:
                exchange.body = json.dumps(
                    self.value(data), ensure_ascii=False, separators=(",", ":")
                ).encode("utf-8")
        return exchange


def _is_ip(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True
