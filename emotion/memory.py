"""The server process's heap: Live streams must not make the server creep up, stream after stream.

glibc's malloc gives threads arenas of their own (up to 8 per core), raises its mmap threshold
to 32 MB after the first big block is freed (so camera pictures then live in the arenas), and
keeps freed pages. Every Live stream starts a dozen threads (WebRTC transports, media tracks,
the speech worker) and allocates a picture per frame, so each Start/Stop left the server a
little bigger. Measured over Start/Stop cycles in Chromium (tests/test_reliability_browser.py):
untouched, 383 MB after the first cycle, ~450 after 50 and still rising; with these settings,
333 after the first, ~355 after 20, 359-373 after 40. (MALLOC_ARENA_MAX=2 set before the
process starts measured flat, 349-369 over 50; Streamlit Community Cloud starts the process
itself, so the app sets what it can once it runs.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_ARENA_MAX = -8  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
ARENAS = 2
MMAP_THRESHOLD = 256 * 1024
"""Blocks this big or bigger (a camera picture is 480x360x3 = 518 KB) get pages of their own,
which go back to the system when freed; glibc would otherwise raise this threshold to 32 MB
after the first big free, and keep such blocks in the arenas."""


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    libc = ctypes.CDLL(name)
    return libc if hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "malloc_trim") else None


def give_back_free_memory() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim; nothing elsewhere)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def limit_heap_growth() -> bool:
    """For the rest of the process's life: at most ARENAS malloc arenas from now on, and big
    blocks on pages of their own. Whether it took effect (False where the C library is not
    glibc, e.g. macOS or musl: nothing changes there)."""
    libc = _glibc()
    return libc is not None and libc.mallopt(M_ARENA_MAX, ARENAS) == 1 and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
