"""Key text from the bindings themselves, so the help and the palette say what the keys really are.

Every binding has an id; a `[keys]` table in the configuration file rebinds ids (`App.set_keymap`).
The help screen and the command palette look a key up by its binding id here, after the keymap,
instead of spelling keys out a second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from textual.binding import Binding, BindingType
from textual.keys import format_key

from backuptui.core.settings.config import ConfigError, read_config_text
from backuptui.core.settings.profile_schema import check_binding_ids

#: binding id -> its keys (after the keymap), in the order bound
KeyLookup = Mapping[str, tuple[str, ...]]

_KEY_NAMES = {
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "escape": "Esc",
    "enter": "Enter",
    "delete": "Del",
    "tab": "Tab",
    "space": "Space",
    "backspace": "Backspace",
}


def describe_key(key: str) -> str:
    """A key as the help writes it: `ctrl+o` as `Ctrl+O`, `question_mark` as `?`, `up` as `↑`."""
    *modifiers, last = key.strip().split("+")
    name = _KEY_NAMES.get(last) or format_key(last)
    if len(name) > 1 and name not in _KEY_NAMES.values():
        name = name.upper() if modifiers else name.capitalize()
    elif modifiers and len(name) == 1:
        name = name.upper()
    return "+".join([*(modifier.capitalize() for modifier in modifiers), name])


def keys_by_id(bindings: Iterable[BindingType], keymap: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Each binding id's keys: from `keymap` where it rebinds the id, else as bound."""
    found: dict[str, list[str]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.id:
            continue
        keys = found.setdefault(binding.id, [])
        for key in keymap.get(binding.id, binding.key).split(","):
            if key.strip() and key.strip() not in keys:
                keys.append(key.strip())
    return {binding_id: tuple(keys) for binding_id, keys in found.items()}


def keys_text(lookup: KeyLookup, *binding_ids: str) -> str:
    """The keys of `binding_ids`, as the help writes them, separated by spaces."""
    return " ".join(describe_key(key) for binding_id in binding_ids for key in lookup.get(binding_id, ()))


def check_keymap(path: Path, keymap: Mapping[str, str], known: Iterable[str]) -> None:
    """Every id of the file's `[keys]` names a binding in `known`; raises ConfigError with the
    file, the line and the closest id (the core cannot know the TUI's bindings)."""
    known_ids = frozenset(known)
    if all(binding_id in known_ids for binding_id in keymap):
        return
    try:
        text = read_config_text(path)
    except ConfigError:
        text = None
    check_binding_ids(path, keymap, known_ids, text)
