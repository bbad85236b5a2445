"""A password in memory: the value type the client logs in with and every password source returns."""

from __future__ import annotations

from typing import NoReturn

__all__ = ["Secret"]


class Secret:
    """A password in memory. Its repr and str are masked, so a traceback that shows locals
    (Textual's crash report does) or a log line never prints it; `reveal()` is explicit."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret is not to be pickled")
