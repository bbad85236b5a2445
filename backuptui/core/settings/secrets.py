"""Passwords for a profile, looked up from the keyring, a password command or the environment
(each held as core.appliance's `Secret`, so that it never leaks into reprs, logs or tracebacks)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TextIO

from backuptui.core.appliance.secret import Secret

if TYPE_CHECKING:
    from backuptui.core.settings.profiles import Profile


# --- where a profile's password comes from -------------------------------------------------------
#
# Resolution order, per profile: the OS keyring (when a backend really works), the
# profile's password_command, BACKUPTUI_PASSWORD_<PROFILE> then BACKUPTUI_PASSWORD, and last a masked
# prompt in the app (not here: this module never touches the terminal). `--password-stdin` is read by
# the caller and beats all of them. Nothing below ever puts a password, or a command's output, into
# an exception message.

PASSWORD_ENV = "BACKUPTUI_PASSWORD"  # noqa: S105 - a variable name, not a password
KEYRING_SERVICE = "backuptui"
#: seconds a password_command may take (a password manager may be slow to unlock)
COMMAND_TIMEOUT = 30.0


class PasswordSource(StrEnum):
    """Where a profile's password comes from (`password_source` in the config file)."""

    KEYRING = "keyring"
    COMMAND = "command"
    ENV = "env"
    PROMPT = "prompt"


class PasswordError(Exception):
    """A password source failed. The message says which and why, never what it printed."""


def profile_env_var(profile_name: str) -> str:
    """`BACKUPTUI_PASSWORD_<PROFILE>`: the per-profile variable, e.g. BACKUPTUI_PASSWORD_SITE_A."""
    return f"{PASSWORD_ENV}_{re.sub(r'[^A-Z0-9]', '_', profile_name.upper())}"


def password_from_env(
    profile_name: str | None = None, env: Mapping[str, str] | None = None
) -> tuple[Secret, str] | None:
    """The password from the environment and the variable it came from, or None.

    The per-profile variable wins over `BACKUPTUI_PASSWORD`, so that switching between two profiles
    in one session does not send one appliance's password to the other. Empty values count as unset.
    """
    environ = os.environ if env is None else env
    names = ([profile_env_var(profile_name)] if profile_name else []) + [PASSWORD_ENV]
    for name in names:
        value = environ.get(name)
        if value:
            return Secret(value), name
    return None


def read_password_stdin(stream: TextIO) -> Secret:
    """`--password-stdin`: the first line of standard input, without its line ending."""
    line = stream.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise PasswordError("--password-stdin: standard input held no password (the first line is empty)")
    return Secret(password)


def run_password_command(
    command: str | Sequence[str],
    *,
    timeout: float = COMMAND_TIMEOUT,
    label: str = "the password command",
    cancel: threading.Event | None = None,
) -> Secret:
    """Run a password command and return the first line of its standard output.

    A string runs through /bin/sh (pipes work: it is the user's own config); a list runs directly.
    Its stdin is closed and its stderr discarded, so it can neither wait for input nor scribble
    over the app. Its output is never shown: a failure reports the exit code only. On timeout the
    whole process group is killed, so `sh -c 'slow | cmd'` cannot linger; the same when `cancel` is
    set (the app's Esc while it waits), within a tenth of a second.
    """
    shell = isinstance(command, str)
    try:
        process = subprocess.Popen(  # noqa: S603 - the user's own command from their own config file
            command,
            shell=shell,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            process_group=0 if os.name == "posix" else None,
        )
    except OSError as exc:
        raise PasswordError(f"{label} could not be started: {exc.strerror or type(exc).__name__}") from None
    try:
        output = _communicate(process, timeout, cancel)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise PasswordError(f"{label} did not finish within {timeout:g} s and was stopped") from None
    except _Cancelled:
        _kill_group(process)
        raise PasswordError(f"{label} was cancelled") from None
    except BaseException:
        _kill_group(process)
        raise
    code = process.returncode
    if code < 0:
        raise PasswordError(f"{label} was killed by signal {-code}")
    if code != 0:
        extra = " (command not found)" if code == 127 and shell else ""
        raise PasswordError(f"{label} failed with exit code {code}{extra}")
    first_line = output.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        password = first_line.decode("utf-8")
    except UnicodeDecodeError:
        raise PasswordError(f"{label} printed something that is not UTF-8 text") from None
    if not password:
        raise PasswordError(f"{label} printed no password (its first line of output is empty)")
    return Secret(password)


class _Cancelled(Exception):
    pass


def _communicate(process: subprocess.Popen[bytes], timeout: float, cancel: threading.Event | None) -> bytes:
    """The command's output; TimeoutExpired after `timeout`, _Cancelled once `cancel` is set."""
    if cancel is None:
        return process.communicate(timeout=timeout)[0]
    deadline = time.monotonic() + timeout
    while True:
        if cancel.is_set():
            raise _Cancelled
        left = deadline - time.monotonic()
        try:  # communicate may be called again after a timeout: no output is lost
            return process.communicate(timeout=max(0.0, min(0.1, left)))[0]
        except subprocess.TimeoutExpired:
            if left <= 0.1:
                raise


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):  # AttributeError: not POSIX
        process.kill()
    if process.stdout is not None:
        process.stdout.close()
    process.wait()


# --- the OS keyring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyringStatus:
    """Whether a keyring backend really works here; `reason` says why not, for the user."""

    available: bool
    backend: str = ""
    reason: str = ""


def probe_keyring() -> KeyringStatus:
    """Check that the keyring package is installed and its backend answers a harmless lookup.

    On SSH-only hosts keyring usually falls back to its `fail` or `null` backend, or to a Secret
    Service that is not running: all of those mean "no keyring", said clearly.
    """
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError:
        return KeyringStatus(
            False, reason="the keyring package is not installed (pip install 'backuptui[keyring]')"
        )
    try:
        backend = keyring.get_keyring()
    except Exception as exc:
        return KeyringStatus(False, reason=f"the keyring could not be loaded ({type(exc).__name__})")
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    no_backend = "no OS keyring backend works here (usual over SSH without a desktop session)"
    if isinstance(backend, fail.Keyring | null.Keyring):
        return KeyringStatus(False, name, no_backend)
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return KeyringStatus(False, name, no_backend)
    if name.startswith("keyrings.alt.") and "Plaintext" in name:
        return KeyringStatus(False, name, f"the keyring backend {name} stores passwords in clear text")
    try:
        backend.get_password(KEYRING_SERVICE, "backuptui-probe")
    except Exception as exc:
        return KeyringStatus(False, name, f"the keyring backend {name} does not work ({_brief(exc)})")
    return KeyringStatus(True, name)


def _brief(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0][:120] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def keyring_get(profile_name: str) -> Secret | None:
    """The password saved for this profile, or None. Raises PasswordError if the backend fails."""
    import keyring

    try:
        value = keyring.get_password(KEYRING_SERVICE, profile_name)
    except Exception as exc:
        raise PasswordError(f"reading the keyring failed ({type(exc).__name__})") from None
    return Secret(value) if value else None


def keyring_set(profile_name: str, secret: Secret) -> None:
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, profile_name, secret.reveal())
    except Exception as exc:
        raise PasswordError(f"saving the password in the keyring failed ({type(exc).__name__})") from None


def keyring_delete(profile_name: str) -> bool:
    """Forget this profile's saved password; False if there was none (or no keyring)."""
    try:
        import keyring
        import keyring.errors
    except ImportError:
        return False
    try:
        keyring.delete_password(KEYRING_SERVICE, profile_name)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise PasswordError(f"removing the password from the keyring failed ({type(exc).__name__})") from None
    return True


# --- resolution ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PasswordResolution:
    """The outcome of looking for a profile's password without asking the user.

    `secret` is None when the user has to be asked (the app prompts; headless commands fail with
    `problems`). `source` names where the password came from, for messages ("keyring",
    "password_command", "BACKUPTUI_PASSWORD").
    """

    secret: Secret | None
    source: str | None = None
    problems: tuple[str, ...] = ()
    #: a keyring works and the profile allows it: offer to save a typed password there
    can_save_to_keyring: bool = False

    def require(self, appliance: str) -> Secret:
        """The secret, or a PasswordError that says why there is none and what to do."""
        if self.secret is not None:
            return self.secret
        why = "; ".join(self.problems) if self.problems else "no password source gave a password"
        raise PasswordError(
            f"{appliance}: no password ({why}). Set {PASSWORD_ENV}, use --password-stdin, "
            "or save it in the keyring from the app"
        )


def runs_command(profile: Profile) -> bool:
    """Whether looking up the profile's password may run its password_command (seconds, maybe)."""
    return profile.password_command is not None and profile.password_source in (None, PasswordSource.COMMAND)


def resolve_password(
    profile: Profile,
    *,
    env: Mapping[str, str] | None = None,
    keyring_status: KeyringStatus | None = None,
    command_timeout: float = COMMAND_TIMEOUT,
    cancel: threading.Event | None = None,
) -> PasswordResolution:
    """Look for `profile`'s password in its source (or, with no source set, in every source in order).

    Blocking (it may run a command or talk to D-Bus): the app calls it from a thread worker.
    A configured password_command that fails stops the search, so its error is not hidden by a
    stale environment variable.
    """
    source = profile.password_source
    problems: list[str] = []
    keyring_works = False
    if source in (None, PasswordSource.KEYRING):
        status = keyring_status if keyring_status is not None else probe_keyring()
        keyring_works = status.available
        if status.available:
            try:
                secret = keyring_get(profile.name)
            except PasswordError as exc:
                problems.append(str(exc))
            else:
                if secret is not None:
                    return PasswordResolution(secret, "keyring", can_save_to_keyring=True)
                if source is PasswordSource.KEYRING:
                    problems.append(f"no password is saved in the keyring for profile '{profile.name}'")
        elif source is PasswordSource.KEYRING:
            problems.append(status.reason)
    can_save = keyring_works and source in (None, PasswordSource.KEYRING)
    if source in (None, PasswordSource.COMMAND) and profile.password_command is not None:
        label = f"the password command of profile '{profile.name}'"
        try:
            secret = run_password_command(
                profile.password_command, timeout=command_timeout, label=label, cancel=cancel
            )
        except PasswordError as exc:
            return PasswordResolution(None, None, (*problems, str(exc)), can_save)
        return PasswordResolution(secret, "password_command", tuple(problems), can_save)
    if source in (None, PasswordSource.ENV):
        found = password_from_env(profile.name, env)
        if found is not None:
            return PasswordResolution(found[0], found[1], tuple(problems), can_save)
        if source is PasswordSource.ENV:
            problems.append(f"neither {profile_env_var(profile.name)} nor {PASSWORD_ENV} is set")
    return PasswordResolution(None, None, tuple(problems), can_save)
