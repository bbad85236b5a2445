"""One step of a diagnosis: what was checked, how it went, and on a problem what to do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"  # a step backuptui needs: nothing after it that depends on it can work
    WARNING = "warning"  # works, but something is worth fixing (no schedule, clock skew, plain HTTP)
    SKIPPED = "skipped"  # not run: a step it depends on failed


@dataclass(frozen=True, slots=True)
class Step:
    """The result of one check; `detail` says what was found, `fix` what to do about a problem."""

    name: str
    outcome: Outcome
    detail: str
    fix: str = ""
    #: what the step found, as values for `--json` (the TLS step: its certificate chain)
    data: Mapping[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return self.outcome is Outcome.FAILED

    def as_json(self) -> dict[str, Any]:
        found = {"step": self.name, "outcome": self.outcome.value, "detail": self.detail, "fix": self.fix}
        return {**found, **self.data} if self.data else found


def ok(name: str, detail: str) -> Step:
    return Step(name, Outcome.OK, detail)


def failed(name: str, detail: str, fix: str) -> Step:
    return Step(name, Outcome.FAILED, detail, fix)


def warning(name: str, detail: str, fix: str) -> Step:
    return Step(name, Outcome.WARNING, detail, fix)


def skipped(name: str, because: str) -> Step:
    return Step(name, Outcome.SKIPPED, f"not checked: {because}")
