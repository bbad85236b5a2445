"""The appliance endpoints of both URL flavours: a request in, a status and a JSON value out.

Transport concerns (sockets, faults, counting) live in `server.py`; this module only knows the
API: sessions, backup jobs, job details with every filter syntax, schedules and parts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from backuptui.simulator import wire
from backuptui.simulator.live import InProgress
from backuptui.simulator.wire import API, REST

if TYPE_CHECKING:
    from backuptui.simulator.simulator import Simulator

PREFIX = {API: "/api", REST: "/rest"}
SESSION_PATH = {API: "/api/session", REST: "/rest/com/vmware/cis/session"}
BACKUP = "/appliance/recovery/backup"
SYSTEM_TIME = "/appliance/system/time"
_INDEXED = re.compile(r"^filter\.jobs(\.\d+)?$")


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class Answer:
    status: int
    body: bytes = b""  # already JSON; empty for no body


def answer(status: int, value: Any) -> Answer:
    return Answer(status, wire.dumps(value))


def flavor_of(path: str) -> str | None:
    if path == "/api" or path.startswith("/api/"):
        return API
    if path == "/rest" or path.startswith("/rest/"):
        return REST
    return None


def route(sim: Simulator, request: Request) -> Answer:
    """Answer one appliance request."""
    flavor = flavor_of(request.path)
    if flavor is None or flavor not in sim.flavors:
        return answer(404, wire.not_found(flavor or API))
    if request.path == SESSION_PATH[flavor]:
        return _session(sim, request, flavor)
    session = sim.sessions.touch(request.headers.get("vmware-api-session-id"))
    if session is None:
        return answer(401, wire.unauthenticated(flavor))
    rel = request.path[len(PREFIX[flavor]) :]
    if rel == SYSTEM_TIME and request.method == "GET":  # any signed-in user may read the clock
        return answer(200, wire.wrap(flavor, wire.system_time(sim.clock())))
    if not rel.startswith(BACKUP + "/"):
        return answer(404, wire.not_found(flavor))
    if not session.privileged:
        return answer(403, wire.unauthorized(flavor))
    parts = [unquote(p) for p in rel[len(BACKUP) + 1 :].split("/")]
    method = request.method
    action = dict(request.query).get("action")
    if parts == ["job"] and method == "GET":
        return answer(200, wire.wrap(flavor, sim.jobs.ids()))
    if parts == ["job"] and method == "POST":
        return _create(sim, request, flavor, session.user)
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
            return _start(sim, flavor, "SCHEDULED", session.user, None, None)
    if parts == ["parts"] and method == "GET":
        return answer(200, wire.wrap(flavor, _PARTS))
    return answer(404, wire.not_found(flavor))


def _session(sim: Simulator, request: Request, flavor: str) -> Answer:
    token_header = request.headers.get("vmware-api-session-id")
    is_get = request.method == "GET" if flavor == API else dict(request.query).get("~action") == "get"
    if request.method == "POST" and not is_get:
        token = sim.sessions.login(request.headers.get("authorization"))
        if token is None:
            return answer(401, wire.unauthenticated(flavor))
        return answer(201, token) if flavor == API else answer(200, {"value": token})
    if request.method not in ("GET", "POST", "DELETE"):
        return answer(404, wire.not_found(flavor))
    session = sim.sessions.touch(token_header)
    if session is None:
        return answer(401, wire.unauthenticated(flavor))
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


def _create(sim: Simulator, request: Request, flavor: str, user: str) -> Answer:
    body = _json_body(request)
    piece = body.get("piece") if flavor == REST and isinstance(body, dict) else body
    if not isinstance(piece, dict):
        want = '{"piece": BackupRequest}' if flavor == REST else "a BackupRequest object"
        return answer(400, wire.invalid_argument(flavor, f"The request body must be {want}."))
    location, location_type = piece.get("location"), piece.get("location_type")
    if not isinstance(location, str) or not location or not isinstance(location_type, str):
        return answer(400, wire.invalid_argument(flavor, "location_type and location are required."))
    location_user = piece.get("location_user")
    return _start(
        sim, flavor, "MANUAL", user, location, location_user if isinstance(location_user, str) else ""
    )


def _start(
    sim: Simulator, flavor: str, job_type: str, user: str, location: str | None, loc_user: str | None
) -> Answer:
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
