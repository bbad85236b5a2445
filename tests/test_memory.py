"""limit_heap_growth: fixes glibc's mmap threshold where there is one, never fails elsewhere."""

from __future__ import annotations

import sys

from backuptui.core.watch.memory import limit_heap_growth


def test_limit_heap_growth_sets_the_threshold_on_linux_and_never_raises() -> None:
    result = limit_heap_growth()
    assert isinstance(result, bool)
    if sys.platform.startswith("linux") and "glibc" in " ".join(__import__("platform").libc_ver()):
        assert result
    assert limit_heap_growth() == result  # calling it again is harmless
