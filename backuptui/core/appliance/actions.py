"""Acting on an appliance: back up now (the schedule's run or a one-off job), validate, cancel.

Each action is one POST sent once (`ApplianceClient.act`): never retried, not even after an
expired session. A refusal becomes an `ActionRefused` whose `reason` says which of the
appliance's refusals it was and whose message says what to do: a backup already running (named),
not allowed in the current state, an invalid argument (which field), not authorized (the SSO
group needed), the schedule or job missing. Passwords of a `BackupRequest` are `Secret`s: revealed
only into the body of the one request, never in a repr, a message or a log line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import quote, urlsplit

from backuptui.core.appliance.action_values import (
    ACTION_GROUP,
    ActionAnswer,
    ActionRefused,
    BackupPart,
    BackupRequest,
    LocationType,
    Refusal,
    StartedJob,
    default_comment,
)
from backuptui.core.appliance.client import BACKUP_PREFIX, ApplianceClient
from backuptui.core.appliance.errors import ApiError, ApplianceError, InvalidResponse, NotAuthorized
from backuptui.core.appliance.failures import RETRY_HINT, json_kind, short_reason
from backuptui.core.appliance.models import ApiFlavor, JobStatus
from backuptui.core.appliance.record_fields import parse_error

__all__ = [
    "ACTION_GROUP",
    "ActionAnswer",
    "ActionRefused",
    "BackupActions",
    "BackupPart",
    "BackupRequest",
    "LocationType",
    "Refusal",
    "StartedJob",
    "default_comment",
]

log = logging.getLogger(__name__)

#: BackupRequest fields an invalid-argument message may name, longest first (`location_user`
#: before `location`)
_FIELDS: Final = (
    "location_password",
    "backup_password",
    "location_user",
    "location_type",
    "fast_backup",
    "location",
    "comment",
    "parts",
)
_FIELD_PATTERN: Final = re.compile(r"\b(" + "|".join(_FIELDS) + r")\b")


def _short_type(error_type: str | None) -> str:
    return (error_type or "").rsplit(".", 1)[-1].upper()


class BackupActions:
    """The actions on one appliance, through its client (and its session)."""

    def __init__(self, client: ApplianceClient) -> None:
        self.client = client

    @property
    def name(self) -> str:
        return self.client.name

    # -- reads that prepare an action ----------------------------------------------------

    async def parts(self, *, sizes: bool = True) -> tuple[BackupPart, ...]:
        """The parts a backup can hold (`.../parts`), each with its size (`.../parts/{id}`)."""
        what = "backup parts"
        value = await self.client.read(lambda f: f"{BACKUP_PREFIX[f]}/parts", what)
        if not isinstance(value, list):
            raise InvalidResponse(self.name, f"{what}: expected a list, got {json_kind(value)}", RETRY_HINT)
        found: list[BackupPart] = []
        for item in value:
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                continue
            ident = item["id"]
            size: int | None = None
            if sizes:
                raw = await self.client.read(_part_path(ident), f"size of {ident}")
                size = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
            found.append(
                BackupPart(
                    id=ident,
                    name=_text(item.get("name")) or ident,
                    description=_text(item.get("description")),
                    optional=item.get("optional") is True,
                    selected_by_default=item.get("selected_by_default") is not False,
                    size_mb=size,
                )
            )
        return tuple(found)

    # -- actions (each sent once) ----------------------------------------------------------

    async def run_schedule(self, schedule: str = "default", comment: str = "") -> StartedJob:
        """Back up now through the schedule: its location and credentials, held by the appliance."""
        what = f"run schedule {schedule!r}"
        escaped = quote(schedule, safe="")
        try:
            value, flavor = await self.client.act(
                lambda f: f"{BACKUP_PREFIX[f]}/schedules/{escaped}",
                what,
                params=lambda f: [("action", "run")],
                body=lambda f: {"comment": comment},
            )
        except ApplianceError as exc:
            raise await self._refusal(exc, what, schedule=schedule) from None
        return self._started(value, flavor, what)

    async def create_job(self, request: BackupRequest) -> StartedJob:
        """A one-off backup to `request`'s location (`POST .../backup/job`)."""
        what = f"back up to {short_reason(_safe_location(request.location), 120)}"
        try:
            value, flavor = await self.client.act(
                lambda f: f"{BACKUP_PREFIX[f]}/job",
                what,
                body=lambda f: {"piece": request.wire()} if f is ApiFlavor.REST else request.wire(),
            )
        except ApplianceError as exc:
            raise await self._refusal(exc, what) from None
        return self._started(value, flavor, what)

    async def validate(self, request: BackupRequest) -> ActionAnswer:
        """The appliance's own check of a one-off request, before it is started: OK or WARNING and
        its warnings; a request it refuses raises `ActionRefused` (INVALID_ARGUMENT names the field)."""
        what = "validate the backup request"

        def path(flavor: ApiFlavor) -> str:
            if flavor is ApiFlavor.REST:
                return f"{BACKUP_PREFIX[flavor]}/validate"
            return BACKUP_PREFIX[flavor]

        try:
            value, flavor = await self.client.act(
                path,
                what,
                params=lambda f: [("action", "validate")] if f is ApiFlavor.API else None,
                body=lambda f: {"piece": request.wire()} if f is ApiFlavor.REST else request.wire(),
            )
        except ApplianceError as exc:
            raise await self._refusal(exc, what) from None
        return self._answer(value, flavor, what)

    async def cancel(self, job_id: str) -> ActionAnswer:
        """Ask the appliance to cancel a running job; its answer (OK, WARNING or FAIL) as given."""
        if not job_id:
            raise ValueError("no job id given")
        what = f"cancel job {job_id}"
        escaped = quote(job_id, safe="")
        try:
            value, flavor = await self.client.act(lambda f: f"{BACKUP_PREFIX[f]}/job/{escaped}/cancel", what)
        except ApplianceError as exc:
            raise await self._refusal(exc, what, job=job_id) from None
        if value is None:
            return ActionAnswer("OK")
        return self._answer(value, flavor, what)

    # -- answers ------------------------------------------------------------------------

    def _unwrapped(self, value: Any, flavor: ApiFlavor, what: str) -> Any:
        if flavor is ApiFlavor.REST:
            if not isinstance(value, Mapping) or "value" not in value:
                raise InvalidResponse(self.name, f'{what}: expected {{"value": ...}}, got {json_kind(value)}')
            return value["value"]
        return value

    def _started(self, value: Any, flavor: ApiFlavor, what: str) -> StartedJob:
        status = self._unwrapped(value, flavor, what)
        ident = status.get("id") if isinstance(status, Mapping) else None
        if not isinstance(ident, str) or not ident:
            raise InvalidResponse(
                self.name,
                f"{what}: the backup may have started, but the answer has no job id ({json_kind(status)})",
                "Refresh the job list to see it",
            )
        progress = status.get("progress")
        messages = parse_error({"messages": status.get("messages") or []}).messages
        return StartedJob(
            id=ident,
            state=str(status.get("state") or "INPROGRESS"),
            progress=progress if isinstance(progress, int) and not isinstance(progress, bool) else 0,
            messages=tuple(m.text for m in messages if m.text),
        )

    def _answer(self, value: Any, flavor: ApiFlavor, what: str) -> ActionAnswer:
        result = self._unwrapped(value, flavor, what)
        if not isinstance(result, Mapping) or result.get("status") not in ("OK", "WARNING", "FAIL"):
            raise InvalidResponse(
                self.name, f"{what}: expected a status of OK, WARNING or FAIL, got {json_kind(result)}"
            )
        messages = parse_error({"messages": result.get("messages") or []}).messages
        return ActionAnswer(str(result["status"]), tuple(m.text for m in messages if m.text))

    async def _refusal(
        self, exc: ApplianceError, what: str, *, schedule: str | None = None, job: str | None = None
    ) -> ApplianceError:
        """`exc` as the refusal a person can act on; other errors (unreachable, ...) as they are."""
        name, user = self.name, self.client.user
        if isinstance(exc, NotAuthorized):
            return ActionRefused(
                name,
                f"{what}: the user {user!r} may read backups but not start or cancel them (HTTP 403)",
                f"Starting and canceling backups needs the SSO group {ACTION_GROUP}; add the user to "
                "it, or use an account that is in it",
                reason=Refusal.NOT_AUTHORIZED,
                status_code=403,
            )
        if not isinstance(exc, ApiError) or isinstance(exc, ActionRefused):
            return exc
        kind = _short_type(exc.error_type)
        said = "; ".join(short_reason(text) for text in exc.messages)
        common: dict[str, Any] = {
            "status_code": exc.status_code,
            "error_type": exc.error_type,
            "messages": exc.messages,
        }
        if kind == "FEATURE_IN_USE":
            running = await self._running_job()
            named = f" (job {running})" if running else ""
            return ActionRefused(
                name,
                f"{what}: a backup or restore is already running{named}",
                "Only one runs at a time: wait for it to end, or cancel it",
                reason=Refusal.FEATURE_IN_USE,
                running_job=running,
                **common,
            )
        if kind == "NOT_ALLOWED_IN_CURRENT_STATE":
            return ActionRefused(
                name,
                f"{what}: not allowed in the appliance's current state" + (f" ({said})" if said else ""),
                "Wait until the appliance is done with what it is doing (VAMI, port 5480), then try again",
                reason=Refusal.NOT_ALLOWED,
                **common,
            )
        if kind == "INVALID_ARGUMENT":
            found = _FIELD_PATTERN.search(" ".join(exc.messages))
            which = found.group(1) if found else None
            return ActionRefused(
                name,
                f"{what}: the appliance refused "
                + (f"the field {which}" if which else "an argument")
                + (f" ({said})" if said else ""),
                "Correct it and send again",
                reason=Refusal.INVALID_ARGUMENT,
                field=which,
                **common,
            )
        if exc.status_code == 404 or kind == "NOT_FOUND":
            if schedule is not None:
                problem = f"{what}: the appliance has no backup schedule {schedule!r}"
                hint = "Create the schedule in VAMI (port 5480, Backup), or back up to another location"
            else:
                problem = f"{what}: the appliance does not know job {job}" if job else f"{what}: not found"
                hint = "The job may have ended and been removed; refresh the list"
            return ActionRefused(name, problem, hint, reason=Refusal.NOT_FOUND, **common)
        return ActionRefused(name, exc.problem, exc.hint, reason=Refusal.OTHER, **common)

    async def _running_job(self) -> str | None:
        """The job already running, read (not retried) to name it in a FEATURE_IN_USE refusal."""
        try:
            details = await self.client.list_job_details()
        except ApplianceError as exc:
            log.debug("%s: could not read the running job: %s", self.name, exc)
            return None
        for job in details.jobs:
            if job.status in (JobStatus.RUNNING, JobStatus.PENDING, JobStatus.BLOCKED):
                return job.id
        return None


def _part_path(ident: str) -> Callable[[ApiFlavor], str]:
    escaped = quote(ident, safe="")
    return lambda flavor: f"{BACKUP_PREFIX[flavor]}/parts/{escaped}"


def _text(raw: Any) -> str:
    """A `LocalizableMessage`'s text (or a plain string)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, Mapping) and isinstance(raw.get("default_message"), str):
        return str(raw["default_message"])
    return ""


def _safe_location(location: str) -> str:
    """A location URL for messages: any user:password@ in it dropped."""
    parts = urlsplit(location.strip())
    if "@" not in parts.netloc:
        return location.strip()
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
