"""asyncio interop benchmarks: the event-loop workloads in guest vs native mode, and the
round trip of ``aio.call`` on a trivial coroutine in both modes.

Usage:
    python benchmarks/eventloop/aio.py [--quick] [--rounds R]

Every measurement runs in a fresh subprocess; native and guest runs alternate, R rounds of
each, and the table shows medians. Workloads are timed with ``time.process_time`` (CPU time
of the whole process, every thread included) around the workload only; the round trip also
shows wall time per call. Guest mode is ``asyncio.run(aio.run(main()))``: the Flowno loop
ticks inside asyncio callbacks. Native mode is ``EventLoop().run_until_complete(main())``
(for ``aio.call`` that means the helper-thread asyncio loop).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODES = ("native", "guest")
SIZES = {"full": 100_000, "quick": 20_000}
CALLS = {"full": 20_000, "quick": 5_000}
GOALS_US = {"native": 60.0, "guest": 20.0}


def _runner(mode: str) -> Callable[[Callable[[], Any]], Any]:
    from flowno_eventloop import EventLoop, aio

    def native(main: Callable[[], Any]) -> Any:
        return EventLoop().run_until_complete(main(), join=True)

    def guest(main: Callable[[], Any]) -> Any:
        import asyncio

        async def host() -> Any:
            return await aio.run(main())

        return asyncio.run(host())

    return native if mode == "native" else guest


def workload_main(mode: str, workload: str, n: int) -> None:
    """Child: one event-loop workload in ``mode``; prints ops per CPU-second."""
    sys.path.insert(0, str(HERE))
    import workloads

    workloads._flowno_run = _runner(mode)  # type: ignore[attr-defined]  # the mode under test
    fn = workloads.get("flowno", workload)
    start = time.process_time()
    ops = fn(n)
    print(json.dumps({"ops_per_cpu_s": ops / max(time.process_time() - start, 1e-9)}))


def roundtrip_main(mode: str, n: int) -> None:
    """Child: ``n`` sequential ``aio.call(trivial())``; prints CPU and wall us per call."""
    from flowno_eventloop import aio

    async def trivial() -> int:
        return 1

    async def main() -> tuple[float, float]:
        await aio.call(trivial())  # start-up (the helper thread) is not measured
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(n):
            await aio.call(trivial())
        return time.process_time() - cpu, time.perf_counter() - wall

    cpu, wall = _runner(mode)(main)
    print(json.dumps({"cpu_us": cpu / n * 1e6, "wall_us": wall / n * 1e6}))


def child(args: list[str]) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{args}: {proc.stderr.strip()}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def alternate(
    args_of: Callable[[str], list[str]], rounds: int
) -> dict[str, list[dict[str, float]]]:
    samples: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for _ in range(rounds):
        for mode in MODES:
            samples[mode].append(child(args_of(mode)))
    return samples


def median(samples: list[dict[str, float]], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--worker", nargs=3, metavar=("MODE", "WORKLOAD", "N"))
    parser.add_argument("--roundtrip", nargs=2, metavar=("MODE", "N"))
    args = parser.parse_args()
    if args.worker:
        workload_main(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    if args.roundtrip:
        roundtrip_main(args.roundtrip[0], int(args.roundtrip[1]))
        return
    sys.path.insert(0, str(HERE))
    import workloads

    size = "quick" if args.quick else "full"
    n, calls = SIZES[size], CALLS[size]
    print(f"{args.rounds} rounds per cell, medians, alternating native/guest\n")
    print("| workload | N | native ops/CPU-s | guest ops/CPU-s | guest time / native |")
    print("|---|---|---|---|---|")
    for name in workloads.WORKLOADS:
        runs = alternate(lambda mode, name=name: ["--worker", mode, name, str(n)], args.rounds)
        native, guest = (median(runs[m], "ops_per_cpu_s") for m in MODES)
        print(f"| {name} | {n:,} | {native:,.0f} | {guest:,.0f} | {native / guest:.2f}x |")
    print("\n| aio.call round trip | calls | CPU us/call | wall us/call | goal |")
    print("|---|---|---|---|---|")
    runs = alternate(lambda mode: ["--roundtrip", mode, str(calls)], args.rounds)
    for mode in MODES:
        label = "native (helper thread)" if mode == "native" else "guest (host loop)"
        cpu, wall = median(runs[mode], "cpu_us"), median(runs[mode], "wall_us")
        print(f"| {label} | {calls:,} | {cpu:.1f} | {wall:.1f} | < {GOALS_US[mode]:.0f} us |")


if __name__ == "__main__":
    main()
