"""How to reach an appliance: the rules every entry point shares, checked before any client exists.

Public face (for the monitor's launch, the headless commands, the profile picker, `doctor` and a fleet):

- `REFRESH_MIN`, `REFRESH_MAX`, `check_refresh_seconds(value)`: the one bound on poll intervals
  (0.2 to 86400 s) that `--refresh`, `profile add/edit --refresh` and the file's `refresh` all obey.
- `stale_after(idle)`: when the status line calls data stale (two idle intervals and a little).
- `tls_rule(no_verify=, ca_bundle=, default=)`: what the client's `verify=` gets. A CA bundle is read
  and parsed here, so building a client never raises; a missing or non-PEM file is a
  `ResolutionError` whose message is one line that says what to do.
- `check_profile_tls(profile)`: the same rule for a saved profile, for the picker and switching.
- `ResolutionError`: a target that cannot work; `str()` is the line to show.

No prompting, no Textual, no network.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from backuptui.core.settings.profile_model import (
    REFRESH_MAX,
    REFRESH_MIN,
    Profile,
    check_refresh_seconds,
)

__all__ = [
    "REFRESH_MAX",
    "REFRESH_MIN",
    "ResolutionError",
    "check_ca_bundle",
    "check_profile_tls",
    "check_refresh_seconds",
    "stale_after",
    "tls_rule",
]


class ResolutionError(Exception):
    """The options, the profile or its files cannot name a usable appliance; the message is one line."""


def stale_after(idle: float) -> float:
    """Seconds without a successful poll before "live" becomes "stale": two idle intervals and a little."""
    return 2 * idle + 10


def check_ca_bundle(path_text: str, *, origin: str = "--ca-bundle") -> ssl.SSLContext:
    """The TLS context of a CA bundle file, read now; `origin` names where the path came from."""
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise ResolutionError(
            f"{origin} {path_text}: no such file (give a PEM file with the appliance's CA certificate)"
        )
    try:
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as exc:
        reason = "not a PEM file of CA certificates"
        if not isinstance(exc, ssl.SSLError) and exc.strerror:
            reason = exc.strerror
        raise ResolutionError(
            f"{origin} {path_text}: cannot use it as a CA bundle ({reason}); give a PEM file with the "
            "appliance's CA certificate (from https://<appliance>/certs/download.zip)"
        ) from None


def tls_rule(
    *,
    no_verify: bool = False,
    ca_bundle: str | None = None,
    default: bool | str = True,
    origin: str = "--ca-bundle",
) -> bool | ssl.SSLContext:
    """What the client's `verify=` gets: False, True, or the context of a CA bundle checked now."""
    if no_verify and ca_bundle:
        raise ResolutionError("--no-verify and --ca-bundle contradict each other; give one of them")
    if no_verify:
        return False
    if ca_bundle:
        return check_ca_bundle(ca_bundle, origin=origin)
    if isinstance(default, str):
        return check_ca_bundle(default, origin=origin)
    return default


def check_profile_tls(profile: Profile) -> bool | ssl.SSLContext:
    """A saved profile's TLS rule, its CA bundle read now (a `ResolutionError` names the profile)."""
    return tls_rule(default=profile.verify, origin=f"profile '{profile.name}': ca_bundle")
