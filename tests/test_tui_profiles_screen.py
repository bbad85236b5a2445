"""The profile picker as read on the screen: keys, marks, words that read without colour."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import fail
from pilot_waits import wait_until
from screen_text import screen_text
from textual.app import App, ComposeResult
from textual.widgets import Footer

from backuptui.core.settings.profiles import Profile, ProfileStore
from backuptui.tui.screens.profile_form import ProfileFormScreen
from backuptui.tui.screens.profiles import FIRST_RUN_HINT, ConfirmScreen, ProfilePickerScreen, ProfilesApp

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def add(name: str, url: str, user: str = "administrator@vsphere.local") -> None:
    ProfileStore().add_profile(Profile(name, url, user))


@pytest.mark.parametrize("size", SIZES)
async def test_j_and_k_move_and_the_connected_profile_is_marked(size: tuple[int, int]) -> None:
    add("lab", "vcsa-lab.example.com")
    add("prod", "vcsa01.example.com")
    add("test", "vcsa-test.example.com")
    app = ProfilesApp(ProfilePickerScreen(current="prod", env={}, current_state=lambda: "connected"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.picker.selected_name == "prod"  # the connected one is selected first
        await pilot.press("j")
        assert app.picker.selected_name == "test"
        await pilot.press("k", "k")
        assert app.picker.selected_name == "lab"
        text = screen_text(app)
        assert "● connected" in text
        prod_row = next(line for line in text.splitlines() if " prod " in line)
        assert "●" in prod_row
        assert "administrator@vsphere.local" in text  # the User column is not cut


@pytest.mark.parametrize("size", SIZES)
async def test_plain_http_says_no_tls_and_first_run_esc_says_quit(size: tuple[int, int]) -> None:
    add("sim", "http://127.0.0.1:18400")
    app = ProfilesApp(ProfilePickerScreen(hint=FIRST_RUN_HINT, env={}))
    async with app.run_test(size=size) as pilot:
        for _ in range(200):  # the footer is composed a frame or more after the table
            await pilot.pause(0.01)
            text = screen_text(app)
            if text.splitlines()[-1].strip():
                break
        sim_row = next(line for line in text.splitlines() if " sim " in line)
        assert "no TLS" in sim_row and "verified" not in sim_row
        footer = text.splitlines()[-1]
        assert "esc Quit" in footer and "Back" not in footer
        await pilot.press("escape")
    assert app.return_value is None


class Host(App[None]):
    """Any app with a screen below the picker: there Esc goes back."""

    def compose(self) -> ComposeResult:
        yield Footer()


async def test_over_another_screen_esc_says_back() -> None:
    add("lab", "vcsa-lab.example.com")
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ProfilePickerScreen(env={}))
        # the footer paints after the screen (a frame later on a loaded machine)
        await wait_until(pilot, lambda: screen_text(app).splitlines()[-1].strip() != "", "the footer")
        assert "esc Back" in screen_text(app).splitlines()[-1]


@pytest.mark.parametrize("size", SIZES)
async def test_checkboxes_read_without_colour(size: tuple[int, int]) -> None:
    app = Host()
    async with app.run_test(size=size) as pilot:
        await app.push_screen(ProfileFormScreen(is_default=False))
        await pilot.pause()
        text = screen_text(app)
        assert "[x] Verify the TLS certificate" in text
        assert "[ ] Default profile" in text


@pytest.mark.parametrize("size", SIZES)
async def test_the_delete_question_is_shown_whole(size: tuple[int, int]) -> None:
    app = Host()
    question = "Delete profile 'lab' (https://vcsa-lab.example.com:443)? Its saved keyring password goes too."
    async with app.run_test(size=size) as pilot:
        await app.push_screen(ConfirmScreen(question, yes="Delete", no="Keep"))
        await pilot.pause()
        flat = " ".join(" ".join(line.strip(" █").split()) for line in screen_text(app).splitlines())
        assert "Its saved keyring password goes too." in " ".join(flat.split())


@pytest.mark.parametrize("size", SIZES)
async def test_a_long_url_gives_way_to_the_user(size: tuple[int, int]) -> None:
    add("east", "https://vcsa01.datacenter-east.example.com:5480")
    add("sim", "http://127.0.0.1:18400")
    app = ProfilesApp(ProfilePickerScreen(env={}))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "administrator@vsphere.local" in text, text


LONG_NAME, LONG_USER = "production-frankfurt-primary", "svc-backup-monitor@corp.example.local"


@pytest.mark.parametrize("size", SIZES)
async def test_a_long_name_and_a_long_user_fit_the_width(size: tuple[int, int]) -> None:
    """Every column stays on the screen; what gives way is cut with '…', never wrapped."""
    add("lab", "http://127.0.0.1:18400")
    add(LONG_NAME, "vcsa01.frankfurt.example.com", LONG_USER)
    app = ProfilesApp(ProfilePickerScreen(current="lab", env={}))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Name" in line)
        assert header.split() == ["Name", "Host", "or", "URL", "TLS", "Password", "User"]
        lab_row = next(line for line in lines if " lab " in line)
        long_row = next(line for line in lines if "production-" in line)
        assert "127.0.0.1:18400" in lab_row  # the port is never cut
        if size[0] == 80:
            name, user = long_row.split()[0], long_row.split()[-1]
            assert name.startswith("production-fran") and name.endswith("…")
            assert user.startswith("svc-backup-mon") and user.endswith("…")
            assert lab_row.split()[-1].startswith("administrator@")
        else:  # room for the name and the users, whole
            assert LONG_NAME in long_row and LONG_USER in long_row
            assert "administrator@vsphere.local" in lab_row
        await pilot.resize_terminal(120 if size[0] == 80 else 80, size[1])
        await pilot.pause()
        long_row = next(line for line in screen_text(app).splitlines() if "production-" in line)
        assert (LONG_USER in long_row) == (size[0] == 80)  # a resize fits the table again


def test_the_columns_give_way_host_first_then_the_widest() -> None:
    from backuptui.tui.screens.profile_columns import fit_widths, short_url

    natural = [2, 28, 28, 12, 8, 37]  # mark, name, host, TLS, password, user
    assert fit_widths(natural, 200) == natural
    assert fit_widths(natural, 120) == [2, 28, 21, 12, 8, 37]  # the host alone
    assert fit_widths(natural, 80) == [2, 16, 15, 12, 8, 15]
    assert fit_widths(natural, 40) == [2, 10, 10, 12, 8, 10]  # the floors: the table scrolls
    assert short_url("https://vcsa01.example.com", 40) == "vcsa01.example.com"
    assert short_url("http://127.0.0.1:18400", 22) == "http://127.0.0.1:18400"
    assert short_url("http://127.0.0.1:18400", 15) == "127.0.0.1:18400"
    assert short_url("https://vcsa01.frankfurt.example.com:8443", 16) == "vcsa01.fra…:8443"
