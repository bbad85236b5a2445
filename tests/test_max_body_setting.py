"""The body-size limit is a setting: `max_body_mib` at the top of the config file, checked against
its bounds with the file, the line and the key, and obeyed by every client the resolver builds."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from backuptui.cli import build_parser
from backuptui.commands import status
from backuptui.core.appliance.client import DEFAULT_MAX_BODY
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profile_session import client_for
from backuptui.core.settings.profiles import AppSettings, Profile, ProfileStore
from backuptui.core.settings.resolution import DEFAULT_MAX_BODY_MIB, max_body_for
from backuptui.core.settings.secrets import Secret
from backuptui.simulator import Simulator


def write_config(text: str) -> ProfileStore:
    store = ProfileStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(text)
    return store


def test_the_default_is_the_clients_own() -> None:
    assert max_body_for(None) == max_body_for(AppSettings()) == DEFAULT_MAX_BODY
    assert DEFAULT_MAX_BODY_MIB * 1024 * 1024 == DEFAULT_MAX_BODY


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0", "between 1 and 4096"),
        ("5000", "between 1 and 4096"),
        ('"64"', "not a string"),
        ("1.5", "whole number of MiB"),
    ],
)
def test_a_limit_out_of_bounds_names_file_line_and_key(value: str, problem: str) -> None:
    store = write_config(f'mouse = true\nmax_body_mib = {value}\n[profiles.lab]\nurl = "h"\nusername = "u"\n')
    with pytest.raises(ConfigError) as caught:
        store.load()
    text = str(caught.value)
    assert str(store.path) in text and "line 2" in text and "max_body_mib" in text and problem in text


def test_the_file_limit_reaches_status_and_the_profile_client(
    simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = simulator_factory(jobs=5, faults=["huge=3", "match=/job/details"])
    store = write_config(f'max_body_mib = 1\n[profiles.lab]\nurl = "{sim.url}"\nusername = "{sim.user}"\n')
    config = store.load()
    assert config.settings.max_body_mib == 1
    assert (
        client_for(Profile("lab", sim.url, sim.user), Secret("x"), settings=config.settings).max_body == 2**20
    )
    monkeypatch.setenv("BACKUPTUI_PASSWORD", sim.password)
    out, err = io.StringIO(), io.StringIO()
    code = status.run(build_parser().parse_args(["status", "-p", "lab"]), out=out, err=err)
    assert code != 0
    assert "larger than the limit of 1 MiB" in err.getvalue() and "max_body_mib" in err.getvalue()
    # without the setting the same 3 MB answer is read
    write_config(f'[profiles.lab]\nurl = "{sim.url}"\nusername = "{sim.user}"\n')
    out, err = io.StringIO(), io.StringIO()
    assert status.run(build_parser().parse_args(["status", "-p", "lab"]), out=out, err=err) == 0, (
        err.getvalue()
    )
