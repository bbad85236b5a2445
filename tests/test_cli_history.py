"""`backuptui history export | prune` and `config path` on a store filled by the real monitor from
the real simulator; a shorter history on the appliance leaves the earlier jobs, marked."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from backuptui.cli import main
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.store import HistoryStore, Identity, history_path
from backuptui.core.watch.monitor import Monitor
from backuptui.simulator import Simulator


def fill(sim: Simulator, name: str = "lab") -> Identity:
    """Two full polls of the real monitor, written to the user's store."""
    identity = Identity.of(name, sim.url)

    async def go() -> None:
        client = ApplianceClient(sim.url, sim.user, Secret(sim.password), name=name)
        monitor = Monitor(client)
        store = HistoryStore.open(history_path())
        try:
            store.record_poll(identity, await monitor.poll())
            store.end_session(identity)
        finally:
            store.close()
            await monitor.close()

    asyncio.run(go())
    stored = b"".join(p.read_bytes() for p in history_path().parent.iterdir())
    assert sim.password.encode() not in stored  # never a password (nor a session token) in the store
    return identity


def add_profile(sim: Simulator) -> None:
    assert (
        main(["profile", "add", "lab", "--url", sim.url, "--user", sim.user, "--password-source", "env"]) == 0
    )


def test_export_json_and_csv_hold_the_jobs_an_appliance_dropped(
    simulator_factory: Callable[..., Simulator], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sim = simulator_factory(jobs=30, seed=3)
    add_profile(sim)
    fill(sim)
    port = sim.port
    sim.stop()
    shorter = simulator_factory(jobs=10, seed=3, port=port)  # same appliance, a shorter history
    fill(shorter)
    capsys.readouterr()
    assert main(["history", "export", "-p", "lab"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert len(document["jobs"]) >= 30
    gone = [job for job in document["jobs"] if job.get("no_longer_on_appliance")]
    assert len(gone) >= 20
    # when each was first seen, when the history found it gone, and the last listing that held it
    assert all(job["first_seen"] for job in document["jobs"])
    assert all(job["first_seen"] <= job["last_seen"] < job["gone_since"] for job in gone)
    assert not any("last_seen" in job or "gone_since" in job for job in document["jobs"] if job not in gone)
    assert main(["history", "export", "-p", "lab", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,status") and len(lines) == len(document["jobs"]) + 1
    rows = list(csv.DictReader(lines))
    marked = [row for row in rows if row["no_longer_on_appliance"] == "true" and row["gone_since"]]
    assert len(marked) == len(gone)
    # never over a user's file without asking
    target = tmp_path / "mine.csv"
    target.write_text("keep me")
    assert main(["history", "export", "-p", "lab", "-o", str(target)]) == 2
    assert "already exists; give --force" in capsys.readouterr().err and target.read_text() == "keep me"
    assert main(["history", "export", "-p", "lab", "-o", str(target), "--force"]) == 0
    assert target.read_text().startswith("id,status")
    assert main(["history", "export", "-p", "nosuch"]) == 2
    assert "no stored history for 'nosuch'" in capsys.readouterr().err


def test_prune_says_what_it_kept_and_config_turns_history_off(
    capsys: pytest.CaptureFixture[str], simulator: Simulator, tmp_path: Path
) -> None:
    assert main(["history", "prune"]) == 1
    assert "no backup history yet" in capsys.readouterr().err
    fill(simulator)
    assert main(["history", "prune"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 jobs deleted from ") and "730 days or 20000 jobs" in out
    config = tmp_path / "xdg-config" / "backuptui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[history]\nmax_days = 30\nmax_jobs = 1000\n")
    assert main(["history", "prune"]) == 0
    assert "30 days or 1000 jobs" in capsys.readouterr().out
    config.write_text("[history]\nmax_dayz = 30\n")
    assert main(["history", "prune"]) == 2
    assert "did you mean 'max_days'" in capsys.readouterr().err
    config.write_text("history = 3\n")
    assert main(["config", "check"]) == 2
    assert "must be true, false or a table" in capsys.readouterr().err
