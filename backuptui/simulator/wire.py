"""The appliance's wire format: messages, error bodies and map encodings of both URL flavours.

`/api` bodies are bare and maps are JSON objects keyed by id; `/rest` bodies are wrapped as
`{"value": ...}` and maps are lists of `{"key", "value"}`. Errors are
`{"error_type": "NOT_FOUND", "messages": [...]}` on `/api` and
`{"type": "com.vmware.vapi.std.errors.not_found", "value": {"messages": [...]}}` on `/rest`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

API = "api"
REST = "rest"

#: HTTP status for each vAPI std error type the simulator emits
ERROR_STATUS = {
    "UNAUTHENTICATED": 401,
    "UNAUTHORIZED": 403,
    "NOT_FOUND": 404,
    "INVALID_ARGUMENT": 400,
    "FEATURE_IN_USE": 400,
    "NOT_ALLOWED_IN_CURRENT_STATE": 400,
    "INTERNAL_SERVER_ERROR": 500,
    "ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}

AUTH_REQUIRED_ID = "com.vmware.vapi.endpoint.method.authentication.required"
AUTH_REQUIRED_TEXT = "Authentication required."
AUTHZ_INVALID_ID = "vapi.security.authorization.invalid"
AUTHZ_INVALID_TEXT = "Unable to authorize user"


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and `Z`, as the appliance writes times."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def system_time(now: datetime) -> dict[str, Any]:
    """`com.vmware.appliance.system.time` `SystemTimeStruct`: the appliance's clock (UTC here)."""
    now = now.astimezone(UTC)
    return {
        "seconds_since_epoch": round(now.timestamp(), 3),
        "date": now.strftime("%a %m-%d-%Y"),
        "time": now.strftime("%I:%M:%S %p"),
        "timezone": "UTC",
    }


def message(msg_id: str, text: str, *args: str) -> dict[str, Any]:
    """A `LocalizableMessage`: `id`, `default_message` and `args` are always present."""
    return {"id": msg_id, "default_message": text, "args": list(args)}


def dumps(value: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def wrap(flavor: str, value: Any) -> Any:
    """A successful body: bare on `/api`, `{"value": ...}` on `/rest`."""
    return value if flavor == API else {"value": value}


def encode_map(flavor: str, mapping: dict[str, Any]) -> Any:
    """A vAPI map: a JSON object on `/api`, a list of `{"key", "value"}` (wrapped) on `/rest`."""
    if flavor == API:
        return mapping
    return {"value": [{"key": key, "value": value} for key, value in mapping.items()]}


def error_body(flavor: str, error_type: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The error body of a flavour for a std error type such as `NOT_FOUND`."""
    if flavor == REST:
        return {"type": "com.vmware.vapi.std.errors." + error_type.lower(), "value": {"messages": messages}}
    return {"error_type": error_type, "messages": messages}


def unauthenticated(flavor: str, challenge: str | None = None) -> dict[str, Any]:
    """The 401 body, exactly as real appliances send it; builds from 7.0 on add the `challenge`."""
    body = error_body(flavor, "UNAUTHENTICATED", [message(AUTH_REQUIRED_ID, AUTH_REQUIRED_TEXT)])
    if challenge is not None:
        (body["value"] if flavor == REST else body)["challenge"] = challenge
    return body


def challenge(fqdn: str, realm: str) -> str:
    """The `challenge` of a 401: which schemes the endpoint accepts, as vCenter 7.0+ words it."""
    return (
        f'Basic realm="VAPI endpoint",SIGN realm="{realm}",service="VAPI endpoint",'
        f'sts="https://{fqdn}/sts/STSService/vsphere.local"'
    )


def unauthorized(flavor: str) -> dict[str, Any]:
    """The 403 body for a user without the privilege (the runtime's own message)."""
    return error_body(flavor, "UNAUTHORIZED", [message(AUTHZ_INVALID_ID, AUTHZ_INVALID_TEXT)])


def not_found(flavor: str, what: str = "Not found.") -> dict[str, Any]:
    return error_body(flavor, "NOT_FOUND", [message("com.vmware.vapi.rest.httpNotFound", what)])


def feature_in_use(flavor: str) -> dict[str, Any]:
    return error_body(
        flavor,
        "FEATURE_IN_USE",
        [
            message(
                "com.vmware.applmgmt.err_backup_restore_in_progress",
                "A backup or restore is already in progress.",
            )
        ],
    )


def invalid_argument(flavor: str, text: str) -> dict[str, Any]:
    return error_body(
        flavor, "INVALID_ARGUMENT", [message("com.vmware.vapi.std.errors.invalid_argument", text)]
    )


def not_allowed(flavor: str, why: str) -> dict[str, Any]:
    """400 `not_allowed_in_current_state`: the appliance cannot do this now (`why`)."""
    return error_body(
        flavor,
        "NOT_ALLOWED_IN_CURRENT_STATE",
        [message("com.vmware.applmgmt.backup.not_allowed", f"Backup is not allowed now: {why}.")],
    )
