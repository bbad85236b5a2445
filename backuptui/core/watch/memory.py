"""Keeping a long-running monitor's resident memory near what it uses.

glibc raises its mmap threshold to the size of the largest block freed so far, so once one large
details body (8 MB for 10,000 jobs) has come and gone, every later body and its decoded text are
carved out of the heap instead of mapped on their own, and the heap stays as large as its
highest point. A fixed threshold keeps large blocks mapped: freeing a body gives its memory back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_MMAP_THRESHOLD = -3  # glibc malloc.h
_THRESHOLD = 256 * 1024


def limit_heap_growth() -> bool:
    """Fix glibc's mmap threshold (Linux with glibc only); True if it was set. Never raises."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt: nothing to do
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _THRESHOLD))
