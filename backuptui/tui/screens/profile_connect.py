"""The profile picker's way into an appliance: find the password (kept for the session, from its
source, else typed), reach the address before asking for one, test or connect, and offer the keyring
once a typed password was accepted. `ProfilePickerScreen` mixes it in; the list and its editing are
`profiles.py`'s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Label

from backuptui.core.appliance.client import Timeouts
from backuptui.core.appliance.errors import AuthenticationFailed
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profile_session import ConnectionCheck, check_connection, check_reachable
from backuptui.core.settings.profiles import AppSettings, Config, Profile
from backuptui.core.settings.resolution import ResolutionError, check_profile_tls
from backuptui.core.settings.secrets import PasswordError, keyring_set, probe_keyring, resolve_password
from backuptui.tui.password import PasswordScreen
from backuptui.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from textual.screen import Screen

    PickerBase = Screen["ProfileChoice | None"]
else:
    PickerBase = object

__all__ = ["PickerPasswordScreen", "ProfileChoice", "ProfileConnecting"]


@dataclass(frozen=True)
class ProfileChoice:
    """The user chose to connect: the profile, its password, and the app settings read with it."""

    profile: Profile
    password: Secret
    settings: AppSettings
    #: where the password came from (a target's `credentials_from`: "keyring", "typed", ...)
    password_from: str = "profile picker"  # noqa: S105 (a source's name, not a password)


@dataclass(frozen=True)
class _Password:
    """What the picker found for a profile's password, and how."""

    secret: Secret | None = None
    source: str | None = None  # where it came from, in a target's `credentials_from` words
    typed: bool = False  # by the user, in the prompt
    can_save: bool = False  # a keyring could keep it
    unreachable: bool = False  # not asked: the appliance does not answer as its URL says


class PickerPasswordScreen(PasswordScreen):
    """The app's masked prompt; here Esc cancels the test or the connection, not the app."""

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#password-hint", Label).update("Enter to log in, Esc to cancel.")


class ProfileConnecting(PickerBase):
    """Testing and connecting, for the picker (its state, as `ProfilePickerScreen` sets it)."""

    passwords: dict[str, Secret]
    env: Mapping[str, str] | None
    command_timeout: float
    timeouts: Timeouts | None
    config: Config | None
    last_check: ConnectionCheck | None

    if TYPE_CHECKING:

        def say(self, message: str, *, ok: bool = False, error: bool = False) -> None: ...

    async def _password(self, profile: Profile, *, before_prompt: str | None = None) -> _Password:
        """The password: kept for the session, from a source, else typed in the prompt.
        `before_prompt`: what the action says (e.g. "Not connected") if, before the prompt, the
        appliance turns out not to answer as its URL says: then it is `_Password(unreachable=True)`."""
        cached = self.passwords.get(profile.name)
        if cached is not None:
            return _Password(cached, "typed")  # only typed passwords are kept for the session
        self.say(f"Looking up the password for '{profile.name}'…")
        resolution = await asyncio.to_thread(
            resolve_password, profile, env=self.env, command_timeout=self.command_timeout
        )
        if resolution.secret is not None:
            return _Password(resolution.secret, resolution.source)
        if before_prompt is not None and not await self._reachable(profile, before_prompt):
            return _Password(unreachable=True)
        problem = "; ".join(resolution.problems) or None
        secret = await self.app.push_screen_wait(
            PickerPasswordScreen(f"{profile.name} ({profile.host})", profile.username, problem)
        )
        typed = secret is not None
        return _Password(secret, "typed", typed=typed, can_save=resolution.can_save_to_keyring)

    async def _reachable(self, profile: Profile, doing: str) -> bool:
        """The address answers as its URL says (scheme, port, TLS); say why not otherwise."""
        self.say(f"Reaching '{profile.name}' ({profile.url})…")
        error = await check_reachable(profile, timeouts=self.timeouts)
        if error is not None:
            self.say(f"{doing}: {error}", error=True)
            return False
        return True

    def _tls_usable(self, profile: Profile, doing: str) -> bool:
        """Its CA bundle is read before any password is asked for; say why not otherwise."""
        try:
            check_profile_tls(profile)
        except ResolutionError as exc:
            self.say(f"{doing}: {exc}", error=True)
            return False
        return True

    @work(exclusive=True, group="profile-action", exit_on_error=False)
    async def _test(self, profile: Profile) -> None:
        # the CA bundle, then the address (its scheme and port), before any password is asked for
        if not self._tls_usable(profile, "Not tested") or not await self._reachable(profile, "Not tested"):
            return
        found = await self._password(profile)
        secret, typed, can_save = found.secret, found.typed, found.can_save
        if secret is None:
            self.say(f"Test of '{profile.name}' cancelled: no password.")
            return
        self.say(f"Testing '{profile.name}' ({profile.url})…")
        check = await check_connection(profile, secret, timeouts=self.timeouts)
        self._show_check(check, secret, typed)
        if check.ok and typed and can_save:
            await self._offer_keyring(profile, secret)

    @work(exclusive=True, group="profile-action", exit_on_error=False)
    async def _connect(self, profile: Profile) -> None:
        if self.config is None:
            return
        settings = self.config.settings
        if not self._tls_usable(profile, "Not connected"):
            return
        found = await self._password(profile, before_prompt="Not connected")
        if found.unreachable:
            return
        secret, typed, can_save = found.secret, found.typed, found.can_save
        if secret is None:
            self.say(f"Not connected to '{profile.name}': no password was entered.")
            return
        if typed and can_save:  # check it first, so that a wrong password is never saved
            self.say(f"Logging in to '{profile.name}' ({profile.url})…")
            check = await check_connection(profile, secret, timeouts=self.timeouts)
            self._show_check(check, secret, typed)
            if not check.ok:
                return
            await self._offer_keyring(profile, secret)
        elif typed:
            self.passwords[profile.name] = secret
        self.dismiss(ProfileChoice(profile, secret, settings, found.source or "profile picker"))

    def _show_check(self, check: ConnectionCheck, secret: Secret, typed: bool) -> None:
        self.last_check = check
        self.say(check.message, ok=check.ok, error=not check.ok)
        if check.ok and typed:
            self.passwords[check.profile] = secret
        elif isinstance(check.error, AuthenticationFailed):
            self.passwords.pop(check.profile, None)

    async def _offer_keyring(self, profile: Profile, secret: Secret) -> None:
        status = await asyncio.to_thread(probe_keyring)
        if not status.available:
            return
        save = await self.app.push_screen_wait(
            ConfirmScreen(
                f"Save the password of {profile.username} for '{profile.name}' in the OS keyring "
                f"({status.backend.rsplit('.', 2)[-2]})? Otherwise it is kept in memory until you quit.",
                yes="Save",
                no="Not now",
            )
        )
        if not save:
            return
        try:
            await asyncio.to_thread(keyring_set, profile.name, secret)
        except PasswordError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Saved the password for '{profile.name}' in the keyring.", markup=False)
