"""Password sources: keyring (with a real probe), password_command, environment, stdin, resolution order."""

from __future__ import annotations

import io
import os
import pickle
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings import secrets
from backuptui.core.settings.profiles import Profile
from backuptui.core.settings.secrets import (
    PasswordError,
    PasswordResolution,
    PasswordSource,
    keyring_delete,
    keyring_get,
    keyring_set,
    password_from_env,
    probe_keyring,
    profile_env_var,
    read_password_stdin,
    resolve_password,
    run_password_command,
)

PASSWORD = "Sup3r-s3cret!pw"


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend, set with keyring.set_keyring for the "a keyring works" path."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class BrokenKeyring(KeyringBackend):
    """A backend that loads but fails every call, like a Secret Service whose D-Bus is gone."""

    priority = 10  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringError("locked")


@pytest.fixture(autouse=True)
def _restore_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_keyring() -> None:
    keyring.set_keyring(fail.Keyring())


def profile(**changes: object) -> Profile:
    values: dict[str, object] = {"name": "lab", "url": "lab.example.com", "username": "u"}
    values.update(changes)
    return Profile(**values)  # type: ignore[arg-type]


# --- Secret ---------------------------------------------------------------------------------------


def test_secret_never_shows_its_value() -> None:
    secret = Secret(PASSWORD)
    assert PASSWORD not in repr(secret)
    assert PASSWORD not in str(secret)
    assert PASSWORD not in f"{secret} {secret!r} {[secret]} { ({'p': secret}) }"
    assert secret.reveal() == PASSWORD
    with pytest.raises(TypeError):
        pickle.dumps(secret)


# --- environment and stdin ------------------------------------------------------------------------


def test_env_per_profile_variable_beats_the_generic_one() -> None:
    env = {"BACKUPTUI_PASSWORD": "generic", "BACKUPTUI_PASSWORD_SITE_A": "site-a"}
    assert profile_env_var("site-a") == "BACKUPTUI_PASSWORD_SITE_A"
    found = password_from_env("site-a", env)
    assert found == (Secret("site-a"), "BACKUPTUI_PASSWORD_SITE_A")
    assert password_from_env("lab", env) == (Secret("generic"), "BACKUPTUI_PASSWORD")
    assert password_from_env(None, env) == (Secret("generic"), "BACKUPTUI_PASSWORD")
    assert password_from_env("lab", {"BACKUPTUI_PASSWORD": ""}) is None
    assert password_from_env("lab", {}) is None


def test_env_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", PASSWORD)
    assert password_from_env("lab") == (Secret(PASSWORD), "BACKUPTUI_PASSWORD")


@pytest.mark.parametrize("text", [f"{PASSWORD}\n", f"{PASSWORD}\r\n", PASSWORD, f"{PASSWORD}\nsecond line\n"])
def test_stdin_gives_the_first_line(text: str) -> None:
    assert read_password_stdin(io.StringIO(text)) == Secret(PASSWORD)


def test_stdin_keeps_spaces_inside_the_password() -> None:
    assert read_password_stdin(io.StringIO(" a b \n")).reveal() == " a b "


@pytest.mark.parametrize("text", ["", "\n", "\r\n"])
def test_empty_stdin_is_an_error(text: str) -> None:
    with pytest.raises(PasswordError, match="standard input held no password"):
        read_password_stdin(io.StringIO(text))


# --- password_command -----------------------------------------------------------------------------


def test_command_gives_the_first_line_of_stdout() -> None:
    secret = run_password_command(f"printf '%s\\n%s\\n' '{PASSWORD}' 'ignored'")
    assert secret.reveal() == PASSWORD


def test_command_as_a_list_runs_without_a_shell() -> None:
    secret = run_password_command([sys.executable, "-c", f"print({PASSWORD!r}); print('x')"])
    assert secret.reveal() == PASSWORD
    # no shell: the argument is passed literally, not expanded
    literal = run_password_command([sys.executable, "-c", "import sys; print(sys.argv[1])", "$HOME"])
    assert literal.reveal() == "$HOME"


def test_command_pipes_work_in_the_string_form() -> None:
    assert run_password_command(f"echo 'noise {PASSWORD}' | cut -d' ' -f2").reveal() == PASSWORD


def test_a_failing_command_reports_the_exit_code_only(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(PasswordError) as info:
        run_password_command(f"echo '{PASSWORD}'; echo 'stderr-{PASSWORD}' >&2; exit 3", label="the command")
    message = str(info.value)
    assert message == "the command failed with exit code 3"
    out, err = capfd.readouterr()  # nothing reached our own stdout/stderr either
    assert PASSWORD not in out + err


def test_command_not_found() -> None:
    with pytest.raises(PasswordError, match=r"exit code 127 \(command not found\)"):
        run_password_command("backuptui-no-such-password-tool --get")
    with pytest.raises(PasswordError, match="could not be started"):
        run_password_command(["/nonexistent/backuptui-tool"])


@pytest.mark.parametrize("script", ["true", "echo", "printf '\\n%s\\n' late"])
def test_a_command_that_prints_no_password(script: str) -> None:
    with pytest.raises(PasswordError, match="printed no password"):
        run_password_command(script)


def test_a_command_that_prints_binary() -> None:
    with pytest.raises(PasswordError, match="not UTF-8"):
        run_password_command("printf '\\377\\376\\n'")


def test_a_command_gets_no_stdin() -> None:
    """stdin is /dev/null: a command that reads it sees end-of-file instead of hanging on the terminal."""
    assert run_password_command("cat; echo done").reveal() == "done"


def _wait_until_gone(pid: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a reparented, killed child may linger as a zombie until init reaps it
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.02)
    return False


def test_a_slow_command_times_out_and_its_whole_group_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    # the shell starts a grandchild that keeps stdout open: killing only the shell would hang
    script = f"sleep 60 & echo $! > {pid_file}; wait; echo {PASSWORD}"
    with pytest.raises(PasswordError) as info:
        run_password_command(script, timeout=0.5, label="the command")
    assert str(info.value) == "the command did not finish within 0.5 s and was stopped"
    assert _wait_until_gone(int(pid_file.read_text()))


# --- keyring --------------------------------------------------------------------------------------


def test_no_keyring_backend_is_said_clearly(no_keyring: None) -> None:
    status = probe_keyring()
    assert not status.available
    assert "no OS keyring backend works here" in status.reason


def test_the_null_backend_means_no_keyring() -> None:
    keyring.set_keyring(null.Keyring())
    assert not probe_keyring().available


def test_the_real_default_backend_is_probed() -> None:
    """The backend keyring itself picks on this machine (headless here: none works), probed for real."""
    keyring.core.init_backend()
    backend = keyring.get_keyring()
    status = probe_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        assert not status.available
        assert "no OS keyring backend works here" in status.reason
    else:  # a desktop session: the probe must agree with a real lookup
        assert status.available == _lookup_works(backend)


def _lookup_works(backend: KeyringBackend) -> bool:
    try:
        backend.get_password("backuptui", "backuptui-probe")
    except Exception:
        return False
    return True


def test_a_backend_that_fails_is_no_keyring() -> None:
    keyring.set_keyring(BrokenKeyring())
    status = probe_keyring()
    assert not status.available
    assert "does not work" in status.reason
    assert "KeyringError" in status.reason


def test_keyring_package_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring raises ImportError
    status = probe_keyring()
    assert not status.available
    assert "pip install 'backuptui[keyring]'" in status.reason
    assert keyring_delete("lab") is False
    resolution = resolve_password(profile(password_source=PasswordSource.KEYRING), env={})
    assert resolution.secret is None
    assert any("not installed" in problem for problem in resolution.problems)


def test_keyring_save_read_delete(memory_keyring: MemoryKeyring) -> None:
    assert probe_keyring().available
    assert keyring_get("lab") is None
    keyring_set("lab", Secret(PASSWORD))
    assert memory_keyring.passwords == {("backuptui", "lab"): PASSWORD}
    assert keyring_get("lab") == Secret(PASSWORD)
    assert keyring_delete("lab") is True
    assert keyring_delete("lab") is False
    assert keyring_get("lab") is None


def test_keyring_errors_never_carry_the_password() -> None:
    keyring.set_keyring(BrokenKeyring())
    with pytest.raises(PasswordError) as info:
        keyring_set("lab", Secret(PASSWORD))
    assert PASSWORD not in str(info.value)
    assert "saving the password in the keyring failed" in str(info.value)


# --- resolution order -----------------------------------------------------------------------------


def test_auto_prefers_the_keyring(memory_keyring: MemoryKeyring) -> None:
    keyring_set("lab", Secret("from-keyring"))
    resolution = resolve_password(
        profile(password_command="echo from-command"), env={"BACKUPTUI_PASSWORD": "from-env"}
    )
    assert resolution.secret == Secret("from-keyring")
    assert resolution.source == "keyring"
    assert resolution.can_save_to_keyring


def test_auto_then_the_command(memory_keyring: MemoryKeyring) -> None:
    resolution = resolve_password(
        profile(password_command="echo from-command"), env={"BACKUPTUI_PASSWORD": "from-env"}
    )
    assert (resolution.secret, resolution.source) == (Secret("from-command"), "password_command")


def test_auto_then_the_environment(no_keyring: None) -> None:
    resolution = resolve_password(profile(), env={"BACKUPTUI_PASSWORD": "from-env"})
    assert (resolution.secret, resolution.source) == (Secret("from-env"), "BACKUPTUI_PASSWORD")
    assert not resolution.can_save_to_keyring


def test_auto_with_nothing_asks(no_keyring: None) -> None:
    resolution = resolve_password(profile(), env={})
    assert resolution.secret is None
    assert resolution.problems == ()
    with pytest.raises(PasswordError, match="lab: no password"):
        resolution.require("lab")


def test_a_failing_command_is_not_hidden_by_the_environment(no_keyring: None) -> None:
    resolution = resolve_password(profile(password_command="exit 5"), env={"BACKUPTUI_PASSWORD": "stale"})
    assert resolution.secret is None
    assert resolution.problems == ("the password command of profile 'lab' failed with exit code 5",)


def test_explicit_keyring_without_backend_says_why(no_keyring: None) -> None:
    resolution = resolve_password(
        profile(password_source=PasswordSource.KEYRING), env={"BACKUPTUI_PASSWORD": "x"}
    )
    assert resolution.secret is None  # the environment is not consulted for an explicit source
    assert "no OS keyring backend works here" in resolution.problems[0]
    with pytest.raises(PasswordError, match="no OS keyring backend works here"):
        resolution.require("lab")


def test_explicit_keyring_without_an_entry(memory_keyring: MemoryKeyring) -> None:
    resolution = resolve_password(profile(password_source=PasswordSource.KEYRING), env={})
    assert resolution.problems == ("no password is saved in the keyring for profile 'lab'",)
    assert resolution.can_save_to_keyring


def test_explicit_command(memory_keyring: MemoryKeyring) -> None:
    keyring_set("lab", Secret("from-keyring"))
    resolution = resolve_password(
        profile(password_source=PasswordSource.COMMAND, password_command=["printf", "%s", "from-command"])
    )
    assert resolution.secret == Secret("from-command")
    assert not resolution.can_save_to_keyring


def test_explicit_command_timeout(no_keyring: None) -> None:
    resolution = resolve_password(
        profile(password_source=PasswordSource.COMMAND, password_command="sleep 5"), command_timeout=0.2
    )
    assert resolution.secret is None
    assert "did not finish within 0.2 s" in resolution.problems[0]


def test_explicit_env(memory_keyring: MemoryKeyring) -> None:
    keyring_set("lab", Secret("from-keyring"))
    p = profile(password_source=PasswordSource.ENV)
    assert resolve_password(p, env={"BACKUPTUI_PASSWORD_LAB": "e"}).secret == Secret("e")
    missing = resolve_password(p, env={})
    assert missing.problems == ("neither BACKUPTUI_PASSWORD_LAB nor BACKUPTUI_PASSWORD is set",)


def test_explicit_prompt_looks_nowhere(memory_keyring: MemoryKeyring) -> None:
    keyring_set("lab", Secret("from-keyring"))
    resolution = resolve_password(
        profile(password_source=PasswordSource.PROMPT), env={"BACKUPTUI_PASSWORD": "from-env"}
    )
    assert resolution == PasswordResolution(None)


def test_a_broken_keyring_falls_through_in_auto() -> None:
    keyring.set_keyring(BrokenKeyring())
    resolution = resolve_password(profile(), env={"BACKUPTUI_PASSWORD": "from-env"})
    assert resolution.secret == Secret("from-env")


def test_resolution_never_shows_the_password() -> None:
    keyring.set_keyring(fail.Keyring())
    resolution = resolve_password(profile(), env={"BACKUPTUI_PASSWORD": PASSWORD})
    assert PASSWORD not in repr(resolution)
    assert secrets.PASSWORD_ENV == "BACKUPTUI_PASSWORD"
