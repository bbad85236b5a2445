"""`BackupRequest` as strictly as the appliance checks it, and the `validate` operation's answer.

Create (`POST .../backup/job`) and validate share the checks: a known `location_type` whose URL
scheme matches the location, known parts, and a backup password (when given) of 8 to 20
characters with an upper-case letter, a lower-case letter, a digit and a special character.
A refusal is `invalid_argument` naming the field; validate also warns (`WARNING`) about what
would work but may not be meant, such as a location that already holds backups.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from backuptui.simulator import catalog
from backuptui.simulator.wire import message

#: `Job.LocationType` and the URL scheme each one needs
SCHEMES = {
    "FTP": "ftp",
    "HTTP": "http",
    "FTPS": "ftps",
    "HTTPS": "https",
    "SCP": "scp",
    "SFTP": "sftp",
    "NFS": "nfs",
    "SMB": "smb",
}
#: location types whose servers need a user name
NEEDS_USER = frozenset({"FTP", "FTPS", "SCP", "SFTP", "SMB"})
_SPECIAL = frozenset(string.punctuation)


class BadRequest(ValueError):
    """A `BackupRequest` the appliance refuses: `field` names what is wrong."""

    def __init__(self, field: str, text: str) -> None:
        self.field = field
        super().__init__(f"{field}: {text}")


@dataclass(frozen=True)
class Checked:
    """A request that passed: where it goes and who logs in there."""

    location: str
    location_type: str
    location_user: str


def backup_password_problem(password: str) -> str | None:
    """Why a backup (encryption) password breaks the appliance's rule, or None when it keeps it."""
    if not 8 <= len(password) <= 20:
        return "must be 8 to 20 characters long"
    if not any(ch.isupper() for ch in password):
        return "needs an upper-case letter"
    if not any(ch.islower() for ch in password):
        return "needs a lower-case letter"
    if not any(ch.isdigit() for ch in password):
        return "needs a digit"
    if not any(ch in _SPECIAL for ch in password):
        return "needs a special character"
    return None


def check_request(piece: Mapping[str, Any], known_parts: Collection[str]) -> Checked:
    """The request's fields as the appliance checks them; raises `BadRequest` naming the field."""
    location_type = piece.get("location_type")
    if not isinstance(location_type, str) or location_type not in SCHEMES:
        raise BadRequest("location_type", f"must be one of {', '.join(SCHEMES)}")
    location = piece.get("location")
    if not isinstance(location, str) or not location.strip():
        raise BadRequest("location", "is required (a URL such as sftp://host/path)")
    scheme = urlsplit(location).scheme.lower()
    if scheme != SCHEMES[location_type]:
        raise BadRequest(
            "location",
            f"the scheme '{scheme or '(none)'}' does not match location_type {location_type} "
            f"(expected {SCHEMES[location_type]}://)",
        )
    if not urlsplit(location).hostname:
        raise BadRequest("location", "has no host name")
    for name in ("location_user", "location_password", "backup_password", "comment"):
        value = piece.get(name)
        if value is not None and not isinstance(value, str):
            raise BadRequest(name, "must be a string")
    parts = piece.get("parts")
    if parts is not None:
        if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
            raise BadRequest("parts", "must be a list of part ids")
        unknown = [p for p in parts if p not in known_parts]
        if unknown:
            raise BadRequest("parts", f"unknown part {unknown[0]!r} (known: {', '.join(known_parts)})")
    fast = piece.get("fast_backup")
    if fast is not None and not isinstance(fast, bool):
        raise BadRequest("fast_backup", "must be true or false")
    backup_password = piece.get("backup_password")
    if backup_password:
        problem = backup_password_problem(backup_password)
        if problem is not None:
            raise BadRequest("backup_password", problem)
    user = piece.get("location_user") or ""
    return Checked(location.rstrip("/"), location_type, user)


def validation_messages(checked: Checked, piece: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The warnings of `validate` for a request that passed `check_request`."""
    warnings: list[dict[str, Any]] = []
    used = {target.rstrip("/") for target, _user in catalog.TARGETS}
    if checked.location in used or "existing" in checked.location:
        warnings.append(
            message(
                "com.vmware.applmgmt.backup.location.not_empty",
                f"The location {checked.location} is not empty: it already holds backups.",
                checked.location,
            )
        )
    if checked.location_type in NEEDS_USER and not checked.location_user:
        warnings.append(
            message(
                "com.vmware.applmgmt.backup.location.no_user",
                f"No user name is given for the {checked.location_type} location; the server may "
                "refuse the login.",
                checked.location_type,
            )
        )
    if checked.location_type in ("FTP", "HTTP"):
        warnings.append(
            message(
                "com.vmware.applmgmt.backup.location.insecure",
                f"{checked.location_type} sends the backup unencrypted over the network.",
                checked.location_type,
            )
        )
    if not piece.get("backup_password"):
        warnings.append(
            message(
                "com.vmware.applmgmt.backup.not_encrypted",
                "No backup password is set: the backup will not be encrypted.",
            )
        )
    return warnings
