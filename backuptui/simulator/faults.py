"""Fault injection: what goes wrong with the next responses of the appliance paths.

Faults never touch `/_simulator/*`. Switch them at start (`SimulatorConfig(faults=[...])`,
`backuptui simulate --fault SPEC`) or while running (`POST /_simulator/fault`, `Simulator.set_fault`).

JSON body of `POST /_simulator/fault` (every key optional; the answer is the resulting state):

    {
      "latency": 0.5,          # seconds added before every appliance response (0 = none)
      "error_500": 3,          # the next 3 responses are 500 internal_server_error
      "error_503": 3,          # the next 3 responses are 503 service_unavailable
      "drop": 2,               # the next 2 requests: the socket is closed, no response at all
      "malformed": 1,          # the next response with a body carries invalid JSON (status kept)
      "truncate": 1,           # the next response with a body: Content-Length says more than is sent
      "deep": 1,               # the next JSON response: its first record (or the body itself) gets
                               # an "error" nested 10,000 levels deep
      "huge": 50,              # every details answer: its first record FAILED, with a message of
                               # 50 MB (0 = off)
      "expire_sessions": true, # every session ends now (the next call gets 401)
      "match": "/job/details", # count faults only on paths containing this text (null = every path)
      "clear": true            # first reset everything (then apply the other keys)
    }

A count of -1 means "every response until cleared". Precedence for one request: latency, then
drop, 503, 500 (no response is produced), then malformed or truncate (applied to the real answer).

The same as command-line specs: `latency=0.5`, `500=3`, `503=3`, `drop=2`, `malformed=1`,
`truncate=1`, `deep=1`, `huge=50`, `expire-sessions`, `match=/job/details`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any

COUNTED = ("error_500", "error_503", "drop", "malformed", "truncate", "deep")

#: how deeply the `deep` fault nests (deeper than any JSON decoder recurses)
DEEP_LEVELS = 10_000
_ALIASES = {"500": "error_500", "503": "error_503", "expire-sessions": "expire_sessions"}


class FaultError(ValueError):
    """A fault spec that does not parse; the message says what is wrong."""


def parse_spec(spec: str) -> dict[str, Any]:
    """One command-line spec such as `500=3` or `latency=0.5` as a fault JSON object."""
    name, sep, value = spec.strip().partition("=")
    key = _ALIASES.get(name, name).replace("-", "_")
    if key == "expire_sessions" and not sep:
        return {"expire_sessions": True}
    if not sep:
        raise FaultError(f"fault {spec!r}: expected NAME=VALUE")
    if key == "match":
        return {"match": value}
    if key == "huge":
        try:
            return {"huge": float(value)}
        except ValueError:
            raise FaultError(f"fault {spec!r}: huge must be a number of megabytes") from None
    if key == "latency":
        try:
            return {"latency": float(value)}
        except ValueError:
            raise FaultError(f"fault {spec!r}: latency must be a number of seconds") from None
    if key in COUNTED:
        try:
            return {key: int(value)}
        except ValueError:
            raise FaultError(f"fault {spec!r}: the count must be an integer (-1 = until cleared)") from None
    raise FaultError(
        f"unknown fault {name!r}; use latency, 500, 503, drop, malformed, truncate, deep, "
        "huge, expire-sessions or match"
    )


class Faults:
    """The current fault state; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency = 0.0
        self.huge = 0.0
        self.match: str | None = None
        self.counts = dict.fromkeys(COUNTED, 0)

    def update(self, change: Mapping[str, Any]) -> bool:
        """Apply one fault JSON object; returns whether sessions must be expired now."""
        unknown = set(change) - {*COUNTED, "latency", "huge", "expire_sessions", "match", "clear"}
        if unknown:
            raise FaultError(f"unknown fault key(s): {', '.join(sorted(unknown))}")
        with self._lock:
            if change.get("clear"):
                self.latency, self.huge, self.match = 0.0, 0.0, None
                self.counts = dict.fromkeys(COUNTED, 0)
            if "latency" in change:
                latency = change["latency"]
                if not isinstance(latency, int | float) or isinstance(latency, bool) or latency < 0:
                    raise FaultError("latency must be a number of seconds >= 0")
                self.latency = float(latency)
            if "huge" in change:
                huge = change["huge"]
                if not isinstance(huge, int | float) or isinstance(huge, bool) or huge < 0:
                    raise FaultError("huge must be a number of megabytes >= 0")
                self.huge = float(huge)
            if "match" in change:
                if change["match"] is not None and not isinstance(change["match"], str):
                    raise FaultError("match must be a string or null")
                self.match = change["match"] or None
            for key in COUNTED:
                if key in change:
                    count = change[key]
                    if not isinstance(count, int) or isinstance(count, bool) or count < -1:
                        raise FaultError(f"{key} must be an integer >= -1")
                    self.counts[key] = count
        return bool(change.get("expire_sessions"))

    def update_all(self, specs: Iterable[str | Mapping[str, Any]]) -> bool:
        expire = False
        for spec in specs:
            expire |= self.update(parse_spec(spec) if isinstance(spec, str) else spec)
        return expire

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"latency": self.latency, "huge": self.huge, "match": self.match, **self.counts}

    def delay(self, path: str) -> float:
        with self._lock:
            return self.latency if self._applies(path) else 0.0

    def huge_bytes(self, path: str) -> int:
        """How long the `huge` fault makes one message on `path` (0: not armed)."""
        with self._lock:
            return int(self.huge * 1_000_000) if self._applies(path) else 0

    def take(self, path: str, names: Iterable[str]) -> str | None:
        """Consume and return the first of `names` that is armed for `path`."""
        with self._lock:
            if not self._applies(path):
                return None
            for name in names:
                count = self.counts[name]
                if count != 0:
                    if count > 0:
                        self.counts[name] = count - 1
                    return name
            return None

    def _applies(self, path: str) -> bool:
        return self.match is None or self.match in path


def _first_record(value: dict[str, Any]) -> dict[str, Any] | None:
    """The first record of a details body of either flavour, or None."""
    entries = value.get("value")
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        record = entries[0].get("value")
        return record if isinstance(record, dict) else None
    if value and all(isinstance(record, dict) for record in value.values()):
        return next(iter(value.values()))  # type: ignore[no-any-return]
    return None


def make_huge(body: bytes, size: int) -> bytes:
    """`body` with its first record FAILED and its error message `size` characters long; other
    bodies as they are. Built as text, so the message is made only once."""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    record = _first_record(value) if isinstance(value, dict) else None
    if record is None:
        return body
    marker = "\u0000huge\u0000"
    record["status"] = "FAILED"
    record["error"] = {
        "error_type": "ERROR",
        "messages": [{"id": "simulator.huge", "default_message": marker, "args": []}],
    }
    head, _, tail = json.dumps(value).partition(json.dumps(marker))
    return b"".join((head.encode(), b'"', b"x" * size, b'"', tail.encode()))


def nest_deeply(body: bytes, levels: int = DEEP_LEVELS) -> bytes:
    """`body` with an "error" nested `levels` deep in its first record (a details body of either
    flavour) or in the body itself; built as text, as no encoder nests that far."""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    if not isinstance(value, dict):
        return body
    target = value
    entries = value.get("value")
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        target = entries[0].get("value", target)
    elif value and all(isinstance(record, dict) for record in value.values()):
        target = next(iter(value.values()))
    marker = "\u0000deep\u0000"
    target["error"] = marker
    deep = '{"cause":' * levels + "null" + "}" * levels
    return json.dumps(value).replace(json.dumps(marker), deep, 1).encode()
