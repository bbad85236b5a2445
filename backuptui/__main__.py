"""`python -m backuptui` and the `backuptui` console script."""

from __future__ import annotations

import sys


def main() -> int:
    from backuptui.cli import main as cli_main

    try:
        return cli_main()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
