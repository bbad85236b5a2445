"""`backuptui status --since-last`, as text and as JSON (`backuptui.since_last`, documented in
docs/json-schema.md), for one appliance and for a fleet, against the real simulator with a local
history filled by the real monitor."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_history_digest import _older_session

from backuptui.cli import main
from backuptui.core.appliance.client import ApplianceClient
from backuptui.core.appliance.secret import Secret
from backuptui.core.store import HistoryStore, Identity, history_path
from backuptui.core.watch.monitor import Monitor
from backuptui.simulator import Simulator

DOCS = Path(__file__).resolve().parents[1] / "docs" / "json-schema.md"


def add_profile(name: str, sim: Simulator, *extra: str) -> None:
    argv = ["profile", "add", name, "--url", sim.url, "--user", sim.user, "--password-source", "env", *extra]
    assert main(argv) == 0


def earlier_session(name: str, sim: Simulator) -> None:
    """A monitor session that saw all but the newest job and ended just after the one before it."""

    async def run() -> None:
        monitor = Monitor(ApplianceClient(sim.url, sim.user, Secret(sim.password), name=name))
        store = HistoryStore.open(history_path())
        try:
            _older_session(store, Identity.of(name, sim.url), await monitor.poll(), skip=1)
        finally:
            store.close()
            await monitor.close()

    asyncio.run(run())


def document(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> dict[str, Any]:
    assert main(["status", *argv, "--since-last", "--json"]) == code
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert (data["format"], data["version"]) == ("backuptui.since_last", 1)
    return data


def test_one_appliance_as_json_says_what_the_text_says(
    simulator_factory: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim: Simulator = simulator_factory(jobs=20, scenario="latest-failed")
    add_profile("lab", sim)
    capsys.readouterr()
    monkeypatch.setenv("BACKUPTUI_PASSWORD", sim.password)
    (first,) = document(capsys, "-p", "lab")["appliances"]
    assert first["since"] is None and first["succeeded"] is None and first["first_failure"] is None
    assert first["problem"].startswith("no earlier monitor session")

    earlier_session("lab", sim)
    assert main(["status", "-p", "lab", "--since-last"]) == 0
    text = capsys.readouterr().out
    (lab,) = document(capsys, "-p", "lab")["appliances"]
    assert (lab["name"], lab["host"]) == ("lab", Identity.of("lab", sim.url).host)
    assert (lab["succeeded"], lab["failed"]) == (0, 1)
    newest = sim.jobs.info(max(sim.jobs.ids()))
    assert newest is not None and newest["status"] == "FAILED"
    failure = lab["first_failure"]
    assert failure["id"] == max(sim.jobs.ids()) and failure["cause"]
    assert failure["cause"] in text and lab["problem"] is None
    assert lab["since"] < failure["end"] <= lab["until"]
    # the same lines as the text, which puts the name before the first
    assert text.splitlines() == [f"lab: {lab['lines'][0]}", *(f"  {line}" for line in lab["lines"][1:])]


def test_a_fleet_answers_per_appliance_and_fails_when_one_cannot_be_asked(
    simulator_factory: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    failing: Simulator = simulator_factory(jobs=20, scenario="latest-failed")
    healthy: Simulator = simulator_factory(jobs=20, scenario="healthy", seed=3)
    add_profile("eu", failing, "--group", "prod")
    add_profile("us", healthy, "--group", "prod")
    capsys.readouterr()
    monkeypatch.setenv("BACKUPTUI_PASSWORD", failing.password)
    earlier_session("eu", failing)
    earlier_session("us", healthy)
    by_name = {entry["name"]: entry for entry in document(capsys, "-g", "prod")["appliances"]}
    assert set(by_name) == {"eu", "us"}
    assert by_name["eu"]["failed"] == 1 and by_name["eu"]["first_failure"]["cause"]
    assert by_name["us"]["failed"] == 0 and by_name["us"]["succeeded"] == 1
    assert by_name["us"]["first_failure"] is None and by_name["us"]["problem"] is None

    healthy.stop()  # one that cannot be asked: its entry says why, and the exit status is 1
    assert main(["status", "--all", "--since-last", "-t", "20"]) == 1
    text = capsys.readouterr().out
    assert re.search(r"^eu: Since you last looked \(.*0 backups succeeded, 1 failed\.$", text, re.M)
    assert re.search(r"^us: could not be asked: (?!us: )", text, re.M)
    entries = document(capsys, "--all", "-t", "20", code=1)["appliances"]
    us = next(entry for entry in entries if entry["name"] == "us")
    assert us["since"] is None and us["problem"].startswith("could not be asked: ")


@pytest.mark.parametrize("extra", [["--limit", "3"], ["--format", "csv"], ["--filter", "status:failed"]])
def test_options_that_mean_nothing_to_the_digest_are_refused(
    extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--url", "http://127.0.0.1:9", "--user", "u", "--since-last", *extra]) == 2
    assert "do not apply to it" in capsys.readouterr().err


def test_every_field_of_the_document_is_documented() -> None:
    from datetime import UTC, datetime, timedelta

    from backuptui.core.store.digest import compute_digest
    from backuptui.core.store.digest_document import SinceLast, since_last_document
    from tests.history_jobs import T0, job

    jobs = [job(day) for day in range(5)] + [job(5, "FAILED"), job(6, size=20_000_000_000)]
    digest = compute_digest(jobs, T0 + timedelta(days=4, hours=1), T0 + timedelta(days=7))
    assert digest.first_failure is not None and digest.moves
    doc = since_last_document([SinceLast("lab", "vcsa", digest, ("a line",))], generated_at=datetime.now(UTC))
    section = DOCS.read_text().split("`backuptui.since_last`, version 1)", 1)[1].split("\n## ", 1)[0]
    documented = {
        name
        for cell in re.findall(r"^\| (`[^|]+`) \|", section, re.M)
        for name in re.findall(r"`(\w+)`", cell)
    }
    entry = doc["appliances"][0]
    assert set(doc) <= documented and set(entry) <= documented
    for nested in (entry["first_failure"], entry["moves"][0]):
        assert all(f'"{key}"' in section for key in nested)
