"""The values of acting on an appliance: what a backup request holds, what an action answers,
and how the appliance refused one (`ActionRefused` with its `Refusal`).

A `BackupRequest`'s passwords are `Secret`s, left out of its repr; `wire()` reveals them only into
the body of the one request being sent.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final
from urllib.parse import urlsplit

from backuptui.core.appliance.errors import ApiError
from backuptui.core.appliance.failures import short_reason
from backuptui.core.appliance.secret import Secret

__all__ = [
    "ACTION_GROUP",
    "ActionAnswer",
    "ActionRefused",
    "BackupPart",
    "BackupRequest",
    "LocationType",
    "Refusal",
    "StartedJob",
    "default_comment",
]

#: the SSO group whose members may start and cancel backups
ACTION_GROUP: Final = "SystemConfiguration.Administrators"


class LocationType(enum.StrEnum):
    """`Job.LocationType`, each with the URL scheme the appliance expects for it."""

    FTP = "FTP"
    HTTP = "HTTP"
    FTPS = "FTPS"
    HTTPS = "HTTPS"
    SCP = "SCP"
    SFTP = "SFTP"
    NFS = "NFS"
    SMB = "SMB"

    @property
    def scheme(self) -> str:
        return self.value.lower()

    @classmethod
    def for_location(cls, location: str) -> LocationType | None:
        """The type a location URL's scheme names (`sftp://...` is SFTP), or None."""
        scheme = urlsplit(location.strip()).scheme.upper()
        return cls.__members__.get(scheme)


def default_comment(local_user: str) -> str:
    """The comment a manual backup gets unless the user writes another."""
    return f"backuptui: manual backup by {local_user}"


@dataclass(frozen=True)
class BackupRequest:
    """A one-off backup to a location of the user's choosing (the body of `POST .../backup/job`)."""

    location_type: LocationType
    location: str
    location_user: str = ""
    location_password: Secret | None = field(default=None, repr=False)
    backup_password: Secret | None = field(default=None, repr=False)
    parts: tuple[str, ...] = ()
    comment: str = ""
    fast_backup: bool = False

    def without_passwords(self) -> BackupRequest:
        """The same request with both passwords dropped (what a form keeps after a failure)."""
        return replace(self, location_password=None, backup_password=None)

    def wire(self) -> dict[str, Any]:
        """The `BackupRequest` JSON value, passwords revealed: only for the request's body."""
        body: dict[str, Any] = {"location_type": self.location_type.value, "location": self.location}
        if self.parts:  # none named: the appliance's default parts
            body["parts"] = list(self.parts)
        if self.location_user:
            body["location_user"] = self.location_user
        if self.location_password:
            body["location_password"] = self.location_password.reveal()
        if self.backup_password:
            body["backup_password"] = self.backup_password.reveal()
        if self.comment:
            body["comment"] = self.comment
        if self.fast_backup:
            body["fast_backup"] = True
        return body


@dataclass(frozen=True)
class StartedJob:
    """`BackupJobStatus` of a job just started: its id, state and percentage."""

    id: str
    state: str
    progress: int = 0
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionAnswer:
    """`ReturnResult` of cancel and validate: OK, WARNING or FAIL, and the appliance's messages."""

    status: str
    messages: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status != "FAIL"

    def describe(self) -> str:
        said = "; ".join(short_reason(text) for text in self.messages)
        return f"{self.status}: {said}" if said else self.status


@dataclass(frozen=True)
class BackupPart:
    """`Parts.Part`, with its estimated size in MB (`.../parts/{id}`) when the appliance gave one."""

    id: str
    name: str
    description: str = ""
    optional: bool = False
    selected_by_default: bool = True
    size_mb: int | None = None


class Refusal(enum.Enum):
    """Which of the appliance's refusals an action met."""

    FEATURE_IN_USE = "a backup is already running"
    NOT_ALLOWED = "not allowed in the current state"
    INVALID_ARGUMENT = "invalid argument"
    NOT_AUTHORIZED = "not authorized"
    NOT_FOUND = "not found"
    OTHER = "refused"


class ActionRefused(ApiError):
    """The appliance refused an action; `reason` says which refusal, `field` which argument,
    `running_job` the backup already running (for FEATURE_IN_USE, when it could be read)."""

    kind = "refused"

    def __init__(
        self,
        appliance: str,
        problem: str,
        hint: str,
        *,
        reason: Refusal,
        status_code: int | None = None,
        error_type: str | None = None,
        messages: Sequence[str] = (),
        field: str | None = None,
        running_job: str | None = None,
    ) -> None:
        self.reason = reason
        self.field = field
        self.running_job = running_job
        super().__init__(
            appliance, problem, hint, status_code=status_code, error_type=error_type, messages=messages
        )
