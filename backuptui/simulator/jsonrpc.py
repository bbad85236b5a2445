"""vAPI JSON-RPC 2.0 on `POST /api`: the official SDK's default transport.

Each call (`{"method": "invoke", "params": {"serviceId", "operationId", "input", "ctx"}}`) is turned
into the matching `/api` REST request, answered by `routes.route`, and its JSON turned back into
typed vAPI data values (`{"STRUCTURE": {name: fields}}`, `{"OPTIONAL": v}`, map entries, errors as
`{"ERROR": {...}}`) following the types the bindings declare (`jsonrpc_schema.json`, written from
the bindings by `tools/jsonrpc_schema.py`). Transport-level problems get JSON-RPC error codes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from backuptui.simulator import wire
from backuptui.simulator.routes import BACKUP, SESSION_HEADER, Answer, Request, route

if TYPE_CHECKING:
    from backuptui.simulator.simulator import Simulator

STD_ERRORS = "com.vmware.vapi.std.errors."
SESSION_SCHEME = "com.vmware.vapi.std.security.session_id"
USER_PASS_SCHEME = "com.vmware.vapi.std.security.user_pass"  # noqa: S105 - a scheme name
_B = "/api" + BACKUP

#: (service, operation) -> (method, path from the input, body from the input)
Call = tuple[str, Callable[[dict[str, Any]], str], Callable[[dict[str, Any]], Any]]
_NONE: Callable[[dict[str, Any]], Any] = lambda _: None  # noqa: E731
CALLS: dict[tuple[str, str], Call] = {
    ("com.vmware.cis.session", "create"): ("POST", lambda _: "/api/session", _NONE),
    ("com.vmware.cis.session", "get"): ("GET", lambda _: "/api/session", _NONE),
    ("com.vmware.cis.session", "delete"): ("DELETE", lambda _: "/api/session", _NONE),
    ("com.vmware.appliance.recovery.backup.job", "list"): ("GET", lambda _: _B + "/job", _NONE),
    ("com.vmware.appliance.recovery.backup.job", "get"): ("GET", lambda i: f"{_B}/job/{_q(i['id'])}", _NONE),
    ("com.vmware.appliance.recovery.backup.job", "create"): (
        "POST",
        lambda _: _B + "/job",
        lambda i: i["piece"],
    ),
    ("com.vmware.appliance.recovery.backup.job", "cancel"): (
        "POST",
        lambda i: f"{_B}/job/{_q(i['id'])}/cancel",
        _NONE,
    ),
    ("com.vmware.appliance.recovery.backup.job.details", "list"): (
        "GET",
        lambda _: _B + "/job/details",
        lambda i: {"filter": i["filter"]} if i.get("filter") else {},
    ),
    ("com.vmware.appliance.recovery.backup.schedules", "list"): ("GET", lambda _: _B + "/schedules", _NONE),
    ("com.vmware.appliance.recovery.backup.schedules", "get"): (
        "GET",
        lambda i: f"{_B}/schedules/{_q(i['schedule'])}",
        _NONE,
    ),
    ("com.vmware.appliance.recovery.backup.schedules", "run"): (
        "POST",
        lambda i: f"{_B}/schedules/{_q(i['schedule'])}?action=run",
        lambda i: {"comment": i["comment"]} if i.get("comment") else None,
    ),
    ("com.vmware.appliance.recovery.backup.parts", "list"): ("GET", lambda _: _B + "/parts", _NONE),
    ("com.vmware.appliance.recovery.backup.parts", "get"): (
        "GET",
        lambda i: f"{_B}/parts/{_q(i['id'])}",
        _NONE,
    ),
}


def _q(value: Any) -> str:
    return quote(str(value), safe="")


@cache
def schema() -> dict[str, Any]:
    """The services' operations and the structures they use, as the bindings declare them."""
    text = resources.files("backuptui.simulator").joinpath("jsonrpc_schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def is_jsonrpc(request: Request) -> bool:
    return request.method == "POST" and request.path in ("/api", "/api/")


def handle(sim: Simulator, request: Request) -> Answer:
    """One JSON-RPC call; always HTTP 200, as the runtime answers (errors are in the body)."""
    try:
        call = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _protocol_error(None, -32700, "Parse error")
    if not isinstance(call, dict):
        return _protocol_error(None, -32600, "Invalid Request")
    ident = call.get("id")
    params = call.get("params")
    if call.get("jsonrpc") != "2.0" or not isinstance(params, dict):
        return _protocol_error(ident, -32600, "Invalid Request")
    if call.get("method") != "invoke":
        return _protocol_error(ident, -32601, "Method not found")
    service, operation = params.get("serviceId"), params.get("operationId")
    known = CALLS.get((str(service), str(operation)))
    declared = schema()["services"].get(service, {}).get(operation)
    if known is None or declared is None:
        text = f"Operation {operation} of service {service} not found."
        return _result(ident, {"error": _error("operation_not_found", "OPERATION_NOT_FOUND", text)})
    try:
        given = plain(params.get("input") or {"STRUCTURE": {"operation-input": {}}})
        inputs = {name: given.get(name) if isinstance(given, dict) else None for name in declared["input"]}
        method, path, body = known[0], known[1](inputs), known[2](inputs)
    except (ValueError, TypeError, KeyError, AttributeError):
        return _protocol_error(ident, -32602, "Invalid params")
    headers = {k: v for k, v in request.headers.items() if k in ("cookie", SESSION_HEADER)}
    ctx = params.get("ctx")
    security: dict[str, Any] = {}
    if isinstance(ctx, dict) and isinstance(ctx.get("securityCtx"), dict):
        security = ctx["securityCtx"]
    if security.get("schemeId") == SESSION_SCHEME and security.get("sessionId"):
        headers[SESSION_HEADER] = str(plain(security["sessionId"]))
    elif security.get("schemeId") == USER_PASS_SCHEME:
        pair = f"{plain(security.get('userName'))}:{plain(security.get('password'))}"
        headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    path, _, query = path.partition("?")
    inner = Request(
        method=method,
        path=path,
        query=[tuple(part.split("=", 1)) for part in query.split("&")] if query else [],  # type: ignore[misc]
        headers=headers,
        body=wire.dumps(body) if body is not None else b"",
        vami=request.vami,
    )
    answer = route(sim, inner)
    value = json.loads(answer.body) if answer.body else None
    if answer.status >= 400:
        return _result(ident, {"error": typed_error(value)})
    return _result(ident, {"output": encode(value, declared["output"])})


def plain(value: Any) -> Any:
    """A vAPI data value from the wire as plain JSON (structures as objects, optionals unwrapped)."""
    if isinstance(value, list):
        items = [plain(item) for item in value]
        if items and all(isinstance(i, dict) and set(i) == {"key", "value"} for i in items):
            return {i["key"]: i["value"] for i in items}
        return items
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise ValueError("a data value has exactly one type name")
    kind, inner = next(iter(value.items()))
    if kind in ("OPTIONAL", "SECRET"):
        return None if inner is None else plain(inner)
    if kind in ("STRUCTURE", "ERROR") and isinstance(inner, dict) and len(inner) == 1:
        fields = next(iter(inner.values()))
        return {name: plain(field) for name, field in fields.items()}
    raise ValueError(f"unknown data value type {kind}")


def encode(value: Any, kind: Any) -> Any:
    """Plain JSON as the typed data value of binding type `kind` (see `tools/jsonrpc_schema.py`)."""
    if kind in ("string", "integer", "boolean", "double", "any"):
        return value
    if kind == "void":
        return None
    if kind == "secret":
        return {"SECRET": value}
    if kind == "any_error":
        return typed_error(value)
    if kind == "dynamic":
        return {"STRUCTURE": {"vmware.vapi.dynamic_struct": {}}}
    if "optional" in kind:
        return {"OPTIONAL": None if value is None else encode(value, kind["optional"])}
    if "list" in kind:
        return [encode(item, kind["list"]) for item in value or []]
    if "map" in kind:
        key, item = kind["map"]
        pairs = value.items() if isinstance(value, dict) else ((e["key"], e["value"]) for e in value)
        return [
            {"STRUCTURE": {"map-entry": {"key": encode(k, key), "value": encode(v, item)}}} for k, v in pairs
        ]
    name = kind["struct"]
    fields = schema()["structs"][name]
    source = value if isinstance(value, dict) else {}
    return {"STRUCTURE": {name: {field: encode(source.get(field), t) for field, t in fields.items()}}}


def typed_error(body: Any) -> dict[str, Any]:
    """An `/api` error body (`{"error_type", "messages", ...}`) as a typed `ERROR` value."""
    source = body if isinstance(body, dict) else {}
    error_type = str(source.get("error_type") or "ERROR")
    name = STD_ERRORS + error_type.lower()
    struct = name if name in schema()["structs"] else STD_ERRORS + "error"
    fields = encode(dict(source, error_type=error_type), {"struct": struct})["STRUCTURE"][struct]
    return {"ERROR": {name: fields}}


def error_answer(request: Request, error_type: str, text: str) -> Answer:
    """A failure of the appliance (a 500 or 503 fault) as the runtime words it: a typed error, HTTP 200."""
    try:
        call = json.loads(request.body)
        ident = call.get("id") if isinstance(call, dict) else None
    except (ValueError, UnicodeDecodeError):
        ident = None
    return _result(ident, {"error": _error(error_type.lower(), error_type, text)})


def _error(suffix: str, error_type: str, text: str) -> dict[str, Any]:
    messages = [wire.message(STD_ERRORS + suffix, text)]
    return typed_error({"error_type": error_type, "messages": messages})


def _result(ident: Any, result: dict[str, Any]) -> Answer:
    return Answer(200, wire.dumps({"jsonrpc": "2.0", "id": ident, "result": result}))


def _protocol_error(ident: Any, code: int, text: str) -> Answer:
    return Answer(200, wire.dumps({"jsonrpc": "2.0", "id": ident, "error": {"code": code, "message": text}}))
