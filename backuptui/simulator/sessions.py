"""Sessions of the simulated appliance: Basic-auth login, idle timeout, SSO-style lockout.

`lockout_failures` failed logins of a user within `lockout_window` seconds lock that user for
`lockout_time` seconds; while locked even the right password gets the plain 401 (the appliance
does not say "locked").

Besides the main user there may be `others`: accounts that log in with their own password but
lack the privilege to read backup jobs (a user outside `SystemConfiguration.Administrators`), and
`readers`: accounts that may read backup jobs but not start or cancel them (403 on those).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Session:
    user: str
    created: datetime
    last_accessed: datetime
    last_mono: float
    privileged: bool = True  # may read backup jobs
    may_act: bool = True  # may also start and cancel them


@dataclass
class SessionStore:
    user: str
    password: str
    idle_timeout: float
    clock: Callable[[], datetime]
    lockout_failures: int = 5
    lockout_window: float = 180.0
    lockout_time: float = 300.0
    others: Mapping[str, str] = field(default_factory=dict)  # unprivileged user -> password
    readers: Mapping[str, str] = field(default_factory=dict)  # read-only user -> password
    logins: int = 0
    failed_logins: int = 0
    logouts: int = 0
    _sessions: dict[str, Session] = field(default_factory=dict)
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __repr__(self) -> str:  # no password, no tokens
        return f"SessionStore(user={self.user!r}, sessions={len(self._sessions)})"

    def login(self, authorization: str | None) -> str | None:
        """A new session token for a valid `Authorization: Basic ...` header, else None."""
        user, password = _basic(authorization)
        mono = time.monotonic()
        with self._lock:
            locked = user is not None and self._locked_until.get(user, 0.0) > mono
            account = self.check(user, password)
            if locked or account is None:
                self.failed_logins += 1
                if not locked and user is not None:
                    recent = [t for t in self._failures.get(user, []) if mono - t < self.lockout_window]
                    recent.append(mono)
                    self._failures[user] = recent
                    if len(recent) >= self.lockout_failures:
                        self._locked_until[user] = mono + self.lockout_time
                        self._failures[user] = []
                return None
            self.logins += 1
            self._failures.pop(account, None)
            token = secrets.token_hex(16)
            now = self.clock()
            self._sessions[token] = Session(
                account, now, now, mono, account == self.user or account in self.readers, account == self.user
            )
            return token

    def check(self, user: str | None, password: str | None) -> str | None:
        """The account name if `user`/`password` are right (compared in constant time), else None."""
        if user is None or password is None:
            return None
        for name, secret in ((self.user, self.password), *self.others.items(), *self.readers.items()):
            if hmac.compare_digest(user.encode(), name.encode()) and hmac.compare_digest(
                password.encode(), secret.encode()
            ):
                return name
        return None

    def basic(self, authorization: str | None, root_password: str) -> Session | None:
        """A one-request session for Basic credentials (the management port): SSO users or `root`."""
        user, password = _basic(authorization)
        account = self.check(user, password)
        if account is None and user == "root" and password is not None:
            account = "root" if hmac.compare_digest(password.encode(), root_password.encode()) else None
        if account is None:
            return None
        now = self.clock()
        acts = account in (self.user, "root")
        return Session(account, now, now, time.monotonic(), acts or account in self.readers, acts)

    def touch(self, token: str | None) -> Session | None:
        """The live session of `token` (its idle timer restarted), or None if unknown or expired."""
        if not token:
            return None
        mono = time.monotonic()
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if mono - session.last_mono > self.idle_timeout:
                del self._sessions[token]
                return None
            session.last_mono = mono
            session.last_accessed = self.clock()
            return session

    def logout(self, token: str | None) -> bool:
        with self._lock:
            if token is not None and self._sessions.pop(token, None) is not None:
                self.logouts += 1
                return True
            return False

    def expire_all(self) -> None:
        with self._lock:
            self._sessions.clear()

    def active(self) -> int:
        mono = time.monotonic()
        with self._lock:
            return sum(1 for s in self._sessions.values() if mono - s.last_mono <= self.idle_timeout)


def _basic(authorization: str | None) -> tuple[str | None, str | None]:
    if not authorization or not authorization.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else (user, None)
