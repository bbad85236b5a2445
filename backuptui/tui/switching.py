"""Saved profiles in the monitor: `-p NAME`, the default profile, the first-run picker, and switching.

`launch` resolves which appliance to open (core's resolver) and asks for the picker here; the app keeps a
`ProfileSession` to open the picker (`a`, or "Switch appliance" in the palette) and to build the
monitor of the appliance picked. Typed passwords live in `ProfileSession.passwords`, in memory, for
the whole session.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.theme import BUILTIN_THEMES

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.config import ConfigError, KeyLocator, read_config_text
from backuptui.core.settings.profiles import AppSettings, Config, Profile, ProfileStore, RefreshIntervals
from backuptui.core.settings.resolution import Resolution, TargetOptions, resolve_profile
from backuptui.core.settings.secrets import (
    PasswordError,
    keyring_set,
    probe_keyring,
)
from backuptui.core.watch.monitor import Monitor
from backuptui.core.watch.resolved_monitor import monitor_for_resolution

if TYPE_CHECKING:
    from backuptui.tui.access import PasswordLookup
    from backuptui.tui.screens.profiles import ProfileChoice, ProfilePickerScreen

# The profile picker (tui.screens.profiles, its columns and its connecting steps) is imported on
# first use: a launch on a URL or on the default profile never opens it (row 1 of the benchmarks).


class ProfileLaunchError(Exception):
    """The profile cannot be opened (unknown name, broken file); the message is one line for stderr."""


@dataclass
class ProfileSession:
    """What the app needs to switch between saved appliances during one run."""

    store: ProfileStore
    settings: AppSettings = field(default_factory=AppSettings)
    #: `--refresh` from the command line, which beats every profile's own intervals
    refresh_override: RefreshIntervals | None = None
    #: typed passwords, by profile name, kept in memory until the app quits
    passwords: dict[str, Secret] = field(default_factory=dict)
    #: the profile being watched (None: `--url` or `--demo`)
    current: Profile | None = None
    #: the current profile's password would be typed in the app: offer the keyring once accepted
    offer_keyring: bool = False
    env: Mapping[str, str] | None = None
    #: the current profile's password is looked up in the app, which says it waits for it
    password_lookup: PasswordLookup | None = None

    def picker(self, current_state: Callable[[], str] | None = None) -> ProfilePickerScreen:
        """The picker over the app; `current_state`: the watched profile's connection, in words."""
        from backuptui.tui.screens.profiles import ProfilePickerScreen

        return ProfilePickerScreen(
            self.store,
            current=self.current.name if self.current else None,
            passwords=self.passwords,
            env=self.env,
            current_state=current_state,
        )

    def resolve(self, choice: ProfileChoice, options: TargetOptions | None = None) -> Resolution:
        """A picked profile, resolved by core's resolver: with the password picked, `--refresh`
        beating its intervals, and `options` (`--user`, `--flavor` ... of the launch) over it."""
        return resolve_profile(
            choice.profile,
            options,
            choice.settings,
            password=choice.password,
            password_from=choice.password_from,
            override=self.refresh_override,
        )

    def open(self, choice: ProfileChoice) -> tuple[Monitor, Resolution]:
        """The picked appliance, resolved (`resolve`), and its monitor (its session is opened by
        the first poll). Raises core's `ResolutionError` (its CA bundle is unusable) before the
        current profile changes, so that a password accepted later is never kept under the wrong
        profile."""
        resolution = self.resolve(choice)
        monitor = monitor_for_resolution(resolution)
        self.settings = choice.settings
        self.current = choice.profile
        self.offer_keyring = False
        return monitor, resolution

    def password_accepted(self, secret: Secret) -> bool:
        """The appliance accepted a password typed in the app: keep it for the session.
        True when a keyring works and the profile allows saving it there (ask the user)."""
        if self.current is None:
            return False
        self.passwords[self.current.name] = secret
        offer, self.offer_keyring = self.offer_keyring, False
        return offer and probe_keyring().available

    def save_in_keyring(self, secret: Secret) -> str:
        """Save the current profile's password in the keyring; the sentence to show."""
        if self.current is None:
            return "No profile to save a password for."
        try:
            keyring_set(self.current.name, secret)
        except PasswordError as exc:
            return str(exc)
        return f"Saved the password for '{self.current.name}' in the keyring."


def pick_profile(session: ProfileSession) -> ProfileChoice | None:
    """Run the picker on its own (first run, or no default profile); the choice, or None on quit."""
    from backuptui.tui.screens.profiles import (
        FIRST_RUN_HINT,
        NO_DEFAULT_HINT,
        ProfilePickerScreen,
        ProfilesApp,
    )

    try:
        has_profiles = bool(session.store.load().profiles)
    except ConfigError:
        has_profiles = True  # the picker shows the error with its line and key
    picker = ProfilePickerScreen(
        session.store,
        hint=NO_DEFAULT_HINT if has_profiles else FIRST_RUN_HINT,
        passwords=session.passwords,
        env=session.env,
    )
    app = ProfilesApp(picker)
    apply_settings(app, session.settings)
    choice = app.run(mouse=session.settings.mouse)
    if choice is not None:
        session.settings = choice.settings
        session.current = choice.profile
    return choice


def has_terminal(environ: Mapping[str, str] | None) -> bool:
    """Whether the picker can be shown: stdin is a terminal, or a test driver needs none.

    Unlike a named appliance, the picker never reattaches /dev/tty: `backuptui < /dev/null` (or
    a test runner capturing stdin) with nothing to open gets the one-line hint instead of an app.
    """
    if (os.environ if environ is None else environ).get("TEXTUAL_DRIVER"):
        return True
    stdin = sys.stdin
    return stdin is not None and stdin.isatty()


def optional_config(store: ProfileStore) -> Config | None:
    """The config file for a run that names its appliance otherwise (`--url`, `--demo`): None when
    it is missing or broken (its theme unknown too); the picker shows the error if opened."""
    try:
        config = store.load()
        check_theme(config)
    except ConfigError:
        return None
    return config


def session_for_store(store: ProfileStore | None = None) -> ProfileSession:
    """A session for `--demo` and `--replay` runs: switching to a saved profile still works."""
    store = store if store is not None else ProfileStore()
    config = optional_config(store)
    return ProfileSession(store, config.settings if config is not None else AppSettings())


def check_theme(config: Config) -> None:
    """The app settings' `theme` must name a Textual theme (the core cannot know them)."""
    theme = config.settings.theme
    if theme is None or theme in BUILTIN_THEMES:
        return
    close = difflib.get_close_matches(theme, list(BUILTIN_THEMES), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    line = None
    if config.exists:
        with contextlib.suppress(ConfigError):
            line = KeyLocator(read_config_text(config.path) or "").line_of(("theme",))
    raise ConfigError(
        config.path,
        f"unknown theme '{theme}'",
        line=line,
        key="theme",
        hint=hint + "themes: " + ", ".join(BUILTIN_THEMES),
    )


def apply_settings(app: App[Any], settings: AppSettings) -> None:
    """The app settings that belong to the app object itself (the theme, the keys; mouse is a run
    option)."""
    if settings.theme is not None and settings.theme in BUILTIN_THEMES:
        app.theme = settings.theme
    app.set_keymap(dict(settings.keys))
