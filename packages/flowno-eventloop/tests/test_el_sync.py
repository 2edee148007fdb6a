"""Event, Lock, Condition, CountdownLatch: FIFO order, misuse errors in the task,
notify(n), and cancellation at every await point."""

from __future__ import annotations

from typing import Any

import pytest

from flowno_eventloop import (
    Condition,
    CountdownLatch,
    Event,
    EventLoop,
    Lock,
    MockClock,
    OwnershipError,
    TaskCancelled,
    TaskHandle,
    sleep,
    spawn,
)


def run(coro: Any) -> Any:
    return EventLoop(clock=MockClock()).run_until_complete(coro, join=True)


async def cancel_and_wait(h: TaskHandle[Any]) -> None:
    h.cancel()
    with pytest.raises(TaskCancelled):
        await h.join()


# --- Event ------------------------------------------------------------------------------


def test_event_wakes_waiters_fifo() -> None:
    order: list[int] = []

    async def waiter(ev: Event, i: int) -> None:
        await ev.wait()
        order.append(i)

    async def main() -> None:
        ev = Event()
        hs = [await spawn(waiter(ev, i)) for i in range(5)]
        assert ev.statistics() == {"set": False, "waiters": 5}
        await ev.set()
        assert ev.set_nowait() == 0  # already set
        for h in hs:
            await h.join()

    run(main())
    assert order == [0, 1, 2, 3, 4]


def test_event_cancelled_waiter_is_removed() -> None:
    async def main() -> None:
        ev = Event()
        h = await spawn(ev.wait())
        await sleep(0)
        await cancel_and_wait(h)
        assert ev.statistics()["waiters"] == 0
        assert await ev.set() is None

    run(main())


# --- Lock -------------------------------------------------------------------------------


def test_uncontended_acquire_release_and_set_do_not_yield() -> None:
    loop = EventLoop(clock=MockClock())

    async def main() -> int:
        lock, ev = Lock(), Event()
        before = loop.steps
        await lock.acquire()
        await lock.release()
        async with lock:
            pass
        await ev.set()
        await ev.wait()
        return loop.steps - before

    assert loop.run_until_complete(main(), join=True) == 0


def test_non_owner_release_raises_in_task() -> None:
    async def main() -> str:
        lock = Lock()
        try:
            await lock.release()
        except AssertionError as e:  # OwnershipError is an AssertionError too
            assert isinstance(e, OwnershipError)
            return "caught in task"
        return "no error"

    assert run(main()) == "caught in task"


def test_reacquire_raises_instead_of_deadlock() -> None:
    async def main() -> str:
        lock = Lock()
        await lock.acquire()
        try:
            await lock.acquire()
        except OwnershipError:
            return "refused"
        return "acquired twice"

    assert run(main()) == "refused"


def test_cancelled_lock_waiter_never_gets_the_lock() -> None:
    log: list[str] = []

    async def user(lock: Lock, name: str) -> None:
        async with lock:
            log.append(name)

    async def main() -> None:
        lock = Lock()
        await lock.acquire()
        h1 = await spawn(user(lock, "w1"))
        h2 = await spawn(user(lock, "w2"))
        await cancel_and_wait(h1)
        await lock.release()
        await h2.join()
        assert not lock.is_locked()
        assert lock.statistics() == {"locked": False, "owner": None, "waiters": 0}

    run(main())
    assert log == ["w2"]


def test_lock_granted_then_cancelled_keeps_it_and_passes_it_on() -> None:
    # The grant is a queued wake: the cancel does not replace it; it is thrown in at the
    # task's next checkpoint (here inside the body), and the lock is released on the way out.
    log: list[str] = []

    async def user(lock: Lock, name: str) -> None:
        async with lock:
            log.append(name)
            await sleep(0)
            log.append(f"{name} not cancelled")

    async def main() -> None:
        lock = Lock()
        await lock.acquire()
        h1 = await spawn(user(lock, "w1"))
        h2 = await spawn(user(lock, "w2"))
        await lock.release()  # hands the lock to w1, which has not run yet
        assert lock.owner == h1
        await cancel_and_wait(h1)
        await h2.join()
        assert not lock.is_locked()

    run(main())
    assert log == ["w1", "w2", "w2 not cancelled"]


# --- Condition --------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "expected"), [(0, []), (1, [0]), (2, [0, 1]), (5, [0, 1, 2, 3, 4])])
def test_notify_n_wakes_exactly_n_fifo(n: int, expected: list[int]) -> None:
    woken: list[int] = []

    async def waiter(cond: Condition, i: int) -> None:
        async with cond:
            await cond.wait()
            woken.append(i)

    async def main() -> None:
        cond = Condition()
        hs = [await spawn(waiter(cond, i)) for i in range(5)]
        await sleep(0)
        async with cond:
            await cond.notify(n)
        await sleep(1)
        assert cond.statistics()["waiters"] == 5 - n
        for h in hs:
            h.cancel()
        await sleep(0)

    run(main())
    assert woken == expected


def test_notify_all_and_nowait_forms() -> None:
    woken: list[int] = []

    async def waiter(cond: Condition, i: int) -> None:
        async with cond:
            await cond.wait()
            woken.append(i)

    async def main() -> None:
        cond = Condition(Lock())
        hs = [await spawn(waiter(cond, i)) for i in range(4)]
        await sleep(0)
        assert cond.notify_nowait() is True
        assert cond.notify_all_nowait() == 3
        assert cond.notify_nowait() is False
        for h in hs:
            await h.join()
        async with cond:
            await cond.notify_all()

    run(main())
    assert woken == [0, 1, 2, 3]


@pytest.mark.parametrize("method", ["wait", "notify", "notify_all"])
def test_condition_misuse_raises_in_task(method: str) -> None:
    async def main() -> str:
        cond = Condition()
        try:
            await getattr(cond, method)()
        except OwnershipError as e:
            return str(e).split("(")[0]
        return "no error"

    assert run(main()) == f"Condition.{method}"


@pytest.mark.parametrize("where", ["condition", "lock-queue"])
def test_cancel_in_condition_wait_reacquires_and_stays_balanced(where: str) -> None:
    async def waiter(cond: Condition, states: list[bool]) -> None:
        try:
            async with cond:
                await cond.wait()
        finally:
            states.append(cond.lock.is_locked())

    async def main() -> None:
        cond = Condition()
        states: list[bool] = []
        h = await spawn(waiter(cond, states))
        await sleep(0)
        if where == "lock-queue":
            await cond.lock.acquire()
            await cond.notify()  # waiter moves to the lock's queue; lock still held by main
            h.cancel()
            await sleep(0)
            await cond.lock.release()
        else:
            h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()
        assert not cond.lock.is_locked()
        assert cond.statistics()["waiters"] == 0
        assert states == [False]

    run(main())


# --- CountdownLatch ---------------------------------------------------------------------


def test_latch_errors_and_rearm() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        CountdownLatch(-1)

    async def main() -> None:
        latch = CountdownLatch(1)
        await latch.count_down()
        assert repr(latch) == "CountdownLatch(count=0, set=True)"
        latch.set_count(1)
        assert repr(latch) == "CountdownLatch(count=1, set=False)"
        h = await spawn(latch.wait())
        await sleep(0)
        assert latch.statistics() == {"count": 1, "waiters": 1}
        latch.countdown_nowait()
        await h.join()
        await latch.count_down()  # at zero: only a WARNING
        with pytest.raises(ValueError):
            latch.set_count(-2)
        assert CountdownLatch(0).statistics()["count"] == 0

    run(main())


def test_latch_zero_count_down_logs_warning(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        await CountdownLatch(0).count_down()

    run(main())
    assert "already at zero" in caplog.text


def test_latch_cancelled_waiter_removed() -> None:
    async def main() -> None:
        latch = CountdownLatch(1)
        h = await spawn(latch.wait())
        await sleep(0)
        await cancel_and_wait(h)
        assert latch.statistics()["waiters"] == 0
        c = await spawn(latch.count_down())
        c.cancel()  # cancelled at its checkpoint: the count-down already happened
        with pytest.raises(TaskCancelled):
            await c.join()

    run(main())


def test_reprs() -> None:
    async def main() -> None:
        lock = Lock()
        assert repr(lock) == "Lock(unlocked)"
        await lock.acquire()
        assert repr(lock).startswith("Lock(locked by <coroutine object")
        assert repr(Condition(lock)).startswith("Condition(lock=Lock(locked")
        assert repr(Event()) == "Event(not set)"

    run(main())


@pytest.mark.timeout(10)
def test_close_with_a_condition_waiter_while_the_lock_is_held_does_not_hang(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = EventLoop(clock=MockClock())
    cond = Condition()

    async def waiter() -> None:
        async with cond:
            await cond.wait()

    async def holder() -> None:
        async with cond:
            await sleep(100)

    async def main() -> tuple[str, str]:
        a = await spawn(waiter())
        b = await spawn(holder())
        await sleep(1)
        return a.state, b.state

    assert loop.run_until_complete(main(), join=True, wait_for_spawned_tasks=False) == (
        "parked",
        "parked",
    )
    loop.close()  # used to loop forever: GeneratorExit was caught and the acquire retried
    assert not loop.has_living_tasks()
    assert not cond.lock.is_locked() and cond.statistics()["waiters"] == 0
    assert "would not close" not in caplog.text
