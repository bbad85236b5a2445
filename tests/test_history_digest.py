""" "Since you last looked" for a fixed clock: two sessions apart with a failure in between, in the
core, on the monitor's panel (dismissed with x), and in `backuptui status --since-last`."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from test_tui_history import IDENTITY, Bench, bench  # noqa: F401 (the fixture)

from backuptui.cli import main
from backuptui.core.store import HistoryStore, Identity, history_path
from backuptui.core.store.digest import compute_digest
from backuptui.core.watch.snapshot import Snapshot
from backuptui.core.watch.timing import job_finished
from backuptui.simulator import Simulator
from backuptui.tui.digest_text import digest_lines
from backuptui.tui.widgets.digest_panel import DigestPanel
from tests.history_jobs import T0, job, snapshot

LAB = Identity("lab", "vcsa01.example.com")


def test_two_sessions_apart_with_a_failure_in_between(tmp_path: Path) -> None:
    clock = [T0 + timedelta(days=3, hours=2)]
    store = HistoryStore.open(tmp_path / "h.sqlite3", clock=lambda: clock[0])
    first = [job(day) for day in range(4)]  # four nightly successes, 5 GB each
    store.record_poll(LAB, snapshot(first, taken_at=clock[0]))
    store.end_session(LAB)  # the first session ends on day 3, 02:00 after T0
    store.close()
    later = [*first, job(4, "FAILED"), job(5, size=10_000_000_000)]  # a failure, then a big one
    now = T0 + timedelta(days=5, hours=12)
    cached = HistoryStore.open(tmp_path / "h.sqlite3").load(LAB)
    assert cached is not None and cached.last_session_end == T0 + timedelta(days=3, hours=2)
    digest = compute_digest(later, cached.last_session_end, now)
    assert (digest.succeeded, digest.failed) == (1, 1)
    assert digest.first_failure is not None and digest.first_failure.id == later[4].id
    # from the day-3 success (ended 23:20) to the day-5 one: 48 hours without a success
    assert digest.longest_gap == timedelta(hours=48)
    assert [(m.what, round(m.change, 2)) for m in digest.moves] == [("size", 1.0)]
    lines = digest_lines(digest)
    assert lines[0] == "Since you last looked (2026-11-24 01:00, 2 d 10 h ago): 1 backup succeeded, 1 failed."
    assert lines[1] == "First failure 2026-11-24 23:00: No space left on device"
    assert lines[2] == "Longest gap without a success: 2 d (from 2026-11-23 23:20)"
    assert lines[3].startswith("The 2026-11-25 23:00 backup's size: 9.31 GiB (+100% from the usual 4.66 GiB)")
    # nothing since: nothing to say
    assert compute_digest(first, cached.last_session_end, now).is_empty


CANCELED_ERROR = {
    "error_type": "CANCELED",
    "messages": [
        {"id": "com.vmware.applmgmt.backup.job.canceled", "default_message": "The backup job was "
         "canceled by the user.", "args": []}
    ],
}  # fmt: skip


def test_a_cancel_is_counted_apart_from_the_failures_and_never_the_first_failure() -> None:
    from backuptui.core.store.digest_document import SinceLast, appliance_document

    since = T0 + timedelta(hours=12)
    canceled = job(1, "FAILED", error=CANCELED_ERROR)  # as the appliance writes a user's cancel
    jobs = [job(0), canceled, job(2, "FAILED"), job(3)]
    digest = compute_digest(jobs, since, T0 + timedelta(days=4))
    assert (digest.succeeded, digest.failed, digest.canceled) == (1, 1, 1)
    assert digest.first_failure is not None and digest.first_failure.id == jobs[2].id  # not the cancel
    lines = digest_lines(digest)
    assert lines[0].endswith(": 1 backup succeeded, 1 failed, 1 canceled.")
    assert lines[1] == "First failure 2026-11-22 23:00: No space left on device"
    document = appliance_document(SinceLast("lab", "vcsa01.example.com", digest, tuple(lines)))
    assert (document["failed"], document["canceled"]) == (1, 1)
    assert document["first_failure"]["id"] == jobs[2].id
    # a cancel alone: no failure, but something to say (and no "canceled" part without one)
    alone = compute_digest([job(0), canceled], since, T0 + timedelta(days=2))
    assert not alone.is_empty and (alone.failed, alone.canceled, alone.first_failure) == (0, 1, None)
    assert digest_lines(alone)[0].endswith(": 0 backups succeeded, 0 failed, 1 canceled.")
    plain = compute_digest([job(0), job(2, "FAILED")], since, T0 + timedelta(days=3))
    assert "canceled" not in digest_lines(plain)[0]
    # the fleet row's marker: a failure first, else the cancel (no app needed to read a digest)
    from backuptui.tui.fleet_memory import FleetMemory

    memory = FleetMemory(app=None, history=None)
    memory.digests.update(both=digest, alone=alone)
    assert memory.since_last("both") == ("since last: 1 failed", lines[0])
    assert memory.since_last("alone") == ("since last: 1 canceled", digest_lines(alone)[0])


def test_a_backup_the_appliance_clock_ends_after_our_now_still_counts() -> None:
    """The appliance's clock ahead of the jump host's (NTP adrift): the backup that just ended there
    ends "in the future" here. It is counted, and the gap without a success ends at it, not before."""
    earlier, failed, latest = job(0), job(1, "FAILED"), job(2)  # each ends 20 minutes after its start
    since = T0 + timedelta(hours=12)
    ended = job_finished(latest)
    assert ended is not None
    now = ended - timedelta(minutes=2)  # our clock two minutes behind the appliance's
    digest = compute_digest([earlier, failed, latest], since, now)
    assert (digest.succeeded, digest.failed) == (1, 1)
    first = job_finished(earlier)
    assert first is not None and digest.longest_gap == now - first  # up to the latest, seen as now


def test_the_panel_breaks_its_lines_between_phrases() -> None:
    from backuptui.tui.widgets.phrased_text import pack, phrases

    head = "Since you last looked (2026-12-02 07:42, 25 s ago): 5 backups succeeded, 1 failed."
    assert phrases(head) == [
        "Since you last looked (2026-12-02 07:42, 25 s ago):",
        "5 backups succeeded,",
        "1 failed.",
    ]
    assert pack([*phrases(head), "(x: dismiss)"], 76) == [
        "Since you last looked (2026-12-02 07:42, 25 s ago): 5 backups succeeded,",
        "1 failed. (x: dismiss)",
    ]
    assert pack(phrases(head), 200) == [head]
    assert phrases("First failure 2026-11-24 23:00: disk full, retry") == [
        "First failure 2026-11-24 23:00:",
        "disk full,",
        "retry",
    ]


def _older_session(store: HistoryStore, identity: Identity, full: Snapshot, skip: int) -> None:
    """A session that saw all but the newest `skip` jobs, and ended a minute after the job before them."""
    older = full.jobs[skip:]
    seen = replace(full, jobs=older, by_id=MappingProxyType({j.id: j for j in older}))
    store.record_poll(identity, seen)
    ended = job_finished(older[0])
    assert ended is not None
    store.end_session(identity, ended + timedelta(minutes=1))


async def test_the_monitor_shows_the_digest_once_and_x_dismisses_it(bench: Bench) -> None:  # noqa: F811
    sim = bench.simulator(20, scenario="latest-failed")
    monitor = bench.monitor(sim)
    store = HistoryStore.open(bench.path, clock=bench.clock)
    _older_session(store, IDENTITY, await monitor.poll(), skip=1)
    store.close()
    await monitor.close()
    app = bench.app(bench.monitor(sim))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.main_screen.query_one(DigestPanel)
        assert not panel.display
        app.apply_snapshot(await app.monitor.poll())
        await pilot.pause()
        assert panel.display
        text = str(panel.render())
        lines = text.split("\n")
        assert "Since you last looked" in text and "0 backups succeeded, 1 failed" in " ".join(lines)
        # at 80 columns the headline breaks between its phrases, never inside one
        assert any(line.startswith("1 failed.") for line in lines) or "1 failed." in lines[0]
        assert all(len(line) <= panel.content_size.width for line in lines), lines
        failed = app.snapshot.jobs[0]
        assert failed.problem and failed.problem[:30] in text
        assert "(x: dismiss)" in text
        await pilot.press("x")
        await pilot.pause()
        assert not panel.display
        app.apply_snapshot(await app.monitor.poll(full=True))  # once per session
        await pilot.pause()
        assert not panel.display


def test_status_since_last_prints_the_digest(
    simulator_factory: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim: Simulator = simulator_factory(jobs=20, scenario="latest-failed")
    assert (
        main(["profile", "add", "lab", "--url", sim.url, "--user", sim.user, "--password-source", "env"]) == 0
    )
    monkeypatch.setenv("BACKUPTUI_PASSWORD", sim.password)
    assert main(["status", "-p", "lab", "--since-last"]) == 0
    assert "no earlier monitor session" in capsys.readouterr().out

    from backuptui.core.appliance.client import ApplianceClient
    from backuptui.core.appliance.secret import Secret
    from backuptui.core.watch.monitor import Monitor

    async def first_session() -> None:
        monitor = Monitor(ApplianceClient(sim.url, sim.user, Secret(sim.password), name="lab"))
        store = HistoryStore.open(history_path())
        _older_session(store, Identity.of("lab", sim.url), await monitor.poll(), skip=1)
        store.close()
        await monitor.close()

    asyncio.run(first_session())
    assert main(["status", "-p", "lab", "--since-last"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("lab: Since you last looked (") and "0 backups succeeded, 1 failed." in out
    assert "\n  First failure " in out
    # --history: the stored jobs join the appliance's (none dropped here: the same count)
    assert main(["status", "-p", "lab", "--history", "--json"]) == 0
