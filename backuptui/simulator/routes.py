"""The appliance endpoints of both URL flavours: a request in, a status and a JSON value out.

Transport concerns (sockets, faults, counting) live in `server.py`; this module only knows the
API: sessions, backup jobs, job details with every filter syntax, schedules and parts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from backuptui.simulator import wire
from backuptui.simulator.live import InProgress
from backuptui.simulator.requests import BadRequest, check_request, validation_messages
from backuptui.simulator.wire import API, REST

if TYPE_CHECKING:
    from backuptui.simulator.simulator import Simulator

PREFIX = {API: "/api", REST: "/rest"}
SESSION_PATH = {API: "/api/session", REST: "/rest/com/vmware/cis/session"}
BACKUP = "/appliance/recovery/backup"
SYSTEM_TIME = "/appliance/system/time"
HEALTH = "/appliance/health/system"
SESSION_HEADER = "vmware-api-session-id"  # also the name of the session cookie
#: `GET .../backup/parts/{id}`: the estimated size of each part in MB
PART_SIZE_MB = {"common": 1843, "seat": 6554}
_INDEXED = re.compile(r"^filter\.jobs(\.\d+)?$")


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    vami: bool = False  # came in on the management port (Basic auth per request works there)


@dataclass
class Answer:
    status: int
    body: bytes = b""  # already JSON; empty for no body
    headers: dict[str, str] = field(default_factory=dict)  # beyond Content-Type and Content-Length


def answer(status: int, value: Any) -> Answer:
    return Answer(status, wire.dumps(value))


def flavor_of(path: str) -> str | None:
    if path == "/api" or path.startswith("/api/"):
        return API
    if path == "/rest" or path.startswith("/rest/"):
        return REST
    return None


def route(sim: Simulator, request: Request) -> Answer:
    """Answer one appliance request.

    The path is routed before the session is checked, as the real endpoint does: an unknown path
    answers 404 even without a session, a known one 401 without a session, 403 without the privilege.
    """
    flavor = flavor_of(request.path)
    if flavor is None or flavor not in sim.flavors:
        return answer(404, wire.not_found(flavor or API))
    if request.path == SESSION_PATH[flavor]:
        return _session(sim, request, flavor)
    if sim.replay is not None:
        return _replayed(sim, request, flavor)
    rel = request.path[len(PREFIX[flavor]) :]
    backup = rel.startswith(BACKUP + "/")
    parts = [unquote(p) for p in rel[len(BACKUP) + 1 :].split("/")] if backup else []
    if flavor == API and rel == BACKUP and dict(request.query).get("action") == "validate":
        backup, parts = True, ["validate"]  # `/api` spells validate as `POST .../backup?action=validate`
    known = rel in (SYSTEM_TIME, HEALTH) and request.method == "GET"
    if not known and not _known(parts, request.method):
        return answer(404, wire.not_found(flavor))
    session = sim.sessions.touch(session_token(request))
    if session is None and request.vami:
        session = sim.sessions.basic(request.headers.get("authorization"), sim.root_password)
    if session is None:
        return answer(401, wire.unauthenticated(flavor, sim.challenge))
    if rel == HEALTH:
        return answer(200, wire.wrap(flavor, "green"))
    if not backup:  # the clock: any signed-in user may read it
        return answer(200, wire.wrap(flavor, wire.system_time(sim.clock())))
    if not session.privileged or (request.method == "POST" and not session.may_act):
        return answer(403, wire.unauthorized(flavor))  # a reader may read, not start or cancel
    return _backup(sim, request, flavor, parts, session.user)


def _replayed(sim: Simulator, request: Request, flavor: str) -> Answer:
    """A recording's answer; sessions are still the simulator's."""
    assert sim.replay is not None
    if sim.sessions.touch(session_token(request)) is None:
        return answer(401, wire.unauthenticated(flavor, sim.challenge))
    found = sim.replay.find(request.method, request.path, urlencode(request.query))
    if found is None:
        return answer(404, wire.not_found(flavor))
    headers = {"Content-Type": found.content_type} if found.content_type else {}
    return Answer(found.status, found.body, headers)


def session_token(request: Request) -> str | None:
    """The session id from the `vmware-api-session-id` header, else from the cookie of that name."""
    token = request.headers.get(SESSION_HEADER)
    if token:
        return token
    cookies = SimpleCookie()
    try:
        cookies.load(request.headers.get("cookie", ""))
    except CookieError:
        return None
    morsel = cookies.get(SESSION_HEADER)
    return morsel.value if morsel is not None and morsel.value else None


def _known(parts: list[str], method: str) -> bool:
    """Whether `parts` (below `.../recovery/backup/`) name an operation the appliance has."""
    if not parts:
        return False
    head, count = parts[0], len(parts)
    if head == "validate":
        return count == 1 and method == "POST"
    if head == "job":
        return (
            (count == 1 and method in ("GET", "POST"))
            or (count == 2 and method in ("GET", "POST"))
            or (count == 3 and parts[2] == "cancel" and method == "POST")
        )
    if head in ("schedules", "parts"):
        return (count == 1 and method == "GET") or (count == 2 and method in ("GET", "POST"))
    return False


def _backup(sim: Simulator, request: Request, flavor: str, parts: list[str], user: str) -> Answer:
    method = request.method
    action = dict(request.query).get("action")
    if parts == ["job"] and method == "GET":
        return answer(200, wire.wrap(flavor, sim.jobs.ids()))  # newest first: clients take [0]
    if parts == ["job"] and method == "POST":
        return _create(sim, request, flavor, user)
    if parts == ["validate"]:
        return _validate(request, flavor)
    if parts == ["job", "details"] and method == "GET":
        return Answer(200, sim.jobs.details(flavor, _details_filter(request, flavor)))
    if len(parts) == 2 and parts[0] == "job" and method == "GET":
        status = sim.jobs.job_status(parts[1])
        return answer(200, wire.wrap(flavor, status)) if status else answer(404, _no_job(flavor, parts[1]))
    if (
        parts[0] == "job"
        and method == "POST"
        and ((len(parts) == 3 and parts[2] == "cancel") or (len(parts) == 2 and action == "cancel"))
    ):
        return _cancel(sim, flavor, parts[1])
    if parts == ["schedules"] and method == "GET":
        schedules = {"default": sim.schedule} if sim.schedule else {}
        return answer(200, wire.encode_map(flavor, schedules))
    if len(parts) == 2 and parts[0] == "schedules":
        if sim.schedule is None or parts[1] != "default":
            return answer(404, wire.not_found(flavor, f"Schedule {parts[1]} does not exist."))
        if method == "GET":
            return answer(200, wire.wrap(flavor, sim.schedule))
        if method == "POST" and action == "run":
            body = _json_body(request)
            comment = body.get("comment") if isinstance(body, dict) else None
            if comment is not None and not isinstance(comment, str):
                return answer(400, wire.invalid_argument(flavor, "comment: must be a string"))
            return _start(sim, flavor, "SCHEDULED", user, None, None)
    if parts == ["parts"] and method == "GET":
        return answer(200, wire.wrap(flavor, _PARTS))
    if len(parts) == 2 and parts[0] == "parts" and method == "GET":
        size = PART_SIZE_MB.get(parts[1])
        if size is None:
            return answer(404, wire.not_found(flavor, f"Backup part {parts[1]} does not exist."))
        return answer(200, wire.wrap(flavor, size))
    return answer(404, wire.not_found(flavor))


def _session(sim: Simulator, request: Request, flavor: str) -> Answer:
    token_header = session_token(request)
    is_get = request.method == "GET" if flavor == API else dict(request.query).get("~action") == "get"
    if request.method == "POST" and not is_get:
        token = sim.sessions.login(request.headers.get("authorization"))
        if token is None:
            return answer(401, wire.unauthenticated(flavor, sim.challenge))
        result = answer(201, token) if flavor == API else answer(200, {"value": token})
        result.headers["Set-Cookie"] = f"{SESSION_HEADER}={token}; Path=/{flavor}; HttpOnly"
        return result
    if request.method not in ("GET", "POST", "DELETE"):
        return answer(404, wire.not_found(flavor))
    session = sim.sessions.touch(token_header)
    if session is None:
        return answer(401, wire.unauthenticated(flavor, sim.challenge))
    if request.method == "DELETE":
        sim.sessions.logout(token_header)
        return Answer(204) if flavor == API else Answer(200)
    info = {
        "user": session.user,
        "created_time": wire.format_time(session.created),
        "last_accessed_time": wire.format_time(session.last_accessed),
    }
    return answer(200, wire.wrap(flavor, info))


def _json_body(request: Request) -> Any:
    if not request.body.strip():
        return None
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None


def _details_filter(request: Request, flavor: str) -> set[str] | None:
    """Job ids to keep, from the query (in the flavour's syntax) and from a JSON body on GET."""
    jobs: set[str] | None = None
    for key, value in request.query:
        if (flavor == API and key == "jobs") or (flavor == REST and _INDEXED.match(key)):
            jobs = (jobs or set()) | {value}
    body = _json_body(request)  # the official SDK sends {} or {"filter": {"jobs": [...]}} on GET
    if isinstance(body, dict):
        spec = body.get("filter", body if flavor == API else None)
        listed = spec.get("jobs") if isinstance(spec, dict) else None
        if isinstance(listed, list):
            jobs = (jobs or set()) | {str(item) for item in listed}
    return jobs


def _no_job(flavor: str, ident: str) -> dict[str, Any]:
    return wire.not_found(flavor, f"Backup job {ident} does not exist.")


def _piece(request: Request, flavor: str) -> dict[str, Any] | Answer:
    """The `BackupRequest` of a create or validate: bare on `/api`, `{"piece": ...}` on `/rest`."""
    body = _json_body(request)
    piece = body.get("piece") if flavor == REST and isinstance(body, dict) else body
    if not isinstance(piece, dict):
        want = '{"piece": BackupRequest}' if flavor == REST else "a BackupRequest object"
        return answer(400, wire.invalid_argument(flavor, f"The request body must be {want}."))
    return piece


def _create(sim: Simulator, request: Request, flavor: str, user: str) -> Answer:
    piece = _piece(request, flavor)
    if isinstance(piece, Answer):
        return piece
    try:
        checked = check_request(piece, PART_SIZE_MB)
    except BadRequest as exc:
        return answer(400, wire.invalid_argument(flavor, str(exc)))
    return _start(sim, flavor, "MANUAL", user, checked.location, checked.location_user)


def _validate(request: Request, flavor: str) -> Answer:
    """`validate`: a refusal as create would refuse, else OK or WARNING with the warnings."""
    piece = _piece(request, flavor)
    if isinstance(piece, Answer):
        return piece
    try:
        checked = check_request(piece, PART_SIZE_MB)
    except BadRequest as exc:
        return answer(400, wire.invalid_argument(flavor, str(exc)))
    warnings = validation_messages(checked, piece)
    return answer(200, wire.wrap(flavor, {"status": "WARNING" if warnings else "OK", "messages": warnings}))


def _start(
    sim: Simulator, flavor: str, job_type: str, user: str, location: str | None, loc_user: str | None
) -> Answer:
    if sim.actions_not_allowed:
        return answer(400, wire.not_allowed(flavor, sim.actions_not_allowed))
    try:
        job = sim.jobs.start(job_type, user, location, loc_user)
    except InProgress:
        return answer(400, wire.feature_in_use(flavor))
    status = sim.jobs.job_status(job.ident)
    return answer(201 if flavor == API else 200, wire.wrap(flavor, status))


def _cancel(sim: Simulator, flavor: str, ident: str) -> Answer:
    result = sim.jobs.cancel(ident)
    if result is None:
        return answer(404, _no_job(flavor, ident))
    text = "Backup job canceled." if result == "OK" else "The backup job is not running."
    value = {"status": result, "messages": [wire.message("com.vmware.applmgmt.backup.job.cancel", text)]}
    return answer(200, wire.wrap(flavor, value))


_PARTS = [
    {
        "id": "common",
        "name": wire.message("com.vmware.applmgmt.backup.parts.common", "Inventory and configuration"),
        "description": wire.message(
            "com.vmware.applmgmt.backup.parts.common.desc", "Inventory and configuration"
        ),
        "selected_by_default": True,
        "optional": False,
    },
    {
        "id": "seat",
        "name": wire.message("com.vmware.applmgmt.backup.parts.seat", "Stats, Events, and Tasks"),
        "description": wire.message("com.vmware.applmgmt.backup.parts.seat.desc", "Stats, Events, and Tasks"),
        "selected_by_default": True,
        "optional": True,
    },
]
