"""The HTTP client for one appliance: sessions, both URL flavours, typed errors.

One `httpx.AsyncClient` (one keep-alive connection) per appliance. A call logs in when there is
no session and logs in again once after a 401 (the session expired), then retries once. A login
the appliance refuses is never retried on its own: vCenter SSO locks an account after a few
failures, so after one refusal every call fails fast until `set_password()` is called.

Every failure is one of the typed errors of `core/errors.py` (worded in `core/failures.py`); no
httpx exception, password or session token ever leaves this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar
from urllib.parse import quote, urlsplit

from backuptui.core.appliance.address import base_url_for
from backuptui.core.appliance.details_text import parse_details_text
from backuptui.core.appliance.errors import (
    ApiError,
    ApplianceError,
    ApplianceUnreachable,
    AuthenticationFailed,
    InvalidResponse,
    TLSVerificationFailed,
)
from backuptui.core.appliance.failures import (
    AUTH_HINT,
    RETRY_HINT,
    decode_json,
    json_kind,
    short_reason,
    status_error,
    transport_error,
)
from backuptui.core.appliance.models import (
    ApiFlavor,
    BackupJob,
    DetailsResult,
    RecordError,
    ResponseShapeError,
    Schedule,
)
from backuptui.core.appliance.record_fields import parse_error
from backuptui.core.appliance.schedules import parse_schedules
from backuptui.core.appliance.secret import Secret
from backuptui.core.appliance.tls import bundle_context, shared_context

if TYPE_CHECKING:
    import httpx

# httpx (and httpcore) are imported where a request is made (`from ._httpx import httpx` in the
# methods below), not with this module: a launch that paints the stored history first builds its
# client, and imports this module, tens of milliseconds before it sends anything.

__all__ = [
    "BACKUP_PREFIX",
    "DEFAULT_MAX_BODY",
    "SESSION_HEADER",
    "ApplianceClient",
    "Timeouts",
    "base_url_for",
]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

SESSION_HEADER: Final = "vmware-api-session-id"

# Statuses of POST /api/session that mean "this appliance has no /api flavour" (vSphere < 7.0 U2):
# no credentials were checked, so falling back to /rest costs no failed login.
_NO_API_FLAVOUR: Final = frozenset({404, 405, 501})

_SESSION_PATH: Final = {ApiFlavor.API: "/api/session", ApiFlavor.REST: "/rest/com/vmware/cis/session"}
_BACKUP_PREFIX: Final = {
    ApiFlavor.API: "/api/appliance/recovery/backup",
    ApiFlavor.REST: "/rest/appliance/recovery/backup",
}
#: where the backup API lives in each flavour (`core/appliance/actions.py` builds its paths on it)
BACKUP_PREFIX: Final = _BACKUP_PREFIX
# the details filter in each flavour's syntax: `?jobs=a&jobs=b` on /api, `?filter.jobs=a` on /rest
_JOBS_FILTER_PARAM: Final = {ApiFlavor.API: "jobs", ApiFlavor.REST: "filter.jobs"}
#: the largest response body read by default: a 10,000-job history is about 10 MB
DEFAULT_MAX_BODY: Final = 64 * 1024 * 1024
# details bodies at least this long (about 250 jobs) are parsed in a worker thread
_PARSE_IN_THREAD: Final = 200_000
_NOT_BLANK: Final = re.compile(rb"[^ \t\n\r]")


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for a connection and for each read of a response."""

    connect: float = 5.0
    read: float = 15.0

    def __post_init__(self) -> None:
        if not (self.connect > 0 and self.read > 0):
            raise ValueError("timeouts must be positive numbers of seconds")


@dataclass(slots=True)
class _Body:
    status_code: int
    content: bytes | bytearray  # a bytearray as read (see _exchange)
    headers: httpx.Headers
    #: the body stopped short (the connection closed): why, for the one caller that reads a cut
    #: answer (a login, whose headers may still name the session it opened)
    cut: InvalidResponse | None = None


@dataclass(frozen=True, slots=True)
class _LastDetails:
    """The last unfiltered details response: its flavour, a digest of its body, what it parsed to.

    A digest instead of the body: 32 bytes instead of about 1 MB per 1,000 jobs, and SHA-256 of
    the body costs well under a tenth of decoding it (measured: ~0.1x json.loads).
    """

    flavor: ApiFlavor
    digest: bytes
    result: DetailsResult


def _digest(content: bytes | bytearray) -> bytes:
    return hashlib.sha256(content).digest()


async def _in_thread(func: Callable[..., _T], body: bytes | bytearray, *args: Any) -> _T:
    """`func(body, *args)` in a worker thread, the body handed over in a list the worker empties:
    `asyncio.to_thread` would keep it in the executor's work item until the worker thread next
    runs, so an 8 MB body outlived the call by a while (measured: still traced after the call
    returned, while the monitor and the TUI built on its jobs, which raised the peak)."""
    handed = [body]
    del body

    def run() -> _T:
        return func(handed.pop(), *args)

    return await asyncio.to_thread(run)


class ApplianceClient:
    """An authenticated session with one appliance's backup API, in either URL flavour."""

    def __init__(
        self,
        address: str,
        user: str,
        password: Secret,
        *,
        flavor: ApiFlavor | str | None = None,
        verify: bool | str | Path | ssl.SSLContext = True,
        timeouts: Timeouts | None = None,
        name: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        if max_body <= 0:
            raise ValueError("the maximum response size must be a positive number of bytes")
        self.max_body = max_body
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
        self._verify_setting: bool | str | ssl.SSLContext = (
            verify if isinstance(verify, bool | ssl.SSLContext) else str(verify)
        )
        self._token: Secret | None = None
        self._auth_failure: tuple[str, str] | None = None
        self._login_lock = asyncio.Lock()
        self._closed = False
        #: why the last logout failed (None: it worked, or there was no session to close)
        self.logout_failure: ApplianceError | None = None
        self.bytes_received = 0
        self.connections_opened = 0
        self._last_connection: object = None
        self._last_details: _LastDetails | None = None

        self._transport = transport
        # built on first use (`_http`): that imports httpcore and may load a CA bundle, tens of
        # milliseconds a launch that paints the stored history first need not wait for
        self._http_client: httpx.AsyncClient | None = None
        if isinstance(self._verify_setting, str):
            self._ssl_verify()  # a CA bundle that cannot be read fails here, not at the first call

    @property
    def _http(self) -> httpx.AsyncClient:
        """The one httpx client (one keep-alive connection), built on first use."""
        http = self._http_client
        if http is None:
            from backuptui.core.appliance._httpx import httpx

            limits = httpx.Limits(max_connections=2, max_keepalive_connections=1, keepalive_expiry=60.0)
            http = self._http_client = httpx.AsyncClient(
                base_url=self.base_url,
                verify=self._ssl_verify(),
                timeout=httpx.Timeout(
                    self.timeouts.read,
                    connect=self.timeouts.connect,
                    write=self.timeouts.read,
                    pool=self.timeouts.connect + self.timeouts.read,
                ),
                limits=limits,
                transport=self._transport,
                follow_redirects=False,
                headers={"Accept": "application/json", "User-Agent": "backuptui"},
            )
        return http

    def _ssl_verify(self) -> ssl.SSLContext:
        setting = self._verify_setting
        if isinstance(setting, ssl.SSLContext):
            return setting  # a context: its CA bundle was read when the target was resolved
        if isinstance(setting, bool):
            # one per process: loading the CA bundle is slow; plain HTTP never verifies anything
            # (every request goes to the base URL and redirects are not followed): no bundle
            return shared_context(setting and self._scheme != "http")
        path = Path(setting).expanduser()
        try:
            context = bundle_context(str(path))
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
        from backuptui.core.appliance._httpx import httpx

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
                    self.logout_failure = exc
                    log.debug("%s: logout failed: %s", self.name, exc)
        finally:
            self._closed = True
            self._last_details = None
            if self._http_client is not None:
                await self._http_client.aclose()

    # -- sessions -----------------------------------------------------------------------------

    async def check_reachable(self) -> None:
        """One request without credentials (`GET /`), before a password is asked for: any HTTP
        answer means the address, its scheme and port, and the TLS rule work. Otherwise raises the
        `ApplianceUnreachable` that says why (a scheme that does not match the port, a certificate
        that does not verify, a refused connection, no answer)."""
        self._check_open()
        await self._send("GET", "/", what="reachability check")

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
        if not self._password:
            # vCenter never accepts an empty password: asking would only cost a failed login
            raise AuthenticationFailed(
                self.name,
                f"no password given for {self.user!r}",
                "Type the password (or give it with --password-stdin or a saved profile)",
            )
        known = self._fixed_flavor or self._flavor
        candidates = [known] if known is not None else [ApiFlavor.API, ApiFlavor.REST]
        from backuptui.core.appliance._httpx import httpx

        auth = httpx.BasicAuth(self.user, self._password.reveal())
        for flavor in candidates:
            path = _SESSION_PATH[flavor]
            what = f"login ({path})"
            # a cut answer is kept: its headers may name the session it opened (see below)
            response = await self._send("POST", path, auth=auth, what=what, allow_cut=True)
            status = response.status_code
            if status in _NO_API_FLAVOUR and flavor is ApiFlavor.API and len(candidates) > 1:
                log.info("%s: no /api flavour (HTTP %d), using /rest", self.name, status)
                continue
            if status == 401:
                self._auth_failure = (
                    f"the appliance refused the login of {self.user!r} (HTTP 401)",
                    AUTH_HINT,
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
                raise self._status_error(response, what)
            unusable: InvalidResponse | None = None
            try:
                if response.cut is not None:
                    raise response.cut
                token = self._json(response, what)
                if flavor is ApiFlavor.REST:
                    token = token.get("value") if isinstance(token, Mapping) else None
                if not isinstance(token, str) or not token:
                    raise InvalidResponse(
                        self.name,
                        f"{what}: expected the session id as a JSON string, got {json_kind(token)}",
                        RETRY_HINT,
                    )
            except InvalidResponse as exc:
                unusable = exc
            if unusable is not None:
                # outside the `except`: no decoder exception (it holds the body) rides along
                if not await self._end_orphan_session(response, flavor):
                    unusable = InvalidResponse(
                        self.name,
                        f"{unusable.problem}; the appliance may have opened a session that could not be "
                        "logged out (its id could not be read): it ends at the appliance's idle timeout",
                        unusable.hint,
                    )
                raise unusable
            self._token = Secret(token)
            self._flavor = flavor
            log.info("%s: logged in as %s (%s flavour)", self.name, self.user, flavor.value)
            return
        raise AssertionError("unreachable")  # pragma: no cover

    async def _end_orphan_session(self, response: _Body, flavor: ApiFlavor) -> bool:
        """A login answered with an unusable (malformed, cut) body may still have opened a
        session: vCenter also sets it as the `vmware-api-session-id` cookie. Log that one out,
        best effort; False when no session id could be read, or its logout failed."""
        from http.cookies import CookieError, SimpleCookie

        from backuptui.core.appliance._httpx import httpx

        cookies: SimpleCookie = SimpleCookie()
        for line in response.headers.get_list("set-cookie"):
            with contextlib.suppress(CookieError):
                cookies.load(line)
        morsel = cookies.get(SESSION_HEADER)
        if morsel is None or not morsel.value:
            return False
        orphan = morsel.value
        try:
            answer = await self._send(
                "DELETE",
                _SESSION_PATH[flavor],
                token=Secret(orphan),
                what="logout",
                request_timeout=httpx.Timeout(
                    min(self.timeouts.read, 5.0), connect=min(self.timeouts.connect, 3.0)
                ),
            )
        except ApplianceError as exc:
            log.debug("%s: logout of the unusable login failed: %s", self.name, exc)
            return False
        return 200 <= answer.status_code < 300

    # -- API calls ----------------------------------------------------------------------------

    async def list_job_details(self, jobs: Iterable[str] | None = None) -> DetailsResult:
        """The details of every backup job, or only of `jobs`; newest first, bad records in `problems`.

        An unfiltered call whose body is byte for byte the last unfiltered one (same flavour)
        returns the very `DetailsResult` object it returned then, without decoding or parsing:
        parsing depends on nothing but the bytes and the flavour, and the monitor recognises the
        object as "nothing changed". When the body differs, records equal to the last result's keep
        their `BackupJob` objects (see `parse_details`). Filtered calls neither use nor replace
        what is remembered.
        """
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
        response, flavor = await self._request("GET", path, what, params=query)
        last = self._last_details if wanted is None else None
        digest = await self._digest(response.content) if wanted is None else None
        if last is not None and last.flavor is flavor and last.digest == digest:
            return last.result
        previous = {job.id: job for job in last.result.jobs} if last is not None else None
        self._check_text(response, what)
        try:
            result = await self._parse(response.content, flavor, previous)
        except json.JSONDecodeError:
            self._json(response, what)  # raises InvalidResponse saying where and what is wrong
            raise AssertionError("unreachable") from None  # pragma: no cover
        except ResponseShapeError as exc:
            raise InvalidResponse(self.name, str(exc), RETRY_HINT) from None
        if digest is not None:
            self._last_details = _LastDetails(flavor, digest, result)
        return result

    @staticmethod
    async def _digest(body: bytes | bytearray) -> bytes:
        """The body's SHA-256; of a large one in a worker thread (hashlib lets go of the GIL), so
        the event loop does not stop for it (10,000 jobs: 8 MB, ~5 ms)."""
        if len(body) < _PARSE_IN_THREAD:
            return _digest(body)
        return await _in_thread(_digest, body)

    async def _parse(
        self, body: bytes | bytearray, flavor: ApiFlavor, previous: Mapping[str, BackupJob] | None
    ) -> DetailsResult:
        """Parse a details body; a large one in a worker thread, so the event loop (the keys of
        the TUI) stays live while 10,000 records are parsed."""
        if len(body) < _PARSE_IN_THREAD:
            return parse_details_text(body, flavor, previous)
        return await _in_thread(parse_details_text, body, flavor, previous)

    def _check_text(self, response: _Body, what: str) -> None:
        """An empty or non-UTF-8 body raises InvalidResponse as `_decoded` does. (An ASCII body,
        the usual one, is UTF-8 without being decoded: no text copy of a large body.)"""
        content = response.content
        readable = _NOT_BLANK.search(content) is not None  # not .strip(): a copy of the body
        if readable and not content.isascii():
            try:
                readable = bool(content.decode("utf-8-sig").strip())
            except UnicodeDecodeError:
                readable = False
        if not readable:
            self._decoded(response, "GET", what)  # raises with the reason
            raise AssertionError("unreachable")  # pragma: no cover

    async def list_job_ids(self) -> list[str]:
        """The ids of the backup jobs the appliance knows, as it lists them."""
        what = "job list"
        body, flavor = await self._call("GET", lambda f: f"{_BACKUP_PREFIX[f]}/job", what)
        ids = self._unwrap(body, flavor, what)
        if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
            raise InvalidResponse(
                self.name, f"{what}: expected a list of job ids, got {json_kind(ids)}", RETRY_HINT
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
                self.name, f"{what}: {exc}" if isinstance(exc, RecordError) else str(exc), RETRY_HINT
            ) from None

    async def read(self, path: Callable[[ApiFlavor], str], what: str) -> Any:
        """One GET of an API value (for `actions`: parts, part sizes), the `/rest` wrapper removed."""
        body, flavor = await self._call("GET", path, what)
        return self._unwrap(body, flavor, what)

    async def act(
        self,
        path: Callable[[ApiFlavor], str],
        what: str,
        *,
        body: Callable[[ApiFlavor], Any] | None = None,
        params: Callable[[ApiFlavor], list[tuple[str, str]] | None] | None = None,
    ) -> tuple[Any, ApiFlavor]:
        """One POST that changes something on the appliance (start or cancel a backup), sent once.

        Unlike reads it is never sent again on its own: after a 401 (the session had expired, so
        the appliance did nothing) the session is dropped and the error says to try again; the
        next call logs in. `body(flavor)` is the JSON value to send (it may hold passwords: it is
        encoded here, sent, and never logged). Returns the decoded answer (None for no body).
        """
        self._check_open()
        token = await self._ensure_session()
        flavor = self._flavor
        assert flavor is not None
        payload = json.dumps(body(flavor)).encode() if body is not None else None
        query = params(flavor) if params else None
        response = await self._send(
            "POST", path(flavor), token=token, params=query, what=what, request_body=payload
        )
        payload = None  # the request's bytes (perhaps a password) are not kept
        if response.status_code == 401:
            if self._token is token:
                self._token = None
            raise AuthenticationFailed(
                self.name,
                f"{what}: the session had expired, so the appliance did nothing (HTTP 401)",
                "Nothing is sent again on its own: try again (backuptui logs in first)",
            )
        if not 200 <= response.status_code < 300:
            raise self._status_error(response, what)
        return self._decoded(response, "POST", what), flavor

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
            detail = f": {short_reason(texts[0])}" if texts else ""
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
        """One API call with the session, its JSON body decoded (None for an empty non-GET body)."""
        response, flavor = await self._request(method, path, what, params=params)
        return self._decoded(response, method, what), flavor

    async def _request(
        self,
        method: str,
        path: Callable[[ApiFlavor], str],
        what: str,
        *,
        params: Callable[[ApiFlavor], list[tuple[str, str]] | None] | None = None,
    ) -> tuple[_Body, ApiFlavor]:
        """One API call with the session: log in if needed; on a 401 log in again once, retry once.
        Returns the successful (2xx) response, not yet decoded, and the flavour it was asked in."""
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
            raise self._status_error(response, what)
        return response, flavor

    def _decoded(self, response: _Body, method: str, what: str) -> Any:
        if not response.content.strip():
            if method == "GET":
                raise InvalidResponse(self.name, f"{what}: the body is empty", RETRY_HINT)
            return None
        return self._json(response, what)

    def _unwrap(self, body: Any, flavor: ApiFlavor, what: str) -> Any:
        if flavor is ApiFlavor.REST:
            if not isinstance(body, Mapping) or "value" not in body:
                raise InvalidResponse(
                    self.name, f'{what}: expected {{"value": ...}}, got {json_kind(body)}', RETRY_HINT
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
        request_body: bytes | None = None,
        allow_cut: bool = False,
    ) -> _Body:
        """One HTTP exchange, its body read in full; transport failures become typed errors.
        `request_body`: a JSON request body (its bytes may hold a location password: never logged);
        `allow_cut`: a body cut short comes back with `cut` set instead of raising."""
        outcome = await self._exchange(method, path, what, token, auth, params, request_timeout, request_body)
        if isinstance(outcome, ApplianceError):
            # raised here, outside the `except` that built it: the httpx exception (its request
            # carries the session header) does not ride along as `__context__`
            raise outcome
        if outcome.cut is not None and not allow_cut:
            raise outcome.cut
        return outcome

    async def _exchange(
        self,
        method: str,
        path: str,
        what: str,
        token: Secret | None,
        auth: httpx.Auth | None,
        params: list[tuple[str, str]] | None,
        request_timeout: httpx.Timeout | None,
        request_body: bytes | None = None,
    ) -> _Body | ApplianceError:
        headers = {SESSION_HEADER: token.reveal()} if token is not None else {}
        if request_body is not None:
            headers["Content-Type"] = "application/json"
        extra: dict[str, Any] = {"timeout": request_timeout} if request_timeout is not None else {}
        from backuptui.core.appliance._httpx import httpx

        try:
            async with self._http.stream(
                method,
                path,
                params=tuple(params) if params else None,
                headers=headers or None,
                auth=auth,
                content=request_body,
                **extra,
            ) as response:
                self._note_connection(response)
                expected = response.headers.get("content-length", "")
                if expected.isdigit() and int(expected) > self.max_body:
                    return self._too_large(what)
                content = bytearray()  # grown in place: a large body never exists twice, as
                try:  # the chunks and their join would
                    async for chunk in response.aiter_bytes():
                        if len(content) + len(chunk) > self.max_body:
                            return self._too_large(what)  # the rest is never read
                        content += chunk
                except httpx.TimeoutException:
                    return ApplianceUnreachable(
                        self.name,
                        f"{what}: the answer stopped arriving for more than {self.timeouts.read:g} s "
                        "(read timeout)",
                        "The appliance may be overloaded; try again, or raise the read timeout",
                    )
                except httpx.TransportError as exc:
                    of = f" of {expected}" if expected.isdigit() else ""
                    log.debug("%s: %s: body cut: %s", self.name, what, type(exc).__name__)
                    cut = InvalidResponse(
                        self.name,
                        f"{what}: truncated body: the connection closed after "
                        f"{response.num_bytes_downloaded}{of} bytes",
                        RETRY_HINT,
                    )
                    return _Body(response.status_code, content, response.headers, cut=cut)
                finally:
                    self.bytes_received += response.num_bytes_downloaded
                if not response.num_bytes_downloaded:  # a transport that hands over the body whole
                    self.bytes_received += len(content)
                return _Body(response.status_code, content, response.headers)
        except httpx.HTTPError as exc:
            return transport_error(
                exc,
                appliance=self.name,
                base_url=self.base_url,
                what=what,
                connect_timeout=self.timeouts.connect,
                read_timeout=self.timeouts.read,
            )

    def _too_large(self, what: str) -> InvalidResponse:
        limit = self.max_body
        size = f"{limit / 1024 / 1024:g} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"
        return InvalidResponse(
            self.name,
            f"{what}: the answer is larger than the limit of {size}; the rest was not read",
            "An answer this large is not a real backup history; check the appliance, or raise "
            "max_body_mib in the config file (MiB)",
        )

    def _status_error(self, response: _Body, what: str) -> ApplianceError:
        return status_error(
            response.status_code,
            bytes(response.content),
            response.headers,
            appliance=self.name,
            user=self.user,
            what=what,
        )

    def _json(self, response: _Body, what: str) -> Any:
        return decode_json(bytes(response.content), response.status_code, appliance=self.name, what=what)

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
