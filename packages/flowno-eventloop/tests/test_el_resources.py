"""Resources and costs: no fd / thread / task leaks, nothing grows with finished tasks
or used primitives, one poll per batch, signals opt-in and restored."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from typing import Any

import pytest

from flowno_eventloop import (
    AsyncQueue,
    Condition,
    Event,
    EventLoop,
    Lock,
    MockClock,
    TaskCancelled,
    sleep,
    spawn,
)
from flowno_eventloop.lowlevel import park, wait_readable


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_many_loops_leak_no_fd() -> None:
    async def main() -> None:
        await sleep(0.0001)  # a real blocking wait: selector + wake-up pair get created

    before = open_fds()
    for _ in range(200):
        EventLoop().run_until_complete(main())
    assert open_fds() == before


def test_finished_tasks_and_primitives_leave_nothing_behind() -> None:
    loop = EventLoop(clock=MockClock())

    async def user(lock: Lock, cond: Condition, ev: Event, q: AsyncQueue[int]) -> int:
        async with lock:
            await q.put(1)
        async with cond:
            await cond.notify_all()
        await ev.set()
        return await q.get()

    async def main() -> int:
        total = 0
        for _ in range(2000):
            h = await spawn(user(Lock(), Condition(), Event(), AsyncQueue()))
            total += await h.join()
        return total

    assert loop.run_until_complete(main(), join=True) == 2000
    stats = loop.statistics()
    assert stats["live_tasks"] == 0 and stats["parked"] == 0 and stats["timers"] == 0
    assert len(loop._live) == 0  # pyright: ignore[reportPrivateUsage]
    assert not loop.has_living_tasks()


def test_one_poll_per_batch_not_per_step() -> None:
    a, b = socket.socketpair()
    try:
        loop = EventLoop()

        async def spinner() -> None:
            for _ in range(1000):
                await sleep(0)

        async def reader() -> None:
            await wait_readable(a)

        async def main() -> None:
            r = await spawn(reader())
            hs = [await spawn(spinner()) for _ in range(10)]
            for h in hs:
                await h.join()
            b.send(b"x")
            await r.join()

        loop.run_until_complete(main())
        stats = loop.statistics()
        assert stats["steps"] > 10_000
        assert stats["polls"] <= stats["batches"] + 2
        assert stats["batches"] < 1100  # ten spinners share each batch
    finally:
        a.close()
        b.close()


def test_io_is_not_starved_by_busy_tasks() -> None:
    a, b = socket.socketpair()
    try:
        seen: list[int] = []

        async def busy() -> None:
            i = 0
            while not seen:
                i += 1
                await sleep(0)
            seen.append(i)

        async def reader() -> None:
            await wait_readable(a)
            seen.append(-1)

        async def main() -> None:
            await spawn(reader())
            h = await spawn(busy())
            b.send(b"x")
            await h.join()

        EventLoop().run_until_complete(main())
        assert seen[0] == -1 and seen[1] < 5
    finally:
        a.close()
        b.close()


def test_no_thread_left_behind_after_threadsafe_calls() -> None:
    before = threading.active_count()
    loop = EventLoop()

    async def main() -> None:
        done = Event()
        t = threading.Thread(target=loop.call_soon_threadsafe, args=(done.set_nowait,))
        loop.hold()
        t.start()
        await done.wait()
        loop.release()
        t.join()

    loop.run_until_complete(main())
    assert threading.active_count() == before


def test_release_without_hold_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="more often than hold"):
        EventLoop().release()


def test_wait_for_spawned_false_then_close_runs_finally() -> None:
    cleaned: list[str] = []

    async def worker() -> None:
        try:
            await sleep(10)
        finally:
            cleaned.append("closed")

    async def main() -> str:
        await spawn(worker())
        return "root"

    loop = EventLoop(clock=MockClock())
    assert loop.run_until_complete(main(), join=True, wait_for_spawned_tasks=False) == "root"
    assert loop.has_living_tasks() and cleaned == []
    loop.close()
    assert cleaned == ["closed"] and not loop.has_living_tasks()


def test_tasks_left_by_wait_false_continue_next_run() -> None:
    log: list[str] = []

    async def worker() -> None:
        await sleep(1)
        log.append("worker done")

    async def first() -> None:
        await spawn(worker())

    async def second() -> None:
        await sleep(2)

    loop = EventLoop(clock=MockClock())
    loop.run_until_complete(first(), wait_for_spawned_tasks=False)
    loop.run_until_complete(second())
    assert log == ["worker done"]


def test_signals_untouched_by_default() -> None:
    before = signal.getsignal(signal.SIGTERM)

    async def main() -> Any:
        return signal.getsignal(signal.SIGTERM)

    assert EventLoop().run_until_complete(main(), join=True) is before


def test_opt_in_signals_chain_and_restore(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def mine(signum: int, frame: Any) -> None:
        calls.append(signum)

    previous = signal.signal(signal.SIGUSR1, mine)
    try:

        async def main() -> None:
            os.kill(os.getpid(), signal.SIGUSR1)
            await sleep(0)

        with caplog.at_level(logging.WARNING, logger="flowno.eventloop"):
            EventLoop(handle_signals=True).run_until_complete(main())
        assert calls == [signal.SIGUSR1]
        assert "EVENT LOOP DEBUG INFO (Signal SIGUSR1 received)" in caplog.text
        assert signal.getsignal(signal.SIGUSR1) is mine
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_sigint_still_raises_keyboard_interrupt_when_opted_in() -> None:
    async def main() -> None:
        os.kill(os.getpid(), signal.SIGINT)
        await sleep(0)

    with pytest.raises(KeyboardInterrupt):
        EventLoop(handle_signals=True).run_until_complete(main())
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_keyboard_interrupt_from_a_task_escapes() -> None:
    async def child() -> None:
        raise KeyboardInterrupt

    async def main() -> None:
        await spawn(child())
        await sleep(1)

    loop = EventLoop(clock=MockClock())
    with pytest.raises(KeyboardInterrupt):
        loop.run_until_complete(main())
    loop.close()


def test_statistics_lists_blocked_tasks() -> None:
    async def waiter() -> None:
        await park(reason="custom reason")

    async def main() -> dict[str, Any]:
        h = await spawn(waiter())
        await sleep(0)
        from flowno_eventloop import current_event_loop

        loop = current_event_loop()
        assert loop is not None
        stats = loop.statistics()
        h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()
        return stats

    stats = EventLoop().run_until_complete(main(), join=True)
    assert (
        "<TaskHandle test_statistics_lists_blocked_tasks.<locals>.waiter parked>",
        "'custom reason'",
    ) in stats["blocked"]
    assert stats["parked"] >= 1
