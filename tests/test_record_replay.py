"""`backuptui record` and the simulator's replay: the round trip, scrubbing, fixtures, versions.

Replays run on a hand-moved timeline (`sim.replay.clock`), so no test waits for the recording's
pace in real time.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.errors import ApplianceError
from backuptui.core.appliance.secret import Secret
from backuptui.core.record.recorder import record
from backuptui.core.record.recording import RecordingError, load, loads, save
from backuptui.core.watch.monitor import ConnectionState, Monitor, RefreshSettings
from backuptui.simulator import Simulator, SimulatorConfig
from backuptui.simulator.replay import ReplayError, ReplayLog

RECORDINGS = Path(__file__).parent / "recordings"
QUICK = RefreshSettings(idle=1.0, running=0.3, backoff_initial=0.3, backoff_max=0.5, jitter=0.0)
TOKEN = "5ec7e75e55101d0123456789abcdef00"


class Timeline:
    """A replay clock moved by hand: `at(t)` puts the replay at recorded second `t`."""

    def __init__(self, sim: Simulator) -> None:
        assert sim.replay is not None
        self.now = 0.0
        self.replay = sim.replay
        self.replay.clock = lambda: self.now
        self.replay.restart()

    def at(self, t: float) -> None:
        self.now = t / self.replay.speed


@pytest.fixture
def replayer() -> Iterator[Callable[..., tuple[Simulator, Timeline]]]:
    started: list[Simulator] = []

    def make(path: Path, **config: Any) -> tuple[Simulator, Timeline]:
        sim = Simulator(SimulatorConfig(jobs=0, replay=str(path), **config)).start()
        started.append(sim)
        return sim, Timeline(sim)

    yield make
    for sim in started:
        sim.stop()


def recorded(sim: Simulator, tmp_path: Path, seconds: float = 1.2, **kw: Any) -> Path:
    client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
    recording = asyncio.run(record(client, seconds, password=sim.password, settings=QUICK, **kw))
    return save(recording, tmp_path / "rec.json")


def test_round_trip_serves_byte_identical_bodies_in_order(
    simulator_factory: Callable[..., Simulator],
    replayer: Callable[..., tuple[Simulator, Timeline]],
    tmp_path: Path,
) -> None:
    source = simulator_factory(jobs=15, running_at_start=True, speed=50.0)
    path = recorded(source, tmp_path)
    assert source.stats()["logouts"] == 1  # the recorder logs out
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    recording = load(path)
    polls = [e for e in recording.exchanges if e.method == "GET"]
    assert len(polls) >= 3 and any("jobs=" in e.query for e in polls)
    sim, timeline = replayer(path)
    with httpx.Client(base_url=sim.url, timeout=10) as client:
        assert client.get(polls[0].path).status_code == 401  # sessions are the simulator's
        client.post("/api/session", auth=(sim.user, sim.password))
        for exchange in polls:
            timeline.at(exchange.t + 0.0001)
            url = exchange.path + (f"?{exchange.query}" if exchange.query else "")
            response = client.get(url)
            assert response.status_code == exchange.status
            assert response.content == exchange.body, exchange.path


def test_the_recording_holds_no_password_token_or_cookie(
    simulator_factory: Callable[..., Simulator], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("backuptui.simulator.sessions.secrets.token_hex", lambda n: TOKEN)
    sim = simulator_factory(jobs=5, password="Sup3r-S3cret!")
    text = recorded(sim, tmp_path, seconds=0.5).read_text()
    assert "Sup3r-S3cret!" not in text and TOKEN not in text
    assert "set-cookie" not in text.lower() and "authorization" not in text.lower()
    assert "vmware-api-session-id" not in text


def test_anonymize_replaces_hosts_ips_users_and_locations_consistently(
    simulator_factory: Callable[..., Simulator], tmp_path: Path
) -> None:
    sim = simulator_factory(jobs=20, running_at_start=True, speed=50.0)
    text = recorded(sim, tmp_path, seconds=0.8, anonymize=True).read_text()
    for original in (
        "vcsa01.example.com",
        "127.0.0.1",
        "192.0.2.10",
        "administrator@vsphere.local",
        "backupuser",
    ):
        assert original not in text, original
    recording = loads(text)
    assert recording.anonymized and recording.appliance.startswith("http://198.51.100.1:")
    stand_ins: dict[str, str] = {}  # job id -> the anonymized target of its location
    for exchange in recording.exchanges:
        if exchange.body and exchange.path.endswith("/details"):
            for ident, info in json.loads(exchange.body).items():
                stand_ins[ident] = info["location"].split("/vCenter/")[0]
                assert "/sn_host-" in info["location"]
    originals: dict[str, str] = {}  # the same jobs' targets as the simulator holds them
    for ident in stand_ins:
        info = sim.jobs.info(ident)
        assert info is not None
        originals[ident] = info["location"].split("/vCenter/")[0]
    # one stand-in per original target, the same every time (the history's mix of targets
    # depends on the day: a manual backup to another target may or may not be in it)
    pairs = {(originals[i], stand_ins[i]) for i in stand_ins}
    assert len(pairs) == len(set(originals.values())) == len(set(stand_ins.values()))


def test_replaying_an_older_version_and_refusing_a_newer_one(tmp_path: Path) -> None:
    # version 1 with only the fields it requires (no elapsed, headers, query, duration)
    minimal = {
        "format": "backuptui-recording",
        "version": 1,
        "exchanges": [
            {
                "t": 0,
                "method": "GET",
                "path": "/api/appliance/recovery/backup/job",
                "status": 200,
                "body": "[]",
            }
        ],
    }
    assert loads(json.dumps(minimal)).exchanges[0].body == b"[]"
    assert ReplayLog.from_data(minimal).find("GET", "/api/appliance/recovery/backup/job", "") is not None
    newer = dict(minimal, version=99)
    with pytest.raises(RecordingError, match="newer than this backuptui reads"):
        loads(json.dumps(newer))
    with pytest.raises(ReplayError, match="version 99"):
        ReplayLog.from_data(newer)
    with pytest.raises(ReplayError, match="not a backuptui recording"):
        ReplayLog.from_data({"exchanges": []})


@pytest.mark.parametrize("name", ["faults", "running-fails", "rest-only"])
def test_fixtures_replay_through_the_client(
    replayer: Callable[..., tuple[Simulator, Timeline]], name: str
) -> None:
    sim, timeline = replayer(RECORDINGS / f"{name}.json")

    async def read() -> tuple[list[str], int]:
        client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
        errors = 0
        try:
            for t in (0.0, 0.4, 5.0):
                timeline.at(t)
                try:
                    result = await client.list_job_details()
                except ApplianceError:
                    errors += 1
        finally:
            await client.close()
        return sorted(job.id for job in result.jobs), errors

    ids, errors = asyncio.run(read())
    assert len(ids) >= 8
    assert errors == (1 if name == "faults" else 0)  # the recorded 500
    if name == "rest-only":
        assert sim.flavors == ("rest",)


def test_the_monitor_sees_the_recorded_backup_fail_midway(
    replayer: Callable[..., tuple[Simulator, Timeline]],
) -> None:
    sim, timeline = replayer(RECORDINGS / "running-fails.json")

    async def watch() -> list[str]:
        monitor = Monitor(ApplianceClient(sim.url, sim.user, Secret(sim.password)), QUICK)
        states = []
        try:
            for t in (0.0, 0.6, 1.2, 2.0, 4.5):
                timeline.at(t)
                snapshot = await monitor.poll(full=t > 1.5)
                assert snapshot.connection is ConnectionState.LIVE
                newest = max(snapshot.jobs, key=lambda job: job.id)
                states.append(newest.status.value)
        finally:
            await monitor.close()
        return states

    states = asyncio.run(watch())
    assert states[0] == "RUNNING" and states[-1] == "FAILED", states


def test_the_tui_shows_a_replayed_running_backup(replayer: Callable[..., tuple[Simulator, Timeline]]) -> None:
    from screen_text import screen_text

    from backuptui.tui.app import MonitorApp

    sim, _timeline = replayer(RECORDINGS / "rest-only.json")
    slow = RefreshSettings(idle=3600.0, running=3600.0, backoff_initial=3600.0, backoff_max=3600.0)

    async def run() -> str:
        client = ApplianceClient(sim.url, sim.user, Secret(sim.password))
        app = MonitorApp(Monitor(client, slow), user=sim.user)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(500):
                if app.main_screen.job_list.total_count > 0:
                    break
                await pilot.pause(0.02)
            await pilot.pause()
            return screen_text(app)

    text = asyncio.run(run())
    assert "RUNNING" in text.upper()


def test_record_command_writes_the_file(
    simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backuptui.cli import main

    monkeypatch.setenv("BACKUPTUI_PASSWORD", simulator.password)
    out = tmp_path / "r.json"
    code = main(
        ["record", "--url", simulator.url, "--user", simulator.user, "--minutes", "0.01", "-o", str(out)]
    )
    assert code == 0 and load(out).exchanges
    assert simulator.stats()["logouts"] == 1


def test_simulate_and_the_monitor_refuse_a_file_that_is_no_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from backuptui.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    assert main(["simulate", "--replay", str(bad)]) == 2
    assert "not a backuptui recording" in capsys.readouterr().err
    assert main(["--replay", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["bad.json"]
