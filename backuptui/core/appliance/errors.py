"""What can go wrong talking to an appliance, as typed errors a person can act on.

Every error names the appliance and says what to do next. None of them ever carries a password
or a session token: messages are built from the host, the HTTP status and the appliance's own
error messages only.
"""

from __future__ import annotations

from collections.abc import Sequence


class ApplianceError(Exception):
    """Base of every error about one appliance; `str()` is the full sentence for the user."""

    #: a short label for status lines ("unreachable", "authentication failed", ...)
    kind = "error"

    def __init__(self, appliance: str, problem: str, hint: str = "") -> None:
        self.appliance = appliance
        self.problem = problem
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = f"{self.appliance}: {self.problem}"
        return f"{text}. {self.hint}" if self.hint else text

    def __str__(self) -> str:
        return self.message


class ApplianceUnreachable(ApplianceError):
    """No answer: DNS, refused or dropped connection, or a timeout."""

    kind = "unreachable"


class TLSVerificationFailed(ApplianceUnreachable):
    """The appliance's certificate could not be verified."""

    kind = "TLS verification failed"


class AuthenticationFailed(ApplianceError):
    """The appliance refused the user name or password (never retried: SSO locks accounts)."""

    kind = "authentication failed"


class NotAuthorized(ApplianceError):
    """HTTP 403: logged in, but the user lacks the privilege for the backup API."""

    kind = "not authorized"


class ApiError(ApplianceError):
    """The appliance answered with a vAPI error (HTTP status, error type and its messages)."""

    kind = "API error"

    def __init__(
        self,
        appliance: str,
        problem: str,
        hint: str = "",
        *,
        status_code: int | None = None,
        error_type: str | None = None,
        messages: Sequence[str] = (),
    ) -> None:
        self.status_code = status_code
        self.error_type = error_type
        self.messages = tuple(messages)
        super().__init__(appliance, problem, hint)


class InvalidResponse(ApplianceError):
    """The appliance answered something that is not what the API promises (what, and where)."""

    kind = "invalid response"
