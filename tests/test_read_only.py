"""Read-only, set three ways (`--read-only`, a profile's `read_only = true`, the app settings'),
carried by the one resolution with where it was set, and followed when the monitor switches."""

from __future__ import annotations

from pathlib import Path

import pytest

from backuptui.cli import build_parser
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profile_schema import parse_config
from backuptui.core.settings.resolution import TargetOptions, resolve

CONFIG = """
read_only = {top}
[profiles.prod]
url = "vcsa01.example.com"
username = "administrator@vsphere.local"
read_only = {prod}
[profiles.lab]
url = "vcsa02.example.com"
username = "administrator@vsphere.local"
"""


def config(tmp_path: Path, *, top: str = "false", prod: str = "false") -> object:
    path = tmp_path / "config.toml"
    text = CONFIG.format(top=top, prod=prod)
    path.write_text(text)
    return parse_config(path, text)


def where(tmp_path: Path, args: list[str], **file: str) -> str | None:
    options = TargetOptions.from_args(build_parser().parse_args(args))
    resolved = resolve(options, config(tmp_path, **file), environ={"BACKUPTUI_PASSWORD": "pw"})  # type: ignore[arg-type]
    assert resolved is not None
    return resolved.read_only


def test_nothing_set_allows_acting(tmp_path: Path) -> None:
    assert where(tmp_path, ["-p", "prod"]) is None
    assert where(tmp_path, ["--url", "vcsa09.example.com", "--user", "u"]) is None


def test_each_place_is_named(tmp_path: Path) -> None:
    assert where(tmp_path, ["--read-only", "-p", "lab"]) == "--read-only"
    assert where(tmp_path, ["-p", "prod"], prod="true") == "read_only = true in profile 'prod'"
    assert where(tmp_path, ["-p", "lab"], prod="true") is None  # only that profile
    app_wide = where(tmp_path, ["-p", "lab"], top="true")
    assert app_wide is not None and "app settings" in app_wide
    url = where(tmp_path, ["--url", "vcsa09.example.com", "--user", "u"], top="true")
    assert url is not None and "app settings" in url  # --url too


def test_a_wrong_type_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        config(tmp_path, prod='"yes"')
    assert "read_only" in str(caught.value)


async def test_the_monitor_follows_the_profile_it_switches_to(tmp_path: Path) -> None:
    from backuptui.core.settings.profile_model import AppSettings, Profile
    from backuptui.tui.acting import Acting

    class Probe(Acting):
        read_only = None
        main_screen = type("Screen", (), {"ready": False})()  # type: ignore[assignment]

    probe = Probe()
    watched = Profile("prod", "vcsa01.example.com", "u", read_only=True)
    probe.read_only_for(watched, AppSettings())
    assert probe.read_only == "read_only = true in profile 'prod'"
    probe.read_only_for(Profile("lab", "vcsa02.example.com", "u"), AppSettings())
    assert probe.read_only is None
    probe.read_only_option = True  # --read-only holds for every appliance
    probe.read_only_for(Profile("lab", "vcsa02.example.com", "u"), AppSettings())
    assert probe.read_only == "--read-only"
