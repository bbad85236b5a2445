"""Which of a failed job's messages says why it failed.

The appliance reports nearly every failed backup with the same text, "BackupManager encountered
an exception. Please check logs for details.", and puts the cause ("Error during component vum
backup", "No space left on device") in a further message of the error or of the job. Every place
that summarises a failure (the health verdict, `check`, `status`, the exports, the TUI) asks this
module, so all of them name the cause, and the generic text only when it is all there is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `models` asks this module for `BackupJob.problem`: no import back at run time
    from backuptui.core.appliance.models import BackupJob, Message, RecordError

#: message ids the appliance uses for "a backup failed" without saying why
GENERIC_IDS = frozenset({"com.vmware.applmgmt.backup.job.failed"})

#: texts (lower case, without the final full stop) that say only that something failed
GENERIC_TEXTS = frozenset(
    {
        "backupmanager encountered an exception. please check logs for details",
        "backupmanager encountered an exception",
        "backup job failed",
    }
)

#: no generic text is longer than this (with room for odd spacing), so longer ones are never scanned
_LONGEST_GENERIC = 4 * max(len(text) for text in GENERIC_TEXTS)


def is_generic(message: Message) -> bool:
    """True for a message that says only that the job failed, not why."""
    if len(message.text) > _LONGEST_GENERIC:  # a 50 MB message is not generic: never lower-case it all
        return False
    text = " ".join(message.text.split()).rstrip(".").lower()
    if text in GENERIC_TEXTS:
        return True
    # the same id with a longer text ("... Exception: Full backup not allowed ...") names a cause
    return message.id in GENERIC_IDS and not text


def most_specific(messages: Iterable[Message]) -> str | None:
    """The first message with text that is not generic; else the first with any text; else None."""
    fallback: str | None = None
    for message in messages:
        text = message.text.strip()
        if not text:
            continue
        if not is_generic(message):
            return text
        if fallback is None:
            fallback = text
    return fallback


def unreadable_reason(problem: RecordError) -> str:
    """`the record could not be read: field 'size': expected an integer, got a string ('12 GB')`."""
    where = f"field '{problem.field_path}'" if problem.field_path else "the record"
    return f"the record could not be read: {where}: {problem.reason}"


def failure_cause(job: BackupJob) -> str | None:
    """What went wrong with `job`, in its most specific words (None when nothing went wrong).

    A record that could not be read says which field is wrong. Else the error's messages come
    first, then (for a failed job) the job's own messages: a cause in either beats the generic
    text in the other.
    """
    if job.unreadable is not None:
        return unreadable_reason(job.unreadable)
    candidates: list[Message] = list(job.error.messages) if job.error is not None else []
    if job.status == "FAILED":  # JobStatus.FAILED, a str enum
        candidates.extend(job.messages)
    return most_specific(candidates)


#: how a user's cancel reads in a job's messages ("The backup job was canceled by the user.")
_CANCELED_TEXT = re.compile(r"\bcancel+ed by (?:the )?user\b", re.IGNORECASE)


def canceled_by_user(job: BackupJob) -> bool:
    """A FAILED job that failed because someone canceled it, not because the appliance could not
    back up. The appliance has no CANCELED status: it marks the job FAILED with an error of the
    vAPI type CANCELED and the message "The backup job was canceled by the user."; either says it."""
    if job.status != "FAILED":  # JobStatus.FAILED, a str enum
        return False
    error = job.error
    kind = error.error_type if error is not None else None
    if kind is not None and kind.rsplit(".", 1)[-1].upper() == "CANCELED":  # or ...std.errors.canceled
        return True
    messages = [*error.messages] if error is not None else []
    # the start of each text only: a 50 MB message costs what a short one does
    return any(_CANCELED_TEXT.search(message.text[:500]) for message in (*messages, *job.messages))


#: the word for a job a user canceled, where backuptui says one (the appliance says FAILED)
CANCELED = "CANCELED"


def status_word(job: BackupJob) -> str:
    """The job's status as backuptui says it: the appliance's word, or CANCELED for a cancel."""
    return CANCELED if canceled_by_user(job) else str(job.status)


def is_failure(job: BackupJob) -> bool:
    """A FAILED job that a user did not cancel: what every failure count counts (a cancel is
    counted apart, with `canceled_by_user`)."""
    return job.status == "FAILED" and not canceled_by_user(job)  # JobStatus.FAILED, a str enum
