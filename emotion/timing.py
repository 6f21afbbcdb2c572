"""Timing helpers shared by the evaluate CLI and the benchmarks."""

from __future__ import annotations

import re
import resource
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def median_ms(call: Callable[[], object], runs: int = 200, warmup: int = 3) -> float:
    """Median wall time of `call` in milliseconds; medians shrug off a busy neighbour."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return round(1000 * float(np.median(times)), 3)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_model() -> str:
    """The CPU's model name and widest vector unit: every timing is this machine's, and a saved
    result says which one it was (virtual machines often name only the family, "AMD EPYC", while
    one with AVX-512 reads the face network several times as fast as one with AVX2 alone)."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    found = re.search(r"model name\s*: (.*)", info)
    flag_line = re.search(r"^flags\s*: (.*)", info, re.MULTILINE)
    flags = set(flag_line.group(1).split()) if flag_line else set()
    widest = next((name for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("sse4_2", "SSE4.2"))
                   if flag in flags), None)
    return (found.group(1) if found else "unknown CPU") + (f", {widest}" if widest else "")
