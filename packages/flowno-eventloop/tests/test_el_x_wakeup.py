"""Cross-thread wake-ups: the native waker signals once per batch and loses nothing."""

from __future__ import annotations

import select
import threading
from typing import Any

from flowno_eventloop import EventLoop, TaskCancelled, sleep, spawn
from flowno_eventloop._backend import SelectorBackend
from flowno_eventloop._wakefd import SocketPairChannel, WakeChannel
from flowno_eventloop.lowlevel import WakeToken

THREADS = 8


class CountingChannel:
    """Wraps a real channel and counts its signals."""

    def __init__(self, inner: WakeChannel) -> None:
        self.inner = inner
        self.signals = 0

    def fileno(self) -> int:
        return self.inner.fileno()

    def signal(self) -> None:
        self.signals += 1
        self.inner.signal()

    def drain(self) -> None:
        self.inner.drain()

    def close(self) -> None:
        self.inner.close()


def test_wakeups_while_one_is_pending_write_nothing_more() -> None:
    backend = SelectorBackend()
    backend.wakeup()
    assert backend.poll(None) == []  # opens the channel, signalled at once, drained
    counting = CountingChannel(backend._wake)  # type: ignore[arg-type]
    backend._wake = counting
    for _ in range(100):
        backend.wakeup()
    assert counting.signals == 1
    assert backend.poll(None) == []  # returns at once: the pending wake-up
    backend.wakeup()  # drained: the next one signals again
    assert counting.signals == 2
    assert backend.poll(None) == []
    backend.close()


def test_socket_pair_channel_drains_many_signals_and_ignores_a_full_buffer() -> None:
    channel = SocketPairChannel()
    for _ in range(100_000):  # fills the socket buffer: the extra signals are dropped
        channel.signal()
    assert select.select([channel.fileno()], [], [], 0)[0] == [channel.fileno()]
    channel.drain()
    assert select.select([channel.fileno()], [], [], 0)[0] == []
    channel.close()
    channel.signal()  # closed: ignored


def _fire_from_threads(jobs: list[Any], start: threading.Barrier) -> list[threading.Thread]:
    threads = []
    for i in range(THREADS):
        mine = jobs[i::THREADS]

        def work(mine: list[Any] = mine) -> None:
            start.wait()
            for job in mine:
                job()

        threads.append(threading.Thread(target=work))
    for t in threads:
        t.start()
    return threads


def test_many_threads_calling_soon_threadsafe_lose_nothing() -> None:
    per_thread = 2000
    total = THREADS * per_thread
    loop = EventLoop()
    seen: list[int] = []

    async def main() -> list[int]:
        token = WakeToken()

        def record(i: int) -> None:
            seen.append(i)
            if len(seen) == total:
                token.wake(sorted(seen))

        start = threading.Barrier(THREADS)
        jobs = [lambda i=i: loop.call_soon_threadsafe(record, i) for i in range(total)]
        loop.hold()
        threads = _fire_from_threads(jobs, start)
        try:
            return await token.park(reason="every callback")  # type: ignore[no-any-return]
        finally:
            loop.release()
            for t in threads:
                t.join()

    assert loop.run_until_complete(main(), join=True) == list(range(total))


def test_many_threads_waking_many_tokens_at_once_wake_every_task() -> None:
    tasks = 400
    loop = EventLoop()

    async def waiter(tokens: list[WakeToken], i: int) -> Any:
        token = WakeToken()
        tokens[i] = token
        return await token.park(reason="a thread")

    async def main() -> list[Any]:
        tokens: list[Any] = [None] * tasks
        handles = [await spawn(waiter(tokens, i)) for i in range(tasks)]
        while any(h.state != "parked" for h in handles):
            await sleep(0)
        start = threading.Barrier(THREADS)
        jobs = [lambda i=i: tokens[i].wake_threadsafe(i) for i in range(tasks)]
        loop.hold()
        threads = _fire_from_threads(jobs, start)
        try:
            return [await h.join() for h in handles]
        finally:
            loop.release()
            for t in threads:
                t.join()

    assert loop.run_until_complete(main(), join=True) == list(range(tasks))


async def _race_once(loop: EventLoop, variant: int, refuse: bool) -> str:
    """A thread wakes a parked task's token while the loop cancels the task."""
    tokens: list[WakeToken] = []

    async def waiter() -> Any:
        token = WakeToken()
        tokens.append(token)
        return await token.park(reason="a thread", abort=(lambda: False) if refuse else None)

    handle = await spawn(waiter())
    while handle.state != "parked":
        await sleep(0)
    loop.hold()
    thread = threading.Thread(target=tokens[0].wake_threadsafe, args=("woken",))
    thread.start()
    if variant >= 1:
        thread.join()  # the wake is in the inbox before the cancel
    if variant == 2:
        await sleep(0)  # ... and delivered: the task is ready when cancelled
    handle.cancel()
    try:
        result = await handle.join()
    except TaskCancelled:
        result = "cancelled"
    finally:
        thread.join()
        loop.release()
    assert tokens[0].wake("late") is False  # the park is over: nothing reaches it
    return str(result)


def test_a_wake_racing_a_cancel_delivers_one_outcome_only() -> None:
    loop = EventLoop()

    async def main() -> list[set[str]]:
        outcomes: list[set[str]] = [set(), set(), set()]
        for i in range(300):
            outcomes[i % 3].add(await _race_once(loop, i % 3, refuse=False))
        return outcomes

    cancelled_at_once, wake_queued, wake_delivered = loop.run_until_complete(main(), join=True)
    assert cancelled_at_once <= {"woken", "cancelled"}
    assert wake_queued == {"cancelled"}  # the accepted cancel ended the park: wake dropped
    assert wake_delivered == {"woken"}


def test_a_refused_cancel_still_gets_the_racing_wake() -> None:
    loop = EventLoop()

    async def main() -> set[str]:
        return {await _race_once(loop, i % 3, refuse=True) for i in range(300)}

    assert loop.run_until_complete(main(), join=True) == {"woken"}
