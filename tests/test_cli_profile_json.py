"""`profile list --json` and `profile show --json`: the profiles for programs, never a password."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

from backuptui.cli import main
from tests.test_doctor import write_profile


def run(*words: str) -> object:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(list(words)) == 0
    return json.loads(out.getvalue())


def test_profile_list_and_show_print_json() -> None:
    write_profile(
        "http://127.0.0.1:9", "a@vsphere.local", password_source="command", password_command="pass show vc"
    )
    listed = run("profile", "list", "--json")
    assert (
        isinstance(listed, list) and [p["name"] for p in listed] == ["lab"] and listed[0]["default"] is True
    )
    shown = run("profile", "show", "lab", "--json")
    assert isinstance(shown, dict) and shown["url"] == "http://127.0.0.1:9"
    assert shown["password_command"] == "pass show vc" and shown["password_source"] == "command"
