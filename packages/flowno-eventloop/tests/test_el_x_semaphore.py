"""Semaphore / BoundedSemaphore: FIFO hand-off, no barging, cancellation safety, errors."""

from __future__ import annotations

from typing import Any

import pytest

from flowno_eventloop import (
    BoundedSemaphore,
    EventLoop,
    MockClock,
    Semaphore,
    TaskCancelled,
    sleep,
    spawn,
)
from flowno_eventloop._timeouts import move_on_after


def run(main: Any) -> Any:
    return EventLoop(clock=MockClock()).run_until_complete(main, join=True)


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError, match="-1"):
        Semaphore(-1)
    with pytest.raises(TypeError, match="int"):
        Semaphore(1.5)  # type: ignore[arg-type]


def test_at_most_value_holders_and_fifo_order() -> None:
    log: list[str] = []
    sem = Semaphore(2)
    inside = 0
    peak = 0

    async def user(name: str, hold: float) -> None:
        nonlocal inside, peak
        async with sem:
            inside += 1
            peak = max(peak, inside)
            log.append(name)
            await sleep(hold)
            inside -= 1

    async def main() -> None:
        handles = [await spawn(user(n, h)) for n, h in [("a", 3), ("b", 1), ("c", 1), ("d", 1)]]
        for h in handles:
            await h.join()

    run(main())
    assert peak == 2
    assert log == ["a", "b", "c", "d"]
    assert sem.value == 2 and sem.statistics()["waiting"] == 0


def test_release_hands_off_no_barging() -> None:
    """A permit released while someone waits goes to that waiter, not to a late arrival."""
    sem = Semaphore(0)
    order: list[str] = []

    async def waiter() -> None:
        await sem.acquire()
        order.append("waiter")

    async def main() -> None:
        h = await spawn(waiter())
        await sleep(0)
        sem.release()
        assert sem.value == 0  # handed straight to the waiter
        assert not sem.acquire_nowait()  # so a barging acquire fails
        await h.join()
        order.append("main")

    run(main())
    assert order == ["waiter", "main"]


def test_uncontended_acquire_does_not_yield() -> None:
    order: list[str] = []
    sem = Semaphore(1)

    async def other() -> None:
        order.append("other")

    async def main() -> None:
        h = await spawn(other())
        order.append("before")
        await sem.acquire()  # free permit: the turn is not given away
        order.append("acquired")
        await h.join()

    EventLoop().run_until_complete(main(), join=True)
    assert order.index("acquired") == order.index("before") + 1


def test_cancelled_waiter_is_removed_and_permit_not_lost() -> None:
    sem = Semaphore(1)
    got: list[str] = []

    async def user(name: str) -> None:
        async with sem:
            got.append(name)
            await sleep(1)

    async def main() -> None:
        first = await spawn(user("first"))
        second = await spawn(user("second"))
        third = await spawn(user("third"))
        await sleep(0)
        assert sem.statistics()["waiting"] == 2
        second.cancel()
        with pytest.raises(TaskCancelled):
            await second.join()
        assert sem.statistics()["waiting"] == 1
        await first.join()
        await third.join()

    run(main())
    assert got == ["first", "third"]
    assert sem.value == 1


def test_permit_granted_then_cancelled_is_kept_then_given_back() -> None:
    """Release wakes the waiter, then it is cancelled before it runs: it gets the permit
    (the wake is not replaced), the cancel comes at its next checkpoint, the permit returns."""
    sem = Semaphore(0)

    async def waiter() -> None:
        await sem.acquire()
        try:
            await sleep(0)
        finally:
            sem.release()

    async def main() -> None:
        h = await spawn(waiter())
        await sleep(0)
        sem.release()  # granted: the waiter is runnable now
        h.cancel()  # ... and cancelled before it ran
        with pytest.raises(TaskCancelled):
            await h.join()
        assert h.is_cancelled
        assert sem.value == 1  # the permit came back instead of dying with the task
        assert sem.statistics()["waiting"] == 0

    run(main())


def test_timeout_while_waiting_leaves_no_waiter() -> None:
    sem = Semaphore(0)

    async def main() -> bool:
        with move_on_after(5) as scope:
            await sem.acquire()
        assert sem.statistics() == {"value": 0, "waiting": 0, "initial_value": 0}
        sem.release()
        assert sem.value == 1
        return scope.cancelled_caught

    assert run(main()) is True


def test_bounded_semaphore_over_release() -> None:
    sem = BoundedSemaphore(2)

    async def main() -> None:
        await sem.acquire()
        sem.release()
        with pytest.raises(ValueError, match="initial value 2"):
            sem.release()
        assert sem.value == 2

    run(main())


def test_repr_and_locked() -> None:
    sem = Semaphore(1)
    assert repr(sem) == "Semaphore(value=1, waiting=0)"
    assert not sem.locked()
    assert sem.acquire_nowait()
    assert sem.locked()
