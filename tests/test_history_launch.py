"""Where the monitor's history comes from: the user's data directory, a temporary one for the demo
(nothing under the user's directories), or none (`--no-history`, `history = false`)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from backuptui.core.settings.profile_model import HistorySettings
from backuptui.core.settings.target import ConnectionTarget
from backuptui.core.store.opening import open_history
from backuptui.tui.launch import _open_history

TARGET = ConnectionTarget(url="http://127.0.0.1:9", user="u", password=None, name="lab")


def test_the_user_store_lives_in_the_data_directory(tmp_path: Path) -> None:
    with ExitStack() as stack:
        history, notice = _open_history(TARGET, HistorySettings(), "user", stack)
        assert history is not None and notice is None and history.writer is not None
        assert history.writer.store.path == tmp_path / "xdg-data" / "backuptui" / "history.sqlite3"
        assert history.identity.profile == "lab" and history.identity.host == "127.0.0.1:9"


def test_the_demo_writes_nothing_under_the_users_directories(tmp_path: Path) -> None:
    with ExitStack() as stack:
        history, _ = _open_history(TARGET, HistorySettings(), "temporary", stack)
        assert history is not None and history.writer is not None
        temporary = history.writer.store.path
        assert temporary.exists() and tmp_path not in temporary.parents
    assert not temporary.exists()  # removed with its directory
    assert not (tmp_path / "xdg-data").exists()


def test_no_history_and_history_false_open_nothing(tmp_path: Path) -> None:
    with ExitStack() as stack:
        assert _open_history(TARGET, HistorySettings(), "off", stack) == (None, None)
        assert _open_history(TARGET, HistorySettings(enabled=False), "user", stack) == (None, None)
    assert open_history(HistorySettings(enabled=False)).store is None
    assert not (tmp_path / "xdg-data").exists()


def test_a_store_that_cannot_be_opened_is_a_notice_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "xdg-data").write_text("a file where the directory should be")
    with ExitStack() as stack:
        history, notice = _open_history(TARGET, HistorySettings(), "user", stack)
    assert history is None
    assert notice is not None and notice.startswith("backup history off:") and "goes on without it" in notice
