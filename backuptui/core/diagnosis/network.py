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
from pathlib import Path

from backuptui.core.appliance._httpx import httpx
from backuptui.core.diagnosis.certificates import CertificateInfo, peer_chain, read_certificate
from backuptui.core.diagnosis.step import Outcome, Step, failed, ok, skipped, warning

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


@dataclass(frozen=True)
class Handshake:
    version: str
    der: bytes  # the leaf
    chain: list[CertificateInfo]  # leaf first: as verified (to the trusted root), or as sent


def _handshake(endpoint: Endpoint, context: ssl.SSLContext) -> Handshake:
    with socket.create_connection((endpoint.host, endpoint.port), STEP_TIMEOUT) as sock:
        server_name = endpoint.host
        with context.wrap_socket(sock, server_hostname=server_name) as tls:
            der = tls.getpeercert(binary_form=True) or b""
            verified = context.verify_mode != ssl.CERT_NONE
            chain = [info for info in map(read_certificate, peer_chain(tls, verified=verified)) if info]
            return Handshake(tls.version() or "TLS", der, chain)


def _chain_data(chain: list[CertificateInfo]) -> dict[str, object]:
    return {"chain": [cert.as_json() for cert in chain]}


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
    cert = read_certificate(der)
    if cert is None:
        return ""
    self_signed = " (self-signed)" if cert.self_signed else ""
    text = f"issued to {cert.subject} by {cert.issuer}{self_signed}, valid until {cert.not_after:%Y-%m-%d}"
    if cert.names:
        text += f", for {', '.join(cert.names[:5])}"
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
        found = await asyncio.to_thread(_handshake, endpoint, context)
    except ssl.SSLCertVerificationError as exc:
        return await _unverified(endpoint, exc, store)
    except (ssl.SSLError, OSError) as exc:
        return failed(
            name,
            f"TLS handshake with {endpoint.host}:{endpoint.port} failed ({exc})",
            "Check that the port serves HTTPS (443 on an appliance) and no proxy intercepts it",
        )
    version, chain = found.version, found.chain
    data = _chain_data(chain)
    if verify is False:
        seen = describe_der(found.der)
        return Step(
            name,
            Outcome.WARNING,
            f"{version}, certificate not verified (--no-verify){': ' + seen if seen else ''}",
            _ca_hint(endpoint),
            data,
        )
    leaf = chain[0] if chain else read_certificate(found.der)
    if leaf is None:
        return ok(name, f"{version}; verifies against {store}; the name {endpoint.host} matches")
    detail = (
        f"{version}, issued to {leaf.subject} by {leaf.issuer}, valid until {leaf.not_after:%Y-%m-%d}; "
        f"verifies against {store}; the name {endpoint.host} matches"
    )
    expiring = [cert for cert in chain if cert.days_left() < EXPIRY_WARNING_DAYS]
    if expiring:
        soonest = min(expiring, key=lambda cert: cert.not_after)
        which = "the appliance's certificate" if soonest is chain[0] else f"the certificate {soonest.subject}"
        return Step(
            name,
            Outcome.WARNING,
            f"{detail}; {which} expires in {soonest.days_left()} days",
            "Renew it before it expires (vSphere Client: Certificate Management)",
            data,
        )
    return Step(name, Outcome.OK, detail, "", data)


async def _unverified(endpoint: Endpoint, error: ssl.SSLCertVerificationError, store: str) -> Step:
    """Why verification failed, with what the certificate says (read again without verifying)."""
    reason = (error.verify_message or str(error)).rstrip(".")
    chain: list[CertificateInfo] = []
    try:
        found = await asyncio.to_thread(_handshake, endpoint, httpx.create_ssl_context(verify=False))
        seen, chain = describe_der(found.der), found.chain
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
    return Step("TLS", Outcome.FAILED, detail, fix, _chain_data(chain) if chain else None)


def _ca_hint(endpoint: Endpoint) -> str:
    address = endpoint.host if endpoint.port == 443 else f"{endpoint.host}:{endpoint.port}"
    return _CA_HINT.format(address=address)


def not_reached(name: str) -> Step:
    return skipped(name, "the appliance was not reached")
