"""The profile picker: list, add, edit, delete and test saved appliances, and connect to one.

It works on the shared `ProfileStore` (the same file as `backuptui profile ...`), so every change is
validated and written atomically with the user's comments kept; a broken file is shown with its line
and key and never written. Connecting or testing finds the password the way the CLI does (keyring,
password_command, environment) and otherwise asks with the masked prompt; a typed password lives in
memory for the session and, where a keyring works, can be saved there after it was accepted
(that part: `profile_connect.py`; the table's columns: `profile_columns.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from backuptui.core.appliance.client import Timeouts
from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profile_session import ConnectionCheck
from backuptui.core.settings.profiles import Config, Profile, ProfileStore
from backuptui.core.settings.secrets import COMMAND_TIMEOUT, PasswordError, keyring_delete, probe_keyring
from backuptui.tui.screens.confirm import ConfirmScreen
from backuptui.tui.screens.profile_columns import COLUMNS, CONNECTED_MARK, DEFAULT_MARK, fitted_rows
from backuptui.tui.screens.profile_connect import PickerPasswordScreen, ProfileChoice, ProfileConnecting
from backuptui.tui.screens.profile_form import ProfileEdit, ProfileFormScreen
from backuptui.tui.worker_failures import ReportsWorkerFailures

__all__ = [
    "FIRST_RUN_HINT",
    "NO_DEFAULT_HINT",
    "ConfirmScreen",
    "PickerPasswordScreen",
    "ProfileChoice",
    "ProfilePickerScreen",
    "ProfilesApp",
]

FIRST_RUN_HINT = (
    "No appliance profiles yet. Press a to add one (you can also use 'backuptui profile add'), "
    "or quit with q and run 'backuptui --demo' to try backuptui on its built-in appliance simulator."
)
NO_DEFAULT_HINT = "Pick the appliance to watch (Enter), or press * to make the selected one the default."


class ProfilePickerScreen(ProfileConnecting, ReportsWorkerFailures, Screen[ProfileChoice | None]):
    """Dismisses with a `ProfileChoice` (connect) or None (Esc: back to where it was opened)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "connect", "Connect", id="profile-connect", priority=True),
        Binding("a", "add", "Add", id="profile-add"),
        Binding("e", "edit", "Edit", id="profile-edit"),
        Binding("x,delete", "delete", "Delete", id="profile-delete"),
        Binding("t", "test", "Test", id="profile-test"),
        Binding("asterisk", "make_default", "Default", key_display="*", id="profile-default"),
        Binding("r", "reload", "Reload", id="profile-reload", show=False),
        # priority like Enter, so that keys typed ahead ("j Enter", "down Enter") act in order:
        # a key the table handled itself would still wait in its queue when Enter connects
        Binding("j,down", "cursor(1)", "Down", id="profile-down", show=False, priority=True),
        Binding("k,up", "cursor(-1)", "Up", id="profile-up", show=False, priority=True),
        Binding("escape", "close", "Back", id="profile-close"),
        # on its own (first run) there is nothing to go back to: Esc quits, and says so
        Binding("escape", "quit_picker", "Quit", id="profile-quit"),
    ]

    DEFAULT_CSS = """
    ProfilePickerScreen { layout: vertical; }
    ProfilePickerScreen #picker-title { text-style: bold; padding: 0 1; }
    ProfilePickerScreen #picker-path { color: $text-muted; padding: 0 1; }
    ProfilePickerScreen #picker-hint { padding: 1 1 0 1; color: $text-accent; height: auto; }
    ProfilePickerScreen #profiles { height: 1fr; margin: 1 0 0 0; }
    ProfilePickerScreen #picker-result { height: auto; min-height: 1; padding: 0 1; margin: 1 0 0 0; }
    ProfilePickerScreen #picker-result.-ok { color: $text-success; }
    ProfilePickerScreen #picker-result.-error { color: $text-error; }
    """

    COLUMNS = COLUMNS
    CONNECTED_MARK = CONNECTED_MARK
    DEFAULT_MARK = DEFAULT_MARK

    def __init__(
        self,
        store: ProfileStore | None = None,
        *,
        current: str | None = None,
        hint: str | None = None,
        passwords: dict[str, Secret] | None = None,
        env: Mapping[str, str] | None = None,
        command_timeout: float = COMMAND_TIMEOUT,
        timeouts: Timeouts | None = None,
        current_state: Callable[[], str] | None = None,
    ) -> None:
        """`current`: the profile being watched (selected first); `current_state`: how its
        connection is now ("connected", "unreachable", "not logged in" ...: the monitor's state,
        read again each second); `passwords`: typed passwords kept for the session (shared with
        whoever opens the picker again); `env`: for tests."""
        super().__init__()
        self.store = store if store is not None else ProfileStore()
        self.current = current
        self.current_state = current_state
        self.hint = hint
        self.passwords = passwords if passwords is not None else {}
        self.env = env
        self.command_timeout = command_timeout
        self.timeouts = timeouts
        self.config: Config | None = None
        self.last_check: ConnectionCheck | None = None
        self._shown_room = 0  # the room the table was last fitted to

    def title_text(self) -> str:
        """`Appliance profiles (● unreachable, * default)`: the mark's word is the watched
        profile's state now (a picker opened without one says only which profile it is)."""
        legend = f"{self.DEFAULT_MARK} default"
        if self.current:
            state = self.current_state() if self.current_state is not None else "watched"
            legend = f"{self.CONNECTED_MARK} {state}, {legend}"
        return f"Appliance profiles ({legend})"

    def compose(self) -> ComposeResult:
        yield Label(self.title_text(), id="picker-title", markup=False)
        yield Label(str(self.store.path), id="picker-path", markup=False)
        yield Static(self.hint or "", id="picker-hint", markup=False)
        table: DataTable[Text] = DataTable(id="profiles", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="picker-result", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#profiles", DataTable)
        self.query_one("#picker-hint").display = bool(self.hint)
        self.reload(select=self.current)
        table.focus()
        if self.current and self.current_state is not None:
            self.set_interval(1.0, self._show_title)  # the watched appliance's state moves on

    def _show_title(self) -> None:
        title = self.query_one("#picker-title", Label)
        text = self.title_text()
        if str(title.render()) != text:
            title.update(text)

    def on_resize(self) -> None:
        if self.config is not None and self._room() != self._shown_room:
            self._show(self.config, self.selected_name)

    # -- the list ---------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Read the file again and show it; a broken file is shown as its error, never written."""
        previous = select or self.selected_name
        try:
            self.config = self.store.load()
        except ConfigError as exc:
            self.config = None
            self.query_one("#profiles", DataTable).clear()
            self.say(f"{exc}. Fix the file (or move it away), then press r to read it again.", error=True)
            return
        config = self.config
        # the first-run hint ("no profiles yet") goes once there is one
        self.query_one("#picker-hint").display = bool(self.hint) and not (
            self.hint == FIRST_RUN_HINT and config.profiles
        )
        self._show(config, previous)
        if not config.profiles and not self.hint:
            self.say("No profiles. Press a to add one.")

    def _room(self) -> int:
        """The cells the table's columns may take: the screen's width, less a scrollbar if the rows
        scroll."""
        table = self.query_one("#profiles", DataTable)
        room = self.size.width or self.app.size.width
        rows = len(self.config.profiles) if self.config is not None else 0
        if rows + 1 > max(1, table.size.height):
            room -= table.styles.scrollbar_size_vertical
        return room

    def _show(self, config: Config, select: str | None) -> None:
        """The table, its cells cut to the width of the screen (a resize shows it again)."""
        table = self.query_one("#profiles", DataTable)
        self._shown_room = room = self._room()
        widths, rows = fitted_rows(config, self.current, room)
        table.clear(columns=True)
        for label, width in zip(COLUMNS, widths, strict=True):
            table.add_column(label, width=width, key=label or "mark")
        for name, row in zip(config.profiles, rows, strict=True):
            table.add_row(*row, key=name)
        target = select if select in config.profiles else (config.default_profile or None)
        if target is not None:
            table.move_cursor(row=table.get_row_index(target))

    @property
    def selected_name(self) -> str | None:
        table = self.query_one("#profiles", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return None if row_key.value is None else str(row_key.value)

    @property
    def selected_profile(self) -> Profile | None:
        name = self.selected_name
        if self.config is None or name is None:
            return None
        return self.config.profiles.get(name)

    def say(self, message: str, *, ok: bool = False, error: bool = False) -> None:
        """Show a one-paragraph result under the list (untrusted text: never markup)."""
        result = self.query_one("#picker-result", Static)
        result.update(Text(message))
        result.set_class(ok, "-ok")
        result.set_class(error, "-error")

    def tell_notices(self) -> None:
        """What saving changed beyond the file (a directory's mode), as a warning notification."""
        for notice in self.store.notices:
            self.notify(notice, title="Configuration directory", severity="warning", markup=False)
        self.store.notices.clear()

    @property
    def result_text(self) -> str:
        return str(self.query_one("#picker-result", Static).content)

    def _need_profile(self) -> Profile | None:
        profile = self.selected_profile
        if profile is None:
            self.say("No profile selected. Press a to add one.", error=self.config is not None)
        return profile

    # -- actions ----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#profiles")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_connect()

    def action_connect(self) -> None:
        profile = self._need_profile()
        if profile is not None:
            self._connect(profile)

    def action_test(self) -> None:
        profile = self._need_profile()
        if profile is not None:
            self._test(profile)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_quit_picker(self) -> None:
        self.dismiss(None)  # the picker on its own: its app exits with no choice

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#profiles", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # One Esc binding shows at a time: "Back" over another screen, "Quit" when on its own.
        standalone = isinstance(self.app, ProfilesApp)
        if action == "close":
            return not standalone
        if action == "quit_picker":
            return standalone
        return True

    def action_reload(self) -> None:
        self.say("")
        self.reload()

    def action_add(self) -> None:
        if self.config is None:
            self.say(
                "The configuration file has an error; fix it first (press r to read it again).", error=True
            )
            return
        names = frozenset(self.config.profiles)
        self.app.push_screen(ProfileFormScreen(existing_names=names, is_default=not names), self._added)

    def _added(self, edit: ProfileEdit | None) -> None:
        if edit is None:
            return
        try:
            self.store.add_profile(edit.profile, make_default=edit.make_default)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return
        self.tell_notices()
        self.reload(select=edit.profile.name)
        self.say(f"Added profile '{edit.profile.name}'. Press t to test it, Enter to connect.", ok=True)

    def action_edit(self) -> None:
        profile = self._need_profile()
        if profile is None or self.config is None:
            return
        is_default = self.config.default_profile == profile.name
        self.app.push_screen(ProfileFormScreen(profile, is_default=is_default), self._edited)

    def _edited(self, edit: ProfileEdit | None) -> None:
        if edit is None or self.config is None:
            return
        was_default = self.config.default_profile == edit.profile.name
        try:
            self.store.update_profile(edit.profile, make_default=edit.make_default)
            if was_default and not edit.make_default:
                self.store.set_default(None)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return
        self.passwords.pop(edit.profile.name, None)  # a new user or host: ask again
        self.tell_notices()
        self.reload(select=edit.profile.name)
        self.say(f"Saved profile '{edit.profile.name}'.", ok=True)

    def action_delete(self) -> None:
        profile = self._need_profile()
        if profile is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(profile)

        self.app.push_screen(
            ConfirmScreen(
                f"Delete profile '{profile.name}' ({profile.url})? Its saved keyring password goes too.",
                yes="Delete",
                no="Keep",
            ),
            answered,
        )

    @work(exclusive=True, group="profile-delete", exit_on_error=False)
    async def _delete(self, profile: Profile) -> None:
        try:
            self.store.remove_profile(profile.name)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return
        self.tell_notices()
        self.passwords.pop(profile.name, None)
        note = ""
        if (await asyncio.to_thread(probe_keyring)).available:
            try:
                if await asyncio.to_thread(keyring_delete, profile.name):
                    note = " Its password was removed from the keyring."
            except PasswordError as exc:
                note = f" ({exc})"
        self.reload()
        self.say(f"Deleted profile '{profile.name}'.{note}", ok=True)

    def action_make_default(self) -> None:
        profile = self._need_profile()
        if profile is None:
            return
        try:
            self.store.set_default(profile.name)
        except ConfigError as exc:
            self.say(str(exc), error=True)
            return
        self.tell_notices()
        self.reload(select=profile.name)
        self.say(f"'{profile.name}' is now the default profile (opened by plain 'backuptui').", ok=True)


class ProfilesApp(App[ProfileChoice | None]):
    """The picker on its own: for a first run, or `backuptui` with profiles but no default."""

    TITLE = "backuptui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="quit-ctrl-c"),
    ]

    def __init__(self, picker: ProfilePickerScreen) -> None:
        super().__init__()
        self.picker = picker

    def on_mount(self) -> None:
        self.push_screen(self.picker, self.exit)
