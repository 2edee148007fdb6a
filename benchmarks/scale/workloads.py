"""Workloads of benchmarks/scale/run.py (imported by the runner's child processes and by
the process-pool workers, which find the executor nodes here by module and name)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import time

from flowno_eventloop import EventLoop, run_in_executor
from flowno_flow import FlowHDL, node

FAN_OUT = 8


def burn(iterations: int) -> int:
    """Pure-Python CPU work (holds the GIL the whole time)."""
    total = 0
    for j in range(iterations):
        total += j * j % 7
    return total


@node
async def Work(iterations: int = 0) -> int:
    return iterations


def timed_burn(iterations: int) -> tuple[float, float, float]:
    """Run ``burn``: the CPU seconds it took in the process that ran it, and its start and
    end on the wall clock (``time.time``, comparable across processes)."""
    start, cpu = time.time(), time.process_time()
    burn(iterations)
    return time.process_time() - cpu, start, time.time()


def peak_overlap(spans: list[tuple[float, float, float]]) -> int:
    """The largest number of bodies that were running at the same moment."""
    events = sorted([(s, 1) for _, s, _ in spans] + [(e, -1) for _, _, e in spans])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


@node
async def BurnInline(iterations: int, index: int) -> tuple[float, float, float]:
    return timed_burn(iterations)


@node(executor="process")
def BurnInProcess(iterations: int, index: int) -> tuple[float, float, float]:
    return timed_burn(iterations)


def fan_out(mode: str, iterations: int) -> list[tuple[float, float, float]]:
    """FAN_OUT independent CPU-bound nodes fed by one source (mode "inline" or "process"), or
    the same calls on a bare ProcessPoolExecutor (mode "pool", the reference without
    Flowno); per call, what ``timed_burn`` returned."""
    if mode == "pool":
        context = multiprocessing.get_context("forkserver")
        with concurrent.futures.ProcessPoolExecutor(mp_context=context) as pool:
            return list(pool.map(timed_burn, [iterations] * FAN_OUT))
    burner = BurnInProcess if mode == "process" else BurnInline
    with FlowHDL() as f:
        f.work = Work(iterations)
        for i in range(FAN_OUT):
            setattr(f, f"burn{i}", burner(f.work, i))
    f.run_until_complete()
    return [getattr(f, f"burn{i}").get_data()[0] for i in range(FAN_OUT)]


def trivial(x: int) -> int:
    return x


def flowno_thread_calls(calls: int) -> None:
    async def main() -> None:
        for i in range(calls):
            await run_in_executor("thread", trivial, i)

    EventLoop().run_until_complete(main())


def asyncio_thread_calls(calls: int) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        for i in range(calls):
            await loop.run_in_executor(None, trivial, i)

    asyncio.run(main())


def calibrate(seconds: float) -> int:
    """Iterations of ``burn`` that take about ``seconds`` of CPU here."""
    iterations = 100_000
    while True:
        start = time.process_time()
        burn(iterations)
        spent = time.process_time() - start
        if spent > 0.05:
            return int(iterations * seconds / spent)
        iterations *= 4
