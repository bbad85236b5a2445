"""A failure before the first success (TLS verification, connection refused) is said once where
the user looks: a notification with the reason and what to do, and the empty job list."""

from __future__ import annotations

from backuptui.core.appliance.errors import ApplianceUnreachable
from backuptui.core.watch.monitor import ConnectionState, Snapshot
from backuptui.tui.notices import connection_notices
from backuptui.tui.views import empty_list_text

REFUSED = ApplianceUnreachable("vcsa01", "connection refused", "Check that the appliance is up")


def test_the_first_failure_is_notified_once_with_the_reason() -> None:
    [notice] = connection_notices("vcsa01", ConnectionState.CONNECTING, ConnectionState.UNREACHABLE, REFUSED)
    assert notice.severity == "error" and notice.title == "Cannot connect to vcsa01"
    assert "connection refused" in notice.message and "Check that the appliance is up" in notice.message
    again = connection_notices("vcsa01", ConnectionState.UNREACHABLE, ConnectionState.UNREACHABLE, REFUSED)
    assert again == []


def test_the_empty_list_says_why() -> None:
    snapshot = Snapshot(
        "vcsa01", "https://vcsa01", None, True, connection=ConnectionState.UNREACHABLE, error=REFUSED
    )
    text = empty_list_text(snapshot, filtered=False)
    assert text.startswith("No data: ") and "connection refused" in text
