"""Validation of the configuration file: every key and value checked, errors with file, line and key.

A misspelt key gets the closest known one as a hint (difflib); a value is never repeated in an
error (a URL may hold a password).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from backuptui.core.settings.config import ConfigError, KeyLocator, format_key, parse_config_text
from backuptui.core.settings.profile_model import (
    FLAVORS,
    HISTORY_KEYS,
    PROFILE_KEYS,
    REFRESH_KEYS,
    TOP_LEVEL_KEYS,
    AppSettings,
    Config,
    HistorySettings,
    Profile,
    RefreshIntervals,
    check_group_name,
    check_max_body_mib,
    check_profile_name,
    check_refresh_seconds,
    check_url,
)
from backuptui.core.settings.secrets import PasswordSource


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
            try:
                numbers[name] = check_refresh_seconds(float(number))
            except ValueError as exc:
                raise self.error((*key, name), str(exc)) from None
        return RefreshIntervals(**numbers)

    def max_body_mib(self, value: Any) -> int:
        key = ("max_body_mib",)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number of MiB (e.g. 64), not {_toml_type(value)}")
        try:
            return check_max_body_mib(value)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def keys(self, value: Any) -> dict[str, str]:
        """`[keys]`: each binding id names its keys as one string, several split by commas."""
        table = self.table(value, ("keys",))
        keys: dict[str, str] = {}
        for binding_id, text in table.items():
            where = ("keys", binding_id)
            if isinstance(text, list) and text and all(isinstance(key, str) for key in text):
                text = ",".join(text)
            text = self.string(text, where)
            parts = [part.strip() for part in text.split(",")]
            if not all(parts) or any(char.isspace() for part in parts for char in part):
                raise self.error(where, 'must name keys like "f", "ctrl+f" or "f,ctrl+f"')
            keys[binding_id] = ",".join(parts)
        return keys

    def history(self, value: Any) -> HistorySettings:
        """`history = false`, or a `[history]` table (enabled, max_days, max_jobs)."""
        if isinstance(value, bool):
            return HistorySettings(enabled=value)
        if not isinstance(value, dict):
            raise self.error(("history",), f"must be true, false or a table, not {_toml_type(value)}")
        self.check_keys(value, HISTORY_KEYS, ("history",))
        enabled = self.boolean(value.get("enabled", True), ("history", "enabled"))
        limits: dict[str, int] = {}
        for name in ("max_days", "max_jobs"):
            if name in value:
                number = value[name]
                if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                    raise self.error(("history", name), "must be a whole number of 1 or more")
                limits[name] = number
        return HistorySettings(enabled=enabled, **limits)

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
        read_only = self.boolean(table.get("read_only", False), (*key, "read_only"))
        groups = self.groups(table["groups"], (*key, "groups")) if "groups" in table else ()
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
            read_only=read_only,
            groups=groups,
        )

    def groups(self, value: Any, key: tuple[str, ...]) -> tuple[str, ...]:
        """`groups = ["prod", "eu"]`: names, each once (a repeated name counts once)."""
        if isinstance(value, str):
            raise self.error(key, "must be an array of group names", f'write groups = ["{value}"]')
        if not isinstance(value, list):
            raise self.error(key, f"must be an array of group names, not {_toml_type(value)}")
        names: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise self.error(key, f"must hold group names in quotes, not {_toml_type(item)}")
            try:
                name = check_group_name(item)
            except ValueError as exc:
                raise self.error(key, str(exc)) from None
            if name not in names:
                names.append(name)
        return tuple(names)

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
            keys=self.keys(data["keys"]) if "keys" in data else {},
            read_only=self.boolean(data.get("read_only", False), ("read_only",)),
            max_body_mib=self.max_body_mib(data["max_body_mib"]) if "max_body_mib" in data else None,
            history=self.history(data["history"]) if "history" in data else HistorySettings(),
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


def check_binding_ids(path: Path, keys: Mapping[str, str], known: Collection[str], text: str | None) -> None:
    """Every id in `[keys]` names a binding in `known` (only the TUI knows its bindings); `text`
    is the file's text, for the line. Raises ConfigError with the line and the closest id."""
    for binding_id in keys:
        if binding_id in known:
            continue
        close = difflib.get_close_matches(binding_id, sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"known ids: {', '.join(sorted(known))}"
        key = ("keys", binding_id)
        line = KeyLocator(text).line_of(key) if text is not None else None
        raise ConfigError(path, "unknown key binding id", line=line, key=format_key(key), hint=hint)


def parse_config(path: Path, text: str | None) -> Config:
    """Validate the file's text (None: the file does not exist) into a Config; raises ConfigError."""
    if text is None:
        return Config(path)
    document = parse_config_text(path, text)
    return _Validator(path, text).config(document.unwrap(), exists=True)
