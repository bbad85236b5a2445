"""Getting a job out of the terminal: copy its JSON (OSC 52) and save it to a file.

`y` copies, `s` saves; two keys rather than a "copied, save too?" dialog, because OSC 52 cannot
report failure (Apple Terminal, tmux without `set-clipboard on`, payloads over ~74 KB are dropped
silently), so the copy toast names the save key as the way out, and a modal after every copy
would get in the way of the people whose clipboard works.

The JSON is the record as the appliance sent it, keyed by its job id, pretty-printed. Values
under keys that name a secret (password, token, session, secret) are masked, so neither the
clipboard nor a saved file can ever carry one, whatever a future appliance puts in a record.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from textual.app import App

from backuptui.core.appliance.models import BackupJob
from backuptui.tui.format import one_line
from backuptui.tui.long_text import cut_strings

#: OSC 52 payloads larger than this are dropped by common terminals (k9s uses 74994 too)
OSC52_LIMIT = 74_994

MASK = "********"
_SECRET_KEY = re.compile(r"pass(word|wd|phrase)?|secret|token|session|credential|api[-_]?key", re.I)
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _is_secret(key: str, value: Any) -> bool:
    return bool(_SECRET_KEY.search(key)) and value not in (None, "")


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            str(key): MASK if _is_secret(str(key), item) else _redact(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    return value


def job_json(job: BackupJob) -> str:
    """The job's record as the appliance sent it, keyed by job id, pretty (2-space indent).

    Non-ASCII text stays readable; control characters are escaped by JSON itself.
    """
    return json.dumps({job.id: _redact(job.raw)}, indent=2, ensure_ascii=False, default=str)


def redacted_record(job: BackupJob) -> Any:
    """The job's record as decoded JSON, values under secret-looking keys masked."""
    return _redact(job.raw)


def shown_job_json(job: BackupJob, limit: int, record: Any = None) -> str:
    """`job_json` for the screen: every string longer than `limit` cut, ending in
    `… N more characters`, so a 50 MB message is never escaped, coloured or laid out in full.
    `record` is `redacted_record(job)` when the caller has it already."""
    shown = cut_strings(redacted_record(job) if record is None else record, limit)
    return json.dumps({job.id: shown}, indent=2, ensure_ascii=False, default=str)


def copy_job(app: App[Any], job: BackupJob) -> str:
    """Send the job's JSON to the terminal clipboard (OSC 52) and say so; returns the text sent."""
    text = job_json(job)
    app.copy_to_clipboard(text)
    size = len(text.encode())
    if size > OSC52_LIMIT:
        app.notify(
            f"Job {one_line(job.id)} is {size:,} bytes of JSON, more than many terminals accept through "
            "OSC 52; press s to save it to a file instead.",
            title="Copy may fail",
            severity="warning",
            markup=False,
        )
    else:
        app.notify(
            f"Job {one_line(job.id)} sent to the terminal clipboard as JSON (OSC 52). "
            "If nothing arrives, press s to save it to a file.",
            title="Copied",
            markup=False,
        )
    return text


def default_directory() -> Path:
    """Where `s` saves: the current directory, where someone on an SSH session ran the command
    and will look for the file (a desktop Downloads folder usually does not exist there)."""
    return Path.cwd()


def job_filename(job: BackupJob) -> str:
    """`backuptui-job-20240316-020004-22617221.json`; anything odd in the id becomes `_`."""
    safe_id = _UNSAFE_FILENAME.sub("_", job.id).strip("._") or "unnamed"
    return f"backuptui-job-{safe_id[:120]}.json"


def save_job(job: BackupJob, directory: Path | str | None = None) -> Path:
    """Write the job's JSON to `directory` (default: the current directory) atomically.

    The file appears complete or not at all (a temporary file in the same directory, fsync,
    rename). Returns the absolute path written; raises OSError if the directory is not writable.
    """
    target_dir = Path(directory if directory is not None else default_directory()).expanduser().resolve()
    path = target_dir / job_filename(job)
    data = (job_json(job) + "\n").encode()
    fd, temp_name = tempfile.mkstemp(prefix=".backuptui-", suffix=".tmp", dir=target_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def save_job_and_notify(app: App[Any], job: BackupJob, directory: Path | str | None = None) -> Path | None:
    """`save_job`, then tell the user the path written, on its own line, (or why it could not be written)."""
    try:
        path = save_job(job, directory)
    except OSError as exc:
        where = Path(directory if directory is not None else default_directory()).expanduser()
        app.notify(
            f"Could not save job {one_line(job.id)} in {where}: {exc.strerror or exc}. "
            "Start backuptui from a directory you can write to.",
            title="Save failed",
            severity="error",
            markup=False,
        )
        return None
    app.notify(
        f"Job {one_line(job.id)} saved to\n{short_path(path)}", title="Saved", markup=False, timeout=10
    )
    return path


#: what fits on one line of a toast (60 columns wide, less its padding and border)
TOAST_LINE = 56


def short_path(path: Path, width: int = TOAST_LINE) -> str:
    """The path on one toast line: the file name whole, the directory cut from the left with `…`."""
    text = str(path)
    if len(text) <= width:
        return text
    name = path.name
    room = width - len(name) - 2  # "…" and the separator
    if room <= 0:
        return name
    return f"…{str(path.parent)[-room:]}/{name}"
