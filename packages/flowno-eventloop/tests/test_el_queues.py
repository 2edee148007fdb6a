"""Queues: hand-off, FIFO getters, edge cases, set queue, cancellation."""

from __future__ import annotations

from typing import Any

import pytest

from flowno_eventloop import (
    AsyncMapQueue,
    AsyncQueue,
    AsyncSetQueue,
    DeadlockError,
    EventLoop,
    MockClock,
    QueueClosedError,
    QueueFull,
    TaskCancelled,
    azip,
    sleep,
    spawn,
)
from flowno_eventloop.instrumentation import EventLoopInstrument


def run(coro: Any) -> Any:
    return EventLoop(clock=MockClock()).run_until_complete(coro, join=True)


def test_getters_are_served_fifo() -> None:
    got: list[tuple[int, str]] = []

    async def getter(q: AsyncQueue[str], i: int) -> None:
        got.append((i, await q.get()))

    async def main() -> None:
        q: AsyncQueue[str] = AsyncQueue()
        hs = [await spawn(getter(q, i)) for i in range(4)]
        assert q.statistics()["getters"] == 4
        for item in "wxyz":
            await q.put(item)
        for h in hs:
            await h.join()

    run(main())
    assert got == [(0, "w"), (1, "x"), (2, "y"), (3, "z")]


def test_blocked_putters_keep_order() -> None:
    async def putter(q: AsyncQueue[int], i: int) -> None:
        await q.put(i)

    async def main() -> list[int]:
        q: AsyncQueue[int] = AsyncQueue(maxsize=1)
        await q.put(0)
        hs = [await spawn(putter(q, i)) for i in (1, 2, 3)]
        assert q.statistics()["putters"] == 3
        got = [await q.get() for _ in range(4)]
        for h in hs:
            await h.join()
        return got

    assert run(main()) == [0, 1, 2, 3]


def test_maxsize_zero_or_negative_is_unbounded() -> None:
    async def main() -> int:
        q: AsyncQueue[int] = AsyncQueue(maxsize=0)
        q2: AsyncQueue[int] = AsyncQueue(maxsize=-3)
        for i in range(5):
            await q.put(i)
            await q2.put(i)
        return len(q) + len(q2)

    assert run(main()) == 10


def test_close_releases_blocked_putter_of_set_queue() -> None:
    async def main() -> str:
        s: AsyncSetQueue[str] = AsyncSetQueue(maxsize=1)
        await s.put("a")
        h = await spawn(s.put("b"))
        await sleep(0)
        await s.close()
        try:
            await h.join()
        except QueueClosedError as e:
            return str(e)
        return "no error"

    assert run(main()) == "Cannot put item into closed queue"


def test_close_releases_blocked_getters() -> None:
    async def main() -> list[str]:
        q: AsyncQueue[int] = AsyncQueue()
        hs = [await spawn(q.get()), await spawn(q.peek())]
        await sleep(0)
        q.close_nowait()
        out = []
        for h in hs:
            with pytest.raises(QueueClosedError) as info:
                await h.join()
            out.append(str(info.value))
        return out

    assert run(main()) == ["Queue has been closed and is empty"] * 2


def test_get_on_empty_queue_without_producer_is_a_deadlock() -> None:
    async def main() -> None:
        await AsyncQueue[int]().get()

    with pytest.raises(DeadlockError, match="AsyncQueue.get"):
        EventLoop(deadlock_grace=0).run_until_complete(main())


@pytest.mark.parametrize("op", ["get", "peek", "put"])
def test_cancel_at_each_queue_await_point(op: str) -> None:
    async def main() -> None:
        q: AsyncQueue[str] = AsyncQueue(maxsize=1)
        if op == "put":
            await q.put("first")
            h = await spawn(q.put("lost"))
        else:
            h = await spawn(getattr(q, op)())
        await sleep(0)
        h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()
        assert q.statistics()["getters"] == 0 and q.statistics()["putters"] == 0
        if op == "put":
            assert list(q.items) == ["first"]
        else:
            await q.put("kept")  # not handed to the cancelled getter
            assert await q.get() == "kept"

    run(main())


def test_peek_waiter_sees_item_and_leaves_it() -> None:
    async def main() -> tuple[str, int]:
        q: AsyncQueue[str] = AsyncQueue()
        h = await spawn(q.peek())
        await q.put("x")
        return await h.join(), len(q)

    assert run(main()) == ("x", 1)


def test_nowait_forms_and_closed_setter() -> None:
    async def main() -> None:
        q: AsyncQueue[int] = AsyncQueue(maxsize=1)
        assert q.put_nowait(1)
        with pytest.raises(QueueFull, match="maxsize=1"):  # a bounded queue is bounded
            q.put_nowait(2)
        assert q.get_nowait() == 1
        assert q.put_nowait(2)
        q.closed = True
        assert q.is_closed() and q.closed
        with pytest.raises(QueueClosedError):
            q.put_nowait(3)
        assert q.get_nowait() == 2
        with pytest.raises(QueueClosedError):
            q.get_nowait()
        with pytest.raises(IndexError):
            AsyncQueue[int]().get_nowait()
        q.closed = False
        assert not q.is_closed()

    run(main())


def test_set_queue_membership_and_duplicates() -> None:
    async def main() -> None:
        s: AsyncSetQueue[int] = AsyncSetQueue()
        await s.putAll([1, 2, 1, 3])
        assert list(s.items) == [1, 2, 3] and 2 in s
        assert s.put_nowait(2) is False and s.put_nowait(4) is True
        assert await s.get() == 1 and 1 not in s
        await s.put(1)  # can come back once it left
        assert list(s.items) == [2, 3, 4, 1]
        await s.close()
        await s.put(2)  # duplicate of a queued item: returns, even when closed
        with pytest.raises(QueueClosedError):
            s.put_nowait(9)

    run(main())


def test_map_queue_rules() -> None:
    async def main() -> None:
        m: AsyncMapQueue[str, str] = AsyncMapQueue()
        with pytest.raises(ValueError, match="key, cause"):
            await m.put("not a pair")  # type: ignore[arg-type]
        await m.put(("k", "a"))
        await m.put(("k", "b"))
        assert len(m) == 1 and await m.peek() == ("k", ["a", "b"])
        assert await m.get() == ("k", ["a", "b"])
        await m.put(("k", "c"))
        await m.close()
        with pytest.raises(QueueClosedError):
            await m.put(("k", "d"))
        assert await m.get() == ("k", ["c"])

    run(main())


def test_until_empty_without_closing() -> None:
    async def main() -> tuple[list[int], bool]:
        q: AsyncQueue[int] = AsyncQueue()
        await q.put(1)
        items = [x async for x in q.until_empty(self_closing=False)]
        return items, q.is_closed()

    assert run(main()) == ([1], False)


def test_queue_hooks_fire_with_keywords() -> None:
    seen: list[tuple[str, Any, bool]] = []

    class Spy(EventLoopInstrument):
        def on_queue_put(self, queue: Any, item: Any, immediate: bool) -> None:
            seen.append(("put", item, immediate))

        def on_queue_get(self, queue: Any, item: Any, immediate: bool) -> None:
            seen.append(("get", item, immediate))

    async def main() -> None:
        q: AsyncQueue[int] = AsyncQueue(maxsize=1)
        await q.put(1)
        h = await spawn(q.put(2))
        await sleep(0)
        assert await q.get() == 1
        await h.join()

    with Spy():
        run(main())
    assert seen == [("put", 1, True), ("get", 1, True), ("put", 2, False)]


def test_repr_and_statistics() -> None:
    q: AsyncQueue[int] = AsyncQueue(maxsize=3)
    assert repr(q).startswith("<AsyncQueue id=") and "maxsize=3 items=[] closed=False" in repr(q)
    assert q.statistics() == {"size": 0, "maxsize": 3, "closed": False, "getters": 0, "putters": 0}


def test_azip_edge_cases() -> None:
    with pytest.raises(TypeError, match="at least one"):
        azip()
    with pytest.raises(TypeError, match="not an async iterator"):
        azip([1, 2])  # type: ignore[call-overload]

    async def gen(items: str) -> Any:
        for x in items:
            yield x

    async def main() -> list[tuple[Any, ...]]:
        return [p async for p in azip(gen("ab"), gen("xyz"), gen("123"))]

    assert run(main()) == [("a", "x", "1"), ("b", "y", "2")]
