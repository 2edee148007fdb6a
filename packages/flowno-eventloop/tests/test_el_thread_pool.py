"""The loop's "thread" pool: a complete Executor, and run_in_executor's future-less wait."""

from __future__ import annotations

import concurrent.futures
import threading
from typing import Any

import pytest

from flowno_eventloop import EventLoop, TaskCancelled, run_in_executor, sleep, spawn
from flowno_eventloop._thread_pool import LoopThreadPool


def run(main: Any) -> Any:
    return EventLoop().run_until_complete(main, join=True)


def test_it_is_a_complete_executor() -> None:
    with LoopThreadPool("t", max_workers=2) as pool:
        assert pool.submit(divmod, 7, 2).result() == (3, 1)
        assert list(pool.map(str, range(5))) == ["0", "1", "2", "3", "4"]
        failed = pool.submit(int, "x")
        assert isinstance(failed.exception(), ValueError)
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(int, "1")
    assert not [t for t in threading.enumerate() if t.name.startswith("t_")]


def test_it_never_runs_more_workers_than_its_maximum() -> None:
    barrier_hits: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> int:
        with lock:
            barrier_hits.append(threading.current_thread().name)
        return i

    with LoopThreadPool("t", max_workers=3) as pool:
        assert [f.result() for f in [pool.submit(work, i) for i in range(200)]] == list(range(200))
    assert len(set(barrier_hits)) <= 3


def test_shutdown_with_cancel_futures_drops_queued_jobs() -> None:
    started, gate = threading.Event(), threading.Event()
    pool = LoopThreadPool("t", max_workers=1)
    running = pool.submit(lambda: started.set() or gate.wait())
    started.wait()
    queued = pool.submit(int, "1")
    pool.shutdown(wait=False, cancel_futures=True)
    gate.set()
    pool.shutdown()
    assert running.result() is True
    assert queued.cancelled()


def test_many_concurrent_calls_each_get_their_own_result() -> None:
    async def one(i: int) -> int:
        return await run_in_executor("thread", pow, i, 2)

    async def main() -> list[int]:
        handles = [await spawn(one(i)) for i in range(300)]
        return [await h.join() for h in handles]

    assert run(main()) == [i * i for i in range(300)]


def test_a_cancelled_call_that_had_not_started_never_runs() -> None:
    gate = threading.Event()
    ran: list[str] = []
    pool = LoopThreadPool("t", max_workers=1)

    async def main() -> bool:
        busy = pool.submit(gate.wait)  # the only worker is busy
        handle = await spawn(pool.call(ran.append, ("ran",), {}))
        await sleep(0)
        await handle.cancel()
        gate.set()
        busy.result()
        return handle.is_cancelled

    assert run(main()) is True
    pool.shutdown()
    assert ran == []


def test_a_cancel_while_it_runs_stops_the_wait_and_drops_the_late_result() -> None:
    started, gate = threading.Event(), threading.Event()
    pool = LoopThreadPool("t", max_workers=1)

    def work() -> str:
        started.set()
        gate.wait()
        return "late"

    async def main() -> bool:
        handle = await spawn(pool.call(work, (), {}))
        await sleep(0)
        started.wait()
        await handle.cancel()  # returns while the worker still runs
        gate.set()
        return handle.is_cancelled

    assert run(main()) is True
    pool.shutdown()


def test_a_cancel_after_the_outcome_was_handed_over_delivers_the_outcome_first() -> None:
    pool = LoopThreadPool("t", max_workers=1)
    after = threading.Event()
    got: list[Any] = []

    async def waiter() -> None:
        got.append(await pool.call(pow, (2, 3), {}))
        await sleep(0)  # the cancel is thrown in here
        got.append("not reached")

    async def main() -> None:
        handle = await spawn(waiter())
        await sleep(0)
        pool.submit(after.set)  # runs once the worker has handed the outcome over
        after.wait()
        handle.cancel()
        with pytest.raises(TaskCancelled):
            await handle.join()

    run(main())
    pool.shutdown()
    assert got == [8]


def test_an_exception_comes_back_as_the_same_object() -> None:
    error = KeyError("k")

    def fail() -> None:
        raise error

    async def main() -> BaseException:
        try:
            await run_in_executor("thread", fail)
        except KeyError as caught:
            return caught
        raise AssertionError("no error")

    assert run(main()) is error


def test_shutdown_with_cancel_futures_tells_a_waiting_call() -> None:
    started, gate = threading.Event(), threading.Event()
    pool = LoopThreadPool("t", max_workers=1)

    async def main() -> str:
        busy = pool.submit(lambda: started.set() or gate.wait())
        started.wait()
        handle = await spawn(pool.call(int, ("1",), {}))
        await sleep(0)
        pool.shutdown(wait=False, cancel_futures=True)
        gate.set()
        busy.result()
        try:
            await handle.join()
        except concurrent.futures.CancelledError:
            return "cancelled"
        return "ran"

    assert run(main()) == "cancelled"
    pool.shutdown()
