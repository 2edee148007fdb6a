"""The chain benchmark at large sizes with the garbage collector on: time per run, the share
the collector took (measured with ``gc.callbacks``), the exponent of time against size, and
the peak memory per node of a run (tracemalloc).

Usage:
    python benchmarks/flow/chain_gc.py [--sizes 1600 3200 6400 12800 25600] [--repeat 3]

Each size: best of ``--repeat`` runs of a chain built once (building is not timed).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import time
import tracemalloc

from run import chain, exponent


class CollectorTime:
    """A ``gc.callbacks`` entry that adds up the CPU time of the collections it sees."""

    def __init__(self) -> None:
        self.started = 0.0
        self.spent = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.process_time()
        else:
            self.spent += time.process_time() - self.started


def timed_run(size: int, repeat: int) -> tuple[float, float]:
    """Best CPU seconds of one run at ``size`` nodes, and the collector's part of that run."""
    best, best_gc = math.inf, 0.0
    for _ in range(repeat):
        go = chain(size)
        gc.collect()
        collector = CollectorTime()
        gc.callbacks.append(collector)
        start = time.process_time()
        go()
        elapsed = time.process_time() - start
        gc.callbacks.remove(collector)
        if elapsed < best:
            best, best_gc = elapsed, collector.spent
    return best, best_gc


def peak_kib_per_node(size: int) -> float:
    """Peak memory a run allocates (beyond the built graph), per node, in KiB."""
    go = chain(size)
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    go()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / size / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1600, 3200, 6400, 12800, 25600])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results = [timed_run(size, args.repeat) for size in args.sizes]
    times = [t for t, _ in results]
    collector = [g for _, g in results]
    print(f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    print("sizes:", ", ".join(map(str, args.sizes)))
    print("CPU s:", ", ".join(f"{t:.3f}" for t in times))
    print("of which the collector:", ", ".join(f"{g:.3f}" for g in collector))
    print(f"exponent: {exponent(args.sizes, times):.3f}")
    print(f"peak memory of a run: {peak_kib_per_node(args.sizes[-1]):.2f} KiB per node")


if __name__ == "__main__":
    main()
