"""Saved appliance profiles and app settings as values: what the configuration file means.

`profile_schema` turns the file into these (with line-and-key errors); `profiles` is the store that
reads and edits the file. A profile never holds a password, only where the password comes from.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.secrets import PasswordSource

#: the bounds on every poll interval, from the command line, a profile or the file's `refresh`
REFRESH_MIN = 0.2
REFRESH_MAX = 86400.0


def check_refresh_seconds(number: float) -> float:
    """A poll interval within the bounds; a ValueError says which bounds (no value repeated)."""
    if not REFRESH_MIN <= number <= REFRESH_MAX:
        raise ValueError(f"must be between {REFRESH_MIN:g} and {REFRESH_MAX:g} seconds")
    return number


#: the bounds on `max_body_mib`, the largest answer read from an appliance, in MiB; the default is
#: well above a real 10,000-job history (about 16 MB of details)
MAX_BODY_MIN_MIB = 1
MAX_BODY_MAX_MIB = 4096
DEFAULT_MAX_BODY_MIB = 64


def check_max_body_mib(number: int) -> int:
    """A body-size limit within the bounds; a ValueError says which bounds (no value repeated)."""
    if not MAX_BODY_MIN_MIB <= number <= MAX_BODY_MAX_MIB:
        raise ValueError(f"must be a whole number of MiB between {MAX_BODY_MIN_MIB} and {MAX_BODY_MAX_MIB}")
    return number


PROFILE_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
FLAVORS = ("api", "rest")


def check_profile_name(name: str) -> str:
    """Profile names are shell- and TOML-friendly: letters, digits, '-' and '_'."""
    if not PROFILE_NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"invalid profile name {name!r}: use letters, digits, '-' and '_' (at most 64, starting "
            "with a letter or digit)"
        )
    return name


def check_group_name(name: str) -> str:
    """Group names (`groups = ["prod", "eu"]`, `-g prod`) follow the rule of profile names."""
    if not PROFILE_NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"invalid group name {name!r}: use letters, digits, '-' and '_' (at most 64, starting "
            "with a letter or digit)"
        )
    return name


def check_url(value: str) -> str:
    """An appliance address: a host, host:port, or an http(s) URL with no path. Returns it trimmed.

    Error messages never repeat the value: a URL with an embedded password must not be echoed.
    """
    text = value.strip()
    if not text:
        raise ValueError("is empty")
    candidate = text if "://" in text else f"https://{text}"
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https"):
        raise ValueError("must use http or https (or be a plain host name)")
    if "@" in parts.netloc:
        raise ValueError(
            "must not contain a user name or password (use 'username'; passwords are never stored here)"
        )
    if not parts.hostname or any(char.isspace() for char in parts.netloc):
        raise ValueError("has no valid host name")
    try:
        parts.port  # noqa: B018 - urlsplit validates the port only when it is read
    except ValueError:
        raise ValueError("has an invalid port") from None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(
            "must be the appliance's address only, without a path (e.g. https://vcsa01.example.com)"
        )
    return text.rstrip("/")


@dataclass(frozen=True)
class RefreshIntervals:
    """Poll intervals in seconds; None means "the default"."""

    idle: float | None = None
    running: float | None = None

    @classmethod
    def parse(cls, text: str) -> RefreshIntervals:
        """`IDLE` or `IDLE,RUNNING` in seconds, as on the command line."""
        parts = [part.strip() for part in text.split(",")]
        if not 1 <= len(parts) <= 2 or not all(parts):
            raise ValueError(f"takes IDLE or IDLE,RUNNING in seconds (e.g. 30,2), not {text!r}")
        values: list[float] = []
        for part in parts:
            try:
                number = float(part)
            except ValueError:
                raise ValueError(f"takes numbers of seconds (e.g. 30,2), not {text!r}") from None
            try:
                values.append(check_refresh_seconds(number))
            except ValueError as exc:
                raise ValueError(f"{part!r} {exc}") from None
        return cls(idle=values[0], running=values[1] if len(values) > 1 else None)

    def over(self, base: RefreshIntervals) -> RefreshIntervals:
        """These intervals where set, `base`'s otherwise."""
        return RefreshIntervals(
            idle=self.idle if self.idle is not None else base.idle,
            running=self.running if self.running is not None else base.running,
        )

    def as_toml(self) -> dict[str, float]:
        return {
            key: value for key, value in (("idle", self.idle), ("running", self.running)) if value is not None
        }

    def __str__(self) -> str:
        def fmt(value: float | None) -> str:
            return "default" if value is None else f"{value:g}"

        return f"idle {fmt(self.idle)} s, running {fmt(self.running)} s"


@dataclass(frozen=True)
class HistorySettings:
    """`history = false`, or `[history]` with `enabled`, `max_days`, `max_jobs`: the local backup
    history and how much of it is kept (two years or 20,000 jobs per appliance by default)."""

    enabled: bool = True
    max_days: int = 730
    max_jobs: int = 20_000


HISTORY_KEYS = ("enabled", "max_days", "max_jobs")


@dataclass(frozen=True)
class AppSettings:
    """App-wide settings from the top of the file."""

    refresh: RefreshIntervals = field(default_factory=RefreshIntervals)
    mouse: bool = True
    theme: str | None = None
    #: `[keys]`: binding id -> keys ("ctrl+f" or "f,ctrl+f"); which ids exist is the TUI's to check
    keys: Mapping[str, str] = field(default_factory=dict)
    #: `read_only = true`: no appliance may be acted on (no back up now, no cancel)
    read_only: bool = False
    #: `max_body_mib`: the largest answer read from an appliance (None: the default)
    max_body_mib: int | None = None
    history: HistorySettings = field(default_factory=HistorySettings)


@dataclass(frozen=True)
class Profile:
    """One appliance: where it is, who logs in, how TLS is checked, where the password comes from."""

    name: str
    url: str
    username: str
    verify_tls: bool = True
    ca_bundle: str | None = None
    #: None: try keyring, password_command, BACKUPTUI_PASSWORD, then ask
    password_source: PasswordSource | None = None
    #: a shell command line (str) or an argv list run without a shell
    password_command: str | tuple[str, ...] | None = None
    #: "api" or "rest"; None: auto-detect
    flavor: str | None = None
    refresh: RefreshIntervals | None = None
    #: a monitoring account: backuptui never starts or cancels a backup on this appliance
    read_only: bool = False
    #: the groups it belongs to (`backuptui -g prod` watches a group), in the file's order
    groups: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        candidate = self.url if "://" in self.url else f"https://{self.url}"
        return urlsplit(candidate).hostname or self.url

    @property
    def tls_word(self) -> str:
        """How it connects, in the word `profile list` and the picker show."""
        if self.url.lower().startswith("http://"):
            return "no TLS"  # plain HTTP: nothing to verify, nothing encrypted
        if not self.verify_tls:
            return "NOT verified"
        return "CA bundle" if self.ca_bundle else "verified"

    @property
    def password_word(self) -> str:
        """Where its password comes from, in one word ("auto": the sources in turn)."""
        return str(self.password_source) if self.password_source else "auto"

    @property
    def verify(self) -> bool | str:
        """What the client's `verify=` wants: False, a CA bundle path, or True."""
        if not self.verify_tls:
            return False
        if self.ca_bundle:
            return str(Path(self.ca_bundle).expanduser())
        return True

    def as_toml(self) -> dict[str, Any]:
        """The profile's keys in file order; None for keys that are not written (defaults)."""
        command: Any = list(self.password_command) if isinstance(self.password_command, tuple) else None
        if isinstance(self.password_command, str):
            command = self.password_command
        return {
            "url": self.url,
            "username": self.username,
            "verify_tls": self.verify_tls,
            "ca_bundle": self.ca_bundle,
            "password_source": str(self.password_source) if self.password_source else None,
            "password_command": command,
            "flavor": self.flavor,
            "refresh": (self.refresh.as_toml() or None) if self.refresh else None,
            "read_only": True if self.read_only else None,
            "groups": list(self.groups) or None,
        }


PROFILE_KEYS = tuple(f.name for f in fields(Profile) if f.name != "name")
TOP_LEVEL_KEYS = (
    "default_profile",
    "mouse",
    "theme",
    "refresh",
    "max_body_mib",
    "read_only",
    "keys",
    "history",
    "profiles",
)
REFRESH_KEYS = ("idle", "running")


@dataclass(frozen=True)
class Config:
    """The validated content of the configuration file (empty when the file does not exist)."""

    path: Path
    exists: bool = False
    default_profile: str | None = None
    settings: AppSettings = field(default_factory=AppSettings)
    profiles: Mapping[str, Profile] = field(default_factory=dict)

    def profile(self, name: str) -> Profile:
        """The named profile, or a ConfigError that lists the choices and suggests a close one."""
        try:
            return self.profiles[name]
        except KeyError:
            pass
        if not self.profiles:
            hint = "add one with 'backuptui profile add NAME --url URL --user USER'"
        else:
            close = difflib.get_close_matches(name, list(self.profiles), n=1)
            known = ", ".join(self.profiles)
            hint = f"did you mean '{close[0]}'? " if close else ""
            hint += f"profiles: {known}"
        raise ConfigError(self.path, f"no profile named '{name}'", hint=hint)

    @property
    def default(self) -> Profile | None:
        return self.profiles.get(self.default_profile) if self.default_profile else None


def profile_with(profile: Profile, **changes: Any) -> Profile:
    """A copy of `profile` with some fields changed (a thin, typed wrapper of dataclasses.replace)."""
    return replace(profile, **changes)
