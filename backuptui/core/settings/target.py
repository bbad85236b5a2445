"""One appliance to connect to, however it was named (`--url`, a saved profile, the demo): the value
that the headless commands, the monitor's launch and the profile picker all turn into a client.

What stays with the callers is what really differs: the headless commands fail when no source gives
a password (and let `--no-verify`/`--ca-bundle`/`--flavor`/`--user` override a profile), the app
asks for it in a masked prompt. No Textual here.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from backuptui.core.appliance.client import DEFAULT_MAX_BODY, ApplianceClient, Timeouts
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import Profile


@dataclass(frozen=True)
class ConnectionTarget:
    """Everything needed to connect to one appliance; the password stays a Secret."""

    url: str
    user: str
    password: Secret | None  # None: the app asks (masked prompt); headless commands never get None
    credentials_from: str = "prompt"  # "environment", "stdin", "prompt", "demo", or a store's name
    flavor: ApiFlavor | None = None  # None: detect (/api, then /rest)
    verify: bool | str | ssl.SSLContext = True  # True, False, a CA bundle's path or its context (read)
    name: str | None = None  # the profile name (or "demo"); display name, default the host
    max_body: int = DEFAULT_MAX_BODY  # bytes: the largest answer read (the file's `max_body_mib`)

    @property
    def display_name(self) -> str:
        return self.name or self.url

    def client(self, timeouts: Timeouts | None = None) -> ApplianceClient:
        """A new client for this appliance (not logged in yet; the caller must `close()` it).
        Without a password the client gets an empty one: the app sets the typed one later."""
        return ApplianceClient(
            self.url,
            self.user,
            self.password if self.password is not None else Secret(""),
            flavor=self.flavor,
            verify=self.verify,
            timeouts=timeouts,
            name=self.name,
            max_body=self.max_body,
        )


def parse_flavor(value: str | None) -> ApiFlavor | None:
    """`--flavor` or a profile's `flavor`: None (or "auto") means detect."""
    if value in (None, "", "auto"):
        return None
    return ApiFlavor(value)


def profile_target(
    profile: Profile,
    password: Secret | None,
    credentials_from: str | None = None,
    *,
    user: str | None = None,
    flavor: str | None = None,
    verify: bool | str | ssl.SSLContext | None = None,
) -> ConnectionTarget:
    """The target a saved profile names; `user`, `flavor` and `verify` override the profile's."""
    return ConnectionTarget(
        url=profile.url,
        user=user or profile.username,
        password=password,
        credentials_from=credentials_from or "prompt",
        flavor=parse_flavor(flavor if flavor is not None else profile.flavor),
        verify=profile.verify if verify is None else verify,
        name=profile.name,
    )
