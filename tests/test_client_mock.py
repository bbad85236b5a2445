"""ApplianceClient against byte-level input the simulator cannot produce (httpx.MockTransport).

Everything about sessions, flavours and faults that a real server can show is tested against the
simulator in test_client.py; here are the bodies and transport failures only a fake can forge.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from backuptui.core.appliance.client import SESSION_HEADER, ApplianceClient, Timeouts, base_url_for
from backuptui.core.appliance.errors import (
    ApiError,
    ApplianceError,
    ApplianceUnreachable,
    AuthenticationFailed,
    InvalidResponse,
    NotAuthorized,
    TLSVerificationFailed,
)
from backuptui.core.appliance.models import ApiFlavor, JobStatus, JobType
from backuptui.core.appliance.secret import Secret

TOKEN = "tok-3c1f0a9e5d7b42"
PASSWORD = "pw-Zq8!unique"
USER = "administrator@vsphere.local"


def record(status: str = "SUCCEEDED", **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "location": "sftp://192.0.2.10/backups",
        "location_user": "backupuser",
        "type": "SCHEDULED",
        "status": status,
        "cancelable": False,
        "messages": [],
        "description": {"id": "d", "default_message": "Backup job", "args": []},
        "service": "com.vmware.appliance.recovery.backup.job",
        "operation": "create",
        "start_time": "2024-03-15T02:00:03.123Z",
        "end_time": "2024-03-15T02:10:03.123Z",
        "duration": 600,
        "size": 1024,
        "progress": {
            "total": 100,
            "completed": 100,
            "message": {"id": "p", "default_message": "done", "args": []},
        },
    }
    base.update(extra)
    return base


class FakeAppliance:
    """A tiny scripted appliance: routes map (method, path) to a response factory; requests are kept."""

    def __init__(self, flavor: ApiFlavor = ApiFlavor.API) -> None:
        self.flavor = flavor
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = {}
        self.valid_tokens = {TOKEN}
        if flavor is ApiFlavor.API:
            self.routes["POST", "/api/session"] = self._login_api
            self.routes["DELETE", "/api/session"] = lambda r: httpx.Response(204)
        else:
            self.routes["POST", "/api/session"] = lambda r: httpx.Response(404, text="Not Found")
            self.routes["POST", "/rest/com/vmware/cis/session"] = self._login_rest
            self.routes["DELETE", "/rest/com/vmware/cis/session"] = lambda r: httpx.Response(200)

    def _authorized(self, request: httpx.Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return request.headers.get("authorization") == expected

    def _login_api(self, request: httpx.Request) -> httpx.Response:
        if not self._authorized(request):
            return httpx.Response(401, json={"error_type": "UNAUTHENTICATED", "messages": []})
        return httpx.Response(201, json=TOKEN)

    def _login_rest(self, request: httpx.Request) -> httpx.Response:
        if not self._authorized(request):
            return httpx.Response(
                401, json={"type": "com.vmware.vapi.std.errors.unauthenticated", "value": {}}
            )
        return httpx.Response(200, json={"value": TOKEN})

    def prefix(self) -> str:
        return (
            "/api/appliance/recovery/backup"
            if self.flavor is ApiFlavor.API
            else "/rest/appliance/recovery/backup"
        )

    def on(self, method: str, suffix: str, respond: Callable[[httpx.Request], httpx.Response]) -> None:
        def guarded(request: httpx.Request) -> httpx.Response:
            if request.headers.get(SESSION_HEADER) not in self.valid_tokens:
                return httpx.Response(401, json={"error_type": "UNAUTHENTICATED", "messages": []})
            return respond(request)

        self.routes[method, self.prefix() + suffix] = guarded

    def details(self, body: bytes | Callable[[httpx.Request], httpx.Response]) -> None:
        if callable(body):
            self.on("GET", "/job/details", body)
        else:
            self.on("GET", "/job/details", lambda r: httpx.Response(200, content=body))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get((request.method, request.url.path))
        if route is None:
            return httpx.Response(404, json={"error_type": "NOT_FOUND", "messages": []})
        return route(request)

    def client(self, **kwargs: Any) -> ApplianceClient:
        kwargs.setdefault("timeouts", Timeouts(connect=2.0, read=2.0))
        return ApplianceClient(
            "https://vcsa01.example.com",
            USER,
            Secret(PASSWORD),
            transport=httpx.MockTransport(self.handle),
            **kwargs,
        )

    def count(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r.method == method and r.url.path == path)


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text
        assert PASSWORD not in text


# -- addresses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vcsa01.example.com", "https://vcsa01.example.com"),
        ("  VCSA01.Example.com  ", "https://vcsa01.example.com"),
        ("vcsa01.example.com:5480", "https://vcsa01.example.com:5480"),
        ("https://vcsa01.example.com/", "https://vcsa01.example.com"),
        ("https://vcsa01.example.com:443", "https://vcsa01.example.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("HTTP://127.0.0.1:80", "http://127.0.0.1"),
        ("192.0.2.7", "https://192.0.2.7"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("vcsa", "https://vcsa"),
    ],
)
def test_base_url_for_normalises(text: str, expected: str) -> None:
    assert base_url_for(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "no appliance address"),
        ("   ", "no appliance address"),
        ("ftp://vcsa01", "https:// or http://"),
        ("vcsa 01", "spaces"),
        ("https://vcsa01:99999", "not an appliance address"),
        ("https://vcsa01:abc", "not an appliance address"),
        ("https://user:pw@vcsa01", "not in the address"),
        ("https://vcsa01/ui/", "without a path"),
        ("https://vcsa01?x=1", "without a path"),
        ("https://", "not a valid host name"),
        ("bad_host!", "not a valid host name"),
        ("-vcsa.example.com", "not a valid host name"),
    ],
)
def test_base_url_for_rejects_garbage_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(ValueError) as info:
        base_url_for(text)
    assert says in str(info.value)


@pytest.mark.parametrize(
    "text", ["https://root:s3cr3t@vcsa01", "root:s3cr3t@vcsa01:99999", "root:s3cr3t@bad_host"]
)
def test_base_url_for_never_echoes_a_password_in_the_address(text: str) -> None:
    with pytest.raises(ValueError) as info:
        base_url_for(text)
    assert "s3cr3t" not in str(info.value)


def test_client_name_defaults_to_the_host_and_verify_tls() -> None:
    fake = FakeAppliance()
    client = fake.client()
    assert client.name == "vcsa01.example.com"
    assert client.base_url == "https://vcsa01.example.com"
    assert client.verify_tls is True
    assert client.flavor is None
    assert fake.client(verify=False).verify_tls is False
    plain = ApplianceClient("http://127.0.0.1:8080", USER, Secret(PASSWORD), name="lab")
    assert plain.name == "lab" and plain.verify_tls is False


def test_missing_ca_bundle_is_a_clear_tls_error(tmp_path: Any) -> None:
    with pytest.raises(TLSVerificationFailed) as info:
        ApplianceClient("vcsa01.example.com", USER, Secret(PASSWORD), verify=str(tmp_path / "nope.pem"))
    assert "vcsa01.example.com" in str(info.value)
    assert "nope.pem" in str(info.value)


# -- sessions and calls -----------------------------------------------------------------------------


async def test_api_login_sends_basic_auth_then_the_session_header() -> None:
    fake = FakeAppliance()
    fake.details(json.dumps({"20240315-020003-1": record()}).encode())
    async with fake.client() as client:
        result = await client.list_job_details()
        assert client.flavor is ApiFlavor.API
    assert [job.id for job in result.jobs] == ["20240315-020003-1"]
    login, details, logout = fake.requests
    assert login.headers["authorization"].startswith("Basic ")
    assert SESSION_HEADER not in login.headers
    assert details.headers[SESSION_HEADER] == TOKEN
    assert "authorization" not in details.headers
    assert (logout.method, logout.url.path, logout.headers[SESSION_HEADER]) == (
        "DELETE",
        "/api/session",
        TOKEN,
    )


async def test_rest_fallback_when_api_session_is_not_there() -> None:
    fake = FakeAppliance(ApiFlavor.REST)
    body = {"value": [{"key": "20240315-020003-1", "value": record()}]}
    fake.details(json.dumps(body).encode())
    async with fake.client() as client:
        result = await client.list_job_details(jobs=["a", "b"])
        assert client.flavor is ApiFlavor.REST
    assert len(result.jobs) == 1
    details = next(r for r in fake.requests if r.url.path.endswith("/details"))
    assert details.url.params.get_list("filter.jobs") == ["a", "b"]
    assert fake.count("POST", "/rest/com/vmware/cis/session") == 1
    assert fake.count("DELETE", "/rest/com/vmware/cis/session") == 1


async def test_wrong_password_on_api_is_one_attempt_and_no_rest_fallback() -> None:
    fake = FakeAppliance()
    client = ApplianceClient(
        "vcsa01.example.com", USER, Secret("wrong"), transport=httpx.MockTransport(fake.handle)
    )
    with pytest.raises(AuthenticationFailed) as info:
        await client.list_job_details()
    assert "vcsa01.example.com" in str(info.value) and "lock" in str(info.value)
    with pytest.raises(AuthenticationFailed):
        await client.list_job_ids()
    with pytest.raises(AuthenticationFailed):
        await client.login()
    assert len(fake.requests) == 1  # one login attempt, never /rest, never again
    client.set_password(Secret(PASSWORD))
    await client.login()
    assert len(fake.requests) == 2 and client.logged_in
    await client.close()


async def test_a_401_on_a_call_logs_in_once_and_retries_once() -> None:
    fake = FakeAppliance()
    fake.details(json.dumps({}).encode())
    async with fake.client() as client:
        await client.list_job_details()
        fake.valid_tokens = set()  # the session expired ... and any new one is refused too
        with pytest.raises(AuthenticationFailed) as info:
            await client.list_job_details()
    assert "just created" in str(info.value)
    assert fake.count("POST", "/api/session") == 2
    assert fake.count("GET", "/api/appliance/recovery/backup/job/details") == 3


async def test_password_changed_on_the_appliance_mid_session() -> None:
    fake = FakeAppliance()
    fake.details(json.dumps({}).encode())
    async with fake.client() as client:
        await client.list_job_details()
        fake.valid_tokens = set()  # the session ends ...
        fake.routes["POST", "/api/session"] = lambda r: httpx.Response(
            401, json={"error_type": "UNAUTHENTICATED"}
        )
        with pytest.raises(AuthenticationFailed, match="refused the login"):
            await client.list_job_details()  # ... and the re-login is refused: once
        with pytest.raises(AuthenticationFailed):
            await client.list_job_details()
        assert fake.count("POST", "/api/session") == 2
        assert fake.count("GET", "/api/appliance/recovery/backup/job/details") == 2


async def test_concurrent_calls_share_one_login() -> None:
    import asyncio

    fake = FakeAppliance()
    fake.details(json.dumps({}).encode())
    async with fake.client() as client:
        await asyncio.gather(*(client.list_job_details() for _ in range(5)))
    assert fake.count("POST", "/api/session") == 1


async def test_closed_client_refuses_calls_and_close_is_idempotent() -> None:
    fake = FakeAppliance()
    client = fake.client()
    await client.close()
    await client.close()
    assert fake.requests == []  # never logged in: nothing to log out
    with pytest.raises(RuntimeError):
        await client.list_job_details()


# -- bodies that are wrong -------------------------------------------------------------------------


async def details_error(
    body: bytes | Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> ApplianceError:
    fake = FakeAppliance(kwargs.pop("flavor", ApiFlavor.API))
    fake.details(body)
    async with fake.client(**kwargs) as client:
        with pytest.raises(ApplianceError) as info:
            await client.list_job_details()
    assert_no_secrets(str(info.value), repr(info.value))
    return info.value


async def test_malformed_json_says_where() -> None:
    body = json.dumps({"20240315-020003-1": record()}).encode()
    broken = body.replace(b'"SCHEDULED",', b'"SCHEDULED"', 1)  # a missing comma, mid-record
    error = await details_error(broken)
    assert isinstance(error, InvalidResponse)
    assert "job details: body is not valid JSON" in str(error)
    assert "line 1 col" in str(error)
    assert str(error).startswith("vcsa01.example.com: ")


async def test_short_json_body_is_reported_as_truncated() -> None:
    body = json.dumps({"20240315-020003-1": record()}).encode()
    error = await details_error(body[: len(body) // 2])
    assert isinstance(error, InvalidResponse)
    assert "truncated" in str(error)


async def test_body_cut_by_the_connection_is_a_truncated_response() -> None:
    class Cut(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b'{"20240315-020003-1": {"loc'
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-length": "4000"}, stream=Cut())

    error = await details_error(respond)
    assert isinstance(error, InvalidResponse)
    assert "truncated body" in str(error) and "of 4000 bytes" in str(error)


async def test_html_instead_of_json() -> None:
    error = await details_error(b"<html><body>Service Unavailable</body></html>")
    assert isinstance(error, InvalidResponse) and "HTML" in str(error)


async def test_empty_and_non_utf8_bodies() -> None:
    assert "empty" in str(await details_error(b""))
    assert "UTF-8" in str(await details_error(b'{"\xff\xfe": 1}'))


@pytest.mark.parametrize(
    ("body", "flavor", "says"),
    [
        (b'["20240315-020003-1"]', ApiFlavor.API, "entry 0"),
        (b'"just a string"', ApiFlavor.API, "expected a map of job ids"),
        (b'{"values": []}', ApiFlavor.REST, "without 'value'"),
        (b'{"value": [{"id": "x"}]}', ApiFlavor.REST, "entry 0"),
    ],
)
async def test_wrong_shape_is_invalid_response(body: bytes, flavor: ApiFlavor, says: str) -> None:
    error = await details_error(body, flavor=flavor)
    assert isinstance(error, InvalidResponse)
    assert says in str(error) and "job details" in str(error)


async def test_unknown_enums_and_one_bad_record_among_good_ones() -> None:
    fake = FakeAppliance()
    body = {
        "20240317-020003-1": record("QUEUED_FOR_LATER", type="CLOUD_SNAPSHOT"),
        "20240316-020003-1": record(size="lots"),
        "20240315-020003-1": record(),
    }
    fake.details(json.dumps(body).encode())
    async with fake.client() as client:
        result = await client.list_job_details()
        assert client.bytes_received >= len(json.dumps(body))
    assert [job.id for job in result.jobs] == ["20240317-020003-1", "20240315-020003-1"]
    newest = result.jobs[0]
    assert newest.status == "QUEUED_FOR_LATER" and not newest.status.is_known
    assert newest.type == "CLOUD_SNAPSHOT" and not JobType(newest.type).is_known
    assert result.jobs[1].status is JobStatus.SUCCEEDED
    (problem,) = result.problems
    assert (problem.record_id, problem.field_path) == ("20240316-020003-1", "size")


async def test_job_ids_and_schedules_shapes() -> None:
    fake = FakeAppliance()
    fake.on("GET", "/job", lambda r: httpx.Response(200, json={"ids": ["x"]}))
    fake.on("GET", "/schedules", lambda r: httpx.Response(200, json={"default": {"enable": "yes"}}))
    async with fake.client() as client:
        with pytest.raises(InvalidResponse, match="job list: expected a list of job ids"):
            await client.list_job_ids()
        with pytest.raises(InvalidResponse, match="schedules: job default: field 'enable'"):
            await client.get_schedules()


async def test_login_answer_that_is_not_a_token() -> None:
    fake = FakeAppliance()
    fake.routes["POST", "/api/session"] = lambda r: httpx.Response(201, json={"token": "x"})
    async with fake.client() as client:
        with pytest.raises(InvalidResponse, match="expected the session id as a JSON string"):
            await client.login()


# -- error bodies of both flavours ----------------------------------------------------------------


async def test_api_error_body_of_the_api_flavour() -> None:
    body = {
        "error_type": "SERVICE_UNAVAILABLE",
        "messages": [{"id": "x", "default_message": "The backup service is [b]restarting[/b]", "args": []}],
    }
    error = await details_error(lambda r: httpx.Response(503, json=body))
    assert isinstance(error, ApiError)
    assert (error.status_code, error.error_type) == (503, "SERVICE_UNAVAILABLE")
    assert error.messages == ("The backup service is [b]restarting[/b]",)
    assert "API service had a problem" in str(error) and "HTTP 503 SERVICE_UNAVAILABLE" in str(error)


async def test_api_error_body_of_the_rest_flavour() -> None:
    body = {
        "type": "com.vmware.vapi.std.errors.internal_server_error",
        "value": {"messages": [{"id": "x", "default_message": "Oops {0}", "args": ["db"]}]},
    }
    error = await details_error(lambda r: httpx.Response(500, json=body), flavor=ApiFlavor.REST)
    assert isinstance(error, ApiError)
    assert error.error_type == "com.vmware.vapi.std.errors.internal_server_error"
    assert error.messages == ("Oops db",)
    assert "HTTP 500 INTERNAL_SERVER_ERROR: Oops db" in str(error)


async def test_403_names_the_privilege() -> None:
    body = {
        "error_type": "UNAUTHORIZED",
        "messages": [{"id": "v", "default_message": "Unable to authorize user"}],
    }
    error = await details_error(lambda r: httpx.Response(403, json=body))
    assert isinstance(error, NotAuthorized)
    assert "SystemConfiguration.Administrators" in str(error) and USER in str(error)


async def test_error_text_with_control_characters_stays_on_one_line() -> None:
    body = {
        "error_type": "ERROR",
        "messages": [{"id": "x", "default_message": "bad\x1b[31m\nthing", "args": []}],
    }
    error = await details_error(lambda r: httpx.Response(500, json=body))
    assert "\x1b" not in str(error) and "\n" not in str(error)
    assert isinstance(error, ApiError) and error.messages == ("bad\x1b[31m\nthing",)  # kept verbatim


async def test_cancel_job() -> None:
    fake = FakeAppliance()
    seen: list[str] = []

    def cancel(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        if "refuse" in request.url.path:
            return httpx.Response(
                200,
                json={"status": "FAIL", "messages": [{"id": "c", "default_message": "too late", "args": []}]},
            )
        return httpx.Response(200, json={"status": "OK", "messages": []})

    fake.routes["POST", "/api/appliance/recovery/backup/job/20240315-020003-1/cancel"] = cancel
    fake.routes["POST", "/api/appliance/recovery/backup/job/refuse/cancel"] = cancel
    async with fake.client() as client:
        await client.cancel_job("20240315-020003-1")
        with pytest.raises(ApiError, match="could not cancel job refuse: too late"):
            await client.cancel_job("refuse")
        with pytest.raises(ApiError, match="not found"):
            await client.cancel_job("a/b")
    assert seen == [
        "/api/appliance/recovery/backup/job/20240315-020003-1/cancel",
        "/api/appliance/recovery/backup/job/refuse/cancel",
    ]
    assert any(r.url.raw_path.startswith(b"/api/appliance/recovery/backup/job/a%2Fb") for r in fake.requests)


# -- transport failures ----------------------------------------------------------------------------


def raising(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        raise exc

    return respond


async def test_read_timeout_says_timeout() -> None:
    error = await details_error(raising(httpx.ReadTimeout("timed out")))
    assert isinstance(error, ApplianceUnreachable) and "read timeout" in str(error)


async def test_dns_failure_says_which_host() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as cause:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from cause

    fake = FakeAppliance()
    fake.routes["POST", "/api/session"] = fail
    async with fake.client() as client:
        with pytest.raises(
            ApplianceUnreachable, match=re.escape("cannot resolve the host name 'vcsa01.example.com'")
        ):
            await client.login()


async def test_connection_refused_on_a_real_closed_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ApplianceClient(f"http://127.0.0.1:{port}", USER, Secret(PASSWORD))
    with pytest.raises(ApplianceUnreachable) as info:
        await client.list_job_details()
    assert f"connection refused on port {port}" in str(info.value)
    assert type(info.value) is ApplianceUnreachable
    await client.close()


async def test_connect_timeout_on_a_real_listener_that_never_accepts() -> None:
    # a full accept queue makes Linux drop further SYNs: the connect hangs until the timeout
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        try:
            client = ApplianceClient(
                f"http://127.0.0.1:{port}", USER, Secret(PASSWORD), timeouts=Timeouts(connect=0.5, read=5.0)
            )
            with pytest.raises(
                ApplianceUnreachable, match=re.escape("no connection within 0.5 s (connect timeout)")
            ):
                await client.login()
            await client.close()
        finally:
            for filler in fillers:
                filler.close()


# -- secrets ------------------------------------------------------------------------------------


async def test_no_token_or_password_in_reprs_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeAppliance()
    fake.details(lambda r: httpx.Response(500, json={"error_type": "ERROR", "messages": []}))
    client = fake.client()
    await client.login()
    with pytest.raises(ApiError) as info:
        await client.list_job_details()
    assert_no_secrets(repr(client), str(client), str(info.value), repr(info.value), repr(vars(client)))
    await client.close()
    assert_no_secrets(caplog.text)


def chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


async def test_no_httpx_or_decoder_exception_rides_along_with_an_error() -> None:
    """A chained httpx exception holds the request (with the session header); a JSON decoder
    exception holds the whole body (for a login, the session id)."""
    fake = FakeAppliance()
    fake.routes["POST", "/api/session"] = lambda r: httpx.Response(201, content=b'"' + TOKEN.encode())
    async with fake.client() as client:
        with pytest.raises(InvalidResponse) as info:
            await client.login()
    assert chain(info.value) == [info.value]
    assert_no_secrets(str(info.value), repr(info.value))

    for failure in (
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("x"),
    ):
        error = await details_error(raising(failure))
        assert chain(error) == [error], failure
