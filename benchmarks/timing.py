"""Interleaved timing: every contender runs once per round, so all see the same machine load."""

from __future__ import annotations

import gc
import statistics
import time


def interleaved_medians(fns, rounds, warmup=3, min_time=None):
    """Median seconds per call of each function in `fns` (a dict), over `rounds` interleaved rounds.

    With `min_time`, a round calls each function as many times as fits in
    about that many seconds (the count fixed from the warm-up), so very fast
    steps are timed over enough calls to rise above the clock's resolution.
    """
    counts = {}
    for name, fn in fns.items():
        start = time.perf_counter()
        for _ in range(warmup):
            fn()
        per_call = (time.perf_counter() - start) / warmup
        counts[name] = max(1, int(min_time / per_call)) if min_time and per_call > 0 else 1
    times = {name: [] for name in fns}
    gc.collect()
    for _ in range(rounds):
        for name, fn in fns.items():
            n = counts[name]
            start = time.perf_counter()
            for _ in range(n):
                fn()
            times[name].append((time.perf_counter() - start) / n)
    return {name: statistics.median(ts) for name, ts in times.items()}
