"""How an exchange with an appliance failed, worded for the person at the terminal.

Transport failures, HTTP error statuses (with the vAPI error body of either flavour) and bodies
that are not the JSON the API promises become the typed errors of `core/errors.py`. Each names
the appliance, says what happened and what to do; none carries a password or a session token.
"""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from backuptui.core.appliance.errors import (
    ApiError,
    ApplianceError,
    ApplianceUnreachable,
    AuthenticationFailed,
    InvalidResponse,
    NotAuthorized,
    TLSVerificationFailed,
)
from backuptui.core.appliance.nesting import TOO_DEEP, value_too_deep
from backuptui.core.appliance.record_fields import parse_error

if TYPE_CHECKING:
    import httpx

AUTH_HINT: Final = (
    "Check the user name and password. backuptui does not retry a refused login on its own: "
    "vCenter SSO locks an account after repeated failures (5 by default)"
)
PRIVILEGE_HINT: Final = (
    "The user needs to be in the SSO group SystemConfiguration.Administrators (the backup "
    "privilege); add it there or use an account that is"
)
RETRY_HINT: Final = (
    "Try again in a moment; if it persists, check the appliance's API service (VAMI, port 5480)"
)


def short_reason(text: str, limit: int = 200) -> str:
    """Appliance or library text quoted inside an error message: control characters written as
    escapes (`\x1b`), length capped. (`tui.format.one_line` is the screen's form of a line.)"""
    cleaned = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text.strip())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _short_type(error_type: str | None) -> str | None:
    # "/rest" names the error as "com.vmware.vapi.std.errors.service_unavailable", "/api" as
    # "SERVICE_UNAVAILABLE": both read the same to a person.
    if not error_type:
        return None
    return error_type.rsplit(".", 1)[-1].upper()


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def transport_error(
    exc: httpx.HTTPError,
    *,
    appliance: str,
    base_url: str,
    what: str,
    connect_timeout: float,
    read_timeout: float,
) -> ApplianceError:
    """A transport failure (no answer, or no complete answer) as the error a person can act on."""
    from backuptui.core.appliance._httpx import httpx  # loaded already: `exc` is one of its errors

    name = appliance
    host = urlsplit(base_url).hostname or name
    reachable_hint = (
        "Check that the appliance is up and reachable from this machine (address, port, "
        "firewall, VPN), then try again"
    )
    if isinstance(exc, httpx.ConnectTimeout):
        return ApplianceUnreachable(
            name,
            f"no connection within {connect_timeout:g} s (connect timeout)",
            reachable_hint + ", or raise the connect timeout",
        )
    if isinstance(exc, httpx.PoolTimeout):
        return ApplianceUnreachable(name, f"{what}: no free connection in time (pool timeout)", RETRY_HINT)
    if isinstance(exc, httpx.ReadTimeout):
        return ApplianceUnreachable(
            name,
            f"{what}: no answer within {read_timeout:g} s (read timeout)",
            "The appliance may be overloaded; try again, or raise the read timeout",
        )
    if isinstance(exc, httpx.WriteTimeout):
        return ApplianceUnreachable(
            name, f"{what}: sending the request timed out (write timeout)", reachable_hint
        )
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = short_reason(cause.verify_message or cause.reason or str(cause))
            return TLSVerificationFailed(
                name,
                f"the appliance's TLS certificate could not be verified ({reason})",
                "Give the profile the CA bundle that signed it (the appliance's root CA, from "
                "https://<appliance>/certs/download.zip), or, only on a trusted network, turn TLS "
                "verification off for this profile",
            )
        if isinstance(cause, ssl.SSLError):
            reason = short_reason(cause.reason or str(cause))
            if cause.reason == "WRONG_VERSION_NUMBER":  # the port answered in plain HTTP
                plain = urlsplit(base_url)._replace(scheme="http").geturl()
                return ApplianceUnreachable(
                    name,
                    f"the TLS handshake failed: the port answers in plain HTTP, not HTTPS ({reason})",
                    f"Check the address: its scheme must match the port ({plain} for a plain-HTTP "
                    "service such as the simulator; an appliance serves https:// on port 443)",
                )
            return ApplianceUnreachable(
                name,
                f"the TLS handshake failed ({reason})",
                "Check the address: its scheme (https:// or http://) and port must match the appliance",
            )
        if isinstance(cause, socket.gaierror):
            return ApplianceUnreachable(
                name,
                f"cannot resolve the host name {host!r} ({short_reason(cause.strerror or str(cause))})",
                "Check the spelling of the address and this machine's DNS settings",
            )
        if isinstance(cause, ConnectionRefusedError):
            port = urlsplit(base_url).port or (443 if urlsplit(base_url).scheme == "https" else 80)
            return ApplianceUnreachable(
                name,
                f"connection refused on port {port}",
                "Check the port in the address and that the appliance's web service is running",
            )
    text = (str(exc) or type(exc).__name__).rstrip(".")
    lowered = text.lower()
    if isinstance(exc, httpx.ConnectError) and (
        "name or service not known" in lowered
        or "nodename nor servname" in lowered
        or "temporary failure in name resolution" in lowered
    ):
        return ApplianceUnreachable(
            name, f"cannot resolve the host name {host!r}", "Check the spelling of the address and DNS"
        )
    if isinstance(exc, httpx.ConnectError):
        return ApplianceUnreachable(name, f"cannot connect ({short_reason(text)})", reachable_hint)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return ApplianceUnreachable(
            name,
            f"{what}: the connection was dropped before an answer arrived ({short_reason(text)})",
            reachable_hint,
        )
    return ApplianceUnreachable(name, f"{what}: {short_reason(text)}", reachable_hint)


def decode_json(content: bytes, status_code: int, *, appliance: str, what: str) -> Any:
    """The JSON value of a body, or InvalidResponse saying what is wrong with it and where.

    The error is raised outside the `except` blocks so that the decoder's exception, which holds
    the whole body (for a login, the session id), never rides along as its `__context__`.
    """
    if not content.strip():
        raise InvalidResponse(appliance, f"{what}: the body is empty", RETRY_HINT)
    problem = ""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = f"{what}: body is not UTF-8 text (bad byte at offset {exc.start})"
    if problem:
        raise InvalidResponse(appliance, problem, RETRY_HINT)
    value: Any = None
    try:
        value = json.loads(text)
    except RecursionError:
        problem = f"{what}: body is {TOO_DEEP}"
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} col {exc.colno}: {exc.msg.removesuffix(' starting at').lower()}"
        # "Unterminated string" is only raised when a string runs into the end of the text
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            problem = (
                f"{what}: body is not valid JSON ({where}); it ends early after {len(content)} bytes, "
                "so it is probably truncated"
            )
        elif text.lstrip().startswith("<"):
            problem = f"{what}: body is HTML, not JSON (a proxy or a web page answered; HTTP {status_code})"
        else:
            problem = f"{what}: body is not valid JSON ({where})"
    if not problem and value_too_deep(value):
        problem = f"{what}: body is {TOO_DEEP}"
    if not problem:
        return value
    raise InvalidResponse(appliance, problem, RETRY_HINT)


def status_error(
    status: int, content: bytes, headers: Mapping[str, str], *, appliance: str, user: str, what: str
) -> ApplianceError:
    """A non-2xx answer as a typed error, with the vAPI error type and messages of either flavour."""
    error_type: str | None = None
    texts: list[str] = []
    try:
        body = json.loads(content.decode("utf-8-sig")) if content.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        body = None
    if value_too_deep(body):
        body = None  # its messages cannot be read safely; the status still says what happened
    if isinstance(body, Mapping):
        parsed = parse_error(body)
        error_type = parsed.error_type
        texts = [message.text for message in parsed.messages if message.text]
    short = _short_type(error_type)
    detail = f"HTTP {status}" + (f" {short}" if short else "")
    said = f": {short_reason(texts[0])}" if texts else ""
    if status == 403:
        return NotAuthorized(
            appliance,
            f"{what}: the user {user!r} is not allowed to do this ({detail}{said})",
            PRIVILEGE_HINT,
        )
    if status == 401:  # only reached for a 401 outside the re-login path (e.g. logout)
        return AuthenticationFailed(appliance, f"{what}: the session was refused ({detail}{said})", AUTH_HINT)
    if 300 <= status < 400:
        location = headers.get("location", "")
        target = f" to {short_reason(location, 120)}" if location else ""
        return ApiError(
            appliance,
            f"{what}: the appliance redirected{target} ({detail})",
            "backuptui does not follow redirects. Check that the address in the profile is the "
            "appliance's own (https://, port 443); the redirect may come from a proxy or a "
            "misconfigured server, so do not take its target on trust",
            status_code=status,
            error_type=error_type,
            messages=texts,
        )
    if status >= 500:
        problem = f"{what}: the appliance's API service had a problem ({detail}{said})"
        hint = RETRY_HINT
    elif status == 404:
        problem = f"{what}: not found on the appliance ({detail}{said})"
        hint = "The job may no longer exist, or this appliance lacks the endpoint; refresh and try again"
    else:
        problem = f"{what}: the appliance refused the request ({detail}{said})"
        hint = "Refresh and try again; if it persists, the appliance's messages above say why"
    return ApiError(appliance, problem, hint, status_code=status, error_type=error_type, messages=texts)


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
