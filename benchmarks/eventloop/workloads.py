"""The event-loop workloads, written once per implementation (flowno, asyncio, trio);
uvloop runs asyncio's workloads on its own loop.

Rules: every workload does the same observable work in each implementation and returns the
number of operations it performed; the runner times it with ``time.process_time`` in a fresh
subprocess. Nothing here is imported by the libraries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# ---------------------------------------------------------------- flowno


def _flowno_run(main: Callable[[], Any]) -> Any:
    from flowno_eventloop import EventLoop

    return EventLoop().run_until_complete(main(), join=True)


def flowno_spawn_join(n: int) -> int:
    from flowno_eventloop import sleep, spawn

    async def child() -> None:
        await sleep(0)

    async def main() -> int:
        handles = [await spawn(child()) for _ in range(n)]
        for h in handles:
            await h.join()
        return n

    return int(_flowno_run(main))


def flowno_queue(n: int) -> int:
    from flowno_eventloop import AsyncQueue, spawn

    async def producer(q: Any) -> None:
        for i in range(n):
            await q.put(i)

    async def main() -> int:
        q: Any = AsyncQueue(maxsize=1)
        p = await spawn(producer(q))
        for _ in range(n):
            await q.get()
        await p.join()
        return n

    return int(_flowno_run(main))


def flowno_switches(n: int, k: int = 100) -> int:
    from flowno_eventloop import sleep, spawn

    m = max(1, n // k)

    async def worker() -> None:
        for _ in range(m):
            await sleep(0)

    async def main() -> int:
        handles = [await spawn(worker()) for _ in range(k)]
        for h in handles:
            await h.join()
        return k * m

    return int(_flowno_run(main))


def flowno_lock(n: int, k: int = 10) -> int:
    from flowno_eventloop import Lock, sleep, spawn

    m = max(1, n // k)

    async def worker(lock: Any) -> None:
        for _ in range(m):
            async with lock:
                await sleep(0)

    async def main() -> int:
        lock = Lock()
        handles = [await spawn(worker(lock)) for _ in range(k)]
        for h in handles:
            await h.join()
        return k * m

    return int(_flowno_run(main))


def flowno_event(n: int, k: int = 100) -> int:
    from flowno_eventloop import Event, sleep, spawn

    rounds = max(1, n // k)

    async def main() -> int:
        for _ in range(rounds):
            ev = Event()
            handles = [await spawn(ev.wait()) for _ in range(k)]  # like asyncio's create_task
            await sleep(0)
            await ev.set()
            for h in handles:
                await h.join()
        return rounds * k

    return int(_flowno_run(main))


# ---------------------------------------------------------------- asyncio


def asyncio_spawn_join(n: int) -> int:
    import asyncio

    async def child() -> None:
        await asyncio.sleep(0)

    async def main() -> int:
        tasks = [asyncio.create_task(child()) for _ in range(n)]
        for t in tasks:
            await t
        return n

    return asyncio.run(main())


def asyncio_queue(n: int) -> int:
    import asyncio

    async def producer(q: asyncio.Queue[int]) -> None:
        for i in range(n):
            await q.put(i)

    async def main() -> int:
        q: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        p = asyncio.create_task(producer(q))
        for _ in range(n):
            await q.get()
        await p
        return n

    return asyncio.run(main())


def asyncio_switches(n: int, k: int = 100) -> int:
    import asyncio

    m = max(1, n // k)

    async def worker() -> None:
        for _ in range(m):
            await asyncio.sleep(0)

    async def main() -> int:
        tasks = [asyncio.create_task(worker()) for _ in range(k)]
        for t in tasks:
            await t
        return k * m

    return asyncio.run(main())


def asyncio_lock(n: int, k: int = 10) -> int:
    import asyncio

    m = max(1, n // k)

    async def worker(lock: asyncio.Lock) -> None:
        for _ in range(m):
            async with lock:
                await asyncio.sleep(0)

    async def main() -> int:
        lock = asyncio.Lock()
        tasks = [asyncio.create_task(worker(lock)) for _ in range(k)]
        for t in tasks:
            await t
        return k * m

    return asyncio.run(main())


def asyncio_event(n: int, k: int = 100) -> int:
    import asyncio

    rounds = max(1, n // k)

    async def main() -> int:
        for _ in range(rounds):
            ev = asyncio.Event()
            tasks = [asyncio.create_task(ev.wait()) for _ in range(k)]
            await asyncio.sleep(0)
            ev.set()
            for t in tasks:
                await t
        return rounds * k

    return asyncio.run(main())


# ---------------------------------------------------------------- trio


def trio_spawn_join(n: int) -> int:
    import trio

    async def child() -> None:
        await trio.sleep(0)

    async def main() -> int:
        async with trio.open_nursery() as nursery:
            for _ in range(n):
                nursery.start_soon(child)
        return n

    return int(trio.run(main))


def trio_queue(n: int) -> int:
    import trio

    async def main() -> int:
        send, recv = trio.open_memory_channel[int](1)

        async def producer() -> None:
            for i in range(n):
                await send.send(i)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(producer)
            for _ in range(n):
                await recv.receive()
        return n

    return int(trio.run(main))


def trio_switches(n: int, k: int = 100) -> int:
    import trio

    m = max(1, n // k)

    async def worker() -> None:
        for _ in range(m):
            await trio.sleep(0)

    async def main() -> int:
        async with trio.open_nursery() as nursery:
            for _ in range(k):
                nursery.start_soon(worker)
        return k * m

    return int(trio.run(main))


def trio_lock(n: int, k: int = 10) -> int:
    import trio

    m = max(1, n // k)

    async def worker(lock: trio.Lock) -> None:
        for _ in range(m):
            async with lock:
                await trio.sleep(0)

    async def main() -> int:
        lock = trio.Lock()
        async with trio.open_nursery() as nursery:
            for _ in range(k):
                nursery.start_soon(worker, lock)
        return k * m

    return int(trio.run(main))


def trio_event(n: int, k: int = 100) -> int:
    import trio

    rounds = max(1, n // k)

    async def main() -> int:
        for _ in range(rounds):
            ev = trio.Event()
            async with trio.open_nursery() as nursery:
                for _ in range(k):
                    nursery.start_soon(ev.wait)
                await trio.sleep(0)
                ev.set()
        return rounds * k

    return int(trio.run(main))


# ---------------------------------------------------------------- uvloop (asyncio's workloads)


def _on_uvloop(workload: Callable[[int], int]) -> Callable[[int], int]:
    """The asyncio workload with uvloop's event loop (a benchmark-only dependency)."""

    def run(n: int) -> int:
        import asyncio

        import uvloop

        policy = asyncio.get_event_loop_policy()
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        try:
            return workload(n)
        finally:
            asyncio.set_event_loop_policy(policy)

    return run


uvloop_spawn_join = _on_uvloop(asyncio_spawn_join)
uvloop_queue = _on_uvloop(asyncio_queue)
uvloop_switches = _on_uvloop(asyncio_switches)
uvloop_lock = _on_uvloop(asyncio_lock)
uvloop_event = _on_uvloop(asyncio_event)


# ---------------------------------------------------------------- memory (flowno only)


def flowno_memory(n: int, checkpoints: int = 5) -> list[tuple[int, int]]:
    """Spawn+join ``n`` tasks one after another on one loop; RSS (KiB) at checkpoints."""
    from flowno_eventloop import EventLoop, sleep, spawn

    samples: list[tuple[int, int]] = []
    step = max(1, n // checkpoints)

    async def child() -> None:
        await sleep(0)

    async def main() -> None:
        for i in range(1, n + 1):
            await (await spawn(child())).join()
            if i % step == 0:
                samples.append((i, current_rss_kib()))

    EventLoop().run_until_complete(main(), join=True)
    return samples


def current_rss_kib() -> int:
    """Resident set size of this process, in KiB (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return 0
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


WORKLOADS: dict[str, str] = {
    "spawn_join": "spawn + join of N tasks that each sleep(0) once",
    "queue": "producer -> consumer through a queue of maxsize 1",
    "switches": "100 tasks x M sleep(0) switches",
    "lock": "10 tasks contending for one Lock (sleep(0) while holding it)",
    "event": "100 waiters on one Event, set, repeated",
}

IMPLEMENTATIONS = ("flowno", "asyncio", "uvloop", "trio")


def get(impl: str, workload: str) -> Callable[[int], int]:
    """Return the function running ``workload`` on ``impl``."""
    fn: Callable[[int], int] = globals()[f"{impl}_{workload}"]
    return fn
