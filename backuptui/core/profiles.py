"""Saved appliance profiles and app settings: the one TOML file that the CLI and the app share.

Reading validates every key and value and fails with the file, line and key (and a close match for
a misspelt key). Editing re-reads the file, changes only the keys that changed (so the user's
comments and layout survive), validates the result and writes it atomically. A password is never
stored in the file: a profile only says where its password comes from.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomlkit
from tomlkit.items import Table
from tomlkit.toml_document import TOMLDocument

from backuptui.core.config import (
    ConfigError,
    KeyLocator,
    atomic_write,
    config_path,
    default_config_path,
    ensure_private_dir,
    format_key,
    locked,
    parse_config_text,
    read_config_text,
)
from backuptui.core.secrets import PasswordSource

PROFILE_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
FLAVORS = ("api", "rest")

NEW_FILE_HEADER = (
    "backuptui configuration (`backuptui config path` prints where it is).",
    "Passwords are never stored here: each profile says where its password comes from",
    "(password_source = keyring, command, env or prompt).",
)


def _new_document() -> TOMLDocument:
    document = tomlkit.document()
    for line in NEW_FILE_HEADER:
        document.add(tomlkit.comment(line))
    document.add(tomlkit.nl())
    return document


def check_profile_name(name: str) -> str:
    """Profile names are shell- and TOML-friendly: letters, digits, '-' and '_'."""
    if not PROFILE_NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"invalid profile name {name!r}: use letters, digits, '-' and '_' (at most 64, starting "
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
            raise ValueError("expected IDLE or IDLE,RUNNING in seconds, e.g. 30 or 30,2")
        values: list[float] = []
        for part in parts:
            try:
                number = float(part)
            except ValueError:
                raise ValueError(f"{part!r} is not a number of seconds") from None
            if not number > 0 or number == float("inf"):
                raise ValueError(f"{part!r} must be a positive number of seconds")
            values.append(number)
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
class AppSettings:
    """App-wide settings from the top of the file."""

    refresh: RefreshIntervals = field(default_factory=RefreshIntervals)
    mouse: bool = True
    theme: str | None = None


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

    @property
    def host(self) -> str:
        candidate = self.url if "://" in self.url else f"https://{self.url}"
        return urlsplit(candidate).hostname or self.url

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
        }


PROFILE_KEYS = tuple(f.name for f in fields(Profile) if f.name != "name")
TOP_LEVEL_KEYS = ("default_profile", "mouse", "theme", "refresh", "profiles")
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


# --- validation ----------------------------------------------------------------------------------


class _Validator:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.locator = KeyLocator(text)

    def error(self, key: tuple[str, ...], problem: str, hint: str = "") -> ConfigError:
        return ConfigError(self.path, problem, line=self.locator.line_of(key), key=format_key(key), hint=hint)

    def check_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], prefix: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(allowed)}"
                if key in ("password", "passwd", "secret", "token") and "password_source" in allowed:
                    hint = (
                        "passwords are never stored in this file: set password_source to keyring, "
                        "command (with password_command), env or prompt"
                    )
                raise self.error((*prefix, key), "unknown key", hint)

    def string(self, value: Any, key: tuple[str, ...], *, allow_empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.error(key, f"must be a string (in quotes), not {_toml_type(value)}")
        if not allow_empty and not value.strip():
            raise self.error(key, "must not be empty")
        return value

    def boolean(self, value: Any, key: tuple[str, ...]) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {_toml_type(value)}")
        return value

    def table(self, value: Any, key: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, not {_toml_type(value)}")
        return value

    def refresh(self, value: Any, key: tuple[str, ...]) -> RefreshIntervals:
        table = self.table(value, key)
        self.check_keys(table, REFRESH_KEYS, key)
        numbers: dict[str, float] = {}
        for name, number in table.items():
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise self.error((*key, name), f"must be a number of seconds, not {_toml_type(number)}")
            if not number > 0 or number == float("inf"):
                raise self.error((*key, name), "must be a positive number of seconds")
            numbers[name] = float(number)
        return RefreshIntervals(**numbers)

    def profile(self, name: str, value: Any) -> Profile:
        key = ("profiles", name)
        table = self.table(value, key)
        try:
            check_profile_name(name)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None
        self.check_keys(table, PROFILE_KEYS, key)
        for required in ("url", "username"):
            if required not in table:
                raise self.error(key, f"profile '{name}' has no '{required}'", f'add {required} = "..."')
        url = self.string(table["url"], (*key, "url"))
        try:
            url = check_url(url)
        except ValueError as exc:
            raise self.error((*key, "url"), f"the appliance address {exc}") from None
        username = self.string(table["username"], (*key, "username"))
        verify_tls = self.boolean(table.get("verify_tls", True), (*key, "verify_tls"))
        ca_bundle = None
        if "ca_bundle" in table:
            ca_bundle = self.string(table["ca_bundle"], (*key, "ca_bundle"))
        source = None
        if "password_source" in table:
            raw = self.string(table["password_source"], (*key, "password_source"))
            try:
                source = PasswordSource(raw)
            except ValueError:
                choices = [str(choice) for choice in PasswordSource]
                close = difflib.get_close_matches(raw, choices, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                raise self.error(
                    (*key, "password_source"),
                    f"unknown password source {raw!r}",
                    hint + f"use one of: {', '.join(choices)}",
                ) from None
        command = self.password_command(table, key)
        if source is PasswordSource.COMMAND and command is None:
            raise self.error(
                (*key, "password_source"), "password_source is 'command' but there is no password_command"
            )
        flavor = None
        if "flavor" in table:
            flavor = self.string(table["flavor"], (*key, "flavor"))
            if flavor == "auto":
                flavor = None
            elif flavor not in FLAVORS:
                raise self.error((*key, "flavor"), f"unknown API flavour {flavor!r}", "use auto, api or rest")
        refresh = self.refresh(table["refresh"], (*key, "refresh")) if "refresh" in table else None
        return Profile(
            name=name,
            url=url,
            username=username,
            verify_tls=verify_tls,
            ca_bundle=ca_bundle,
            password_source=source,
            password_command=command,
            flavor=flavor,
            refresh=refresh,
        )

    def password_command(
        self, table: Mapping[str, Any], key: tuple[str, ...]
    ) -> str | tuple[str, ...] | None:
        if "password_command" not in table:
            return None
        value = table["password_command"]
        where = (*key, "password_command")
        if isinstance(value, list):
            if not value or not all(isinstance(part, str) and part for part in value):
                raise self.error(
                    where, "as a list, must hold the program and its arguments as non-empty strings"
                )
            return tuple(value)
        return self.string(value, where)

    def config(self, data: Mapping[str, Any], exists: bool) -> Config:
        self.check_keys(data, TOP_LEVEL_KEYS, ())
        profiles: dict[str, Profile] = {}
        if "profiles" in data:
            for name, value in self.table(data["profiles"], ("profiles",)).items():
                profiles[name] = self.profile(name, value)
        default = None
        if "default_profile" in data:
            default = self.string(data["default_profile"], ("default_profile",))
            if default not in profiles:
                close = difflib.get_close_matches(default, list(profiles), n=1)
                hint = (
                    f"did you mean '{close[0]}'?" if close else f"profiles: {', '.join(profiles) or 'none'}"
                )
                raise self.error(("default_profile",), f"names no profile: '{default}'", hint)
        settings = AppSettings(
            refresh=self.refresh(data["refresh"], ("refresh",)) if "refresh" in data else RefreshIntervals(),
            mouse=self.boolean(data.get("mouse", True), ("mouse",)),
            theme=self.string(data["theme"], ("theme",)) if "theme" in data else None,
        )
        return Config(self.path, exists, default, settings, profiles)


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def parse_config(path: Path, text: str | None) -> Config:
    """Validate the file's text (None: the file does not exist) into a Config; raises ConfigError."""
    if text is None:
        return Config(path)
    document = parse_config_text(path, text)
    return _Validator(path, text).config(document.unwrap(), exists=True)


# --- the store -----------------------------------------------------------------------------------


class ProfileStore:
    """The configuration file: load it, and change it without losing what the user wrote."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else config_path()

    def load(self) -> Config:
        return parse_config(self.path, read_config_text(self.path))

    def add_profile(self, profile: Profile, *, make_default: bool = False) -> Config:
        with self._edit() as (config, document):
            if profile.name in config.profiles:
                raise ConfigError(
                    self.path,
                    f"a profile named '{profile.name}' already exists",
                    hint="use 'backuptui profile edit'",
                )
            _write_profile(document, profile)
            if make_default or not config.profiles:
                document["default_profile"] = profile.name
        return self.load()

    def update_profile(self, profile: Profile, *, make_default: bool = False) -> Config:
        """Replace an existing profile's values, touching only the keys that changed."""
        with self._edit() as (config, document):
            config.profile(profile.name)
            _write_profile(document, profile)
            if make_default:
                document["default_profile"] = profile.name
        return self.load()

    def remove_profile(self, name: str) -> Config:
        with self._edit() as (config, document):
            config.profile(name)
            profiles = document["profiles"]
            assert isinstance(profiles, Table)
            del profiles[name]
            if config.default_profile == name:
                del document["default_profile"]
            if not profiles:
                del document["profiles"]
        return self.load()

    def set_default(self, name: str | None) -> Config:
        with self._edit() as (config, document):
            if name is None:
                if "default_profile" in document:
                    del document["default_profile"]
            else:
                config.profile(name)
                document["default_profile"] = name
        return self.load()

    @contextlib.contextmanager
    def _edit(self) -> Iterator[tuple[Config, TOMLDocument]]:
        """Read the file afresh (under a lock), let the caller change it, validate, write atomically.

        If the file cannot be read or is invalid, ConfigError is raised before anything is written.
        """
        try:
            ensure_private_dir(self.path.parent, tighten=self.path == default_config_path())
            with locked(self.path):
                text = read_config_text(self.path)
                config = parse_config(self.path, text)
                document = parse_config_text(self.path, text) if text is not None else _new_document()
                yield config, document
                new_text = tomlkit.dumps(document)
                parse_config(self.path, new_text)  # never write what could not be read back
                atomic_write(self.path, new_text)
        except OSError as exc:
            raise ConfigError(self.path, f"could not be saved: {exc.strerror or exc}") from None


def _write_profile(document: TOMLDocument, profile: Profile) -> None:
    if "profiles" not in document:
        document["profiles"] = tomlkit.table(is_super_table=True)
    profiles = document["profiles"]
    assert isinstance(profiles, Table)
    values = profile.as_toml()
    if profile.name not in profiles:
        table = tomlkit.table()
        for key, value in values.items():
            if value is not None:
                table[key] = _toml_value(value)
        profiles[profile.name] = table
        return
    table = profiles[profile.name]
    assert isinstance(table, Table)
    previous: str | None = None
    for key, value in values.items():
        present = key in table
        if value is None:
            if present:
                del table[key]
            continue
        if present:
            if _plain(table[key]) != value:
                table[key] = _toml_value(value)
        elif previous is not None:
            table.value._insert_after(previous, key, _toml_value(value))
        else:
            table[key] = _toml_value(value)
        previous = key


def _toml_value(value: Any) -> Any:
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update(value)
        return inline
    return value


def _plain(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item


def profile_with(profile: Profile, **changes: Any) -> Profile:
    """A copy of `profile` with some fields changed (a thin, typed wrapper of dataclasses.replace)."""
    return replace(profile, **changes)
