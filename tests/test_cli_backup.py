"""`backuptui backup` and `backuptui cancel` against the real simulator: exit statuses for a
backup that succeeds, fails midway, or cannot be asked; plain progress lines into a pipe; the
one-off location's password from standard input; read-only refused, saying where it was set."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from backuptui.cli import main
from backuptui.commands import backup, cancel
from backuptui.core.appliance.models import JobStatus
from backuptui.core.settings.profiles import ProfileStore
from backuptui.simulator import Simulator

READER = "reader@vsphere.local"


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")


def fast(factory: Callable[..., Simulator], **fields: object) -> Simulator:
    """Backups that take about a second of real time."""
    return factory(jobs=3, speed=3000.0, **fields)


def run(
    command: str,
    sim: Simulator,
    *words: str,
    stdin: str = "",
    user: str | None = None,
    url: str | None = None,
) -> tuple[int, str]:
    from backuptui.cli import build_parser

    address = url or sim.url
    args = build_parser().parse_args([command, "--url", address, "--user", user or sim.user, *words])
    out = io.StringIO()
    handler = backup.run if command == "backup" else cancel.run
    return handler(args, stdin=io.StringIO(stdin), out=out), out.getvalue()


def test_backup_wait_succeeds_with_plain_progress_lines(
    simulator_factory: Callable[..., Simulator], capsys: pytest.CaptureFixture[str]
) -> None:
    sim = fast(simulator_factory, fail_rate=0.0)
    code, out = run("backup", sim, "--wait", "--interval", "0.1", "--comment", "nightly fix")
    lines = out.splitlines()
    assert code == 0, out + capsys.readouterr().err
    assert lines[0].endswith("started")
    assert any("RUNNING" in line and "%" in line for line in lines[1:-1])  # a line per change, no bar
    assert "\r" not in out and "█" not in out
    assert "succeeded" in lines[-1]
    # the duration as the job list says it ("52s", "1m 03s"), not "0 min 52 s"
    assert re.search(r"succeeded in (\d+m \d\ds|\d+s)[,\n]?", lines[-1]), lines[-1]
    job_id = lines[0].split()[2]
    assert sim.jobs.info(job_id)["status"] == "SUCCEEDED"


def test_backup_wait_failing_midway_exits_1_with_the_cause(
    simulator_factory: Callable[..., Simulator], capsys: pytest.CaptureFixture[str]
) -> None:
    sim = fast(simulator_factory, fail_rate=0.5)  # every live backup fails midway
    code, out = run("backup", sim, "--wait", "--interval", "0.1")
    assert code == 1
    last = out.splitlines()[-1]
    assert " failed: " in last and "gave no reason" not in last


def test_backup_of_an_unreachable_appliance_exits_3(
    simulator_factory: Callable[..., Simulator], capsys: pytest.CaptureFixture[str]
) -> None:
    sim = fast(simulator_factory)
    url = sim.url
    sim.stop()
    code, _ = run("backup", sim, "--wait", url=url)
    assert code == 3
    assert "connection refused" in capsys.readouterr().err


def test_refusals_exit_1_and_say_why(
    simulator_factory: Callable[..., Simulator], capsys: pytest.CaptureFixture[str]
) -> None:
    sim = simulator_factory(jobs=3, readonly_user=READER, running_at_start=True)  # runs for minutes
    running = sim.jobs.running
    code, _ = run("backup", sim)
    assert code == 1 and f"already running (job {running})" in capsys.readouterr().err
    code, _ = run("backup", sim, user=READER)
    assert code == 1 and "SystemConfiguration.Administrators" in capsys.readouterr().err
    code, _ = run("backup", sim, "--schedule", "weekly")
    assert code == 1 and "no backup schedule 'weekly'" in capsys.readouterr().err


def test_usage_errors_exit_2(
    simulator_factory: Callable[..., Simulator], capsys: pytest.CaptureFixture[str]
) -> None:
    sim = fast(simulator_factory)
    assert main(["backup", "--url", sim.url, "--user", sim.user, "--parts", "seat"]) == 2
    assert "need --location" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["backup", "--interval", "fast"])
    assert usage.value.code == 2


def test_a_one_off_backup_reads_its_password_from_stdin(
    simulator_factory: Callable[..., Simulator], capsys: pytest.CaptureFixture[str]
) -> None:
    sim = fast(simulator_factory, fail_rate=0.0)
    words = ["--location", "sftp://192.0.2.99/once", "--location-user", "backupuser", "--encrypt", "--wait"]
    code, out = run("backup", sim, *words, "--interval", "0.1", stdin="Loc-Pass-1\nweak\n")
    err = capsys.readouterr().err
    assert code == 1 and "backup_password" in err  # the appliance's rule, named
    code, out = run("backup", sim, *words, "--interval", "0.1", stdin="Loc-Pass-1\nGood-Pass-1\n")
    err = capsys.readouterr().err
    assert code == 0, err
    assert "not be encrypted" not in err and "Loc-Pass-1" not in out + err and "Good-Pass-1" not in out + err
    job_id = out.splitlines()[0].split()[2]
    assert sim.jobs.info(job_id)["location"].startswith("sftp://192.0.2.99/once/")


def test_cancel_the_running_backup_or_a_named_one(
    simulator_factory: Callable[..., Simulator], capsys: pytest.CaptureFixture[str]
) -> None:
    sim = simulator_factory(jobs=3, running_at_start=True)
    running = sim.jobs.running
    code, out = run("cancel", sim)
    assert code == 0 and f"cancel {running}: OK" in out
    assert sim.jobs.info(running)["status"] == JobStatus.FAILED.value
    code, out = run("cancel", sim, running)  # already ended: the appliance answers FAIL
    assert code == 1 and "FAIL" in out
    code, _ = run("cancel", sim)
    assert code == 1 and "nothing to cancel" in capsys.readouterr().err


def test_read_only_is_refused_before_anything_is_sent(
    simulator_factory: Callable[..., Simulator], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sim = fast(simulator_factory)
    store = ProfileStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(
        f'[profiles.lab]\nurl = "{sim.url}"\nusername = "{sim.user}"\nread_only = true\n'
        f'[profiles.open]\nurl = "{sim.url}"\nusername = "{sim.user}"\n'
    )
    before = sim.sessions.logins
    assert main(["backup", "-p", "lab"]) == 2
    assert "read_only = true in profile 'lab'" in capsys.readouterr().err
    assert main(["cancel", "-p", "lab"]) == 2
    assert main(["--read-only", "backup", "-p", "open"]) == 2
    assert "set by --read-only" in capsys.readouterr().err
    store.path.write_text("read_only = true\n" + store.path.read_text().replace("read_only = true\n", ""))
    assert main(["backup", "-p", "open"]) == 2
    assert "app settings" in capsys.readouterr().err
    assert sim.sessions.logins == before and sim.jobs.running is None  # not even a login


def test_profile_add_and_edit_set_read_only(capsys: pytest.CaptureFixture[str]) -> None:
    flags = ["--url", "vcsa01.example.com", "--user", "monitor@vsphere.local", "--password-source", "env"]
    assert main(["profile", "add", "mon", *flags, "--read-only"]) == 0
    store = ProfileStore()
    assert store.load().profile("mon").read_only
    assert "read_only = true" in store.path.read_text()
    assert main(["profile", "show", "mon"]) == 0
    assert "read_only" in capsys.readouterr().out
    assert main(["profile", "edit", "mon", "--user", "other@vsphere.local"]) == 0
    assert store.load().profile("mon").read_only  # an edit of another field keeps it
    assert main(["profile", "edit", "mon", "--no-read-only"]) == 0
    assert not store.load().profile("mon").read_only
    assert "read_only" not in store.path.read_text()
