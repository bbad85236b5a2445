"""Saved profiles in the monitor: `-p NAME`, the default profile, the first-run picker, and switching.

`launch` asks `profile_launch()` which appliance to open when no `--url` is given; the app keeps a
`ProfileSession` to open the picker (`a`, or "Switch appliance" in the palette) and to build the
monitor of the appliance picked. Typed passwords live in `ProfileSession.passwords`, in memory, for
the whole session.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from textual.app import App
from textual.theme import BUILTIN_THEMES

from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.settings.config import ConfigError, KeyLocator, read_config_text
from backuptui.core.settings.profile_session import monitor_for, refresh_for
from backuptui.core.settings.profiles import AppSettings, Config, Profile, ProfileStore, RefreshIntervals
from backuptui.core.settings.resolution import stale_after
from backuptui.core.settings.secrets import (
    PasswordError,
    Secret,
    keyring_set,
    probe_keyring,
    resolve_password,
)
from backuptui.core.watch.monitor import Monitor
from backuptui.tui.screens.profiles import (
    FIRST_RUN_HINT,
    NO_DEFAULT_HINT,
    ProfileChoice,
    ProfilePickerScreen,
    ProfilesApp,
)

if TYPE_CHECKING:
    from backuptui.core.settings.target import ConnectionTarget
    from backuptui.tui.launch import RefreshIntervals as LaunchRefresh


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

    def picker(self) -> ProfilePickerScreen:
        return ProfilePickerScreen(
            self.store,
            current=self.current.name if self.current else None,
            passwords=self.passwords,
            env=self.env,
        )

    def intervals(self, profile: Profile | None) -> RefreshIntervals:
        return refresh_for(profile, self.settings, self.refresh_override)

    def launch_refresh(self, profile: Profile | None) -> LaunchRefresh:
        """The intervals in the form `launch.run_target` takes."""
        from backuptui.tui.launch import RefreshIntervals as LaunchRefresh

        intervals = self.intervals(profile)
        assert intervals.idle is not None and intervals.running is not None
        return LaunchRefresh(intervals.idle, intervals.running)

    def stale_after(self, profile: Profile | None) -> float:
        """When the status line calls data stale: two idle intervals and a little."""
        idle = self.intervals(profile).idle
        assert idle is not None
        return stale_after(idle)

    def open(self, choice: ProfileChoice) -> Monitor:
        """The monitor of the picked appliance (its session is opened by the first poll). Raises
        core's `ResolutionError` (its CA bundle is unusable) before the current profile changes,
        so that a password accepted later is never kept under the wrong profile."""
        override = self.refresh_override
        monitor = monitor_for(choice.profile, choice.password, choice.settings, override=override)
        self.settings = choice.settings
        self.current = choice.profile
        self.offer_keyring = False
        return monitor

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


@dataclass(frozen=True)
class ProfileLaunch:
    """The profile to open, with its password if a source had one (None: the app asks)."""

    profile: Profile
    password: Secret | None
    source: str | None
    problem: str | None
    session: ProfileSession

    @property
    def flavor(self) -> ApiFlavor | None:
        return ApiFlavor(self.profile.flavor) if self.profile.flavor else None


def profile_launch(
    name: str | None,
    *,
    stdin_password: Secret | None = None,
    refresh_override: RefreshIntervals | None = None,
    env: Mapping[str, str] | None = None,
    store: ProfileStore | None = None,
) -> ProfileLaunch | ProfileSession:
    """`-p NAME` (or no name: the default profile). A `ProfileSession` without a profile means
    "no name and no default": the caller opens the picker. Raises ProfileLaunchError."""
    store = store if store is not None else ProfileStore()
    try:
        config = store.load()
        profile = config.profile(name) if name else config.default
        check_theme(config)
    except ConfigError as exc:
        raise ProfileLaunchError(str(exc)) from None
    session = ProfileSession(store, config.settings, refresh_override, env=env)
    if profile is None:
        return session
    session.current = profile
    if stdin_password is not None:
        return ProfileLaunch(profile, stdin_password, "stdin", None, session)
    resolution = resolve_password(profile, env=env)
    session.offer_keyring = resolution.secret is None and resolution.can_save_to_keyring
    problem = "; ".join(resolution.problems) or None
    return ProfileLaunch(profile, resolution.secret, resolution.source, problem, session)


def pick_profile(session: ProfileSession) -> ProfileChoice | None:
    """Run the picker on its own (first run, or no default profile); the choice, or None on quit."""
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


def target_from_profiles(
    args: argparse.Namespace, *, environ: Mapping[str, str] | None = None, stdin: TextIO | None = None
) -> tuple[ConnectionTarget, ProfileSession, str | None, LaunchRefresh] | None:
    """For `launch`: the target of `-p NAME`, else of the default profile, else of the profile picked
    in the picker. Also the session (for switching), why the password must be typed (or None),
    and the poll intervals. None: the user closed the picker. Raises launch's UsageError."""
    from backuptui.core.settings.target import profile_target
    from backuptui.tui.launch import UsageError, _verify, parse_refresh, read_password_from_stdin

    stdin = sys.stdin if stdin is None else stdin
    name: str | None = getattr(args, "profile", None)
    refresh_text: str | None = getattr(args, "refresh", None)
    override = None
    if refresh_text is not None:
        parsed = parse_refresh(refresh_text)
        override = RefreshIntervals(parsed.idle, parsed.running)
    stdin_password = read_password_from_stdin(stdin) if getattr(args, "password_stdin", False) else None
    try:
        launched = profile_launch(name, stdin_password=stdin_password, refresh_override=override, env=environ)
    except ProfileLaunchError as exc:
        raise UsageError(str(exc)) from None
    password: Secret | None
    source: str | None
    problem: str | None = None
    if isinstance(launched, ProfileSession):
        session = launched
        if getattr(args, "user", None):
            raise UsageError("--user needs --url, or -p NAME (no default profile is set)")
        if stdin_password is not None:
            raise UsageError(
                "--password-stdin needs --url and --user, or -p NAME (no default profile is set)"
            )
        if not _has_terminal(environ):
            raise UsageError(
                "no appliance given. Try 'backuptui --demo' to watch the built-in simulator, "
                "'backuptui --url HOST --user USER', or 'backuptui -p NAME' for a saved profile"
            )
        choice = pick_profile(session)
        if choice is None:
            return None
        profile, password, source = choice.profile, choice.password, "profile picker"
    else:
        session = launched.session
        profile, password, source, problem = (
            launched.profile,
            launched.password,
            launched.source,
            launched.problem,
        )
    verify = _verify(args, profile.verify, origin=f"profile '{profile.name}': ca_bundle")
    target = profile_target(
        profile,
        password,
        source,
        user=getattr(args, "user", None),
        flavor=getattr(args, "flavor", None),
        verify=verify,
    )
    return target, session, problem, session.launch_refresh(profile)


def _has_terminal(environ: Mapping[str, str] | None) -> bool:
    """Whether the picker can be shown: stdin is a terminal, or a test driver needs none.

    Unlike a named appliance, the picker never reattaches /dev/tty: `backuptui < /dev/null` (or
    a test runner capturing stdin) with nothing to open gets the one-line hint instead of an app.
    """
    if (os.environ if environ is None else environ).get("TEXTUAL_DRIVER"):
        return True
    stdin = sys.stdin
    return stdin is not None and stdin.isatty()


def session_for_store(store: ProfileStore | None = None) -> ProfileSession:
    """A session for `--url` and `--demo` runs: switching to a saved profile still works."""
    store = store if store is not None else ProfileStore()
    try:
        config = store.load()
        check_theme(config)
        settings = config.settings
    except ConfigError:
        settings = AppSettings()  # with --url the file is optional; the picker shows its error
    return ProfileSession(store, settings)


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
