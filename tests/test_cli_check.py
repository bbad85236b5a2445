"""`backuptui check` against the running simulator: exit codes, the status line and the perfdata."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from backuptui.cli import build_parser
from backuptui.commands import check
from backuptui.simulator import Simulator

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

#: the Monitoring Plugins perfdata form: 'label'=value[UOM];[warn];[crit];[min];[max]
PERF = re.compile(
    r"^(?P<label>[a-z_0-9]+)=(?P<value>U|-?\d+(?:\.\d+)?)(?P<uom>s|B|%|c)?(?:;(?P<warn>\d*)(?:;(?P<crit>\d*))?)?$"
)
LINE = re.compile(r"^BACKUP (OK|WARNING|CRITICAL|UNKNOWN) - (?P<text>[^|\n]+?)(?: \| (?P<perf>[^|\n]+))?$")

# scenario -> (exit code, how the one-line explanation starts)
EXPECTED = {
    "healthy": (0, "BACKUP OK - last backup succeeded 2026-11-28 09:"),
    "latest-failed": (2, "BACKUP CRITICAL - last backup FAILED 2026-11-28 09:00 UTC: "),
    "stale": (2, "BACKUP CRITICAL - last successful backup 4 d 0"),
    "missed-schedule": (
        1,
        "BACKUP WARNING - scheduled backup 2026-11-28 09:00 UTC did not run (no job started by 11:00 UTC)",
    ),
    "not-configured": (
        2,
        "BACKUP CRITICAL - backup is not configured: no backup schedule and no backup jobs",
    ),
    "schedule-disabled": (1, "BACKUP WARNING - backup schedule 'default' is disabled"),
}


def run_check(
    sim: Simulator | None, *extra: str, url: str | None = None, clock: Callable[[], datetime] | None = None
) -> tuple[int, str]:
    argv = [
        "check",
        "--url",
        url or (sim.url if sim else ""),
        "--user",
        sim.user if sim else "administrator@vsphere.local",
        *extra,
    ]
    args = build_parser().parse_args(argv)
    out = io.StringIO()
    code = check.run(args, out=out, clock=clock)
    return code, out.getvalue()


def perfdata(line: str) -> dict[str, dict[str, Any]]:
    match = LINE.match(line)
    assert match, line
    values = {}
    for item in (match.group("perf") or "").split():
        perf = PERF.match(item)
        assert perf, f"not Monitoring Plugins perfdata: {item!r}"
        values[perf.group("label")] = perf.groupdict()
    return values


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_each_scenario(scenario: str, simulator_factory: Callable[..., Simulator], password: None) -> None:
    sim = simulator_factory(scenario=scenario, clock=lambda: NOW)
    code, output = run_check(sim, clock=lambda: NOW)
    expected_code, expected_start = EXPECTED[scenario]
    lines = output.splitlines()
    assert len(lines) == 1, output
    assert code == expected_code, output
    assert lines[0].startswith(expected_start), output
    perf = perfdata(lines[0])
    assert list(perf) == [
        "last_success_age",
        "last_size",
        "last_duration",
        "failures_24h",
        "failures_7d",
        "canceled_24h",
        "canceled_7d",
    ]
    assert perf["last_success_age"]["uom"] == "s" or perf["last_success_age"]["value"] == "U"
    assert (perf["last_success_age"]["warn"], perf["last_success_age"]["crit"]) == ("90000", "259200")
    if scenario == "not-configured":
        assert perf["last_success_age"]["value"] == "U" and perf["last_size"]["value"] == "U"
    else:
        assert int(perf["last_size"]["value"]) > 0 and perf["last_size"]["uom"] == "B"
        assert int(perf["last_duration"]["value"]) > 0
    age = perf["last_success_age"]["value"]
    if scenario in ("healthy", "schedule-disabled"):
        assert 3 * 3600 - 2 * 3600 < int(age) < 4 * 3600  # the newest job ran 3 h before "now"
    if scenario == "stale":
        assert int(age) >= 72 * 3600
    if scenario == "latest-failed":
        assert perf["failures_24h"]["value"] == "1"
    stats = sim.stats()
    assert stats["logins"] == 1 and stats["logouts"] == 1 and stats["active_sessions"] == 0


def test_thresholds_from_the_command_line(
    simulator_factory: Callable[..., Simulator], password: None
) -> None:
    sim = simulator_factory(scenario="healthy", clock=lambda: NOW)
    code, output = run_check(sim, "--warn-age", "1h", "--crit-age", "2h", clock=lambda: NOW)
    assert code == 2, output
    assert "older than 2h" in output
    perf = perfdata(output.splitlines()[0])
    assert (perf["last_success_age"]["warn"], perf["last_success_age"]["crit"]) == ("3600", "7200")
    code, output = run_check(sim, "--warn-age", "2h", "--crit-age", "10h", clock=lambda: NOW)
    assert code == 1, output


def test_missed_window_from_the_command_line(
    simulator_factory: Callable[..., Simulator], password: None
) -> None:
    sim = simulator_factory(scenario="missed-schedule", clock=lambda: NOW)
    code, output = run_check(sim, "--missed-window", "4h", "--warn-age", "30h", clock=lambda: NOW)
    assert code == 0, output  # the 09:00 run may still come until 13:00


def test_verbose_lists_every_reason(simulator_factory: Callable[..., Simulator], password: None) -> None:
    sim = simulator_factory(scenario="latest-failed", clock=lambda: NOW)
    code, output = run_check(sim, "-v", clock=lambda: NOW)
    lines = output.splitlines()
    assert code == 2
    assert lines[1].startswith("CRITICAL: last backup FAILED")
    assert any(line.startswith("WARNING: last successful backup") for line in lines[2:])


def assert_unknown(code: int, output: str, *needles: str) -> None:
    assert code == 3, output
    lines = output.splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("BACKUP UNKNOWN - "), output
    assert "Traceback" not in output
    for needle in needles:
        assert needle in lines[0], output


def test_wrong_password_is_unknown(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "not-the-password")
    code, output = run_check(simulator)
    assert_unknown(code, output, "refused the login")
    assert "not-the-password" not in output
    assert simulator.stats()["failed_logins"] == 1  # tried once, never again


def test_unreachable_is_unknown(simulator_factory: Callable[..., Simulator], password: None) -> None:
    sim = simulator_factory()
    url = sim.url
    sim.stop()
    code, output = run_check(None, url=url)
    assert_unknown(code, output, "127.0.0.1")


def test_bad_response_is_unknown(simulator_factory: Callable[..., Simulator], password: None) -> None:
    sim = simulator_factory(faults=[{"malformed": -1, "match": "/job/details"}])
    code, output = run_check(sim)
    assert_unknown(code, output)
    assert sim.stats()["logouts"] == 1  # logged out even so


def test_timeout_is_unknown(simulator_factory: Callable[..., Simulator], password: None) -> None:
    sim = simulator_factory(faults=["latency=3"])
    code, output = run_check(sim, "--timeout", "0.5")
    assert_unknown(code, output, "no answer within 0.5 s")


def test_missing_password_is_unknown(simulator: Simulator) -> None:
    code, output = run_check(simulator)
    assert_unknown(code, output, "BACKUPTUI_PASSWORD", "--password-stdin")


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (("--warn-age", "soon"), "not a duration"),
        (("--warn-age", "80h"), "warning age"),
        (("--timezone", "Mars/Olympus"), "unknown time zone"),
        (("--timeout", "x"), "--timeout"),
    ],
)
def test_bad_options_are_unknown(
    simulator: Simulator, password: None, extra: tuple[str, ...], needle: str
) -> None:
    code, output = run_check(simulator, *extra)
    assert_unknown(code, output, needle)
    assert simulator.stats()["logins"] == 0  # nothing was asked


def test_no_appliance_given_is_unknown() -> None:
    args = build_parser().parse_args(["check"])
    out = io.StringIO()
    assert_unknown(check.run(args, out=out), out.getvalue(), "--url")


def test_options_before_the_subcommand_are_kept(
    simulator_factory: Callable[..., Simulator], password: None
) -> None:
    sim = simulator_factory(scenario="healthy", clock=lambda: NOW)
    args = build_parser().parse_args(["--url", sim.url, "--user", sim.user, "check"])
    out = io.StringIO()
    assert check.run(args, out=out, clock=lambda: NOW) == 0, out.getvalue()


def test_password_stdin(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> None:
    sim = simulator_factory(scenario="healthy", clock=lambda: NOW)
    monkeypatch.setattr(sys, "stdin", io.StringIO("VMware1!\n"))
    code, output = run_check(sim, "--password-stdin", clock=lambda: NOW)
    assert code == 0, output


def test_profile(simulator_factory: Callable[..., Simulator], password: None) -> None:
    from backuptui.core.settings.profiles import Profile, ProfileStore
    from backuptui.core.settings.secrets import PasswordSource

    sim = simulator_factory(scenario="schedule-disabled", clock=lambda: NOW)
    ProfileStore().add_profile(
        Profile(name="lab", url=sim.url, username=sim.user, password_source=PasswordSource.ENV),
        make_default=True,
    )
    args = build_parser().parse_args(["check", "-p", "lab"])
    out = io.StringIO()
    assert check.run(args, out=out, clock=lambda: NOW) == 1, out.getvalue()
    args = build_parser().parse_args(["check"])  # the default profile
    out = io.StringIO()
    assert check.run(args, out=out, clock=lambda: NOW) == 1, out.getvalue()
    args = build_parser().parse_args(["check", "-p", "lba"])
    out = io.StringIO()
    assert_unknown(check.run(args, out=out), out.getvalue(), "no profile named 'lba'", "did you mean 'lab'")


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_installed_command_against_each_scenario(
    scenario: str, simulator_factory: Callable[..., Simulator]
) -> None:
    """The real console script, real clock: the exit code a monitoring system sees."""
    sim = simulator_factory(scenario=scenario)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKUPTUI")}
    env["BACKUPTUI_PASSWORD"] = sim.password
    result = subprocess.run(
        [sys.executable, "-m", "backuptui", "check", "--url", sim.url, "--user", sim.user],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == EXPECTED[scenario][0], result.stdout + result.stderr
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1
    assert LINE.match(result.stdout.strip())


@pytest.mark.parametrize("command", ["check", "status"])
def test_headless_commands_do_not_import_textual(command: str) -> None:
    code = (
        "import sys; from backuptui.cli import main; "
        f"main([{command!r}, '--url', 'http://127.0.0.1:9', '--user', 'u']); "
        "print('textual' in sys.modules, 'rich' in sys.modules, file=sys.stderr)"
    )
    env = dict(os.environ, BACKUPTUI_PASSWORD="x")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "127.0.0.1" in result.stdout + result.stderr  # it did try the (closed) port
    assert result.stderr.splitlines()[-1] == "False False"


def test_usage_errors_in_check_options_are_unknown() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKUPTUI")}
    result = subprocess.run(
        [sys.executable, "-m", "backuptui", "check", "--url", "http://127.0.0.1:9", "--flavor", "bogus"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stdout.startswith("BACKUP UNKNOWN - argument --flavor: invalid choice")


@pytest.mark.parametrize(
    "argv",
    [["check", "--bogus"], ["--url", "http://127.0.0.1:9", "check", "--warn-age"], ["check", "extra-word"]],
)
def test_options_argparse_rejects_are_unknown_too(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from backuptui.cli import main

    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 3
    output = capsys.readouterr()
    assert output.out.startswith("BACKUP UNKNOWN - ")
    assert "usage:" in output.err


def test_other_commands_keep_the_usage_exit_code() -> None:
    from backuptui.cli import main

    with pytest.raises(SystemExit) as raised:
        main(["status", "--bogus"])
    assert raised.value.code == 2


def test_json_says_the_same_verdict_as_the_plugin_line(
    simulator_factory: Callable[..., Simulator], password: None
) -> None:
    import json

    sim = simulator_factory(scenario="latest-failed", clock=lambda: NOW)
    code, line = run_check(sim, clock=lambda: NOW)
    json_code, output = run_check(sim, "--json", clock=lambda: NOW)
    answer = json.loads(output)
    assert json_code == code == answer["exit_code"] == 2
    assert answer["status"] == "CRITICAL" and line.startswith(f"BACKUP CRITICAL - {answer['summary']}")
    assert {p["label"]: p["value"] for p in answer["perfdata"]}["failures_24h"] == 1
    assert any(reason["level"] == "CRITICAL" for reason in answer["reasons"])


def test_json_unknown_is_json_too(password: None) -> None:
    import json

    code, output = run_check(None, "--json", url="http://127.0.0.1:9")
    assert code == 3 and json.loads(output)["status"] == "UNKNOWN"
