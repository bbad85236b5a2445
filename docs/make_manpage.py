"""Write docs/backuptui.1 from the argument parser (argparse-manpage), so the man page says what
`--help` says. Run `python docs/make_manpage.py` after changing an option; a test checks it is in
step. The wheel installs the page as share/man/man1/backuptui.1."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PAGE = Path(__file__).with_name("backuptui.1")

EXIT_STATUS = """
.SH EXIT STATUS
.TP
.B 0
success (doctor: every step backuptui needs works)
.TP
.B 1
failure: the appliance could not be asked, a file could not be written, or (doctor) a needed step failed
.TP
.B 2
usage error
.PP
.B backuptui check
follows the monitoring-plugin convention instead: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
.SH ENVIRONMENT
.TP
.B BACKUPTUI_PASSWORD
the password when a profile names no other source (BACKUPTUI_PASSWORD_<PROFILE> for one profile)
.TP
.B BACKUPTUI_CONFIG
the configuration file (default: $XDG_CONFIG_HOME/backuptui/config.toml)
.TP
.B NO_COLOR, FORCE_COLOR
no colour at all; colour even when the output is not a terminal
"""


def render() -> str:
    from argparse_manpage.manpage import Manpage

    from backuptui import __version__
    from backuptui.cli import build_parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"  # argparse wraps usage lines to the terminal: the page must not
    try:
        parser = build_parser()
        data = {
            "prog": "backuptui",
            "version": __version__,
            "date": __version__,  # not today's date: a page that changed daily could never be in step
            "manual_title": "backuptui manual",
            "project_name": "backuptui",
            "description": "watch the backup jobs of vCenter Server Appliances",
        }
        page = str(Manpage(parser, _data=data))
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return page.rstrip("\n") + "\n" + EXIT_STATUS.lstrip("\n")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    PAGE.write_text(render())
    print(f"wrote {PAGE}")
