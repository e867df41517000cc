"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_rate(run: Callable[[], int], repeats: int = 3) -> float:
    """Items per second of ``run`` (which returns how many items it did), best of ``repeats``."""
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        items = run()
        best = max(best, items / (time.perf_counter() - started))
    return best


def interleaved(runs: dict[str, Callable[[], int]], repeats: int = 3) -> dict[str, float]:
    """Best rate of each run, alternating between them so drift in machine load hits all alike."""
    rates = dict.fromkeys(runs, 0.0)
    for _ in range(repeats):
        for name, run in runs.items():
            rates[name] = max(rates[name], best_rate(run, repeats=1))
    return rates
