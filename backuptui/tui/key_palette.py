"""What the monitor app and the fleet app share about keys: the `[keys]` keymap in use, the key text
of every binding id after it, and palette commands that name their keys.

Each app says which bindings it knows (`known_bindings`: its own and those of the screens it shows)
and which commands its palette offers on which screen; this mixin does the rest once, so a rebound
key reads the same in the help, the palette and the footer of either app.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.binding import BindingType, Keymap

from backuptui.tui.keys import KeyLookup, keys_by_id, keys_text

if TYPE_CHECKING:
    from textual.app import App

    KeysBase = App[Any]
else:
    KeysBase = object

__all__ = ["KeysAndPalette", "PaletteCommand"]

#: a palette entry: (title, what it does, the action it runs, the binding id whose keys it names)
PaletteCommand = tuple[str, str, str, str]


class KeysAndPalette(KeysBase):
    """Mixin for an app: remembers its keymap, looks keys up by binding id, builds palette entries."""

    #: `[keys]` of the configuration file, as given to `set_keymap`
    keymap: dict[str, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keymap = {}

    def set_keymap(self, keymap: Keymap) -> None:
        """Also remembered here: Textual has no public getter for the keymap in use."""
        self.keymap = dict(keymap)
        super().set_keymap(keymap)

    @classmethod
    def known_bindings(cls) -> list[BindingType]:
        """Every binding of the app and of the screens and widgets it shows: what `[keys]` may
        rebind, and where the help and the palette read the key text."""
        raise NotImplementedError

    @classmethod
    def known_binding_ids(cls) -> frozenset[str]:
        return frozenset(keys_by_id(cls.known_bindings(), {}))

    def key_lookup(self) -> KeyLookup:
        """Each binding id's keys, after the keymap."""
        return keys_by_id(self.known_bindings(), self.keymap)

    def palette_entries(self, commands: Iterable[PaletteCommand]) -> Iterator[SystemCommand]:
        """The palette's entries for `commands`, each saying its keys as they are bound now."""
        keys = self.key_lookup()
        for title, help_text, action, binding_id in commands:
            shown = keys_text(keys, binding_id)
            text = f"{help_text} ({shown})" if shown else help_text
            yield SystemCommand(title, text, partial(self.run_action, action))

    def action_help(self) -> None:
        from backuptui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.key_lookup()))
