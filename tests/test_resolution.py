"""The one way to reach an appliance: a CA bundle is checked before any client exists, poll intervals
have one bound everywhere, and `--user` overrides a profile's user in the monitor and in `check` alike."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from backuptui.cli import build_parser, main
from backuptui.commands.target import resolve_target
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profiles import Profile, ProfileStore, RefreshIntervals
from backuptui.core.settings.resolution import ResolutionError, check_profile_tls, stale_after, tls_rule
from backuptui.core.settings.secrets import PasswordSource
from backuptui.simulator import Simulator
from backuptui.tui.launch import target_from_profiles


@pytest.fixture
def not_pem(tmp_path: Path) -> Path:
    path = tmp_path / "notpem.pem"
    path.write_text("this is not a certificate\n")
    return path


def test_a_non_pem_ca_bundle_is_one_line_and_exit_2(
    not_pem: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "pw")
    status = main(["--url", "https://vcsa.example.com", "--user", "u", "--ca-bundle", str(not_pem)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "notpem.pem" in err and "PEM" in err


def test_a_profile_whose_ca_file_is_gone_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = tmp_path / "gone.pem"
    ProfileStore().add_profile(
        Profile(
            "broken", "https://vcsa.example.com", "u", ca_bundle=str(gone), password_source=PasswordSource.ENV
        )
    )
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "pw")
    status = main(["-p", "broken"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "profile 'broken'" in err and "no such file" in err
    assert main(["check", "-p", "broken"]) != 0  # the headless commands say it the same way
    assert "profile 'broken'" in capsys.readouterr().out


def test_the_tls_rule_reads_the_bundle_once(not_pem: Path, tmp_path: Path) -> None:
    assert tls_rule() is True and tls_rule(no_verify=True) is False
    with pytest.raises(ResolutionError, match="contradict"):
        tls_rule(no_verify=True, ca_bundle="x.pem")
    with pytest.raises(ResolutionError, match="cannot use it as a CA bundle"):
        tls_rule(ca_bundle=str(not_pem))
    with pytest.raises(ResolutionError, match=r"profile .p.: ca_bundle .*no such file"):
        check_profile_tls(Profile("p", "h", "u", ca_bundle=str(tmp_path / "none.pem")))


def test_user_overrides_the_profile_in_the_monitor_and_in_check() -> None:
    ProfileStore().add_profile(
        Profile("lab", "https://vcsa.example.com", "admin", password_source=PasswordSource.ENV)
    )
    env = {"BACKUPTUI_PASSWORD": "pw"}
    monitor = target_from_profiles(
        build_parser().parse_args(["-p", "lab", "--user", "bob"]), environ=env, stdin=io.StringIO()
    )
    headless = resolve_target(
        build_parser().parse_args(["check", "-p", "lab", "--user", "bob"]), env=env, stdin=io.StringIO()
    )
    assert monitor is not None
    assert monitor[0].user == headless.user == "bob"


def test_profile_add_refuses_a_refresh_below_the_bound(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["profile", "add", "fast", "--url", "https://h", "--user", "u", "--refresh", "0.05"])
    err = capsys.readouterr().err
    assert status == 2 and "between 0.2 and 86400 seconds" in err
    assert "fast" not in ProfileStore().load().profiles
    with pytest.raises(ValueError, match=r"between 0\.2 and 86400"):
        RefreshIntervals.parse("30,100000")


def test_a_config_file_refresh_below_the_bound_names_file_line_and_key() -> None:
    store = ProfileStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text('[profiles.lab]\nurl = "h"\nusername = "u"\nrefresh = { idle = 0.05 }\n')
    with pytest.raises(ConfigError) as caught:
        store.load()
    text = str(caught.value)
    assert str(store.path) in text and "line 4" in text and "refresh.idle" in text and "between 0.2" in text


def test_stale_after_is_two_idle_intervals_and_a_little() -> None:
    assert stale_after(30.0) == 70.0


def test_default_refresh_is_the_monitors_own() -> None:
    """The settings' fallback intervals are the monitor's defaults, without the settings importing it."""
    from backuptui.core.settings.resolution import DEFAULT_REFRESH
    from backuptui.core.watch.monitor import RefreshSettings

    defaults = RefreshSettings()
    assert (DEFAULT_REFRESH.idle, DEFAULT_REFRESH.running) == (defaults.idle, defaults.running)


def test_user_bob_is_refused_alike_by_the_monitor_and_by_check(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Against an appliance: `backuptui -p lab --user bob` and `check -p lab --user bob` both log
    in as bob (the profile's password), and both say the same refusal."""
    from backuptui.core.appliance.errors import AuthenticationFailed

    ProfileStore().add_profile(
        Profile("lab", simulator.url, simulator.user, password_source=PasswordSource.ENV)
    )
    monkeypatch.setenv("BACKUPTUI_PASSWORD", simulator.password)
    assert main(["check", "-p", "lab", "--user", "bob"]) == 3
    said = capsys.readouterr().out.removeprefix("BACKUP UNKNOWN - ").strip()
    assert "refused the login of 'bob'" in said
    launched = target_from_profiles(
        build_parser().parse_args(["-p", "lab", "--user", "bob"]), stdin=io.StringIO()
    )
    assert launched is not None
    client = launched[0].client()

    async def log_in() -> None:
        try:
            await client.login()
        finally:
            await client.close()

    with pytest.raises(AuthenticationFailed) as refused:
        asyncio.run(log_in())
    assert str(refused.value) == said
    assert simulator.stats()["failed_logins"] == 2  # one each, never retried
