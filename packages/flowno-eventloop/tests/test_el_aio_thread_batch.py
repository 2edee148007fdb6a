"""aio.call through the helper thread: batched starts, cancels before the start, races."""

from __future__ import annotations

import asyncio
import gc
import inspect
import threading
from typing import Any

import pytest
import sniffio

from flowno_eventloop import EventLoop, TaskCancelled, aio, sleep, spawn, to_thread

pytestmark = pytest.mark.usefixtures("no_leaks")


def run(main: Any) -> Any:
    return EventLoop().run_until_complete(main, join=True)


def test_many_concurrent_calls_each_get_their_own_result() -> None:
    async def echo(i: int) -> tuple[int, str, bool]:
        await asyncio.sleep(0)
        running = asyncio.current_task() is not None
        return i, sniffio.current_async_library(), running

    async def one(i: int) -> Any:
        return await aio.call(echo(i))

    async def main() -> list[Any]:
        handles = [await spawn(one(i)) for i in range(300)]
        return [await h.join() for h in handles]

    assert run(main()) == [(i, "asyncio", True) for i in range(300)]


def test_a_call_cancelled_before_it_started_closes_its_coroutine() -> None:
    gate = threading.Event()
    blocking = threading.Event()

    async def block_the_helper_loop() -> None:
        blocking.set()
        gate.wait()  # blocks the helper thread: the next call stays queued

    async def never_started() -> str:
        return "ran"

    queued = never_started()

    async def caller() -> str:
        return await aio.call(queued)  # type: ignore[no-any-return]

    async def main() -> bool:
        blocker = await spawn(aio.call(block_the_helper_loop()))
        await to_thread(blocking.wait)
        handle = await spawn(caller())
        await sleep(0)  # the call is queued for the helper loop, which is busy
        await handle.cancel()
        gate.set()
        await blocker.join()
        return handle.is_cancelled

    assert run(main()) is True
    assert inspect.getcoroutinestate(queued) == inspect.CORO_CLOSED


def test_cancels_racing_completions_give_one_outcome_each() -> None:
    async def trivial(i: int) -> int:
        return i

    async def caller(i: int) -> int:
        return await aio.call(trivial(i))

    async def main() -> set[str]:
        outcomes: set[str] = set()
        for i in range(300):
            handle = await spawn(caller(i))
            for _ in range(i % 4):
                await sleep(0)
            handle.cancel()
            try:
                outcomes.add("result" if await handle.join() == i else "wrong")
            except TaskCancelled:
                outcomes.add("cancelled")
        return outcomes

    outcomes = run(main())
    assert outcomes <= {"result", "cancelled"} and "cancelled" in outcomes


def test_calls_queued_while_the_helper_loop_is_busy_take_one_wakeup_of_it() -> None:
    from flowno_eventloop import _aio_host, current_event_loop

    gate, blocking = threading.Event(), threading.Event()
    scheduled: list[str] = []

    async def block_the_helper_loop() -> None:
        blocking.set()
        gate.wait()

    async def echo(i: int) -> int:
        return i

    async def main() -> list[int]:
        blocker = await spawn(aio.call(block_the_helper_loop()))
        await to_thread(blocking.wait)
        host = _aio_host._hosts[current_event_loop()]  # type: ignore[index]
        original = host.loop.call_soon_threadsafe

        def counting(callback: Any, *args: Any) -> Any:
            scheduled.append(getattr(callback, "__name__", "?"))
            return original(callback, *args)

        host.loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
        handles = [await spawn(aio.call(echo(i))) for i in range(50)]
        await sleep(0)  # every call is queued
        gate.set()
        results = [await h.join() for h in handles]
        await blocker.join()
        return results

    assert run(main()) == list(range(50))
    assert scheduled == ["_start_queued", "stop"]  # one drain for 50 calls; the run's end


def test_an_error_after_the_caller_gave_up_is_reported_by_asyncio(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = threading.Event()

    async def fails_when_cancelled() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise ValueError("raised while cancelled") from None

    async def main() -> bool:
        handle = await spawn(aio.call(fails_when_cancelled()))
        await to_thread(started.wait)
        await handle.cancel()
        return handle.is_cancelled

    with caplog.at_level("ERROR", logger="asyncio"):
        assert run(main()) is True
        gc.collect()
    assert "raised while cancelled" in caplog.text
