"""Core's one resolver: options + config + environment + a password already read become a target,
its poll intervals and where its password comes from, for one appliance or for several."""

from __future__ import annotations

from pathlib import Path

import pytest

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import AppSettings, Profile, ProfileStore, RefreshIntervals
from backuptui.core.settings.resolution import (
    Resolution,
    ResolutionError,
    TargetOptions,
    resolve,
    resolve_many,
)
from backuptui.core.settings.secrets import PasswordSource


def lab_config(tmp_path: Path) -> ProfileStore:
    store = ProfileStore(tmp_path / "config.toml")
    store.add_profile(
        Profile(
            "lab",
            "https://lab.example.com",
            "admin",
            password_source=PasswordSource.ENV,
            refresh=RefreshIntervals(idle=45.0),
        )
    )
    store.add_profile(Profile("prod", "https://prod.example.com", "ops", password_source=PasswordSource.ENV))
    store.add_profile(Profile("broken", "https://b.example.com", "u", ca_bundle=str(tmp_path / "gone.pem")))
    return store


def test_resolve_many_gives_one_resolution_or_one_error_per_name(tmp_path: Path) -> None:
    config = lab_config(tmp_path).load()
    env = {"BACKUPTUI_PASSWORD": "pw"}
    resolved = resolve_many(["prod", "broken", "lab", "nope"], config, environ=env)
    assert list(resolved) == ["prod", "broken", "lab", "nope"]
    lab, prod = resolved["lab"], resolved["prod"]
    assert isinstance(lab, Resolution) and isinstance(prod, Resolution)
    assert (lab.target.url, lab.target.user, lab.target.name) == ("https://lab.example.com", "admin", "lab")
    assert (prod.target.user, prod.target.password) == ("ops", Secret("pw"))
    assert (lab.idle, lab.running) == (45.0, 2.0)  # the profile's idle; running never slower than idle
    assert (prod.idle, prod.running) == (30.0, 2.0)
    assert isinstance(resolved["broken"], ResolutionError)
    assert "gone.pem" in str(resolved["broken"])
    assert isinstance(resolved["nope"], ResolutionError)


def test_without_a_password_the_resolution_says_ask_the_user(tmp_path: Path) -> None:
    config = lab_config(tmp_path).load()
    resolved = resolve(TargetOptions(profile="lab"), config, environ={})
    assert resolved is not None and resolved.asks_password
    assert resolved.target.password is None
    given = resolve(TargetOptions(profile="lab"), config, environ={}, stdin_password=Secret("typed"))
    assert given is not None and not given.asks_password
    assert (given.target.password, given.target.credentials_from) == (Secret("typed"), "stdin")


def test_options_override_the_profile_and_nothing_named_is_none(tmp_path: Path) -> None:
    config = lab_config(tmp_path).load()
    options = TargetOptions(profile="lab", user="bob", flavor="rest", no_verify=True, refresh="10,1")
    resolved = resolve(options, config, environ={})
    assert resolved is not None
    assert (resolved.target.user, resolved.target.verify, resolved.idle, resolved.running) == (
        "bob",
        False,
        10.0,
        1.0,
    )
    assert resolve(TargetOptions(), config, environ={}) is not None  # the first profile is the default
    empty = ProfileStore(tmp_path / "none.toml").load()
    assert resolve(TargetOptions(), empty, environ={}) is None  # nothing named: the caller decides


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (TargetOptions(url="https://a", profile="lab"), "not both"),
        (TargetOptions(url="https://a"), "needs --user"),
        (TargetOptions(url="  ", user="u"), "--url is empty"),
        (TargetOptions(url="https://a", user="u", refresh="0.05"), "between 0.2 and 86400"),
        (TargetOptions(url="https://a", user="u", refresh="soon"), "--refresh takes numbers of seconds"),
    ],
)
def test_bad_options_are_one_line(options: TargetOptions, message: str) -> None:
    with pytest.raises(ResolutionError, match=message):
        resolve(options, None, environ={})


def test_url_intervals_come_from_the_app_settings(tmp_path: Path) -> None:
    store = lab_config(tmp_path)
    config = store.load()
    config = type(config)(config.path, config.exists, None, AppSettings(RefreshIntervals(60.0, 3.0)), {})
    resolved = resolve(TargetOptions(url="https://a", user="u"), config, environ={"BACKUPTUI_PASSWORD": "x"})
    assert resolved is not None
    assert (resolved.idle, resolved.running, resolved.target.credentials_from) == (60.0, 3.0, "environment")
