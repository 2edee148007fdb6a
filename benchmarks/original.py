"""This implementation against the original Flowno 0.1.19, on the workloads it was timed on.

Usage: python benchmarks/original.py [--repeat 3]

The original distribution is not installed here. Its numbers below were measured once on
0.1.19 with CPython 3.11.7 on a 2-core Linux machine, in wall-clock seconds for the whole
run. This script runs the same three workloads on this implementation at the same sizes
(wall-clock, best of ``--repeat`` fresh flows) and prints both, with the speed-up:

- a self-loop counter ``f.c = Count(f.c)`` run for n generations;
- a generator streaming n integers into a ``stream_in`` node that sums them;
- n distinct puts into an ``AsyncSetQueue`` (microseconds per item).

In the original the first two cost O(n) per step (so O(n^2) per run) and the set queue
O(n) per put; here every step is O(1), so the speed-up grows with n.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flowno_eventloop import AsyncSetQueue, EventLoop

sys.path.insert(0, str(Path(__file__).parent / "flow"))
import run as flow_run  # noqa: E402  (benchmarks/flow/run.py: the same workloads)

# (workload, n) -> seconds for the whole run, measured on the original 0.1.19.
ORIGINAL_SECONDS: dict[tuple[str, int], float] = {
    ("self-loop counter", 1_000): 1.69,
    ("self-loop counter", 2_000): 6.68,
    ("self-loop counter", 4_000): 25.5,
    ("generator -> stream_in", 2_000): 4.48,
    ("generator -> stream_in", 4_000): 16.9,
    ("generator -> stream_in", 8_000): 66.2,
    ("AsyncSetQueue puts", 2_000): 15.8e-6 * 2_000,
    ("AsyncSetQueue puts", 8_000): 49.1e-6 * 8_000,
    ("AsyncSetQueue puts", 32_000): 187.0e-6 * 32_000,
}


def self_loop(n: int) -> Callable[[], None]:
    """n generations of ``f.c = Count(f.c)`` (the flow benchmarks' self-loop stops after the
    generation it is given, so n - 1)."""
    return flow_run.self_loop(n - 1)


def set_queue(n: int) -> Callable[[], None]:
    async def fill() -> int:
        queue: AsyncSetQueue[int] = AsyncSetQueue()
        for i in range(n):
            await queue.put(i)
        return len(queue)

    def go() -> None:
        assert EventLoop().run_until_complete(fill(), join=True) == n

    return go


WORKLOADS: dict[str, Callable[[int], Callable[[], None]]] = {
    "self-loop counter": self_loop,
    "generator -> stream_in": flow_run.stream_sum,
    "AsyncSetQueue puts": set_queue,
}


def best_wall(make: Callable[[int], Callable[[], None]], n: int, repeat: int) -> float:
    """The shortest wall-clock time of ``repeat`` runs, each on a freshly built workload."""
    best = float("inf")
    for _ in range(repeat):
        go = make(n)
        start = time.perf_counter()
        go()
        best = min(best, time.perf_counter() - start)
    return best


def _rate(name: str, n: int, seconds: float) -> str:
    if name == "AsyncSetQueue puts":
        return f"{seconds / n * 1e6:.2f} us/item"
    unit = "gen/s" if name == "self-loop counter" else "items/s"
    return f"{n / seconds:,.0f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell (best is kept)")
    args = parser.parse_args()
    print(f"CPython {platform.python_version()}, {sys.platform}, {time.strftime('%Y-%m-%d')}\n")
    print("| workload | n | original 0.1.19 | this implementation | speed-up |")
    print("|---|---:|---:|---:|---:|")
    for (name, n), original in ORIGINAL_SECONDS.items():
        ours = best_wall(WORKLOADS[name], n, args.repeat)
        print(
            f"| {name} | {n:,} | {_rate(name, n, original)} | {_rate(name, n, ours)} "
            f"| {original / ours:,.0f}x |"
        )


if __name__ == "__main__":
    main()
