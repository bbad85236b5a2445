"""What the simulated appliance answers to one request, whatever carries it: the threaded server
(`server.py`, one appliance) and the event-loop server (`loop_server.py`, a fleet in one process)
both ask here, so a fault, a count or an answer is the same on either.

`/_simulator/*` (stats, faults, starting a backup) needs no session and is never faulted or counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backuptui.simulator import jsonrpc, wire
from backuptui.simulator.faults import FaultError, make_huge, nest_deeply
from backuptui.simulator.live import InProgress
from backuptui.simulator.routes import Answer, Request, answer, flavor_of, route

if TYPE_CHECKING:
    from backuptui.simulator.simulator import Simulator

CONTROL_PREFIX = "/_simulator/"


@dataclass(frozen=True)
class Outcome:
    """An appliance answer; `answer` None: drop the connection without one; `truncate`: send half
    the body and close."""

    answer: Answer | None
    truncate: bool = False


def appliance_outcome(sim: Simulator, request: Request) -> Outcome:
    """The answer to an appliance request, faults applied (the caller has waited out the latency)."""
    fault = sim.faults.take(request.path, ("drop", "error_503", "error_500"))
    if fault == "drop":
        return Outcome(None)
    flavor = flavor_of(request.path) or wire.API
    rpc = jsonrpc.is_jsonrpc(request) and wire.API in sim.flavors
    if fault in ("error_503", "error_500"):
        # the backup operations declare `error` (not `internal_server_error`) for a failure
        error_type, text = (
            ("SERVICE_UNAVAILABLE", "Service is unavailable.")
            if fault == "error_503"
            else ("ERROR", "Internal server error.")
        )
        if rpc:
            result = jsonrpc.error_answer(request, error_type, text)
        else:
            result = answer(wire.ERROR_STATUS[error_type], _error(flavor, error_type, text))
    else:
        try:
            result = jsonrpc.handle(sim, request) if rpc else route(sim, request)
        except Exception as exc:  # a simulator bug must look like an appliance 500, not hang
            text = f"Simulator error: {type(exc).__name__}"
            result = answer(500, _error(flavor, "ERROR", text))
    damage = sim.faults.take(request.path, ("malformed", "truncate", "deep")) if result.body else None
    huge = sim.faults.huge_bytes(request.path) if result.body else 0
    if huge:
        result = Answer(result.status, make_huge(result.body, huge), result.headers)
    if damage == "deep":
        result = Answer(result.status, nest_deeply(result.body), result.headers)
    elif damage == "malformed":
        # the body is damaged, the headers (a login's session cookie) are as they were
        damaged = result.body[: len(result.body) // 2] + b" <html>Bad Gateway"
        result = Answer(result.status, damaged, result.headers)
    return Outcome(result, truncate=damage == "truncate")


def control(sim: Simulator, request: Request) -> Answer:
    """`/_simulator/stats`, `/_simulator/fault`, `/_simulator/backup`."""
    name = request.path[len(CONTROL_PREFIX) :]
    if name == "stats" and request.method == "GET":
        return answer(200, sim.stats())
    if name == "fault" and request.method == "GET":
        return answer(200, sim.faults.state())
    if name == "fault" and request.method == "POST":
        try:
            change = json.loads(request.body or b"{}")
            if not isinstance(change, dict):
                raise FaultError("the body must be a JSON object")
            return answer(200, sim.set_fault(change))
        except (ValueError, FaultError) as exc:
            return answer(400, {"error": str(exc)})
    if name == "backup" and request.method == "POST":
        try:
            return answer(200, {"id": sim.start_backup()})
        except InProgress as exc:
            return answer(409, {"error": str(exc)})
    return answer(404, {"error": f"no such simulator endpoint: {request.method} {request.path}"})


def _error(flavor: str, error_type: str, text: str) -> dict[str, Any]:
    msg_id = "com.vmware.vapi.std.errors." + error_type.lower()
    return wire.error_body(flavor, error_type, [wire.message(msg_id, text)])
