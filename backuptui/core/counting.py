"""`1 failed backup`, `2 failed backups`: a count with its noun in the right number, said one way."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`counted(1, "job")` is `1 job`; `counted(3, "job record")` is `3 job records`; `plural`
    for nouns that do not just take an `s`."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
