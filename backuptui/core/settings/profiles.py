"""Saved appliance profiles and app settings: the one TOML file that the CLI and the app share.

Reading validates every key and value and fails with the file, line and key (and a close match for
a misspelt key). Editing re-reads the file, changes only the keys that changed (so the user's
comments and layout survive), validates the result and writes it atomically. A password is never
stored in the file: a profile only says where its password comes from.

The values live in `profile_model` and the validation in `profile_schema`; this module is the store
and re-exports both, so `from backuptui.core.settings.profiles import Profile, ProfileStore`
is the one import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # tomlkit loads only to change the file: a read (every start, `check`) needs tomllib
    from tomlkit.toml_document import TOMLDocument

from backuptui.core.settings.config import (
    ConfigError,
    atomic_write,
    config_path,
    default_config_path,
    ensure_private_dir,
    locked,
    parse_config_text,
    read_config_text,
)
from backuptui.core.settings.profile_model import (
    FLAVORS,
    PROFILE_KEYS,
    PROFILE_NAME_PATTERN,
    REFRESH_KEYS,
    TOP_LEVEL_KEYS,
    AppSettings,
    Config,
    Profile,
    RefreshIntervals,
    check_group_name,
    check_profile_name,
    check_url,
    profile_with,
)
from backuptui.core.settings.profile_schema import parse_config

__all__ = [
    "FLAVORS",
    "PROFILE_KEYS",
    "PROFILE_NAME_PATTERN",
    "REFRESH_KEYS",
    "TOP_LEVEL_KEYS",
    "AppSettings",
    "Config",
    "Profile",
    "ProfileStore",
    "RefreshIntervals",
    "check_group_name",
    "check_profile_name",
    "check_url",
    "parse_config",
    "profile_with",
]

NEW_FILE_HEADER = (
    "backuptui configuration (`backuptui config path` prints where it is).",
    "Passwords are never stored here: each profile says where its password comes from",
    "(password_source = keyring, command, env or prompt).",
)


def _new_document() -> TOMLDocument:
    import tomlkit

    document = tomlkit.document()
    for line in NEW_FILE_HEADER:
        document.add(tomlkit.comment(line))
    document.add(tomlkit.nl())
    return document


# --- the store -----------------------------------------------------------------------------------


class ProfileStore:
    """The configuration file: load it, and change it without losing what the user wrote."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else config_path()
        #: what saving changed beyond the file, for the user to be told (a directory's mode)
        self.notices: list[str] = []

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
            from tomlkit.items import Table

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
        import tomlkit

        try:
            notice = ensure_private_dir(self.path.parent, tighten=self.path == default_config_path())
            if notice is not None:
                self.notices.append(notice)
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
    import tomlkit
    from tomlkit.items import Table

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
        import tomlkit

        inline = tomlkit.inline_table()
        inline.update(value)
        return inline
    return value


def _plain(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item
