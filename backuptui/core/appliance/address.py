"""Appliance addresses: what a person types (a host, or a URL with scheme and port) as a base URL."""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _valid_host(host: str) -> bool:
    if not host or len(host) > 253:
        return False
    if ":" in host:  # IPv6 literal (urlsplit has already removed the brackets)
        try:
            socket.inet_pton(socket.AF_INET6, host.split("%", 1)[0])
        except OSError:
            return False
        return True
    return all(_HOST_LABEL.match(label) for label in host.rstrip(".").split("."))


def base_url_for(text: str) -> str:
    """The base URL of an appliance from what a person typed: a host, or a URL with scheme and port.

    `vcsa01.example.com` means `https://vcsa01.example.com`; `http://127.0.0.1:8080` is kept (labs,
    the simulator). Raises `ValueError` with a sentence saying what is wrong.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValueError("no appliance address given: expected a host name such as vcsa01.example.com")
    # never echo a password someone pasted into the address ("https://root:secret@vcsa")
    shown = repr(re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)?[^/@]*@", r"\1***@", raw))
    if any(ch.isspace() or ord(ch) < 32 for ch in raw):
        raise ValueError(f"{shown} is not an appliance address: it contains spaces or control characters")
    candidate = raw if "://" in raw else f"https://{raw}"
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{shown} is not an appliance address ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise ValueError(f"{shown}: the address must start with https:// or http://, not {parts.scheme}://")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            f"{shown}: put the user name in the profile or --user, not in the address (and never a password)"
        )
    host = (parts.hostname or "").lower()
    if not _valid_host(host):
        raise ValueError(
            f"{shown} is not an appliance address: {host or 'the host name'!r} is not a valid host name"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(
            f"{shown}: give only the appliance's host (and port), e.g. {scheme}://{parts.hostname}, "
            "without a path or query"
        )
    default_port = 443 if scheme == "https" else 80
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != default_port:
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}"
