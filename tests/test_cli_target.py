"""One `ConnectionTarget` for the headless commands and the monitor: a profile means the same
appliance, user, flavour and TLS settings in both, and the headless commands may override them."""

from __future__ import annotations

import io
import ssl
from pathlib import Path

import pytest
import trustme

from backuptui.cli import build_parser
from backuptui.commands.target import TargetError, resolve_target
from backuptui.core.appliance.models import ApiFlavor
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profiles import Profile, ProfileStore
from backuptui.core.settings.secrets import PasswordSource
from backuptui.core.settings.target import ConnectionTarget, parse_flavor, profile_target
from backuptui.tui.launch import target_from_profiles

LAB = Profile(
    name="lab",
    url="https://vcsa01.example.com",
    username="admin@vsphere.local",
    password_source=PasswordSource.ENV,  # no keyring probe: the test does not depend on the host
    flavor="rest",
)


@pytest.fixture
def lab_store() -> ProfileStore:
    store = ProfileStore()  # conftest points XDG_CONFIG_HOME at a private directory
    store.add_profile(LAB, make_default=True)
    return store


def test_profile_target_takes_the_profile_and_its_overrides() -> None:
    plain = profile_target(LAB, Secret("pw"), "keyring")
    assert (plain.url, plain.user, plain.flavor, plain.verify, plain.name) == (
        "https://vcsa01.example.com",
        "admin@vsphere.local",
        ApiFlavor.REST,
        True,
        "lab",
    )
    assert plain.credentials_from == "keyring" and plain.display_name == "lab"
    overridden = profile_target(LAB, None, user="other", flavor="auto", verify=False)
    assert (overridden.user, overridden.flavor, overridden.verify) == ("other", None, False)
    assert overridden.credentials_from == "prompt"
    assert parse_flavor(None) is None and parse_flavor("api") is ApiFlavor.API


async def test_a_target_without_password_still_builds_a_client() -> None:
    target = ConnectionTarget("http://127.0.0.1:9", "u", None)
    client = target.client()
    try:
        assert client.name == "127.0.0.1:9" and target.display_name == "http://127.0.0.1:9"
    finally:
        await client.close()


@pytest.mark.usefixtures("lab_store")
def test_headless_and_monitor_resolve_a_profile_to_the_same_target() -> None:
    env = {"BACKUPTUI_PASSWORD_LAB": "pw"}
    args = build_parser().parse_args(["-p", "lab"])
    headless = resolve_target(args, env=env, stdin=io.StringIO())
    found = target_from_profiles(args, environ=env, stdin=io.StringIO())
    assert found is not None
    assert headless == found[0]
    assert headless.credentials_from == "BACKUPTUI_PASSWORD_LAB" and "pw" not in repr(headless)


@pytest.mark.usefixtures("lab_store")
def test_headless_options_override_the_profile(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))
    args = build_parser().parse_args(
        ["-p", "lab", "--password-stdin", "--user", "ops", "--flavor", "api", "--ca-bundle", str(ca)]
    )
    target = resolve_target(args, env={}, stdin=io.StringIO("typed\n"))
    assert (target.user, target.flavor) == ("ops", ApiFlavor.API)
    assert isinstance(target.verify, ssl.SSLContext)  # the bundle was read when the target was resolved
    assert target.password == Secret("typed") and target.credentials_from == "stdin"


def test_headless_url_target_says_where_the_password_came_from() -> None:
    args = build_parser().parse_args(["--url", "vcsa01", "--user", "u"])
    assert resolve_target(args, env={"BACKUPTUI_PASSWORD": "x"}).credentials_from == "environment"
    with pytest.raises(TargetError, match="set BACKUPTUI_PASSWORD or pipe it"):
        resolve_target(args, env={})


@pytest.mark.usefixtures("lab_store")
@pytest.mark.parametrize("command", ["status", "check", "doctor"])
def test_url_and_profile_together_are_refused_by_the_resolver_alone(command: str) -> None:
    """The headless commands say what the resolver says; the rule and its message live only there."""
    args = build_parser().parse_args([command, "--url", "h", "--user", "u", "-p", "lab"])
    with pytest.raises(TargetError) as info:
        resolve_target(args, env={}, stdin=io.StringIO())
    assert str(info.value) == "give either --url or -p/--profile, not both"
    package = Path(__file__).parent.parent / "backuptui"
    sources = [path for path in package.rglob("*.py") if "not both" in path.read_text()]
    assert [path.relative_to(package).as_posix() for path in sources] == ["core/settings/resolution.py"]
