"""The HTTP client for one appliance: sessions, both URL flavours, typed errors.

One `httpx.AsyncClient` (one keep-alive connection) per appliance. A call logs in when there is
no session and logs in again once after a 401 (the session expired), then retries once. A login
the appliance refuses is never retried on its own: vCenter SSO locks an account after a few
failures, so after one refusal every call fails fast until `set_password()` is called.

Every failure is one of the typed errors of `core/errors.py`, worded for the person at the
terminal; no httpx exception, password or session token ever leaves this module.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import ssl
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, NoReturn
from urllib.parse import quote, urlsplit

from backuptui.core.errors import (
    ApiError,
    ApplianceError,
    ApplianceUnreachable,
    AuthenticationFailed,
    InvalidResponse,
    NotAuthorized,
    TLSVerificationFailed,
)
from backuptui.core.models import (
    ApiFlavor,
    DetailsResult,
    RecordError,
    ResponseShapeError,
    Schedule,
    parse_details,
    parse_error,
    parse_schedules,
)
from backuptui.core.secrets import Secret


def _import_httpx() -> Any:
    # httpx imports its command-line tool (and with it rich, click and pygments) whenever click is
    # installed, e.g. by textual-dev. core/ must not load rich, and the headless commands should
    # not pay ~60 ms for a CLI they never use, so that one optional import is made to fail.
    if "httpx" in sys.modules:
        return sys.modules["httpx"]
    blocked = "httpx._main" not in sys.modules
    if blocked:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx as module
    finally:
        if blocked and sys.modules.get("httpx._main") is None:
            del sys.modules["httpx._main"]
    return module


_import_httpx()
import httpx  # noqa: E402  (already imported above, without its CLI)

log = logging.getLogger(__name__)

SESSION_HEADER: Final = "vmware-api-session-id"

# Statuses of POST /api/session that mean "this appliance has no /api flavour" (vSphere < 7.0 U2):
# no credentials were checked, so falling back to /rest costs no failed login.
_NO_API_FLAVOUR: Final = frozenset({404, 405, 501})

_SESSION_PATH: Final = {ApiFlavor.API: "/api/session", ApiFlavor.REST: "/rest/com/vmware/cis/session"}
_BACKUP_PREFIX: Final = {
    ApiFlavor.API: "/api/appliance/recovery/backup",
    ApiFlavor.REST: "/rest/appliance/recovery/backup",
}
# the details filter in each flavour's syntax (reference section 1.1)
_JOBS_FILTER_PARAM: Final = {ApiFlavor.API: "jobs", ApiFlavor.REST: "filter.jobs"}

_AUTH_HINT: Final = (
    "Check the user name and password. backuptui does not retry a refused login on its own: "
    "vCenter SSO locks an account after repeated failures (5 by default)"
)
_PRIVILEGE_HINT: Final = (
    "The user needs to be in the SSO group SystemConfiguration.Administrators (the backup "
    "privilege); add it there or use an account that is"
)
_RETRY_HINT: Final = (
    "Try again in a moment; if it persists, check the appliance's API service (VAMI, port 5480)"
)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for a connection and for each read of a response."""

    connect: float = 5.0
    read: float = 15.0

    def __post_init__(self) -> None:
        if not (self.connect > 0 and self.read > 0):
            raise ValueError("timeouts must be positive numbers of seconds")


# ---------------------------------------------------------------------------------------------
# Addresses

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


# ---------------------------------------------------------------------------------------------
# Error wording


def _one_line(text: str, limit: int = 200) -> str:
    """Appliance text for a one-line message: control characters made visible, length capped."""
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


@dataclass(slots=True)
class _Body:
    status_code: int
    content: bytes
    headers: httpx.Headers


class ApplianceClient:
    """An authenticated session with one appliance's backup API, in either URL flavour."""

    def __init__(
        self,
        address: str,
        user: str,
        password: Secret,
        *,
        flavor: ApiFlavor | str | None = None,
        verify: bool | str | Path = True,
        timeouts: Timeouts | None = None,
        name: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url_for(address)
        parts = urlsplit(self.base_url)
        self.name = name or parts.netloc
        if not isinstance(password, Secret):
            raise TypeError("the password must be a Secret")
        self.user = user
        self._password = password
        self._fixed_flavor = ApiFlavor(flavor) if flavor is not None else None
        self._flavor: ApiFlavor | None = None
        self.timeouts = timeouts or Timeouts()
        self._scheme = parts.scheme
        self._verify_setting: bool | str = verify if isinstance(verify, bool) else str(verify)
        self._token: Secret | None = None
        self._auth_failure: tuple[str, str] | None = None
        self._login_lock = asyncio.Lock()
        self._closed = False
        self.bytes_received = 0
        self.connections_opened = 0
        self._last_connection: object = None

        limits = httpx.Limits(max_connections=2, max_keepalive_connections=1, keepalive_expiry=60.0)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            verify=self._ssl_verify(),
            timeout=httpx.Timeout(
                self.timeouts.read,
                connect=self.timeouts.connect,
                write=self.timeouts.read,
                pool=self.timeouts.connect + self.timeouts.read,
            ),
            limits=limits,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "backuptui"},
        )

    def _ssl_verify(self) -> bool | ssl.SSLContext:
        setting = self._verify_setting
        if isinstance(setting, bool):
            return setting
        path = Path(setting).expanduser()
        try:
            context = ssl.create_default_context(cafile=str(path))
        except (OSError, ssl.SSLError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise TLSVerificationFailed(
                self.name,
                f"cannot use the CA bundle {str(path)!r} ({reason})",
                "Point the profile's CA bundle at a PEM file with the appliance's CA certificate "
                "(from https://<appliance>/certs/download.zip)",
            ) from None
        return context

    # -- public state -------------------------------------------------------------------------

    @property
    def flavor(self) -> ApiFlavor | None:
        """The URL flavour in use: the override, or what login detected (None before login)."""
        return self._flavor

    @property
    def verify_tls(self) -> bool:
        """True when the connection is TLS with the certificate verified (not plain HTTP, not off)."""
        return self._scheme == "https" and self._verify_setting is not False

    @property
    def logged_in(self) -> bool:
        return self._token is not None

    def __repr__(self) -> str:
        return (
            f"ApplianceClient(name={self.name!r}, base_url={self.base_url!r}, user={self.user!r}, "
            f"flavor={self._flavor}, verify_tls={self.verify_tls}, logged_in={self.logged_in})"
        )

    def set_password(self, password: Secret) -> None:
        """A new password (the user typed it again): the next call may log in once more."""
        if not isinstance(password, Secret):
            raise TypeError("the password must be a Secret")
        self._password = password
        self._auth_failure = None

    # -- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> ApplianceClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Log out (DELETE the session) if logged in, then close the connection. Never raises."""
        if self._closed:
            return
        token, self._token = self._token, None
        try:
            if token is not None and self._flavor is not None:
                try:
                    await self._send(
                        "DELETE",
                        _SESSION_PATH[self._flavor],
                        token=token,
                        what="logout",
                        request_timeout=httpx.Timeout(
                            min(self.timeouts.read, 5.0), connect=min(self.timeouts.connect, 3.0)
                        ),
                    )
                except ApplianceError as exc:
                    log.debug("%s: logout failed: %s", self.name, exc)
        finally:
            self._closed = True
            await self._http.aclose()

    # -- sessions -----------------------------------------------------------------------------

    async def login(self) -> None:
        """Log in now if there is no session. A refused login raises and is never retried."""
        async with self._login_lock:
            if self._token is None:
                await self._login()

    async def _ensure_session(self) -> Secret:
        token = self._token
        if token is not None:
            return token
        async with self._login_lock:
            if self._token is None:
                await self._login()
            assert self._token is not None
            return self._token

    async def _relogin(self, expired: Secret) -> Secret:
        async with self._login_lock:
            if self._token is expired or self._token is None:
                self._token = None
                log.info("%s: session expired, logging in again", self.name)
                await self._login()
            assert self._token is not None
            return self._token

    def _auth_failed(self) -> NoReturn:
        assert self._auth_failure is not None
        problem, hint = self._auth_failure
        raise AuthenticationFailed(self.name, problem, hint)

    async def _login(self) -> None:
        if self._auth_failure is not None:
            self._auth_failed()
        self._check_open()
        known = self._fixed_flavor or self._flavor
        candidates = [known] if known is not None else [ApiFlavor.API, ApiFlavor.REST]
        auth = httpx.BasicAuth(self.user, self._password.reveal())
        for flavor in candidates:
            path = _SESSION_PATH[flavor]
            what = f"login ({path})"
            response = await self._send("POST", path, auth=auth, what=what)
            status = response.status_code
            if status in _NO_API_FLAVOUR and flavor is ApiFlavor.API and len(candidates) > 1:
                log.info("%s: no /api flavour (HTTP %d), using /rest", self.name, status)
                continue
            if status == 401:
                self._auth_failure = (
                    f"the appliance refused the login of {self.user!r} (HTTP 401)",
                    _AUTH_HINT,
                )
                self._auth_failed()
            if status in _NO_API_FLAVOUR:
                hint = (
                    "This appliance may not have the /api flavour (vSphere 7.0 U2+); try the /rest "
                    "flavour or automatic detection"
                    if flavor is ApiFlavor.API and len(candidates) == 1
                    else "Check that the address points at a vCenter Server Appliance"
                )
                tried = " or ".join(_SESSION_PATH[f] for f in candidates)
                raise ApiError(
                    self.name,
                    f"the appliance has no session endpoint at {tried} (HTTP {status})",
                    hint,
                    status_code=status,
                )
            if not 200 <= status < 300:
                self._raise_for_status(response, what)
            token = self._decode_json(response, what)
            if flavor is ApiFlavor.REST:
                token = token.get("value") if isinstance(token, Mapping) else None
            if not isinstance(token, str) or not token:
                raise InvalidResponse(
                    self.name,
                    f"{what}: expected the session id as a JSON string, got {_json_kind(token)}",
                    _RETRY_HINT,
                )
            self._token = Secret(token)
            self._flavor = flavor
            log.info("%s: logged in as %s (%s flavour)", self.name, self.user, flavor.value)
            return
        raise AssertionError("unreachable")  # pragma: no cover

    # -- API calls ----------------------------------------------------------------------------

    async def list_job_details(self, jobs: Iterable[str] | None = None) -> DetailsResult:
        """The details of every backup job, or only of `jobs`; newest first, bad records in `problems`."""
        wanted = None if jobs is None else list(dict.fromkeys(jobs))
        if wanted is not None and not wanted:
            return DetailsResult(jobs=())  # an empty filter matches nothing; on the wire it would mean "all"

        def path(flavor: ApiFlavor) -> str:
            return f"{_BACKUP_PREFIX[flavor]}/job/details"

        def query(flavor: ApiFlavor) -> list[tuple[str, str]] | None:
            # the filter is spelled differently per flavour, so it is built once the flavour is known
            if wanted is None:
                return None
            return [(_JOBS_FILTER_PARAM[flavor], job_id) for job_id in wanted]

        what = "job details"
        body, flavor = await self._call("GET", path, what, params=query)
        try:
            return parse_details(body, flavor)
        except ResponseShapeError as exc:
            raise InvalidResponse(self.name, str(exc), _RETRY_HINT) from None

    async def list_job_ids(self) -> list[str]:
        """The ids of the backup jobs the appliance knows, as it lists them."""
        what = "job list"
        body, flavor = await self._call("GET", lambda f: f"{_BACKUP_PREFIX[f]}/job", what)
        ids = self._unwrap(body, flavor, what)
        if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
            raise InvalidResponse(
                self.name, f"{what}: expected a list of job ids, got {_json_kind(ids)}", _RETRY_HINT
            )
        return list(ids)

    async def get_schedules(self) -> tuple[Schedule, ...]:
        """The backup schedules (usually one, called `default`; none when backup is not scheduled)."""
        what = "schedules"
        body, flavor = await self._call("GET", lambda f: f"{_BACKUP_PREFIX[f]}/schedules", what)
        try:
            return parse_schedules(body, flavor)
        except (ResponseShapeError, RecordError) as exc:
            raise InvalidResponse(
                self.name, f"{what}: {exc}" if isinstance(exc, RecordError) else str(exc), _RETRY_HINT
            ) from None

    async def cancel_job(self, job_id: str) -> None:
        """Ask the appliance to cancel a running backup job; raises ApiError if it refuses."""
        if not job_id:
            raise ValueError("no job id given")
        what = f"cancel job {job_id}"
        escaped = quote(job_id, safe="")
        body, flavor = await self._call("POST", lambda f: f"{_BACKUP_PREFIX[f]}/job/{escaped}/cancel", what)
        result = self._unwrap(body, flavor, what) if body is not None else None
        if not isinstance(result, Mapping):
            return
        status = result.get("status")
        messages = parse_error({"messages": result.get("messages") or []}).messages
        texts = [m.text for m in messages]
        if status == "FAIL":
            detail = f": {_one_line(texts[0])}" if texts else ""
            raise ApiError(
                self.name,
                f"the appliance could not cancel job {job_id}{detail}",
                "The job may already be finishing; refresh and try again",
                status_code=200,
                error_type="FAIL",
                messages=texts,
            )
        if status == "WARNING":
            log.warning("%s: cancel job %s: %s", self.name, job_id, "; ".join(texts))

    # -- plumbing -----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"the client for {self.name} is closed")

    async def _call(
        self,
        method: str,
        path: Callable[[ApiFlavor], str],
        what: str,
        *,
        params: Callable[[ApiFlavor], list[tuple[str, str]] | None] | None = None,
    ) -> tuple[Any, ApiFlavor]:
        """One API call with the session: log in if needed; on a 401 log in again once, retry once."""
        self._check_open()
        token = await self._ensure_session()
        flavor = self._flavor
        assert flavor is not None
        query = params(flavor) if params else None
        response = await self._send(method, path(flavor), token=token, params=query, what=what)
        if response.status_code == 401:
            token = await self._relogin(token)
            flavor = self._flavor
            assert flavor is not None
            query = params(flavor) if params else None
            response = await self._send(method, path(flavor), token=token, params=query, what=what)
            if response.status_code == 401:
                self._token = None
                raise AuthenticationFailed(
                    self.name,
                    f"{what}: the appliance refused a session it had just created (HTTP 401)",
                    "Check the appliance's SSO service and clock; try again later",
                )
        if not 200 <= response.status_code < 300:
            self._raise_for_status(response, what)
        if not response.content.strip():
            if method == "GET":
                raise InvalidResponse(self.name, f"{what}: the body is empty", _RETRY_HINT)
            return None, flavor
        return self._decode_json(response, what), flavor

    def _unwrap(self, body: Any, flavor: ApiFlavor, what: str) -> Any:
        if flavor is ApiFlavor.REST:
            if not isinstance(body, Mapping) or "value" not in body:
                raise InvalidResponse(
                    self.name, f'{what}: expected {{"value": ...}}, got {_json_kind(body)}', _RETRY_HINT
                )
            return body["value"]
        return body

    async def _send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        token: Secret | None = None,
        auth: httpx.Auth | None = None,
        params: list[tuple[str, str]] | None = None,
        request_timeout: httpx.Timeout | None = None,
    ) -> _Body:
        """One HTTP exchange, its body read in full; transport failures become typed errors."""
        headers = {SESSION_HEADER: token.reveal()} if token is not None else None
        extra: dict[str, Any] = {"timeout": request_timeout} if request_timeout is not None else {}
        try:
            async with self._http.stream(
                method,
                path,
                params=tuple(params) if params else None,
                headers=headers,
                auth=auth,
                **extra,
            ) as response:
                self._note_connection(response)
                try:
                    content = await response.aread()
                except httpx.TimeoutException:
                    raise ApplianceUnreachable(
                        self.name,
                        f"{what}: the answer stopped arriving for more than {self.timeouts.read:g} s "
                        "(read timeout)",
                        "The appliance may be overloaded; try again, or raise the read timeout",
                    ) from None
                except httpx.TransportError as exc:
                    expected = response.headers.get("content-length")
                    of = f" of {expected}" if expected and expected.isdigit() else ""
                    log.debug("%s: %s: body cut: %r", self.name, what, exc)
                    raise InvalidResponse(
                        self.name,
                        f"{what}: truncated body: the connection closed after "
                        f"{response.num_bytes_downloaded}{of} bytes",
                        _RETRY_HINT,
                    ) from None
                finally:
                    self.bytes_received += response.num_bytes_downloaded
                if not response.num_bytes_downloaded:  # a transport that hands over the body whole
                    self.bytes_received += len(content)
                return _Body(response.status_code, content, response.headers)
        except ApplianceError:
            raise
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, what) from None

    def _note_connection(self, response: httpx.Response) -> None:
        stream = response.extensions.get("network_stream")
        if stream is None:
            return
        try:
            address = stream.get_extra_info("client_addr")
        except Exception:  # pragma: no cover - a transport without socket details
            address = None
        marker = address if address is not None else id(stream)
        if marker != self._last_connection:
            self._last_connection = marker
            self.connections_opened += 1

    def _transport_error(self, exc: httpx.HTTPError, what: str) -> ApplianceError:
        name = self.name
        host = urlsplit(self.base_url).hostname or name
        reachable_hint = (
            "Check that the appliance is up and reachable from this machine (address, port, "
            "firewall, VPN), then try again"
        )
        if isinstance(exc, httpx.ConnectTimeout):
            return ApplianceUnreachable(
                name,
                f"no connection within {self.timeouts.connect:g} s (connect timeout)",
                reachable_hint + ", or raise the connect timeout",
            )
        if isinstance(exc, httpx.PoolTimeout):
            return ApplianceUnreachable(
                name, f"{what}: no free connection in time (pool timeout)", _RETRY_HINT
            )
        if isinstance(exc, httpx.ReadTimeout):
            return ApplianceUnreachable(
                name,
                f"{what}: no answer within {self.timeouts.read:g} s (read timeout)",
                "The appliance may be overloaded; try again, or raise the read timeout",
            )
        if isinstance(exc, httpx.WriteTimeout):
            return ApplianceUnreachable(
                name, f"{what}: sending the request timed out (write timeout)", reachable_hint
            )
        for cause in _chain(exc):
            if isinstance(cause, ssl.SSLCertVerificationError):
                reason = _one_line(cause.verify_message or cause.reason or str(cause))
                return TLSVerificationFailed(
                    name,
                    f"the appliance's TLS certificate could not be verified ({reason})",
                    "Give the profile the CA bundle that signed it (the appliance's root CA, from "
                    "https://<appliance>/certs/download.zip), or, only on a trusted network, turn TLS "
                    "verification off for this profile",
                )
            if isinstance(cause, ssl.SSLError):
                return ApplianceUnreachable(
                    name,
                    f"the TLS handshake failed ({_one_line(cause.reason or str(cause))})",
                    "Check the address: its scheme (https:// or http://) and port must match the appliance",
                )
            if isinstance(cause, socket.gaierror):
                return ApplianceUnreachable(
                    name,
                    f"cannot resolve the host name {host!r} ({_one_line(cause.strerror or str(cause))})",
                    "Check the spelling of the address and this machine's DNS settings",
                )
            if isinstance(cause, ConnectionRefusedError):
                port = urlsplit(self.base_url).port or (443 if self._scheme == "https" else 80)
                return ApplianceUnreachable(
                    name,
                    f"connection refused on port {port}",
                    "Check the port in the address and that the appliance's web service is running",
                )
        text = str(exc) or type(exc).__name__
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
            return ApplianceUnreachable(name, f"cannot connect ({_one_line(text)})", reachable_hint)
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            return ApplianceUnreachable(
                name,
                f"{what}: the connection was dropped before an answer arrived ({_one_line(text)})",
                reachable_hint,
            )
        return ApplianceUnreachable(name, f"{what}: {_one_line(text)}", reachable_hint)

    def _decode_json(self, response: _Body, what: str) -> Any:
        content = response.content
        if not content.strip():
            raise InvalidResponse(self.name, f"{what}: the body is empty", _RETRY_HINT)
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidResponse(
                self.name, f"{what}: body is not UTF-8 text (bad byte at offset {exc.start})", _RETRY_HINT
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} col {exc.colno}: {exc.msg.removesuffix(' starting at').lower()}"
            # "Unterminated string" is only raised when a string runs into the end of the text
            if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
                problem = (
                    f"{what}: body is not valid JSON ({where}); it ends early after {len(content)} bytes, "
                    "so it is probably truncated"
                )
            elif text.lstrip().startswith("<"):
                problem = (
                    f"{what}: body is HTML, not JSON (a proxy or a web page answered; "
                    f"HTTP {response.status_code})"
                )
            else:
                problem = f"{what}: body is not valid JSON ({where})"
            raise InvalidResponse(self.name, problem, _RETRY_HINT) from None

    def _raise_for_status(self, response: _Body, what: str) -> NoReturn:
        status = response.status_code
        error_type: str | None = None
        texts: list[str] = []
        try:
            body = json.loads(response.content.decode("utf-8-sig")) if response.content.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        if isinstance(body, Mapping):
            parsed = parse_error(body)
            error_type = parsed.error_type
            texts = [message.text for message in parsed.messages if message.text]
        short = _short_type(error_type)
        detail = f"HTTP {status}" + (f" {short}" if short else "")
        said = f": {_one_line(texts[0])}" if texts else ""
        if status == 403:
            raise NotAuthorized(
                self.name,
                f"{what}: the user {self.user!r} is not allowed to do this ({detail}{said})",
                _PRIVILEGE_HINT,
            )
        if status == 401:  # only reached for a 401 outside the re-login path (e.g. logout)
            raise AuthenticationFailed(
                self.name, f"{what}: the session was refused ({detail}{said})", _AUTH_HINT
            )
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            target = f" to {_one_line(location, 120)}" if location else ""
            raise ApiError(
                self.name,
                f"{what}: the appliance redirected{target} ({detail})",
                "Use the address the appliance redirects to (usually https://) in the profile",
                status_code=status,
                error_type=error_type,
                messages=texts,
            )
        if status >= 500:
            problem = f"{what}: the appliance's API service had a problem ({detail}{said})"
            hint = _RETRY_HINT
        elif status == 404:
            problem = f"{what}: not found on the appliance ({detail}{said})"
            hint = "The job may no longer exist, or this appliance lacks the endpoint; refresh and try again"
        else:
            problem = f"{what}: the appliance refused the request ({detail}{said})"
            hint = "Refresh and try again; if it persists, the appliance's messages above say why"
        raise ApiError(self.name, problem, hint, status_code=status, error_type=error_type, messages=texts)


def _json_kind(value: Any) -> str:
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
