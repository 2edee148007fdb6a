"""Cancel scopes: move_on_after / fail_after, nesting, cancel(), every wait is deadline-able."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from flowno_eventloop import (
    AsyncQueue,
    Event,
    EventLoop,
    Lock,
    MockClock,
    TaskCancelled,
    sleep,
    spawn,
)
from flowno_eventloop._timeouts import (
    CancelScope,
    ScopeCancelled,
    fail_after,
    fail_at,
    move_on_after,
    move_on_at,
)


def run(main: Any, clock: MockClock | None = None) -> Any:
    return EventLoop(clock=clock or MockClock()).run_until_complete(main, join=True)


def test_move_on_after_interrupts_sleep_at_the_deadline() -> None:
    clock = MockClock()

    async def main() -> tuple[bool, float, str]:
        with move_on_after(2.5) as scope:
            await sleep(100)
            return False, 0.0, "not reached"
        return scope.cancelled_caught, scope.deadline, "after"

    assert run(main(), clock) == (True, 2.5, "after")
    assert clock.now() == 2.5


def test_scope_that_does_not_fire() -> None:
    clock = MockClock()

    async def main() -> tuple[bool, bool]:
        with move_on_after(10) as scope:
            await sleep(1)
        await sleep(20)  # the cancelled timer must not fire later
        return scope.cancelled_caught, scope.cancel_called

    assert run(main(), clock) == (False, False)
    assert clock.now() == 21


def test_fail_after_raises_timeout_error_chained() -> None:
    async def main() -> BaseException:
        with pytest.raises(TimeoutError) as info:
            with fail_after(1):
                await sleep(5)
        return info.value

    err = run(main())
    assert isinstance(err.__cause__, ScopeCancelled)
    assert isinstance(err.__cause__, TaskCancelled)


def test_fail_after_when_overrun_without_waiting() -> None:
    clock = MockClock()

    async def main() -> None:
        with fail_after(1):
            clock.jump(2)  # the body overran without awaiting anything

    with pytest.raises(TimeoutError):
        run(main(), clock)


def test_fail_after_in_time_returns_normally() -> None:
    async def main() -> str:
        with fail_after(5):
            await sleep(1)
        return "ok"

    assert run(main()) == "ok"


@pytest.mark.parametrize(("outer", "inner", "winner"), [(1, 5, "outer"), (5, 1, "inner")])
def test_nested_scopes_earliest_deadline_wins(outer: float, inner: float, winner: str) -> None:
    clock = MockClock()

    async def main() -> tuple[bool, bool]:
        with move_on_after(outer) as o:
            with move_on_after(inner) as i:
                await sleep(100)
        return o.cancelled_caught, i.cancelled_caught

    outer_caught, inner_caught = run(main(), clock)
    assert (outer_caught, inner_caught) == (winner == "outer", winner == "inner")
    assert clock.now() == min(outer, inner)


def test_inner_scope_does_not_swallow_outer_fail_after() -> None:
    async def main() -> bool:
        inner: CancelScope | None = None
        with pytest.raises(TimeoutError):
            with fail_after(1):
                with move_on_after(10) as inner:
                    await sleep(100)
        assert inner is not None
        return inner.cancelled_caught

    assert run(main()) is False


def test_cancel_method_before_and_inside() -> None:
    async def main() -> list[bool]:
        pre = CancelScope()
        pre.cancel()
        with pre:
            await sleep(1)
        with CancelScope() as inside:
            await sleep(0)
            inside.cancel()
            await sleep(1)
        return [pre.cancelled_caught, inside.cancelled_caught, math.isinf(inside.deadline)]

    assert run(main()) == [True, True, True]


def test_scope_cancelled_while_task_runnable_is_delivered_at_next_wait() -> None:
    clock = MockClock()
    log: list[str] = []

    async def main() -> bool:
        with move_on_after(1) as scope:
            clock.jump(5)  # deadline passes while we run
            log.append("still running")
            await sleep(0)  # the first wait after the deadline is interrupted
            log.append("not reached")
        return scope.cancelled_caught

    assert run(main(), clock) is True
    assert log == ["still running"]


@pytest.mark.parametrize("what", ["sleep", "queue_get", "event_wait", "lock_acquire", "join"])
def test_timeout_interrupts_every_kind_of_wait(what: str) -> None:
    async def main() -> bool:
        q: AsyncQueue[int] = AsyncQueue()
        ev = Event()
        lock = Lock()

        async def hold_lock() -> None:
            async with lock:
                await Event().wait()

        holder = await spawn(hold_lock())
        await sleep(0)
        waits: dict[str, Callable[[], Awaitable[object]]] = {
            "sleep": lambda: sleep(10),
            "queue_get": q.get,
            "event_wait": ev.wait,
            "lock_acquire": lock.acquire,
            "join": holder.join,
        }
        with move_on_after(3) as scope:
            await waits[what]()
        holder.cancel()
        with pytest.raises(TaskCancelled):
            await holder.join()
        # the abandoned wait left nothing behind: every primitive still works
        await q.put(1)
        assert await q.get() == 1
        await ev.set()
        await ev.wait()
        async with lock:
            pass
        assert not lock.is_locked()
        return scope.cancelled_caught

    assert run(main()) is True


def test_timeout_on_lock_acquire_removes_waiter() -> None:
    lock = Lock()

    async def holder() -> None:
        async with lock:
            await sleep(10)

    async def main() -> list[str]:
        log: list[str] = []
        h = await spawn(holder())
        await sleep(0)
        with move_on_after(1) as scope:
            await lock.acquire()
        log.append(f"caught={scope.cancelled_caught}")
        await h.join()
        log.append(f"locked={lock.is_locked()}")  # not granted to our abandoned wait
        return log

    assert run(main()) == ["caught=True", "locked=False"]


def test_outer_task_cancel_passes_through_scope() -> None:
    async def victim() -> str:
        with move_on_after(100) as scope:
            await sleep(50)
        return f"scope caught {scope.cancelled_caught}"

    async def main() -> bool:
        h = await spawn(victim())
        await sleep(1)
        h.cancel()
        with pytest.raises(TaskCancelled) as info:
            await h.join()
        return isinstance(info.value, ScopeCancelled)

    assert run(main()) is False


def test_absolute_deadlines_and_bad_input() -> None:
    assert move_on_at(3).deadline == 3.0
    assert fail_at(4).deadline == 4.0
    with pytest.raises(ValueError, match="NaN"):
        move_on_after(math.nan)
    with pytest.raises(TypeError, match="seconds"):
        fail_after("1")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="outside"):
        with move_on_after(1):
            pass


def test_scope_cannot_be_reentered() -> None:
    async def main() -> None:
        scope = move_on_after(1)
        with scope:
            pass
        with pytest.raises(RuntimeError, match="only once"):
            with scope:
                pass

    run(main())


def test_zero_and_negative_timeouts_fire_at_first_wait() -> None:
    async def main() -> list[bool]:
        out = []
        for seconds in (0, -1):
            with move_on_after(seconds) as scope:
                await sleep(1)
            out.append(scope.cancelled_caught)
        return out

    assert run(main()) == [True, True]


def test_timeout_in_condition_wait_returns_holding_the_lock() -> None:
    from flowno_eventloop import Condition

    cond = Condition()

    async def main() -> tuple[bool, bool, bool, int]:
        async with cond:
            with move_on_after(2) as scope:
                await cond.wait()
            held = cond.lock.is_locked()  # the lock is ours again, as after a notify
        return scope.cancelled_caught, held, cond.lock.is_locked(), cond.statistics()["waiters"]

    assert run(main()) == (True, True, False, 0)


@pytest.mark.parametrize("helper", [fail_after, move_on_after])
def test_none_means_no_deadline(helper: Callable[[float | None], CancelScope]) -> None:
    clock = MockClock()

    async def main() -> tuple[float, bool]:
        with helper(None) as scope:
            await sleep(1e6)
        return scope.deadline, scope.cancelled_caught

    assert EventLoop(clock=clock).run_until_complete(main(), join=True) == (math.inf, False)
    assert clock.now() == 1e6
