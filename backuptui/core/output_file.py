"""Writing an export where the user asked, and leaving whatever is there as the user had it.

A regular file is replaced atomically (a reader sees the old file or the whole new one), only when
the caller says it may be (`overwrite`), and keeps its mode; a new file is 0600, as an export
describes the infrastructure. A symlink is followed: its target is replaced, never the link. A
FIFO or a character device (`/dev/stdout`, a pipe to another program) is written through, never
replaced by a regular file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

#: the mode of a new export file
NEW_FILE_MODE = 0o600


class OutputExists(FileExistsError):
    """The path names a regular file and overwriting it was not allowed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} already exists")


def where_written(path: str | os.PathLike[str]) -> Path:
    """The absolute path that writing `path` reaches: a symlink's final target."""
    return Path(os.path.realpath(Path(path).expanduser()))


def existing_file(path: str | os.PathLike[str]) -> Path | None:
    """The regular file that writing `path` would replace (a symlink's target), or None: nothing
    there, or a FIFO, a device, ... that is written through."""
    try:
        regular = stat.S_ISREG(os.stat(Path(path).expanduser()).st_mode)
    except OSError:
        return None
    return where_written(path) if regular else None


def write_output(path: str | os.PathLike[str], text: str, *, overwrite: bool = False) -> Path:
    """Write `text` to `path` as the module says; returns the path written (a symlink's target).

    Raises `OutputExists` when `path` is a regular file and `overwrite` is false, and OSError
    when it cannot be written.
    """
    given = Path(path).expanduser()
    try:
        mode: int | None = os.stat(given).st_mode  # through symlinks: /dev/stdout is the pipe
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", str(given))
        with open(given, "w", encoding="utf-8", newline="") as stream:  # a FIFO, a device
            stream.write(text)
        return given.absolute()
    target = where_written(given)  # a symlink's target is replaced, not the link
    if mode is not None and not overwrite:
        raise OutputExists(target)
    return write_atomic(target, text, stat.S_IMODE(mode) if mode is not None else NEW_FILE_MODE)


def write_atomic(path: str | os.PathLike[str], text: str, mode: int = NEW_FILE_MODE) -> Path:
    """Write `text` to the regular file `path` so that a reader sees the old file or the whole
    new one, never a torn one (temp file in the same directory, fsync, rename), with `mode`."""
    target = Path(path).expanduser().absolute()
    directory = target.parent
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return target
