"""SVG snapshots of the fleet screen at 80x24 and 120x40, a row in every state.

Deterministic by construction: the fleet's members never poll (the app is not started on the
fleet), and the rows are the core's own `FleetRow` values, handed to the app through the fleet's
`on_change` path exactly as a poll would; one fixed clock drives the ages; local time is UTC
(conftest). The end-to-end test (test_e2e_fleet.py) shows the same screen over real simulators.

Run `pytest tests/test_fleet_snapshots.py --snapshot-update` after a deliberate change of the
look, inspect the SVGs under `tests/__snapshots__/test_fleet_snapshots/`, and commit them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.pilot import Pilot

from backuptui.core.appliance.models import JobStatus
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profile_model import RefreshIntervals
from backuptui.core.settings.resolution import Resolution
from backuptui.core.settings.target import ConnectionTarget
from backuptui.core.watch.fleet import Fleet
from backuptui.core.watch.fleet_row import FleetRow, MemberState
from backuptui.core.watch.health import HealthLevel
from backuptui.core.watch.snapshot import ConnectionState
from backuptui.tui.fleet_app import FleetApp

NOW = datetime(2026, 11, 28, 9, 41, 0, tzinfo=UTC)
SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]
NEXT_RUN = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def live(name: str, level: HealthLevel, reason: str, **fields: Any) -> FleetRow:
    fields.setdefault("last_success_at", ago(hours=9))
    fields.setdefault("latest_status", JobStatus.SUCCEEDED)
    fields.setdefault("latest_started", ago(hours=9, minutes=20))
    fields.setdefault("next_run", NEXT_RUN)
    return FleetRow(
        name=name,
        host=f"{name}.example.com",
        state=MemberState.LIVE,
        level=level,
        reason=reason,
        connection=ConnectionState.LIVE,
        polled_at=ago(seconds=5),
        **fields,
    )


#: the demo fleet's states: healthy, one failed, one stale, one schedule missed, one unreachable,
#: one whose password is refused, one waiting for a password, two running
ROWS = (
    live(
        "vcsa-eu",
        HealthLevel.CRITICAL,
        "latest backup FAILED",
        latest_status=JobStatus.FAILED,
        latest_started=ago(hours=8, minutes=41),
        failures_24h=1,
        failures_7d=2,
        failure_cause="Backup server 192.0.2.10: no space left on device (wrote 3.1 of 4.0 GiB)",
    ),
    live(
        "vcsa-us",
        HealthLevel.CRITICAL,
        "last successful backup 4 d 02 h ago (critical over 3 d)",
        last_success_at=ago(days=4, hours=2),
        latest_started=ago(days=4, hours=2, minutes=15),
    ),
    live(
        "vcsa-ap",
        HealthLevel.WARNING,
        "scheduled backup 2026-11-28 01:00 UTC did not run",
        last_success_at=ago(days=1, hours=9),
    ),
    FleetRow(
        name="vcsa-dr",
        host="vcsa-dr.example.com",
        state=MemberState.UNREACHABLE,
        level=HealthLevel.UNKNOWN,
        reason="unreachable",
        connection=ConnectionState.UNREACHABLE,
        problem="vcsa-dr: cannot connect to vcsa-dr.example.com:443: connection refused. Check "
        "the address and that the appliance is up.",
    ),
    FleetRow(
        name="vcsa-lab",
        host="vcsa-lab.example.com",
        state=MemberState.LOGIN_REFUSED,
        level=HealthLevel.UNKNOWN,
        reason="login refused",
        connection=ConnectionState.AUTH_FAILED,
        problem="vcsa-lab: the appliance refused the login of 'administrator@vsphere.local' "
        "(HTTP 401). Check the user name and password.",
    ),
    FleetRow(
        name="vcsa-test",
        host="vcsa-test.example.com",
        state=MemberState.PASSWORD_NEEDED,
        level=HealthLevel.UNKNOWN,
        reason="password needed (no keyring entry for vcsa-test)",
    ),
    live(
        "vcsa-paris",
        HealthLevel.OK,
        "last good backup 9 h ago",
        latest_status=JobStatus.RUNNING,
        latest_started=ago(minutes=17),
        progress=0.47,
        eta=1103.0,
    ),
    live(
        "vcsa-tokyo",
        HealthLevel.OK,
        "last good backup 9 h ago",
        latest_status=JobStatus.RUNNING,
        latest_started=ago(minutes=3),
        progress=0.08,
        eta=None,
        failures_7d=1,
        failure_cause="tar: Cannot write: Broken pipe",
    ),
    *(live(f"vcsa-site{i:02d}", HealthLevel.OK, "last good backup 9 h ago") for i in range(1, 5)),
)


def build_app() -> FleetApp:
    resolutions = {
        row.name: Resolution(
            ConnectionTarget(
                f"http://127.0.0.1:9/{row.name}", "administrator@vsphere.local", Secret("x"), name=row.name
            ),
            RefreshIntervals(idle=30.0, running=2.0),
        )
        for row in ROWS
    }
    app = FleetApp(Fleet(resolutions, clock=lambda: NOW), clock=lambda: NOW, start=False)
    return app


async def show_rows(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, FleetApp)
    for row in ROWS:
        app.row_changed(row)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_fleet_every_state(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(build_app(), terminal_size=size, run_before=show_rows)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_fleet_filtered(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await show_rows(pilot)
        await pilot.press("slash", *"-verdict:ok", "enter")

    assert snap_compare(build_app(), terminal_size=size, run_before=before)
