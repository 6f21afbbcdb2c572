"""Timing helpers shared by the evaluate CLI and the benchmarks."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable

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
