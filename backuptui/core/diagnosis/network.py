"""The steps below HTTP: name resolution, the TCP connection, and TLS.

Each runs in a thread with blocking sockets and its own timeout: simple, and nothing here is on
a hot path. The TLS check builds its context the way the client does (httpx's default bundle, or
the profile's CA bundle), so a ✔ here means the client will verify too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from backuptui.core.appliance._httpx import httpx
from backuptui.core.diagnosis.step import Step, failed, ok, skipped, warning

#: seconds each network step waits
STEP_TIMEOUT = 5.0
#: a certificate that expires sooner than this is worth a warning
EXPIRY_WARNING_DAYS = 30

_CA_HINT = (
    "Download the appliance's CA from https://{address}/certs/download.zip and give it with "
    "--ca-bundle PATH (or ca_bundle in the profile); --no-verify only to test"
)


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    tls: bool


def proxy_note() -> str:
    """httpx honours the proxy variables: a proxy in the way is a common cause of odd failures."""
    names = [
        name for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy") if os.environ.get(name)
    ]
    return f" ({names[0]} is set: requests go through that proxy)" if names else ""


async def resolve_name(endpoint: Endpoint) -> Step:
    name = "name resolution"
    try:
        ipaddress.ip_address(endpoint.host)
    except ValueError:
        pass
    else:
        return ok(name, f"{endpoint.host} is an address (nothing to look up)")
    try:
        infos = await asyncio.to_thread(
            socket.getaddrinfo, endpoint.host, endpoint.port, type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) and exc.strerror else str(exc)
        return failed(
            name,
            f"{endpoint.host} does not resolve ({reason})",
            "Check the host name in the URL (a typo, the short name instead of the FQDN?), the DNS "
            "servers in /etc/resolv.conf, or use the appliance's IP address",
        )
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    return ok(name, f"{endpoint.host} is {', '.join(addresses[:4])}")


async def connect_tcp(endpoint: Endpoint) -> Step:
    name = "TCP connect"
    where = f"{endpoint.host}:{endpoint.port}"
    started = time.perf_counter()
    try:
        sock = await asyncio.to_thread(socket.create_connection, (endpoint.host, endpoint.port), STEP_TIMEOUT)
    except TimeoutError:
        return failed(
            name,
            f"no answer from {where} within {STEP_TIMEOUT:g} s (dropped on the way?)",
            f"A firewall between here and the appliance may drop port {endpoint.port}; check "
            "that the appliance is up and the route to it" + proxy_note(),
        )
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return failed(
            name,
            f"cannot connect to {where} ({reason})",
            f"Check that the appliance is up and answers on port {endpoint.port} (HTTPS: 443), "
            "and that no firewall refuses the connection",
        )
    elapsed = (time.perf_counter() - started) * 1000
    sock.close()
    return ok(name, f"connected to {where} in {elapsed:.0f} ms{proxy_note()}")


def _context(verify: bool | str | ssl.SSLContext) -> tuple[ssl.SSLContext, str]:
    """The context the client would use, and the name of the trust store it verifies against."""
    if isinstance(verify, ssl.SSLContext):  # a CA bundle, already read by the resolution
        cas = [_names(ca.get("subject")) for ca in verify.get_ca_certs() if isinstance(ca, dict)]
        return verify, f"the CA bundle ({', '.join(cas[:3]) or 'no CA certificate'})"
    if verify is False:
        return httpx.create_ssl_context(verify=False), "nothing (verification is off)"
    if verify is True:
        store = os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR")
        if not store:
            import certifi

            store = certifi.where()
        return httpx.create_ssl_context(verify=True), f"the default CA bundle {store}"
    path = str(Path(verify).expanduser())
    return ssl.create_default_context(cafile=path), f"the CA bundle {path}"


def _handshake(endpoint: Endpoint, context: ssl.SSLContext) -> tuple[dict[str, object], str]:
    with socket.create_connection((endpoint.host, endpoint.port), STEP_TIMEOUT) as sock:
        server_name = endpoint.host
        with context.wrap_socket(sock, server_hostname=server_name) as tls:
            cert = tls.getpeercert() or {}
            der = tls.getpeercert(binary_form=True) or b""
            return {"cert": cert, "der": der}, tls.version() or "TLS"


_SHORT = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU", "countryName": "C"}


def _names(value: object) -> str:
    """'CN=vcsa01,O=VMware' (as RFC 4514 writes it) from getpeercert()'s nested tuples."""
    parts: list[str] = []
    if isinstance(value, tuple):
        for rdn in value:
            for pair in rdn:
                if isinstance(pair, tuple) and len(pair) == 2:
                    parts.append(f"{_SHORT.get(pair[0], pair[0])}={pair[1]}")
    return ",".join(reversed(parts))


def describe_der(der: bytes) -> str:
    """Who a certificate names and who issued it, from its DER bytes (the unverified case)."""
    try:
        from cryptography import x509
    except ImportError:
        return ""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return ""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n.value) for n in san]
    except x509.ExtensionNotFound:
        names = []
    self_signed = " (self-signed)" if cert.issuer == cert.subject else ""
    text = f"issued to {cert.subject.rfc4514_string() or '?'} by {cert.issuer.rfc4514_string()}{self_signed}"
    text += f", valid until {cert.not_valid_after_utc:%Y-%m-%d}"
    if names:
        text += f", for {', '.join(names[:5])}"
    return text


async def check_tls(endpoint: Endpoint, verify: bool | str | ssl.SSLContext) -> Step:
    name = "TLS"
    if not endpoint.tls:
        return warning(
            name,
            "plain HTTP: no TLS, the password crosses the network in clear",
            "Use an https:// URL for a real appliance (plain HTTP is for the simulator)",
        )
    try:
        context, store = _context(verify)
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return failed(
            name,
            f"cannot use the CA bundle {verify!s} ({reason})",
            "Point --ca-bundle (or the profile's ca_bundle) at a readable PEM file",
        )
    try:
        found, version = await asyncio.to_thread(_handshake, endpoint, context)
    except ssl.SSLCertVerificationError as exc:
        return await _unverified(endpoint, exc, store)
    except (ssl.SSLError, OSError) as exc:
        return failed(
            name,
            f"TLS handshake with {endpoint.host}:{endpoint.port} failed ({exc})",
            "Check that the port serves HTTPS (443 on an appliance) and no proxy intercepts it",
        )
    if verify is False:
        seen = describe_der(found["der"])  # type: ignore[arg-type]
        return warning(
            name,
            f"{version}, certificate not verified (--no-verify){': ' + seen if seen else ''}",
            _ca_hint(endpoint),
        )
    cert = found["cert"]
    assert isinstance(cert, dict)
    issuer = _names(cert.get("issuer")) or "?"
    subject = _names(cert.get("subject")) or "?"
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(str(cert["notAfter"])), UTC)
    days = (expires - datetime.now(UTC)).days
    detail = (
        f"{version}, issued to {subject} by {issuer}, valid until {expires:%Y-%m-%d}; verifies "
        f"against {store}; the name {endpoint.host} matches"
    )
    if days < EXPIRY_WARNING_DAYS:
        return warning(
            name, f"{detail}; expires in {days} days", "Renew the appliance's certificate before it expires"
        )
    return ok(name, detail)


async def _unverified(endpoint: Endpoint, error: ssl.SSLCertVerificationError, store: str) -> Step:
    """Why verification failed, with what the certificate says (read again without verifying)."""
    reason = error.verify_message or str(error)
    try:
        found, _ = await asyncio.to_thread(_handshake, endpoint, httpx.create_ssl_context(verify=False))
        seen = describe_der(found["der"])  # type: ignore[arg-type]
    except (ssl.SSLError, OSError):
        seen = ""
    detail = f"the certificate does not verify against {store}: {reason}"
    if seen:
        detail += f"; {seen}"
    if "hostname" in reason.lower() or "ip address mismatch" in reason.lower():
        fix = f"Connect by a name the certificate lists (not {endpoint.host}), or reissue the certificate"
    elif "expired" in reason.lower():
        fix = "Renew the appliance's certificate (vSphere Client: Certificate Management)"
    else:
        fix = _ca_hint(endpoint)
    return failed("TLS", detail, fix)


def _ca_hint(endpoint: Endpoint) -> str:
    address = endpoint.host if endpoint.port == 443 else f"{endpoint.host}:{endpoint.port}"
    return _CA_HINT.format(address=address)


def not_reached(name: str) -> Step:
    return skipped(name, "the appliance was not reached")
