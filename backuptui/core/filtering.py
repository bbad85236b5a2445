"""The `/` filter of the job list: a small query language over backup jobs.

    failed sftp                 every word must appear somewhere in the job (case-insensitive)
    "no space left"             a quoted phrase is one word
    status:failed  type:manual  field terms; values may be prefixes (`status:fail`, `type:sched`)
    status:failed,running       a comma list: any of them
    id:2024  location:sftp  user:admin  message:broken  error:exception
    since:2d  since:12h  since:2026-11-01  until:2026-11-15
    -status:succeeded  !sftp    `-` or `!` negates any term
    is:gone  -is:gone           the jobs the appliance no longer lists (kept by the local history)

Typing is never punished: `JobFilter.parse` always returns a filter. A term it cannot
understand is left out of the matching and reported in `errors`, in words the user can act on,
so the filter bar can show it while the rest of the filter keeps working.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from backuptui.core.appliance.models import (
    ACTIVE_STATUSES,
    FINISHED_STATUSES,
    BackupJob,
    JobStatus,
    JobType,
    Message,
)
from backuptui.core.filter_words import ParsedFilter, filter_words

Clock = Callable[[], datetime]

#: field name (and aliases) -> canonical field
FIELDS: dict[str, str] = {
    "status": "status",
    "is": "status",
    "type": "type",
    "id": "id",
    "location": "location",
    "loc": "location",
    "user": "user",
    "message": "message",
    "msg": "message",
    "error": "error",
    "err": "error",
    "since": "since",
    "after": "since",
    "until": "until",
    "before": "until",
}

#: `is:gone`: the jobs the appliance no longer lists, kept by the local history (`-is:gone` hides them)
GONE = "gone"

#: what `status:` accepts besides the status names themselves
STATUS_GROUPS: dict[str, frozenset[JobStatus]] = {
    "active": ACTIVE_STATUSES,
    "finished": FINISHED_STATUSES,
    "ok": frozenset({JobStatus.SUCCEEDED}),
}

_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Term:
    """One condition of a filter; `negated` turns it around."""

    field: str  # "text" for free text, else a canonical name from FIELDS
    value: str  # lower-cased text, for display and text matching
    negated: bool = False
    statuses: frozenset[JobStatus] = frozenset()
    types: frozenset[JobType] = frozenset()
    age: timedelta | None = None  # relative since/until ("2d")
    moment: datetime | None = None  # absolute since/until

    def describe(self) -> str:
        prefix = "-" if self.negated else ""
        if self.field == "text":
            return f'{prefix}"{self.value}"' if " " in self.value else prefix + self.value
        return f"{prefix}{self.field}:{self.value}"


@dataclass(frozen=True)
class JobFilter(ParsedFilter):
    """A parsed filter; an empty one matches every job."""

    text: str = ""
    terms: tuple[Term, ...] = ()
    errors: tuple[str, ...] = ()
    clock: Clock = field(default=_now, compare=False, repr=False)

    @classmethod
    def parse(cls, text: str, *, clock: Clock | None = None) -> JobFilter:
        """Parse what the user typed. Never raises: bad terms are reported in `errors`."""
        terms: list[Term] = []
        errors: list[str] = []
        for word in filter_words(text, FIELDS):
            value = word.value.strip()
            if word.field is None:
                terms.append(Term("text", value.lower(), word.negated))
                continue
            canonical = FIELDS.get(word.field.lower())
            if canonical is None:
                errors.append(
                    f"unknown field '{word.field}:' (fields: {', '.join(_field_names())}; "
                    f'quote text that has a colon: "{word.field}:{word.value}")'
                )
                continue
            term, error = _field_term(canonical, value, word.negated)
            if error:
                errors.append(error)
            elif term is not None:
                terms.append(term)
        return cls(text=text, terms=tuple(terms), errors=tuple(errors), clock=clock or _now)

    def matches(self, job: BackupJob, *, now: datetime | None = None) -> bool:
        """Does the job pass every term?"""
        if not self.terms:
            return True
        current = now if now is not None else self.clock()
        return all(_matches(term, job, current) != term.negated for term in self.terms)

    def apply(self, jobs: Iterable[BackupJob]) -> list[BackupJob]:
        """The jobs that pass, in their order (one clock reading for all of them)."""
        if not self.terms:
            return list(jobs)
        now = self.clock()
        return [job for job in jobs if self.matches(job, now=now)]

    def describe(self) -> str:
        """The understood terms, normalised: `status:failed -type:manual sftp`."""
        return " ".join(term.describe() for term in self.terms)


def _field_names() -> list[str]:
    return list(dict.fromkeys(FIELDS.values()))


def _field_term(name: str, value: str, negated: bool) -> tuple[Term | None, str | None]:
    lowered = value.lower()
    if name == "status" and lowered == GONE:
        return Term(name, lowered, negated), None  # no status: the appliance no longer lists it
    if name == "status":
        statuses = _statuses(lowered)
        if not statuses:
            known = [s.value.lower() for s in JobStatus] + sorted(STATUS_GROUPS) + [GONE]
            parts = [part.strip() for part in value.split(",")]
            bad = next((part for part in parts if part and not _statuses(part.lower())), value)
            return None, f"no status '{bad}' (status: takes {', '.join(known)}, or a comma list)"
        return Term(name, lowered, negated, statuses=statuses), None
    if name == "type":
        types = _types(lowered)
        if not types:
            type_names = ", ".join(t.value.lower() for t in JobType)
            return None, f"no job type '{value}' (type: takes {type_names}, local)"
        return Term(name, lowered, negated, types=types), None
    if name in ("since", "until"):
        relative = _RELATIVE.match(lowered)
        if relative:
            amount = float(relative.group(1)) * _UNITS[relative.group(2)]
            return Term(name, lowered, negated, age=timedelta(seconds=amount)), None
        moment = _moment(value)
        if moment is None:
            return None, (
                f"cannot read {name}:{value} (use an age like 30m, 12h, 2d, 1w "
                "or a date like 2026-11-01 or 2026-11-01T14:30)"
            )
        return Term(name, lowered, negated, moment=moment), None
    return Term(name, lowered, negated), None


def _statuses(value: str) -> frozenset[JobStatus]:
    """The statuses `value` names: a name, a prefix, a group, or a comma list of them (as
    `status --status failed,running` takes); empty when any part names none."""
    if "," in value:
        found: set[JobStatus] = set()
        for part in (p.strip() for p in value.split(",")):
            named = _statuses(part) if part else frozenset()
            if part and not named:
                return frozenset()
            found |= named
        return frozenset(found)
    if value in STATUS_GROUPS:
        return STATUS_GROUPS[value]
    exact = [s for s in JobStatus if s.value.lower() == value]
    if exact:
        return frozenset(exact)
    return frozenset(s for s in JobStatus if s.value.lower().startswith(value))


def _types(value: str) -> frozenset[JobType]:
    value = value.replace("-", "_")
    if value == "local":
        return frozenset({JobType.LOCAL_BACKUP})
    return frozenset(t for t in JobType if t.value.lower().startswith(value))


def _moment(value: str) -> datetime | None:
    """A date or date-time the user typed, in the machine's local time zone unless it says."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time()).astimezone().astimezone(UTC)
        parsed = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return parsed.astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# Matching

# The searchable text of a job, computed once per job object: typing re-filters the whole
# history on every key press. Keyed by id, checked by identity, so a refreshed record recomputes.
_HAYSTACKS: dict[str, tuple[BackupJob, str]] = {}
_HAYSTACK_LIMIT = 50_000


def _haystack(job: BackupJob) -> str:
    cached = _HAYSTACKS.get(job.id)
    if cached is not None and cached[0] is job:
        return cached[1]
    parts = [
        job.id,
        str(job.status),
        str(job.type),
        job.location,
        job.location_user,
        job.user or "",
        _error_text(job),
        *(_message_text(m) for m in job.messages),
    ]
    text = "\n".join(parts).lower()
    if len(_HAYSTACKS) >= _HAYSTACK_LIMIT:
        _HAYSTACKS.clear()
    _HAYSTACKS[job.id] = (job, text)
    return text


def _message_text(message: Message) -> str:
    return f"{message.text}\n{message.id}"


def _error_text(job: BackupJob) -> str:
    if job.error is None:
        return ""
    parts = [job.error.error_type or ""]
    parts.extend(_message_text(m) for m in job.error.messages)
    if not job.error.messages:
        parts.append(str(job.error.raw))
    return "\n".join(parts)


def _matches(term: Term, job: BackupJob, now: datetime) -> bool:
    name = term.field
    if name == "text":
        return term.value in _haystack(job)
    if name == "status":
        return job.gone if term.value == GONE else job.status in term.statuses
    if name == "type":
        return job.type in term.types
    if name == "id":
        return term.value in job.id.lower()
    if name == "location":
        return term.value in job.location.lower()
    if name == "user":
        return term.value in (job.user or "").lower() or term.value in job.location_user.lower()
    if name == "message":
        return any(term.value in _message_text(m).lower() for m in job.messages)
    if name == "error":
        return term.value in _error_text(job).lower()
    if name in ("since", "until"):
        cutoff = now - term.age if term.age is not None else term.moment
        assert cutoff is not None
        # A job that has not started yet (PENDING) is newer than any cutoff.
        started = job.start_time or now
        return started >= cutoff if name == "since" else started < cutoff
    raise AssertionError(f"unhandled filter field {name}")  # pragma: no cover
