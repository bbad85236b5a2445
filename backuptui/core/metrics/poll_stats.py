"""The exporter's own figures about its polls: how long the last one took, how many failed, by kind."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from backuptui.core.appliance.errors import (
    ApiError,
    ApplianceError,
    ApplianceUnreachable,
    AuthenticationFailed,
    InvalidResponse,
    NotAuthorized,
    TLSVerificationFailed,
)

# the most specific class first: a TLS failure is also "unreachable"
_KINDS: tuple[tuple[type[ApplianceError], str], ...] = (
    (TLSVerificationFailed, "tls"),
    (ApplianceUnreachable, "unreachable"),
    (AuthenticationFailed, "auth_failed"),
    (NotAuthorized, "not_authorized"),
    (ApiError, "api_error"),
    (InvalidResponse, "invalid_response"),
)


def error_kind(error: ApplianceError) -> str:
    """A short, stable label value for the error (`vcsa_backup_poll_errors_total{kind}`)."""
    for cls, kind in _KINDS:
        if isinstance(error, cls):
            return kind
    return "error"


class PollStats:
    """Counts one appliance's polls as they end (the poller calls `observe`; a scrape reads)."""

    def __init__(self) -> None:
        self.last_duration: float | None = None
        self._errors: dict[str, int] = {}
        self.errors: Mapping[str, int] = MappingProxyType({})

    def observe(self, seconds: float | None, error: ApplianceError | None) -> None:
        """One poll ended: it took `seconds` (None: not measured), and failed with `error`."""
        self.last_duration = seconds
        if error is not None:
            kind = error_kind(error)
            self._errors[kind] = self._errors.get(kind, 0) + 1
            # a new mapping each time: a scrape in another thread reads a whole one, never a half
            self.errors = MappingProxyType(dict(self._errors))


__all__ = ["PollStats", "error_kind"]
