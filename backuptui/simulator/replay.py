"""Serving a recording (`backuptui record`) back: the same answers, in the same order and pace.

Sessions are the simulator's own (any login with the simulator's credentials works; the recorded
tokens were never written). Every other request is answered from the recording: the answer the
appliance gave to the same method, path and query (else the same method and path) most recently
at the same point of the recording's timeline, which runs `speed` times faster than real time.
At the end the timeline starts again (`loop`) or holds the last answers. This module reads the
file itself (it imports nothing of the client); the format is described in `docs/recording.md`.
"""

from __future__ import annotations

import base64
import bisect
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

FORMAT = "backuptui-recording"
VERSION = 1  # the newest version understood; older ones are read too


class ReplayError(ValueError):
    """The file cannot be replayed; `str()` says why."""


@dataclass
class Recorded:
    t: float
    status: int
    content_type: str | None
    body: bytes


@dataclass
class ReplayLog:
    """The recorded answers by request, each list in time order."""

    duration: float
    speed: float = 1.0
    loop: bool = False
    flavor: str | None = None
    _exact: dict[tuple[str, str, str], list[Recorded]] = field(default_factory=dict)
    _by_path: dict[tuple[str, str], list[Recorded]] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic  # real seconds; tests move it by hand
    _start: float = field(default_factory=time.monotonic)

    @classmethod
    def load(cls, path: str | Path, *, speed: float = 1.0, loop: bool = False) -> ReplayLog:
        try:
            data = json.loads(Path(path).read_bytes())
        except OSError as exc:
            raise ReplayError(f"cannot read {path}: {exc.strerror or exc}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ReplayError(f"{path} is not JSON: {exc}") from None
        return cls.from_data(data, speed=speed, loop=loop)

    @classmethod
    def from_data(cls, data: Any, *, speed: float = 1.0, loop: bool = False) -> ReplayLog:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ReplayError("not a backuptui recording")
        version = data.get("version")
        if not isinstance(version, int) or not 1 <= version <= VERSION:
            raise ReplayError(
                f"recording version {version!r} is not one this simulator replays (1 to {VERSION})"
            )
        log = cls(duration=0.0, speed=speed, loop=loop, flavor=data.get("flavor"))
        try:
            for item in data["exchanges"]:
                log._add(item)
        except (KeyError, TypeError, ValueError) as exc:
            raise ReplayError(f"an exchange of the recording is incomplete or wrong: {exc}") from None
        return log

    def _add(self, item: dict[str, Any]) -> None:
        if item.get("body_base64") is not None:
            body = base64.b64decode(item["body_base64"], validate=True)
        else:
            body = (item.get("body") or "").encode("utf-8")
        headers = {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()}
        t = float(item["t"])
        entry = Recorded(t, int(item["status"]), headers.get("content-type"), body)
        method, path = str(item["method"]), str(item["path"])
        self._exact.setdefault((method, path, _canonical(str(item.get("query", "")))), []).append(entry)
        self._by_path.setdefault((method, path), []).append(entry)
        self.duration = max(self.duration, t + float(item.get("elapsed", 0.0)))

    def restart(self) -> None:
        self._start = self.clock()

    def position(self) -> float:
        """Where on the recording's timeline the replay is now, in recorded seconds."""
        at = (self.clock() - self._start) * self.speed
        if self.loop and self.duration > 0:
            return at % self.duration
        return at

    def find(self, method: str, path: str, query: str) -> Recorded | None:
        """The answer given to this request most recently at the current point of the timeline."""
        entries = self._exact.get((method, path, _canonical(query))) or self._by_path.get((method, path))
        if not entries:
            return None
        index = bisect.bisect_right([e.t for e in entries], self.position()) - 1
        return entries[max(index, 0)]

    def paths(self) -> set[str]:
        return {path for _, path in self._by_path}


def _canonical(query: str) -> str:
    return urlencode(sorted(parse_qsl(query, keep_blank_values=True)))
