"""The recording file: one JSON document, versioned, written atomically with mode 0600.

`{"format": "backuptui-recording", "version": 1, "recorded_at", "appliance", "flavor",
"anonymized", "duration", "exchanges": [{"t", "elapsed", "method", "path", "query", "status",
"headers", "body" | "body_base64"}]}`; `t` is seconds since the recording began. See
`docs/recording.md`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "backuptui-recording"
VERSION = 1  # the newest version this program writes; it reads every version up to this one


class RecordingError(Exception):
    """A file that is no recording this program can read; `str()` says why."""


@dataclass
class Exchange:
    """One request and what the appliance answered."""

    t: float  # seconds since the recording began, when the request was sent
    elapsed: float  # seconds until the whole answer was read
    method: str
    path: str
    query: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # only the ones that matter (lower-case)
    body: bytes | None = None  # None: left out (a login's token)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "t": round(self.t, 3),
            "elapsed": round(self.elapsed, 4),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "headers": self.headers,
        }
        if self.body is None:
            out["body"] = None
        else:
            try:
                out["body"] = self.body.decode("utf-8")
            except UnicodeDecodeError:
                out["body_base64"] = base64.b64encode(self.body).decode("ascii")
        return out

    @classmethod
    def from_json(cls, data: Any) -> Exchange:
        if not isinstance(data, dict):
            raise RecordingError("an exchange is not a JSON object")
        try:
            if data.get("body_base64") is not None:
                body: bytes | None = base64.b64decode(data["body_base64"], validate=True)
            else:
                text = data.get("body")
                body = None if text is None else str(text).encode("utf-8")
            return cls(
                t=float(data["t"]),
                elapsed=float(data.get("elapsed", 0.0)),
                method=str(data["method"]),
                path=str(data["path"]),
                query=str(data.get("query", "")),
                status=int(data["status"]),
                headers={str(k).lower(): str(v) for k, v in (data.get("headers") or {}).items()},
                body=body,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordingError(f"an exchange is incomplete or wrong: {exc}") from None


@dataclass
class Recording:
    appliance: str  # the base URL recorded (anonymized when `anonymized`)
    flavor: str | None
    recorded_at: str  # RFC 3339, UTC
    exchanges: list[Exchange] = field(default_factory=list)
    anonymized: bool = False
    version: int = VERSION

    @property
    def duration(self) -> float:
        return max((e.t + e.elapsed for e in self.exchanges), default=0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "recorded_at": self.recorded_at,
            "appliance": self.appliance,
            "flavor": self.flavor,
            "anonymized": self.anonymized,
            "duration": round(self.duration, 3),
            "exchanges": [e.to_json() for e in self.exchanges],
        }


def loads(text: str | bytes) -> Recording:
    """A recording of any version up to `VERSION`."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RecordingError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError('not a backuptui recording (no "format": "backuptui-recording")')
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise RecordingError(f"unknown recording version {version!r}")
    if version > VERSION:
        raise RecordingError(
            f"recording version {version} is newer than this backuptui reads ({VERSION}); update backuptui"
        )
    exchanges = data.get("exchanges")
    if not isinstance(exchanges, list):
        raise RecordingError("the recording has no list of exchanges")
    return Recording(
        appliance=str(data.get("appliance", "")),
        flavor=data.get("flavor"),
        recorded_at=str(data.get("recorded_at", "")),
        exchanges=[Exchange.from_json(item) for item in exchanges],
        anonymized=bool(data.get("anonymized", False)),
        version=version,
    )


def load(path: str | os.PathLike[str]) -> Recording:
    try:
        return loads(Path(path).read_bytes())
    except OSError as exc:
        raise RecordingError(f"cannot read {path}: {exc.strerror or exc}") from None


def save(recording: Recording, path: str | os.PathLike[str]) -> Path:
    """Write atomically (a reader sees the old file or the whole new one); a new file is 0600."""
    target = Path(path).expanduser().absolute()
    text = json.dumps(recording.to_json(), ensure_ascii=False, indent=1) + "\n"
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)  # mkstemp made it 0600
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return target
