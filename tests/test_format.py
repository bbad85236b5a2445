"""How values read on screen: units, durations, ages, local times, statuses, locations, unsafe text."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from backuptui.core.appliance.models import JobStatus
from backuptui.tui.format import (
    EMPTY,
    Tone,
    backup_age_tone,
    ellipsize,
    ellipsize_left,
    human_age,
    human_bytes,
    human_duration,
    human_rate,
    local_time,
    local_time_with_zone,
    one_line,
    percent_text,
    safe_text,
    short_local_time,
    shorten_location,
    status_label,
    status_tone,
)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, EMPTY),
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.00 KiB"),
        (1536, "1.50 KiB"),
        (734003200, "700 MiB"),
        (1843200000, "1.72 GiB"),
        (15 * 1024**3, "15.0 GiB"),
        (1000 * 1024**2, "0.98 GiB"),
        (3 * 1024**6, "3072 PiB"),
    ],
)
def test_human_bytes(size: int | None, text: str) -> None:
    assert human_bytes(size) == text


def test_human_rate() -> None:
    assert human_rate(None) == EMPTY
    assert human_rate(14.2 * 1024**2) == "14.2 MiB/s"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, EMPTY),
        (0, "0s"),
        (-3, "0s"),
        (45, "45s"),
        (185, "3m 05s"),
        (3720, "1h 02m"),
        (183600, "2d 03h"),
    ],
)
def test_human_duration(seconds: int | None, text: str) -> None:
    assert human_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "never"),
        (0.2, "just now"),
        (12, "12 s ago"),
        (300, "5 min ago"),
        (3 * 3600 + 5, "3 h ago"),
        (47 * 3600, "47 h ago"),
        (4 * 86400 + 10, "4 d ago"),
        (3 * 86400 + 8 * 3600, "3 d 08 h ago"),
    ],
)
def test_human_age(seconds: float | None, text: str) -> None:
    assert human_age(seconds) == text


def test_local_time_uses_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime(2026, 11, 28, 21, 17, 3, tzinfo=UTC)
    assert local_time(moment) == "2026-11-28 21:17:03"
    assert local_time(moment, seconds=False) == "2026-11-28 21:17"
    assert short_local_time(moment) == "11-28 21:17"
    assert short_local_time(None) == EMPTY
    assert local_time_with_zone(moment) == "2026-11-28 21:17:03 UTC"
    assert local_time(None) == EMPTY
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        assert local_time(moment) == "2026-11-28 22:17:03"
        assert local_time_with_zone(moment) == "2026-11-28 22:17:03 CET"
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


def test_status_label_reads_without_colour() -> None:
    assert status_label(JobStatus.SUCCEEDED) == "✔ SUCCEEDED"
    assert status_label(JobStatus.FAILED) == "✖ FAILED"
    assert status_label(JobStatus.RUNNING) == "▶ RUNNING"
    assert status_tone(JobStatus.FAILED) is Tone.BAD
    assert status_tone(JobStatus.SUCCEEDED) is Tone.GOOD


def test_unknown_status_is_shown_as_it_is() -> None:
    status = JobStatus("CANCELLED")
    assert not status.is_known
    assert status_label(status) == "? CANCELLED"
    assert status_tone(status) is Tone.NEUTRAL


@pytest.mark.parametrize(
    ("age", "tone"),
    [
        (None, Tone.BAD),
        (0, Tone.GOOD),
        (86400, Tone.GOOD),
        (86401, Tone.WARNING),
        (3 * 86400 - 1, Tone.WARNING),
        (3 * 86400, Tone.BAD),
    ],
)
def test_backup_age_thresholds(age: float | None, tone: Tone) -> None:
    assert backup_age_tone(age) is tone


def test_percent_text_never_rounds_up_to_done() -> None:
    assert percent_text(None) == EMPTY
    assert percent_text(99.9) == "99%"
    assert percent_text(100.0) == "100%"
    assert percent_text(-1) == "0%"


def test_control_characters_become_visible() -> None:
    hostile = "ok\x1b[31mred\x1b]52;c;AAAA\x07 \x9b2J \u202egnp.exe\x7f"
    cleaned = safe_text(hostile)
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x9b" not in cleaned
    assert "\u202e" not in cleaned and "\x7f" not in cleaned
    assert cleaned.startswith("ok␛[31mred␛]52;c;AAAA␇ ")
    assert "\\x9b" in cleaned and "\\u202e" in cleaned
    # markup-looking text is untouched: escaping markup is the widgets' job (they use Text)
    assert safe_text("[bold]x[/]") == "[bold]x[/]"
    assert safe_text("a\nb") == "a\nb"


def test_one_line_collapses_breaks() -> None:
    assert one_line("  first\n\tsecond\r\nthird ") == "first second third"
    assert one_line("bell\x07") == "bell␇"


def test_ellipsize() -> None:
    assert ellipsize("abcdef", 10) == "abcdef"
    assert ellipsize("abcdef", 4) == "abc…"
    assert ellipsize("abcdef", 0) == ""
    assert ellipsize_left("abcdef", 4) == "…def"


LOCATION = "sftp://192.0.2.10/backups/vcsa01/vCenter/sn_vcsa01.example.com/S_8.0.2.00100_20240316-020004_"


def test_location_keeps_host_and_tail() -> None:
    assert shorten_location(LOCATION, 44) == "192.0.2.10/…/S_8.0.2.00100_20240316-020004_"
    assert shorten_location(LOCATION, 200) == LOCATION.removeprefix("sftp://")


def test_location_never_hides_that_folders_were_left_out() -> None:
    # whenever a part of the path is left out, an ellipsis says so
    for width in range(8, 90):
        short = shorten_location(LOCATION, width)
        assert len(short) <= width
        if not LOCATION.removeprefix("sftp://").endswith(short):
            assert "…" in short, (width, short)
    assert shorten_location(LOCATION, 40) == "192.0.2.…/S_8.0.2.00100_20240316-020004_"
    assert shorten_location(LOCATION, 42) == "192.0.2.10…/S_8.0.2.00100_20240316-020004_"


def test_location_narrow_keeps_the_folder_name() -> None:
    for width in (10, 20, 30, 40):
        short = shorten_location(LOCATION, width)
        assert len(short) <= width
        assert short.endswith("020004_")


def test_location_hides_user_and_keeps_port() -> None:
    short = shorten_location("nfs://backup@nas.example.com:2049/vol/backups", 40)
    assert short == "nas.example.com:2049/vol/backups"


def test_location_without_scheme_keeps_the_tail() -> None:
    assert shorten_location("/srv/backups/vcsa/2026-11-28", 15) == "…csa/2026-11-28"
    assert shorten_location("/srv/backups", 15) == "/srv/backups"


def test_location_with_hostile_text_is_safe() -> None:
    short = shorten_location("sftp://h/\x1b[2Jpath", 40)
    assert "\x1b" not in short
