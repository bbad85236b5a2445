"""`backuptui doctor -p lab` against the simulator's faults: each names the failing step and what to
do, tries the login at most once (the simulator's counts say so), and never prints the password."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from backuptui.cli import build_parser
from backuptui.commands import doctor
from backuptui.simulator import Simulator, SimulatorConfig
from tests.test_client_tls import serve_tls

PASSWORD = "VMware1!"


def write_profile(url: str, user: str, **extra: str) -> Path:
    """A config file with one default profile 'lab'; the password comes from the environment."""
    directory = Path(os.environ["XDG_CONFIG_HOME"]) / "backuptui"
    directory.mkdir(parents=True, exist_ok=True)
    lines = ['default_profile = "lab"', "", "[profiles.lab]", f'url = "{url}"', f'username = "{user}"']
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def run_doctor(*words: str) -> tuple[int, str]:
    args = build_parser().parse_args(["doctor", *words])
    out = io.StringIO()
    code = doctor.run(args, out=out)
    text = out.getvalue()
    assert PASSWORD not in text and "Traceback" not in text
    return code, text


def step_line(text: str, name: str) -> str:
    """The step's first line and the lines that continue it (its detail and its fix)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line[2:].startswith(name + " "))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        block.append(line.strip())
    return " ".join(block)


@pytest.fixture
def lab(
    simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Simulator]:
    """`lab(**simulator_fields, profile={...})`: a simulator and the 'lab' profile pointing at it."""
    monkeypatch.setenv("BACKUPTUI_PASSWORD", PASSWORD)

    def make(profile: dict[str, str] | None = None, user: str | None = None, **fields: Any) -> Simulator:
        sim = simulator_factory(**fields)
        write_profile(sim.url, user or sim.user, **(profile or {}))
        return sim

    return make


def test_a_healthy_appliance_passes_every_step_with_one_login(lab: Callable[..., Simulator]) -> None:
    sim = lab()
    code, text = run_doctor("-p", "lab")
    assert code == 0, text
    for name in ("config file", "password", "name resolution", "TCP connect", "API flavours", "login"):
        assert step_line(text, name).startswith("✔"), text
    password = step_line(text, "password")
    assert "from BACKUPTUI_PASSWORD" in password and "keyring" in password  # whether one works here
    assert step_line(text, "TLS").startswith("⚠")  # the simulator speaks plain HTTP
    assert step_line(text, "schedule").startswith("✔ schedule") and "enabled" in text
    assert step_line(text, "logout").startswith("✔")
    stats = sim.stats()
    assert (stats["logins"], stats["failed_logins"], stats["logouts"]) == (1, 0, 1)


def test_json_has_the_same_steps(lab: Callable[..., Simulator]) -> None:
    lab()
    code, text = run_doctor("-p", "lab", "--json")
    body = json.loads(text)
    assert code == 0 and body["ok"] is True
    names = [step["step"] for step in body["steps"]]
    assert names == [
        "config file", "password", "name resolution", "TCP connect", "TLS", "API flavours",
        "login", "privilege", "schedule", "clock", "logout",
    ]  # fmt: skip
    assert {step["outcome"] for step in body["steps"]} <= {"ok", "warning"}


def test_appliance_down(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", PASSWORD)
    sim = simulator_factory()
    write_profile(sim.url, sim.user)
    sim.stop()
    code, text = run_doctor("-p", "lab")
    assert code == 1
    tcp = step_line(text, "TCP connect")
    assert (
        tcp.startswith("✖")
        and "cannot connect to 127.0.0.1:" in tcp
        and "→ Check that the appliance is up" in tcp
    )
    assert step_line(text, "login").startswith("·") and "The TCP connect step failed" in text


def test_wrong_password_is_tried_once(lab: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> None:
    sim = lab()
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "not-the-password")
    code, text = run_doctor("-p", "lab")
    assert code == 1
    login = step_line(text, "login")
    assert login.startswith("✖") and "refused the login" in login and "once only" in login and "→" in login
    assert "not-the-password" not in text
    stats = sim.stats()
    assert (stats["logins"], stats["failed_logins"]) == (0, 1)


def test_a_user_without_the_privilege_is_told_the_sso_group(lab: Callable[..., Simulator]) -> None:
    sim = lab(user="viewer@vsphere.local", unprivileged_user="viewer@vsphere.local")
    code, text = run_doctor("-p", "lab")
    assert code == 1
    privilege = step_line(text, "privilege")
    assert privilege.startswith("✖") and "403" in privilege
    assert "SystemConfiguration.Administrators" in privilege
    assert step_line(text, "logout").startswith("✔")
    stats = sim.stats()
    assert (stats["logins"], stats["failed_logins"], stats["logouts"]) == (1, 0, 1)


def test_rest_only_appliance(lab: Callable[..., Simulator]) -> None:
    sim = lab(flavor="rest")
    code, text = run_doctor("-p", "lab")
    assert code == 0, text
    assert "/rest only" in step_line(text, "API flavours") and "(rest flavour)" in step_line(text, "login")
    assert sim.stats()["failed_logins"] == 0


def test_rest_only_appliance_with_the_api_flavour_asked_for(lab: Callable[..., Simulator]) -> None:
    sim = lab(flavor="rest", profile={"flavor": "api"})
    code, text = run_doctor("-p", "lab")
    assert code == 1
    flavours = step_line(text, "API flavours")
    assert flavours.startswith("✖") and 'Set flavor = "rest"' in flavours and "--flavor rest" in flavours
    stats = sim.stats()
    assert (stats["logins"], stats["failed_logins"]) == (0, 0)  # no password was sent


def test_no_schedule(lab: Callable[..., Simulator]) -> None:
    lab(scenario="not-configured")
    code, text = run_doctor("-p", "lab")
    schedule = step_line(text, "schedule")
    assert schedule.startswith("⚠") and "no backup schedule is configured" in schedule and ":5480" in schedule
    assert code == 0  # backuptui itself works: it shows that nothing runs


def test_clock_skew(lab: Callable[..., Simulator]) -> None:
    lab(clock_skew=600.0)
    code, text = run_doctor("-p", "lab")
    clock = step_line(text, "clock")
    assert clock.startswith("⚠") and "ahead of this machine's" in clock and "NTP" in clock
    assert code == 0


def test_missing_password_still_checks_the_network(
    lab: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = lab()
    monkeypatch.delenv("BACKUPTUI_PASSWORD")
    code, text = run_doctor("-p", "lab")
    assert code == 1
    assert step_line(text, "password").startswith("✖") and "→ Set BACKUPTUI_PASSWORD" in step_line(
        text, "password"
    )
    assert step_line(text, "API flavours").startswith("✔") and step_line(text, "login").startswith("·")
    assert sim.stats()["failed_logins"] == 0


def test_password_command_runs_and_is_not_shown(
    lab: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    lab(profile={"password_source": "command", "password_command": f"echo {PASSWORD}"})
    monkeypatch.delenv("BACKUPTUI_PASSWORD")
    code, text = run_doctor("-p", "lab")
    assert code == 0, text
    assert "password_command ran" in step_line(text, "password")


def test_config_readable_by_others_is_a_warning(lab: Callable[..., Simulator]) -> None:
    lab()
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "backuptui" / "config.toml"
    path.chmod(0o644)
    code, text = run_doctor("-p", "lab")
    config = step_line(text, "config file")
    assert config.startswith("⚠") and "mode 0644" in config and f"→ chmod 600 {path}" in config
    assert code == 0


def test_unknown_profile_names_the_config_step() -> None:
    write_profile("http://127.0.0.1:9", "administrator@vsphere.local")
    code, text = run_doctor("-p", "nope")
    assert code == 1 and step_line(text, "config file").startswith("✖") and "nope" in text


def test_name_that_does_not_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", PASSWORD)
    code, text = run_doctor("--url", "https://no-such-host.invalid", "--user", "administrator@vsphere.local")
    assert code == 1
    assert step_line(text, "name resolution").startswith("✖") and "does not resolve" in text
    assert step_line(text, "config file").startswith("✔")  # not needed with --url


# --- TLS ------------------------------------------------------------------------------------------


@pytest.fixture
def tls_lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Simulator, Path]]:
    """The simulator behind a certificate of a private CA (trustme), and that CA's bundle."""
    monkeypatch.setenv("BACKUPTUI_PASSWORD", PASSWORD)
    ca = trustme.CA()
    bundle = tmp_path / "appliance-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    sim = Simulator(SimulatorConfig(jobs=10))
    server, thread = serve_tls(sim, ca, "127.0.0.1", "localhost")
    write_profile(f"https://127.0.0.1:{server.server_address[1]}", sim.user)
    try:
        yield sim, bundle
    finally:
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join(timeout=5)


def test_a_certificate_the_store_does_not_trust(tls_lab: tuple[Simulator, Path]) -> None:
    sim, _ = tls_lab
    code, text = run_doctor("-p", "lab")
    assert code == 1
    tls = step_line(text, "TLS")
    assert tls.startswith("✖") and "does not verify against the default CA bundle" in tls
    assert "certificate" in tls and "issued to" in tls  # what the certificate says, read unverified
    assert "→ Download the appliance's CA" in tls and "--ca-bundle" in tls
    assert step_line(text, "login").startswith("·")
    stats = sim.stats()
    assert (stats["logins"], stats["failed_logins"]) == (0, 0)  # the password never left


def test_the_profiles_ca_bundle_verifies(tls_lab: tuple[Simulator, Path]) -> None:
    sim, bundle = tls_lab
    code, text = run_doctor("-p", "lab", "--ca-bundle", str(bundle))
    assert code == 0, text
    tls = step_line(text, "TLS")
    assert tls.startswith("✔") and "verifies against the CA bundle (OU=Testing CA" in tls and "matches" in tls
    assert "issued to" in tls and "valid until" in tls
    assert sim.stats()["logins"] == 1


# --- colour and width -----------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "env", "colour"),
    [
        (Terminal(), {}, True),
        (io.StringIO(), {}, False),  # not a terminal: no colour
        (Terminal(), {"NO_COLOR": "1"}, False),
        (io.StringIO(), {"FORCE_COLOR": "1"}, True),
        (Terminal(), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # NO_COLOR wins
        (Terminal(), {"FORCE_COLOR": "0"}, True),
        (Terminal(), {"TERM": "dumb"}, False),
    ],
)
def test_colour_follows_the_conventions(stream: io.StringIO, env: dict[str, str], colour: bool) -> None:
    from backuptui.commands.terminal import wants_colour

    assert wants_colour(stream, env) is colour


def test_no_escape_codes_into_a_pipe_and_lines_fit_80_columns(
    lab: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    lab(scenario="not-configured")
    monkeypatch.setenv("COLUMNS", "80")
    _, text = run_doctor("-p", "lab")
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines() if "/" not in line) <= 80  # (a path is never cut)
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, coloured = run_doctor("-p", "lab")
    assert "\x1b[32m✔\x1b[0m" in coloured
