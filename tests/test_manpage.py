"""docs/backuptui.1 is what the argument parser says today (regenerate: python docs/make_manpage.py)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_man_page_is_in_step_with_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the page must not depend on the terminal it was made in
    render = runpy.run_path(str(DOCS / "make_manpage.py"))["render"]
    page = render()
    assert (DOCS / "backuptui.1").read_text() == page, "run: python docs/make_manpage.py"
    for command in ("doctor", "completion", "status", "check"):
        assert f"backuptui {command}" in page
    assert ".SH EXIT STATUS" in page
