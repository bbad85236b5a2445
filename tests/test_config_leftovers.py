"""Saving the configuration cleans up after interrupted saves (only its own stale temporary
files) and says so when it had to change the mode of the user's configuration directory."""

from __future__ import annotations

import io
import os
import stat
import sys
import time
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from backuptui.cli import main
from backuptui.core.settings.config import STALE_TEMP_SECONDS
from backuptui.core.settings.profiles import Profile, ProfileStore


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_stale_temp_files_of_our_own_saves_are_removed_on_the_next_save() -> None:
    store = ProfileStore()
    store.add_profile(Profile("lab", "lab.example.com", "u"))
    directory = store.path.parent
    stale = directory / ".config.toml.ab12cd_9.tmp"
    fresh = directory / ".config.toml.zz99yy00.tmp"  # a save in progress, perhaps
    other = directory / ".notes.txt.ab12cd34.tmp"  # not ours
    foreign = directory / ".config.toml.tmp"  # not our pattern
    linked = directory / ".config.toml.lnk00000.tmp"
    for path in (stale, fresh, other, foreign):
        path.write_text("x")
    linked.symlink_to(other)
    for path in (stale, other, foreign):
        _age(path, STALE_TEMP_SECONDS + 60)
    os.utime(linked, (time.time() - 2 * STALE_TEMP_SECONDS,) * 2, follow_symlinks=False)

    store.add_profile(Profile("prod", "prod.example.com", "u"))

    assert not stale.exists()
    assert fresh.exists() and other.exists() and foreign.exists() and linked.is_symlink()
    assert "prod" in store.load().profiles


def test_a_0500_config_directory_is_made_0700_and_the_user_is_told() -> None:
    store = ProfileStore()
    store.path.parent.mkdir(parents=True)
    os.chmod(store.path.parent, 0o500)
    store.add_profile(Profile("lab", "lab.example.com", "u"))
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    [notice] = store.notices
    assert str(store.path.parent) in notice and "0500" in notice and "0700" in notice


def test_no_notice_when_the_directory_was_already_private() -> None:
    store = ProfileStore()
    store.add_profile(Profile("lab", "lab.example.com", "u"))
    store.add_profile(Profile("prod", "prod.example.com", "u"))
    assert store.notices == []


def test_profile_add_warns_on_stderr_when_it_changed_the_directory_mode(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        directory = ProfileStore().path.parent
        directory.mkdir(parents=True)
        os.chmod(directory, 0o500)
        argv = ["profile", "add", "lab", "--url", "http://127.0.0.1:8080", "--user", "u",
                "--password-source", "env"]  # fmt: skip
        assert main(argv) == 0
    finally:
        keyring.set_keyring(before)
    err = capsys.readouterr().err
    assert "backuptui: warning: the configuration directory" in err and "was mode 0500" in err
