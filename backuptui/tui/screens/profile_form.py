"""Add or edit a profile: a small form that validates like the config file does, before anything is saved.

There is no password field on purpose: a profile says where its password comes from; the password
itself is typed in the masked prompt when connecting (and, if a keyring works, saved there).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from backuptui.core.settings.profiles import Profile, RefreshIntervals, check_profile_name, check_url
from backuptui.core.settings.secrets import PasswordSource
from backuptui.tui.typeahead import FreshKeys

SOURCE_OPTIONS: tuple[tuple[str, str], ...] = (
    ("auto: keyring, command, environment, then ask", "auto"),
    ("keyring: the OS keyring", str(PasswordSource.KEYRING)),
    ("command: a password manager command", str(PasswordSource.COMMAND)),
    ("env: BACKUPTUI_PASSWORD", str(PasswordSource.ENV)),
    ("prompt: ask every time", str(PasswordSource.PROMPT)),
)


class TickBox(Checkbox):
    """A checkbox that reads without colour: `[x]` ticked, `[ ]` not (Textual's own draws the
    same block either way and tells them apart by colour only)."""

    # A private attribute of Textual's ToggleButton, overridden: it has no public way to draw
    # the button differently when on and off (BUTTON_INNER is one glyph for both states).
    @property
    def _button(self) -> Content:
        return Content.styled("[x]" if self.value else "[ ]", self.get_visual_style("toggle--button"))


@dataclass(frozen=True)
class ProfileEdit:
    """What the form produced: the profile to save, and whether it becomes the default."""

    profile: Profile
    make_default: bool


class ProfileFormScreen(FreshKeys, ModalScreen[ProfileEdit | None]):
    """Dismisses with a valid `ProfileEdit`, or None when cancelled. Saving is the caller's job."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="profile-form-cancel"),
        Binding("ctrl+s", "save", "Save", id="profile-form-save"),
    ]

    DEFAULT_CSS = """
    ProfileFormScreen { align: center middle; }
    ProfileFormScreen > VerticalScroll {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ProfileFormScreen #form-title { text-style: bold; margin-bottom: 1; }
    ProfileFormScreen .row { height: auto; }
    ProfileFormScreen .row > Label { width: 20; padding-right: 1; }
    ProfileFormScreen .row > Input, ProfileFormScreen .row > Select { width: 1fr; }
    ProfileFormScreen #verify-tls { margin-top: 1; }
    ProfileFormScreen #form-error { color: $text-error; height: auto; margin-top: 1; }
    ProfileFormScreen #form-buttons { height: auto; align-horizontal: right; }
    ProfileFormScreen #form-buttons Button { margin-left: 2; }
    """

    def __init__(
        self,
        profile: Profile | None = None,
        *,
        is_default: bool = False,
        existing_names: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.original = profile
        self.is_default = is_default
        self.existing_names = existing_names

    def compose(self) -> ComposeResult:
        profile = self.original
        command = profile.password_command if profile else None
        refresh = profile.refresh if profile else None
        with VerticalScroll():
            title = f"Edit profile '{profile.name}'" if profile else "Add an appliance profile"
            yield Label(title, id="form-title", markup=False)
            yield from self._row(
                "Name",
                Input(profile.name if profile else "", id="name", compact=True, disabled=bool(profile)),
            )
            yield from self._row(
                "Host or URL",
                Input(
                    profile.url if profile else "",
                    placeholder="vcsa01.example.com or https://host:443",
                    id="url",
                    compact=True,
                ),
            )
            yield from self._row(
                "User name",
                Input(
                    profile.username if profile else "administrator@vsphere.local",
                    id="username",
                    compact=True,
                ),
            )
            source = str(profile.password_source) if profile and profile.password_source else "auto"
            yield from self._row(
                "Password source",
                Select(SOURCE_OPTIONS, value=source, allow_blank=False, id="password-source", compact=True),
            )
            yield from self._row(
                "Password command",
                Input(
                    _command_text(command),
                    placeholder="e.g. pass show vcsa/lab (first line of its output)",
                    id="password-command",
                    compact=True,
                ),
            )
            yield from self._row(
                "CA bundle (PEM)",
                Input(
                    (profile.ca_bundle or "") if profile else "",
                    placeholder="optional",
                    id="ca-bundle",
                    compact=True,
                ),
            )
            yield from self._row(
                "Refresh (s)",
                Input(
                    _refresh_text(refresh),
                    placeholder="IDLE or IDLE,RUNNING, e.g. 30,2 (empty: default)",
                    id="refresh",
                    compact=True,
                ),
            )
            yield TickBox(
                "Verify the TLS certificate",
                profile.verify_tls if profile else True,
                id="verify-tls",
                compact=True,
            )
            yield TickBox("Default profile", self.is_default, id="make-default", compact=True)
            yield Label("", id="form-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Save", variant="primary", id="form-save", compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)

    @staticmethod
    def _row(label: str, field: Input | Select[str]) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label(label)
            yield field

    def on_mount(self) -> None:
        self.query_one("#url" if self.original else "#name", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            edit = self._read_form()
        except ValueError as exc:
            self.query_one("#form-error", Label).update(str(exc))
            return
        self.dismiss(edit)

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _read_form(self) -> ProfileEdit:
        name = self._value("name")
        if self.original is None:
            if not name:
                raise ValueError("Name: give the profile a name, e.g. lab or prod")
            check_profile_name(name)
            if name in self.existing_names:
                raise ValueError(f"Name: a profile named '{name}' already exists")
        else:
            name = self.original.name
        try:
            url = check_url(self._value("url"))
        except ValueError as exc:
            raise ValueError(f"Host or URL: the appliance address {exc}") from None
        username = self._value("username")
        if not username:
            raise ValueError("User name: required, e.g. administrator@vsphere.local")
        source_value = self.query_one("#password-source", Select).value
        source = None if source_value in ("auto", Select.NULL) else PasswordSource(str(source_value))
        command = self._command()
        if source is PasswordSource.COMMAND and command is None:
            raise ValueError("Password command: required when the password source is 'command'")
        ca_bundle = self._value("ca-bundle") or None
        if ca_bundle is not None and not Path(ca_bundle).expanduser().is_file():
            raise ValueError(f"CA bundle: no such file: {ca_bundle}")
        refresh_text = self._value("refresh")
        original_refresh = self.original.refresh if self.original else None
        try:
            if refresh_text == _refresh_text(original_refresh):
                refresh = original_refresh  # unchanged (it may hold what the field cannot show)
            else:
                refresh = RefreshIntervals.parse(refresh_text) if refresh_text else None
        except ValueError as exc:
            raise ValueError(f"Refresh: {exc}") from None
        flavor = self.original.flavor if self.original else None
        profile = Profile(
            name=name,
            url=url,
            username=username,
            verify_tls=self.query_one("#verify-tls", Checkbox).value,
            ca_bundle=ca_bundle,
            password_source=source,
            password_command=command,
            flavor=flavor,
            refresh=refresh,
            read_only=self.original.read_only if self.original else False,  # no field: kept as it is
        )
        return ProfileEdit(profile, self.query_one("#make-default", Checkbox).value)

    def _command(self) -> str | tuple[str, ...] | None:
        text = self._value("password-command")
        if not text:
            return None
        original = self.original.password_command if self.original else None
        if original is not None and text == _command_text(original):
            return original  # unchanged: keep the list form of the file, if it was one
        return text


def _command_text(command: str | tuple[str, ...] | None) -> str:
    if command is None:
        return ""
    return command if isinstance(command, str) else " ".join(command)


def _refresh_text(refresh: RefreshIntervals | None) -> str:
    if refresh is None or refresh.idle is None:
        return ""
    if refresh.running is None:
        return f"{refresh.idle:g}"
    return f"{refresh.idle:g},{refresh.running:g}"
