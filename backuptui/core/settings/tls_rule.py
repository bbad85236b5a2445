"""The one TLS rule of a target: what the client's `verify=` gets (False, True, or the context of a
CA bundle). A CA bundle is read and parsed here, at resolution, so building a client never raises;
a missing or non-PEM file is a `ResolutionError` whose message is one line that says what to do.
Re-exported by `core.settings.resolution`.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from backuptui.core.settings.profile_model import Profile
from backuptui.core.settings.target_options import ResolutionError

__all__ = ["check_ca_bundle", "check_profile_tls", "tls_rule"]


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
