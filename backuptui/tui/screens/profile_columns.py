"""The profile picker's table: its columns, and cells cut to fit the width.

At 80 columns a long profile name, host and user do not all fit. Those three give way with `…`, never
wrapped: the host first, then the widest of the three, so that each keeps its most telling start
(the user's name before its domain, the host name and its port, the profile name); the marks, the
TLS and password words are never cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from backuptui.core.settings.profiles import Config, Profile
from backuptui.tui.format import ellipsize

COLUMNS = ("", "Name", "Host or URL", "TLS", "Password", "User")
#: the first column's marks, read without colour (the title line explains them)
CONNECTED_MARK = "●"
DEFAULT_MARK = "*"

_NAME, _HOST, _USER = 1, 2, 5
#: the host gives way first, down to this (the end of a host name is the domain all share)
HOST_FIRST = 16
#: then the widest of these, on a tie the user (its domain tells least), then the host, then the
#: name (what `-p` takes), each down to `FLOOR`
GIVE_WAY = (_USER, _HOST, _NAME)
FLOOR = 10
#: the table's cell padding: one column each side of every cell
PADDING = 2


def short_url(url: str, width: int) -> str:
    """The URL without `https://` (the TLS column says how it connects); cut to `width`, it loses
    `http://` too (the TLS column says "no TLS"), then the end of the host name, never the port."""
    text = (url[len("https://") :] if url.lower().startswith("https://") else url).rstrip("/")
    if len(text) <= width:
        return text
    if text.lower().startswith("http://"):
        text = text[len("http://") :]
        if len(text) <= width:
            return text
    host, colon, port = text.rpartition(":")
    if not colon or not port.isdigit() or len(port) + 2 > width // 2:
        return ellipsize(text, width)
    return ellipsize(host, width - len(port) - 1) + ":" + port


def fit_widths(widths: Sequence[int], room: int) -> list[int]:
    """Column widths (their text, without padding) that fit `room` cells: the host gives way down
    to `HOST_FIRST`, then the widest of `GIVE_WAY` one cell at a time down to `FLOOR`; what still
    does not fit is left to the table's scrolling."""
    fitted = list(widths)
    over = sum(fitted) + PADDING * len(fitted) - room
    host_cut = max(0, min(over, fitted[_HOST] - HOST_FIRST))
    fitted[_HOST] -= host_cut
    over -= host_cut
    while over > 0:
        widest = max(GIVE_WAY, key=lambda column: fitted[column])  # the first of a tie
        if fitted[widest] <= FLOOR:
            break
        fitted[widest] -= 1
        over -= 1
    return fitted


def profile_cells(profile: Profile, config: Config, current: str | None) -> tuple[Text, ...]:
    """One profile's row, uncut."""
    mark = (CONNECTED_MARK if profile.name == current else "") + (
        DEFAULT_MARK if profile.name == config.default_profile else ""
    )
    tls = Text(profile.tls_word)
    if profile.url.lower().startswith("http://"):
        tls.stylize("bold")  # plain HTTP: nothing is verified or encrypted
    elif not profile.verify_tls:
        tls.stylize("bold red")
    url = Text(short_url(profile.url, 10_000))
    return (Text(mark), Text(profile.name), url, tls, Text(profile.password_word), Text(profile.username))


def fitted_rows(config: Config, current: str | None, room: int) -> tuple[list[int], list[tuple[Text, ...]]]:
    """The column widths and every profile's row, cut to fit `room` cells."""
    profiles = list(config.profiles.values())
    rows = [profile_cells(profile, config, current) for profile in profiles]
    natural = [max([len(label), *(row[i].cell_len for row in rows)]) for i, label in enumerate(COLUMNS)]
    widths = fit_widths(natural, room)
    cut_rows = []
    for profile, row in zip(profiles, rows, strict=True):
        cells = list(row)
        cells[_NAME] = Text(ellipsize(profile.name, widths[_NAME]))
        cells[_HOST] = Text(short_url(profile.url, widths[_HOST]))
        cells[_USER] = Text(ellipsize(profile.username, widths[_USER]))
        cut_rows.append(tuple(cells))
    return widths, cut_rows
