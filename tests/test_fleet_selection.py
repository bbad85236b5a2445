"""Which appliances a command line names: `--all`, repeatable `-p`, `-g GROUP`, and `groups` in
the profiles (the file, `profile add/edit --group`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backuptui.cli import build_parser
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profile_model import Config
from backuptui.core.settings.profile_schema import parse_config
from backuptui.core.settings.profiles import ProfileStore
from backuptui.core.settings.resolution import ResolutionError, TargetOptions, resolve
from backuptui.core.settings.selection import select_fleet

TEXT = """
[profiles.vcsa-eu]
url = "vcsa-eu.example.com"
username = "administrator@vsphere.local"
groups = ["prod", "eu"]

[profiles.vcsa-us]
url = "vcsa-us.example.com"
username = "administrator@vsphere.local"
groups = ["prod"]

[profiles.lab]
url = "lab.example.com"
username = "administrator@vsphere.local"
"""


def config(tmp_path: Path, text: str = TEXT) -> Config:
    return parse_config(tmp_path / "config.toml", text)


def options(*words: str) -> TargetOptions:
    return TargetOptions.from_args(build_parser(("status",)).parse_args([*words, "status"]))


def test_groups_are_read_from_the_file(tmp_path: Path) -> None:
    profiles = config(tmp_path).profiles
    assert profiles["vcsa-eu"].groups == ("prod", "eu") and profiles["lab"].groups == ()


@pytest.mark.parametrize(
    ("value", "problem"),
    [('"prod"', "must be an array"), ("[1]", "group names in quotes"), ('["no spaces"]', "invalid group")],
)
def test_bad_groups_are_errors_with_the_line(tmp_path: Path, value: str, problem: str) -> None:
    text = f'[profiles.a]\nurl = "a.example.com"\nusername = "u"\ngroups = {value}\n'
    with pytest.raises(ConfigError) as caught:
        config(tmp_path, text)
    assert problem in str(caught.value) and caught.value.line == 4


def test_the_selections(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    assert select_fleet(options("--all"), cfg) == ("vcsa-eu", "vcsa-us", "lab")
    assert select_fleet(options("-g", "prod"), cfg) == ("vcsa-eu", "vcsa-us")
    assert select_fleet(options("-g", "eu", "-g", "prod"), cfg) == ("vcsa-eu", "vcsa-us")
    assert select_fleet(options("-p", "lab", "-p", "vcsa-us"), cfg) == ("lab", "vcsa-us")  # as given
    assert select_fleet(options("-p", "lab", "-g", "eu"), cfg) == ("lab", "vcsa-eu")
    assert select_fleet(options("-p", "lab"), cfg) is None  # one appliance: the single path
    assert select_fleet(options(), cfg) is None
    assert select_fleet(options(), cfg, default_to_all=True) == ("vcsa-eu", "vcsa-us", "lab")


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (("-g", "prd"), "no profile is in group 'prd'; did you mean 'prod'? groups: eu, prod"),
        (("-p", "lab", "-p", "lba"), "no profile named 'lba'"),
        (("--all", "-g", "prod"), "--all already takes every profile"),
        (("--all", "--url", "x.example.com"), "--url names one appliance"),
    ],
)
def test_a_selection_that_cannot_work_says_why(tmp_path: Path, words: tuple[str, ...], message: str) -> None:
    with pytest.raises(ResolutionError) as caught:
        select_fleet(options(*words), config(tmp_path))
    assert message in str(caught.value)


def test_the_single_appliance_resolver_refuses_a_fleet(tmp_path: Path) -> None:
    with pytest.raises(ResolutionError, match="name a fleet"):
        resolve(options("-p", "lab", "-p", "vcsa-us"), config(tmp_path))


def test_profile_add_and_edit_take_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backuptui.cli import main

    path = tmp_path / "config.toml"
    monkeypatch.setenv("BACKUPTUI_CONFIG", str(path))
    common = ["--url", "a.example.com", "--user", "u", "--password-source", "env"]
    assert main(["profile", "add", "a", *common, "--group", "prod", "--group", "eu,prod"]) == 0
    assert ProfileStore(path).load().profiles["a"].groups == ("prod", "eu")
    assert 'groups = ["prod", "eu"]' in path.read_text()
    assert main(["profile", "edit", "a", "--group", "dr"]) == 0
    assert ProfileStore(path).load().profiles["a"].groups == ("dr",)
    assert main(["profile", "edit", "a", "--group", ""]) == 0
    assert ProfileStore(path).load().profiles["a"].groups == () and "groups" not in path.read_text()
    assert main(["profile", "edit", "a", "--group", "bad name"]) == 2
