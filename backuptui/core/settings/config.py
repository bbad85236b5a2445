"""Where the configuration file lives, how it is read with precise errors, and how it is written safely.

The file is TOML, read strictly (`tomllib`) so that every syntax error carries a line, and edited
through `tomlkit` so that the user's comments and layout survive. Writes are atomic: a temporary file
in the same directory, fsync, rename, fsync of the directory; the file is 0600 in a 0700 directory.
A file that could not be read is never written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
import time
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:  # tomlkit loads only when there is a file to keep the layout of
    from tomlkit.toml_document import TOMLDocument

APP_NAME = "backuptui"
#: environment variable that points at another configuration file
CONFIG_ENV = "BACKUPTUI_CONFIG"
FILE_MODE = 0o600
DIR_MODE = 0o700


def default_config_path() -> Path:
    """`platformdirs.user_config_path("backuptui")/config.toml`: honours XDG_CONFIG_HOME on Linux."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.toml"


def config_path() -> Path:
    """The configuration file in use: `$BACKUPTUI_CONFIG` if set, else the platform default."""
    override = os.environ.get(CONFIG_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return default_config_path()


class ConfigError(Exception):
    """The configuration file is unreadable or invalid; `str()` names the file, the line and the key."""

    def __init__(
        self, path: Path, problem: str, *, line: int | None = None, key: str | None = None, hint: str = ""
    ) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        self.key = key
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f", line {self.line}"
        if self.key:
            where += f", key '{self.key}'"
        text = f"{where}: {self.problem}"
        return f"{text}; {self.hint}" if self.hint else text

    def __str__(self) -> str:
        return self.message


# --- reading -------------------------------------------------------------------------------------

_TOMLLIB_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_config_text(path: Path) -> str | None:
    """The file's text, or None when it does not exist. Raises ConfigError when it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(path, "is a directory, not a configuration file") from None
    except PermissionError:
        raise ConfigError(
            path, "cannot be read: permission denied", hint="check the file's owner and mode"
        ) from None
    except OSError as exc:
        raise ConfigError(path, f"cannot be read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(path, "is not valid UTF-8 text", line=line, hint="save it as UTF-8") from None


def parse_config_text(path: Path, text: str) -> TOMLDocument:
    """Parse strictly; a syntax error names its line and, when the line has one, its key."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, text, str(exc)) from None
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:  # tomllib accepted it; tomlkit is stricter on a few corner cases
        line = getattr(exc, "line", None)
        raise ConfigError(path, f"invalid TOML: {exc}", line=line, key=_key_on_line(text, line)) from None


def _syntax_error(path: Path, text: str, message: str) -> ConfigError:
    match = _TOMLLIB_POSITION.search(message)
    line = int(match.group(1)) if match else None
    problem = _TOMLLIB_POSITION.sub("", message).strip()
    problem = problem[:1].lower() + problem[1:]
    hint = ""
    if problem.startswith("invalid value"):
        hint = 'strings need quotes ("..."), booleans are true or false'
    return ConfigError(path, f"invalid TOML: {problem}", line=line, key=_key_on_line(text, line), hint=hint)


def _key_on_line(text: str, line: int | None) -> str | None:
    if line is None:
        return None
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    key = KeyLocator(text).key_at(line)
    if key is None:  # a broken table header, e.g. "[profiles.lab": the table it meant
        header = re.match(rf"^\s*\[\[?({_DOTTED})", lines[line - 1])
        if header:
            key = format_key(_split_key(header.group(1)))
    return key


# --- finding the line of a key -------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\]|\\.)*"'
_LITERAL = r"'[^']*'"
_KEY_PART = rf"\s*(?:{_BARE}|{_BASIC}|{_LITERAL})\s*"
_DOTTED = rf"{_KEY_PART}(?:\.{_KEY_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[?)({_DOTTED})\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^({_DOTTED})=")
_PART = re.compile(rf"\s*({_BARE}|{_BASIC}|{_LITERAL})\s*")


def _split_key(dotted: str) -> tuple[str, ...]:
    parts: list[str] = []
    for match in _PART.finditer(dotted):
        raw = match.group(1)
        if raw.startswith('"'):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = raw[1:-1]
        elif raw.startswith("'"):
            raw = raw[1:-1]
        parts.append(raw)
    return tuple(parts)


def format_key(path: Sequence[str]) -> str:
    """A dotted key as a user would write it: bare parts bare, others quoted."""
    return ".".join(
        part if re.fullmatch(_BARE, part) else '"' + part.replace('"', '\\"') + '"' for part in path
    )


class KeyLocator:
    """Maps dotted key paths to the line where they are written (tables by their header line).

    A line-based scan, good for the hand-written files this app reads: keys inside inline tables
    or multi-line arrays resolve to the line of their nearest enclosing key that has one.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, ...], int] = {}
        self._line_keys: dict[int, tuple[str, ...]] = {}
        table: tuple[str, ...] = ()
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline is not None:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                table = _split_key(header.group(2))
                self._record(table, number)
                self._line_keys[number] = table
                continue
            assign = _ASSIGN.match(line.lstrip())
            if assign:
                key = (*table, *_split_key(assign.group(1)))
                self._record(key, number)
                self._line_keys[number] = key
                rest = line[line.index("=") + 1 :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote

    def _record(self, key: tuple[str, ...], number: int) -> None:
        # implicit parents (`[profile.lab]` defines `profile`) are located at their first mention
        for end in range(1, len(key) + 1):
            self._lines.setdefault(key[:end], number)

    def line_of(self, path: Sequence[str]) -> int | None:
        """The line of `path`, or of its longest prefix that has a line."""
        key = tuple(path)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return None

    def key_at(self, line: int) -> str | None:
        key = self._line_keys.get(line)
        return format_key(key) if key else None


# --- writing -------------------------------------------------------------------------------------


def ensure_private_dir(directory: Path, *, tighten: bool) -> str | None:
    """Create `directory` (0700) if missing; when `tighten`, also make an existing one 0700.
    Returns what was changed on a directory the user already had (None: nothing), to tell them."""
    if not directory.exists():
        directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.chmod(directory, DIR_MODE)  # mkdir's mode is filtered by the umask
    elif tighten:
        mode = stat.S_IMODE(directory.stat().st_mode)
        if mode != DIR_MODE:
            os.chmod(directory, DIR_MODE)
            return (
                f"the configuration directory {directory} was mode {mode:04o}; it is now "
                f"{DIR_MODE:04o} (only you can read and write it), so the configuration can be saved"
            )
    return None


#: temporary files of `atomic_write` older than this are left over from an interrupted save
STALE_TEMP_SECONDS = 3600.0


def remove_stale_temps(target: Path, *, now: float | None = None) -> list[Path]:
    """Remove the temporary files an interrupted save of `target` left behind: only our own name
    pattern (`.NAME.XXXXXXXX.tmp`), only regular files of this user, only older than an hour
    (a younger one may belong to a save in progress). Returns what was removed."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")
    cutoff = (time.time() if now is None else now) - STALE_TEMP_SECONDS
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
            if stat.S_ISREG(info.st_mode) and mine and info.st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a crash leaves either the old file or the new one.

    The temporary file is created 0600 beside the target (a rename is atomic only within one
    file system), fsynced, renamed over the target, and the directory is fsynced so that the
    rename itself survives a power loss. A symlinked config file is followed, not replaced.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    directory = target.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        if hasattr(os, "fchmod"):  # POSIX; on Windows the user's profile directory is private
            os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    remove_stale_temps(target)
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows, where directories cannot be opened
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Serialise read-modify-write cycles of two backuptui processes on one file: an advisory lock
    on the file's directory (no lock file to leave behind). Where that is impossible, no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
