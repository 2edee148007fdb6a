"""to_thread / run_coroutine_threadsafe / from_thread_run: results, errors, no leaked threads."""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from flowno_eventloop import (
    AsyncQueue,
    EventLoop,
    MockClock,
    TaskCancelled,
    from_thread_run,
    run_coroutine_threadsafe,
    sleep,
    spawn,
    to_thread,
)
from flowno_eventloop._threads import MAX_WORKERS
from flowno_eventloop.lowlevel import current_task_handle


def worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("flowno-to_thread")]


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before]
    assert leaked == [], f"threads left behind: {leaked}"


def run(main: Any) -> Any:
    return EventLoop().run_until_complete(main, join=True)


def test_result_and_arguments() -> None:
    def blocking(a: int, b: int, *, scale: int) -> tuple[int, str]:
        return (a + b) * scale, threading.current_thread().name

    async def main() -> tuple[int, str]:
        return await to_thread(blocking, 1, 2, scale=10)

    value, thread_name = run(main())
    assert value == 30
    assert thread_name.startswith("flowno-to_thread")
    assert thread_name != threading.current_thread().name


def test_exception_is_raised_in_the_task_with_worker_traceback() -> None:
    def broken() -> None:
        raise KeyError("from the thread")

    async def main() -> BaseException:
        with pytest.raises(KeyError) as info:
            await to_thread(broken)
        return info.value

    err = run(main())
    frames = []
    tb = err.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "broken" in frames


def test_loop_keeps_running_while_the_thread_blocks() -> None:
    """A task ticks on the loop while another waits for a thread blocked on a threading.Event."""
    release = threading.Event()
    ticks: list[int] = []

    def blocked() -> str:
        assert release.wait(5)
        return "released"

    async def ticker() -> None:
        for i in range(3):
            ticks.append(i)
            await sleep(0)
        release.set()

    async def main() -> str:
        await spawn(ticker())
        return await to_thread(blocked)

    assert run(main()) == "released"
    assert ticks == [0, 1, 2]


def test_no_deadlock_reported_while_thread_work_is_pending() -> None:
    """The only task waits on a thread that takes a while: no DeadlockError, real result."""
    gate = threading.Event()

    def slow() -> int:
        gate.wait(0.05)
        return 7

    async def main() -> int:
        return await to_thread(slow)

    assert run(main()) == 7


def test_many_concurrent_calls_use_a_bounded_pool() -> None:
    barrier_hits: list[str] = []
    lock = threading.Lock()

    def job(i: int) -> int:
        with lock:
            barrier_hits.append(threading.current_thread().name)
        return i * i

    async def main() -> list[int]:
        handles = [await spawn(to_thread(job, i)) for i in range(40)]
        return [await h.join() for h in handles]

    assert run(main()) == [i * i for i in range(40)]
    assert len(set(barrier_hits)) <= MAX_WORKERS
    assert worker_threads() == []


def test_cancel_while_waiting_drops_late_result() -> None:
    release = threading.Event()
    done = threading.Event()

    def blocked() -> str:
        release.wait(5)
        done.set()
        return "late"

    async def main() -> bool:
        h = await spawn(to_thread(blocked))
        await sleep(0)
        h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()
        release.set()
        return h.is_cancelled

    assert run(main()) is True
    assert done.wait(5)
    for t in worker_threads():
        t.join(5)


def test_run_coroutine_threadsafe_from_a_foreign_thread() -> None:
    loop = EventLoop()
    inbox: AsyncQueue[str] = AsyncQueue()
    results: dict[str, Any] = {}

    async def deliver(item: str) -> str:
        await inbox.put(item)
        return f"delivered {item}"

    async def fails() -> None:
        raise ValueError("bad")

    def foreign() -> None:
        results["ok"] = from_thread_run(loop, deliver("hello"))
        future = run_coroutine_threadsafe(fails(), loop)
        results["error"] = future.exception(5)

    async def main() -> str:
        thread = threading.Thread(target=foreign)
        thread.start()
        item = await inbox.get()
        await to_thread(thread.join)
        return item

    assert loop.run_until_complete(main(), join=True) == "hello"
    assert results["ok"] == "delivered hello"
    assert isinstance(results["error"], ValueError)


def test_run_coroutine_threadsafe_cancelled_task() -> None:
    loop = EventLoop(clock=MockClock())
    seen: dict[str, Any] = {}
    started: list[Any] = []

    async def forever() -> None:
        started.append(current_task_handle())
        await sleep(100)

    def foreign() -> None:
        seen["future"] = run_coroutine_threadsafe(forever(), loop)

    async def main() -> None:
        await to_thread(foreign)
        while not started:
            await sleep(0)
        future = seen["future"]
        assert not future.done()
        started[0].cancel()
        await sleep(1)
        with pytest.raises(concurrent.futures.CancelledError):
            future.result(0)

    loop.run_until_complete(main(), join=True)


def test_from_thread_run_on_the_loop_thread_is_refused() -> None:
    async def noop() -> None:
        pass

    async def main() -> None:
        from flowno_eventloop import current_event_loop

        with pytest.raises(RuntimeError, match="own thread"):
            from_thread_run(current_event_loop(), noop())

    run(main())


def test_mock_clock_does_not_jump_while_a_thread_works() -> None:
    """A timeout scope on virtual time must not fire just because the loop waits for a thread."""
    from flowno_eventloop import move_on_after

    clock = MockClock()

    def work() -> str:
        threading.Event().wait(0.02)  # a little real time in the worker
        return "done"

    async def main() -> tuple[str, bool, float]:
        with move_on_after(10) as scope:
            result = await to_thread(work)
        return result, scope.cancelled_caught, clock.now()

    assert EventLoop(clock=clock).run_until_complete(main(), join=True) == ("done", False, 0.0)


def test_one_pool_per_run_reused_then_joined_when_the_run_ends() -> None:
    async def main() -> list[threading.Thread]:
        return [await to_thread(threading.current_thread) for _ in range(3)]

    workers = EventLoop().run_until_complete(main(), join=True)
    assert workers[0] is workers[1] is workers[2]  # one worker served the three calls
    assert workers[0].name.startswith("flowno-to_thread") and not workers[0].is_alive()
    assert not [t for t in threading.enumerate() if t.name.startswith("flowno-to_thread")]
