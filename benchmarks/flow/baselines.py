"""The flow engine against the same work written by hand (our loop, asyncio, uvloop).

Usage: python benchmarks/flow/baselines.py [--items 200000] [--generations 100000] [--rounds 5]

Two workloads, each run in a fresh process per implementation, the implementations
alternating in every round; reported: the median CPU time (``time.process_time``
around the work only) and the ratio flow / hand-written.

- pipeline: a 4-stage stream pipeline (source -> double -> increment -> sum) of N items.
  Flow: streaming nodes (the engine's lockstep: a queue of one between stages). By hand:
  four tasks joined by queues of capacity 1 (``AsyncQueue(maxsize=1)`` on our loop,
  ``asyncio.Queue(maxsize=1)`` on asyncio and uvloop).
- self-loop: a counter fed back into itself for N generations. Flow: ``f.c = Count(f.c)``.
  By hand: one task per generation, spawned and joined in a loop.

Goals: pipeline at least as fast as asyncio and within 1.3x of our loop by hand;
self-loop at least as fast as asyncio's task per generation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_END = object()


# --- pipeline ------------------------------------------------------------------------
def pipeline_flow(n: int) -> Callable[[], object]:
    from flowno_flow import FlowHDL, Stream, node

    @node
    async def Source(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    @node(stream_in=["xs"])
    async def Double(xs: Stream[int]) -> AsyncIterator[int]:
        async for x in xs:
            yield 2 * x

    @node(stream_in=["xs"])
    async def Increment(xs: Stream[int]) -> AsyncIterator[int]:
        async for x in xs:
            yield x + 1

    @node(stream_in=["xs"])
    async def Sum(xs: Stream[int]) -> int:
        total = 0
        async for x in xs:
            total += x
        return total

    with FlowHDL() as f:
        f.src = Source(n)
        f.dbl = Double(f.src)
        f.inc = Increment(f.dbl)
        f.sum = Sum(f.inc)

    def go() -> object:
        f.run_until_complete()
        return f.sum.get_data()[0]  # type: ignore[index]

    return go


async def _stages(n: int, make_queue: Callable[[], Any], spawn: Any, join: Any) -> int:
    q1, q2, q3 = make_queue(), make_queue(), make_queue()
    result: list[int] = []

    async def source() -> None:
        for i in range(n):
            await q1.put(i)
        await q1.put(_END)

    async def stage(inq: Any, outq: Any, fn: Callable[[int], int]) -> None:
        while (x := await inq.get()) is not _END:
            await outq.put(fn(x))
        await outq.put(_END)

    async def sink() -> None:
        total = 0
        while (x := await q3.get()) is not _END:
            total += x
        result.append(total)

    tasks = [
        await spawn(source()),
        await spawn(stage(q1, q2, lambda x: 2 * x)),
        await spawn(stage(q2, q3, lambda x: x + 1)),
        await spawn(sink()),
    ]
    for t in tasks:
        await join(t)
    return result[0]


def pipeline_ours(n: int) -> Callable[[], object]:
    from flowno_eventloop import AsyncQueue, EventLoop, spawn

    async def join(t: Any) -> object:
        return await t.join()

    def go() -> object:
        return EventLoop().run_until_complete(
            _stages(n, lambda: AsyncQueue(maxsize=1), spawn, join), join=True
        )

    return go


def _asyncio_pipeline(n: int, run: Callable[[Any], object]) -> Callable[[], object]:
    import asyncio

    async def spawn(coro: Any) -> Any:
        return asyncio.get_running_loop().create_task(coro)

    async def join(t: Any) -> object:
        return await t

    return lambda: run(_stages(n, lambda: asyncio.Queue(maxsize=1), spawn, join))


def pipeline_asyncio(n: int) -> Callable[[], object]:
    import asyncio

    return _asyncio_pipeline(n, asyncio.run)


def pipeline_uvloop(n: int) -> Callable[[], object]:
    import uvloop  # type: ignore[import-not-found]

    return _asyncio_pipeline(n, uvloop.run)  # pyright: ignore[reportUnknownMemberType]


# --- self-loop -----------------------------------------------------------------------
def self_loop_flow(n: int) -> Callable[[], object]:
    from flowno_flow import FlowHDL, TerminateLimitReached, node

    @node
    async def Count(x: int = 0) -> int:
        return x + 1

    with FlowHDL() as f:
        f.c = Count(f.c)

    def go() -> object:
        try:
            f.run_until_complete(stop_at_node_generation=(n - 1,))
        except TerminateLimitReached:
            pass
        return f.c.get_data()[0]  # type: ignore[index]

    return go


async def _count(x: int) -> int:
    return x + 1


def self_loop_ours(n: int) -> Callable[[], object]:
    from flowno_eventloop import EventLoop, spawn

    async def main() -> int:
        x = 0
        for _ in range(n):
            x = await (await spawn(_count(x))).join()
        return x

    return lambda: EventLoop().run_until_complete(main(), join=True)


def _asyncio_self_loop(n: int, run: Callable[[Any], object]) -> Callable[[], object]:
    import asyncio

    async def main() -> int:
        loop = asyncio.get_running_loop()
        x = 0
        for _ in range(n):
            x = await loop.create_task(_count(x))
        return x

    return lambda: run(main())


def self_loop_asyncio(n: int) -> Callable[[], object]:
    import asyncio

    return _asyncio_self_loop(n, asyncio.run)


def self_loop_uvloop(n: int) -> Callable[[], object]:
    import uvloop  # type: ignore[import-not-found]

    return _asyncio_self_loop(n, uvloop.run)  # pyright: ignore[reportUnknownMemberType]


WORKLOADS: dict[str, dict[str, Callable[[int], Callable[[], object]]]] = {
    "pipeline": {
        "flow": pipeline_flow,
        "ours": pipeline_ours,
        "asyncio": pipeline_asyncio,
        "uvloop": pipeline_uvloop,
    },
    "self-loop": {
        "flow": self_loop_flow,
        "ours": self_loop_ours,
        "asyncio": self_loop_asyncio,
        "uvloop": self_loop_uvloop,
    },
}


def _expected(workload: str, n: int) -> int:
    return n * n if workload == "pipeline" else n  # sum(2i + 1) = n^2


def measure(workload: str, impl: str, n: int) -> float:
    """CPU seconds of one run of ``impl`` (checked: the result must be right)."""
    go = WORKLOADS[workload][impl](n)
    start = time.process_time()
    result = go()
    spent = time.process_time() - start
    assert result == _expected(workload, n), (workload, impl, result)
    return spent


def _fresh(workload: str, impl: str, n: int) -> float:
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--one", workload, impl, str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def _available(impl: str) -> bool:
    if impl != "uvloop":
        return True
    try:
        import uvloop  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--generations", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--one", nargs=3, metavar=("WORKLOAD", "IMPL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        workload, impl, n = args.one
        print(json.dumps(measure(workload, impl, int(n))))
        return 0
    sizes = {"pipeline": args.items, "self-loop": args.generations}
    print(f"| workload | N | implementation | CPU s (median of {args.rounds}) | flow / this |")
    print("|---|---|---|---|---|")
    for workload, impls in WORKLOADS.items():
        names = [name for name in impls if _available(name)]
        times: dict[str, list[float]] = {name: [] for name in names}
        for r in range(args.rounds):
            for name in names if r % 2 == 0 else reversed(names):
                times[name].append(_fresh(workload, name, sizes[workload]))
        medians = {name: statistics.median(ts) for name, ts in times.items()}
        for name in names:
            ratio = medians["flow"] / medians[name]
            print(
                f"| {workload} | {sizes[workload]:,} | {name} | {medians[name]:.3f} | {ratio:.2f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
