"""The documented examples of the loop (tasks, queues, sync primitives, instruments), run
verbatim and checked against their exact documented output."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import coroutine
from typing import Any

import pytest

from flowno_eventloop import (
    AsyncMapQueue,
    AsyncQueue,
    AsyncSetQueue,
    Condition,
    CountdownLatch,
    Event,
    EventLoop,
    Lock,
    MockClock,
    QueueClosedError,
    TaskCancelled,
    azip,
    exit,
    sleep,
    spawn,
)
from flowno_eventloop.commands import Command
from flowno_eventloop.instrumentation import EventLoopInstrument
from flowno_eventloop.logging_utils import log_async


def out(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_documented_task_handles(capsys: pytest.CaptureFixture[str]) -> None:
    async def ok() -> int:
        await sleep(0.01)
        return 41 + 1

    async def broken() -> None:
        raise KeyError("missing")

    async def main() -> None:
        h1 = await spawn(ok())
        h2 = await spawn(broken())
        print("h1 finished yet?", h1.is_finished)
        print("h1 ->", await h1.join())
        print("h1 again ->", await h1.join())
        try:
            await h2.join()
        except KeyError as e:
            print("h2 raised", repr(e), "| is_error:", h2.is_error)

    EventLoop(clock=MockClock()).run_until_complete(main())
    assert out(capsys) == [
        "h1 finished yet? False",
        "h1 -> 42",
        "h1 again -> 42",
        "h2 raised KeyError('missing') | is_error: True",
    ]


def test_documented_exit(capsys: pytest.CaptureFixture[str]) -> None:
    async def long_job() -> None:
        await sleep(5)
        print("never printed")

    async def stopper() -> None:
        await sleep(0.01)
        await exit("stopped early")

    async def main() -> str:
        await spawn(long_job())
        h = await spawn(stopper())
        await h.join()
        return "normal end"

    print(EventLoop(clock=MockClock()).run_until_complete(main(), join=True))

    async def fail_fast() -> None:
        await exit(exception=TimeoutError("gave up"))

    try:
        EventLoop().run_until_complete(fail_fast())
    except TimeoutError as e:
        print("raised:", e)
    assert out(capsys) == ["stopped early", "raised: gave up"]


def test_documented_bounded_queue(capsys: pytest.CaptureFixture[str]) -> None:
    async def producer(q: AsyncQueue[int]) -> None:
        for i in range(4):
            await q.put(i)
            print(f"put {i} (size now {len(q)})")
        await q.close()
        print("producer closed the queue")

    async def consumer(q: AsyncQueue[int]) -> int:
        await sleep(0.01)
        total = 0
        async for item in q:
            print(f"got {item}")
            total += item
        return total

    async def main() -> None:
        q: AsyncQueue[int] = AsyncQueue(maxsize=2)
        p = await spawn(producer(q))
        c = await spawn(consumer(q))
        await p.join()
        print("total:", await c.join())

    EventLoop(clock=MockClock()).run_until_complete(main())
    assert out(capsys) == [
        "put 0 (size now 1)",
        "put 1 (size now 2)",
        "got 0",
        "put 2 (size now 1)",
        "got 1",
        "put 3 (size now 1)",
        "got 2",
        "producer closed the queue",
        "got 3",
        "total: 6",
    ]


def test_documented_queue_api(capsys: pytest.CaptureFixture[str]) -> None:
    async def main() -> None:
        q: AsyncQueue[str] = AsyncQueue()
        await q.put("a")
        await q.put("b")
        print("peek:", await q.peek(), "| len:", len(q))
        await q.close()
        try:
            await q.put("c")
        except QueueClosedError as e:
            print("put after close:", e)
        print("drain:", await q.get(), await q.get())
        try:
            await q.get()
        except QueueClosedError as e:
            print("get on closed+empty:", e)
        q2: AsyncQueue[int] = AsyncQueue()
        for x in (1, 2, 3):
            await q2.put(x)
        print("until_empty:", [x async for x in q2.until_empty()], "| closed:", q2.is_closed())
        s: AsyncSetQueue[str] = AsyncSetQueue()
        await s.putAll(["x", "y", "x", "z", "y"])
        print("set queue:", list(s.items))
        m: AsyncMapQueue[str, str] = AsyncMapQueue()
        await m.put(("n1", "first reason"))
        await m.put(("n2", "other"))
        await m.put(("n1", "second reason"))
        print("map queue:", len(m), await m.get())

    EventLoop().run_until_complete(main())
    assert out(capsys) == [
        "peek: a | len: 2",
        "put after close: Cannot put item into closed queue",
        "drain: a b",
        "get on closed+empty: Queue has been closed and is empty",
        "until_empty: [1, 2, 3] | closed: True",
        "set queue: ['x', 'y', 'z']",
        "map queue: 2 ('n1', ['first reason', 'second reason'])",
    ]


def test_documented_event_set_order(capsys: pytest.CaptureFixture[str]) -> None:
    """``set()`` does not give the turn away, so the
    setter runs on to its end before the waiter resumes (0.1.19 printed "waiter: released"
    right after "main: setting")."""

    async def waiter(ev: Event) -> None:
        print("waiter: blocking")
        await ev.wait()
        print("waiter: released")

    async def main() -> None:
        ev = Event()
        await spawn(waiter(ev))
        await sleep(0.01)
        print("main: setting", ev)
        await ev.set()
        print("main: after set", ev, ev.is_set())
        await ev.wait()
        print("main: done")

    EventLoop(clock=MockClock()).run_until_complete(main())
    assert out(capsys) == [
        "waiter: blocking",
        "main: setting Event(not set)",
        "main: after set Event(set) True",
        "main: done",
        "waiter: released",
    ]


def test_original_event_example(capsys: pytest.CaptureFixture[str]) -> None:
    async def waiter(name: str, event: Event) -> str:
        print(f"{name}: Waiting...")
        await event.wait()
        print(f"{name}: Event set, proceeding!")
        return name

    async def setter(event: Event) -> None:
        print("Setter: About to set event")
        await event.set()
        print("Setter: Event set")

    async def main() -> None:
        event = Event()
        w1 = await spawn(waiter("Waiter1", event))
        w2 = await spawn(waiter("Waiter2", event))
        s = await spawn(setter(event))
        await w1.join()
        await w2.join()
        await s.join()

    EventLoop().run_until_complete(main(), join=True)
    assert out(capsys) == [
        "Waiter1: Waiting...",
        "Waiter2: Waiting...",
        "Setter: About to set event",
        "Setter: Event set",
        "Waiter1: Event set, proceeding!",
        "Waiter2: Event set, proceeding!",
    ]


def test_original_lock_example(capsys: pytest.CaptureFixture[str]) -> None:
    async def critical_section(name: str, lock: Lock, shared_counter: list[int]) -> None:
        print(f"{name}: Waiting for lock")
        async with lock:
            print(f"{name}: Acquired lock, in critical section")
            shared_counter[0] += 1
            print(f"{name}: Counter = {shared_counter[0]}")
        print(f"{name}: Released lock")

    async def main() -> int:
        lock = Lock()
        counter = [0]
        task1 = await spawn(critical_section("Task1", lock, counter))
        task2 = await spawn(critical_section("Task2", lock, counter))
        await task1.join()
        await task2.join()
        return counter[0]

    result = EventLoop().run_until_complete(main(), join=True)
    print(result)
    assert out(capsys) == [
        "Task1: Waiting for lock",
        "Task1: Acquired lock, in critical section",
        "Task1: Counter = 1",
        "Task1: Released lock",
        "Task2: Waiting for lock",
        "Task2: Acquired lock, in critical section",
        "Task2: Counter = 2",
        "Task2: Released lock",
        "2",
    ]


def test_documented_lock_handoff(capsys: pytest.CaptureFixture[str]) -> None:
    async def user(name: str, lock: Lock, log: list[str]) -> None:
        async with lock:
            log.append(name)
            await sleep(0.01)

    async def main() -> None:
        lock = Lock()
        log: list[str] = []
        await lock.acquire()
        handles = [await spawn(user(n, lock, log)) for n in ("first", "second", "third")]
        print("locked by main:", lock.is_locked())
        await lock.release()
        print("right after release, still locked:", lock.is_locked())
        for h in handles:
            await h.join()
        print("order:", log, "| locked:", lock.is_locked())

    EventLoop(clock=MockClock()).run_until_complete(main())
    assert out(capsys) == [
        "locked by main: True",
        "right after release, still locked: True",
        "order: ['first', 'second', 'third'] | locked: False",
    ]


def test_documented_condition(capsys: pytest.CaptureFixture[str]) -> None:
    async def main() -> None:
        cond = Condition()
        ready: list[str] = []

        async def waiter() -> None:
            async with cond:
                while not ready:
                    await cond.wait()
                print("waiter sees", ready, "| holds lock:", cond.lock.is_locked())

        h = await spawn(waiter())
        await sleep(0.01)
        async with cond:
            ready.append("data")
            await cond.notify()
            print("notifier still holds the lock")
        await h.join()

    EventLoop(clock=MockClock()).run_until_complete(main())
    assert out(capsys) == [
        "notifier still holds the lock",
        "waiter sees ['data'] | holds lock: True",
    ]


def test_documented_countdown_latch(capsys: pytest.CaptureFixture[str]) -> None:
    async def part(latch: CountdownLatch, n: int) -> None:
        await sleep(0.01 * n)
        await latch.count_down()
        print(f"part {n} done, {latch}")

    async def main() -> None:
        latch = CountdownLatch(2)
        for n in (1, 2):
            await spawn(part(latch, n))
        await latch.wait()
        print("all parts done")
        try:
            await latch.count_down(exception_if_zero=True)
        except CountdownLatch.ZeroLatchError as e:
            print("ZeroLatchError:", e)

    EventLoop(clock=MockClock()).run_until_complete(main())
    assert out(capsys) == [
        "part 1 done, CountdownLatch(count=1, set=False)",
        "all parts done",
        "part 2 done, CountdownLatch(count=0, set=True)",
        "ZeroLatchError: Cannot count down a latch that is already at zero",
    ]


def test_documented_azip_with_queue(capsys: pytest.CaptureFixture[str]) -> None:
    async def words() -> Any:
        for w in ("alpha", "beta", "gamma"):
            yield w

    async def main() -> None:
        q: AsyncQueue[int] = AsyncQueue()
        await q.put(1)
        await q.put(2)
        await q.close()
        async for pair in azip(q, words()):
            print(pair)

    EventLoop().run_until_complete(main())
    assert out(capsys) == ["(1, 'alpha')", "(2, 'beta')"]


def test_documented_nested_instruments(capsys: pytest.CaptureFixture[str]) -> None:
    class Tagger(EventLoopInstrument):
        def __init__(self, tag: str) -> None:
            self.tag = tag

        def on_queue_put(self, queue: Any, item: Any, immediate: bool) -> None:
            print(f"[{self.tag}] put {item!r}")

        def on_task_completed(self, task: Any, result: Any) -> None:
            print(f"[{self.tag}] {task.__qualname__} returned {result!r}")

    async def child() -> str:
        return "child-result"

    async def main() -> None:
        q: AsyncQueue[str] = AsyncQueue()
        await q.put("x")
        await (await spawn(child())).join()

    child.__qualname__, main.__qualname__ = "child", "main"  # as at a script's top level
    with Tagger("outer"):
        with Tagger("inner"):
            EventLoop().run_until_complete(main())
    assert out(capsys) == [
        "[inner] put 'x'",
        "[outer] put 'x'",
        "[inner] child returned 'child-result'",
        "[outer] child returned 'child-result'",
        "[inner] main returned None",
        "[outer] main returned None",
    ]


def test_documented_handle_command_subclass(capsys: pytest.CaptureFixture[str]) -> None:
    @dataclass
    class AskTime(Command):
        label: str

    @coroutine
    def ask_time(label: str) -> Any:
        return (yield AskTime(label))

    class ClockLoop(EventLoop):
        def _handle_command(self, packet: Any, command: Any) -> bool:
            if super()._handle_command(packet, command):
                return True
            if isinstance(command, AskTime):
                self.tasks.append((packet[0], f"{command.label}: tick", None))
                return True
            return False

    async def main() -> None:
        print(await ask_time("first"))
        print(await ask_time("second"))

    ClockLoop().run_until_complete(main())
    assert out(capsys) == ["first: tick", "second: tick"]


def test_documented_log_async(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(name)s | %(message)s"))
    target = logging.getLogger("flowno.utilities")
    old_level = target.level
    target.addHandler(handler)
    target.setLevel(logging.DEBUG)
    try:

        @log_async
        async def double(x: int) -> int:
            return 2 * x

        async def main() -> int:
            return await double(21)

        print(EventLoop().run_until_complete(main(), join=True))
    finally:
        target.removeHandler(handler)
        target.setLevel(old_level)
    assert out(capsys) == [
        "flowno.utilities.logging | Calling function: double(21)",
        "flowno.utilities.logging | double(21) is a coroutine",
        "flowno.utilities.coroutine_wrapper | Starting coroutine: double(21) via __await__",
        "flowno.utilities.coroutine_wrapper | Coroutine double(21) completed via __await__ with result 42",
        "42",
    ]


def test_documented_awaitable_cancel_prints_like_bool(capsys: pytest.CaptureFixture[str]) -> None:
    async def main() -> None:
        h = await spawn(sleep(1))
        print("cancel() ->", h.cancel())
        try:
            await h.join()
        except TaskCancelled:
            print("cancelled =", h.is_cancelled)
        print("cancel() again ->", h.cancel())

    EventLoop(clock=MockClock()).run_until_complete(main())
    assert out(capsys) == ["cancel() -> True", "cancelled = True", "cancel() again -> False"]
