"""aio.stream: a Flowno async iterable consumed from asyncio code (guest mode)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from flowno_eventloop import AsyncQueue, EventLoop, MockClock, aio, sleep, spawn

pytestmark = pytest.mark.usefixtures("no_leaks")


async def words(log: list[str], n: int = 3) -> AsyncIterator[str]:
    """Flowno code: a producer task feeds a Flowno queue; the generator drains it."""
    queue: AsyncQueue[str] = AsyncQueue()

    async def producer() -> None:
        for i in range(n):
            await sleep(1)  # Flowno clock
            await queue.put(f"word{i}")
        await queue.close()

    await spawn(producer())
    try:
        async for word in queue:
            log.append(f"flowno yields {word}")
            yield word
    finally:
        log.append("flowno side closed")


def test_stream_hands_items_over_one_at_a_time() -> None:
    log: list[str] = []

    async def handler() -> list[str]:
        got = []
        async for word in aio.stream(words(log), loop=EventLoop(clock=MockClock())):
            log.append(f"asyncio got {word}")
            got.append(word)
        return got

    assert asyncio.run(handler()) == ["word0", "word1", "word2"]
    assert log == [
        "flowno yields word0",
        "asyncio got word0",
        "flowno yields word1",
        "asyncio got word1",
        "flowno yields word2",
        "asyncio got word2",
        "flowno side closed",
    ]


def test_stopping_early_cancels_and_ends_the_flowno_side() -> None:
    log: list[str] = []

    async def handler() -> None:
        items = aio.stream(words(log, n=100), loop=EventLoop(clock=MockClock()))
        async for word in items:
            if word == "word1":
                break
        await items.aclose()
        log.append("asyncio closed the stream")

    asyncio.run(handler())
    assert log[-2:] == ["flowno side closed", "asyncio closed the stream"]
    assert "flowno yields word3" not in log


def test_cancelling_the_consumer_ends_the_flowno_side() -> None:
    log: list[str] = []

    async def consumer() -> None:
        async for word in aio.stream(words(log, n=100), loop=EventLoop(clock=MockClock())):
            log.append(f"asyncio got {word}")

    async def handler() -> None:
        task = asyncio.create_task(consumer())
        while "asyncio got word1" not in log:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        log.append("consumer cancelled")

    asyncio.run(handler())
    assert log[-2:] == ["flowno side closed", "consumer cancelled"]


def test_a_flowno_error_reaches_the_asyncio_side() -> None:
    async def broken() -> AsyncIterator[int]:
        yield 1
        await sleep(0)
        raise ValueError("flowno side failed")

    async def handler() -> list[int]:
        got = []
        with pytest.raises(ValueError, match="flowno side failed"):
            async for item in aio.stream(broken()):
                got.append(item)
        return got

    assert asyncio.run(handler()) == [1]


def test_stream_needs_an_async_iterable() -> None:
    async def handler() -> None:
        async for _ in aio.stream([1, 2]):  # type: ignore[arg-type]
            pass

    with pytest.raises(TypeError, match=r"aio.stream\(source\): expected an async iterable"):
        asyncio.run(handler())
