"""TaskGroup: waits for children, aborts on the first failure, ExceptionGroup, cancellation."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from flowno_eventloop import (
    Event,
    EventLoop,
    MockClock,
    TaskCancelled,
    TaskGroup,
    fail_after,
    move_on_after,
    sleep,
    spawn,
)

if sys.version_info < (3, 11):
    from exceptiongroup import BaseExceptionGroup, ExceptionGroup


def run(main: Any, clock: MockClock | None = None) -> Any:
    return EventLoop(clock=clock or MockClock()).run_until_complete(main, join=True)


async def nap(seconds: float, log: list[str], name: str) -> str:
    try:
        await sleep(seconds)
    except TaskCancelled:
        log.append(f"{name} cancelled")
        raise
    log.append(f"{name} done")
    return name


def test_waits_for_all_children() -> None:
    clock = MockClock()
    log: list[str] = []

    async def main() -> list[str]:
        async with TaskGroup() as tg:
            handles = [tg.spawn(nap(t, log, f"c{t}")) for t in (3, 1, 2)]
            log.append("body done")
        log.append("group done")
        return [await h.join() for h in handles]

    assert run(main(), clock) == ["c3", "c1", "c2"]
    assert log == ["body done", "c1 done", "c2 done", "c3 done", "group done"]
    assert clock.now() == 3


def test_child_failure_cancels_siblings_and_body() -> None:
    log: list[str] = []

    async def bad() -> None:
        await sleep(1)
        raise KeyError("bad child")

    async def main() -> None:
        async with TaskGroup() as tg:
            tg.spawn(nap(10, log, "sibling"))
            tg.spawn(bad())
            await sleep(100)
            log.append("body not interrupted")

    with pytest.raises(ExceptionGroup) as info:
        run(main())
    assert [repr(e) for e in info.value.exceptions] == ["KeyError('bad child')"]
    assert log == ["sibling cancelled"]


def test_several_failures_are_all_reported() -> None:
    async def fail(msg: str) -> None:
        await sleep(1)
        raise ValueError(msg)

    async def fail_in_cleanup(msg: str) -> None:
        try:
            await sleep(10)
        except TaskCancelled:
            raise ValueError(msg) from None

    async def main() -> None:
        async with TaskGroup() as tg:
            tg.spawn(fail("one"))
            tg.spawn(fail_in_cleanup("two"))

    with pytest.raises(ExceptionGroup) as info:
        run(main())
    assert sorted(str(e) for e in info.value.exceptions) == ["one", "two"]


def test_body_failure_cancels_children_and_is_grouped() -> None:
    log: list[str] = []

    async def main() -> None:
        async with TaskGroup() as tg:
            tg.spawn(nap(10, log, "child"))
            await sleep(1)
            raise RuntimeError("body broke")

    with pytest.raises(ExceptionGroup) as info:
        run(main())
    assert [str(e) for e in info.value.exceptions] == ["body broke"]
    assert log == ["child cancelled"]


def test_parent_cancel_cancels_children_and_reraises() -> None:
    log: list[str] = []

    async def parent() -> None:
        async with TaskGroup() as tg:
            tg.spawn(nap(10, log, "a"))
            tg.spawn(nap(20, log, "b"))
        log.append("not reached")

    async def main() -> bool:
        h = await spawn(parent())
        await sleep(1)
        h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()
        return h.is_cancelled

    assert run(main()) is True
    assert sorted(log) == ["a cancelled", "b cancelled"]


def test_parent_cancelled_while_waiting_in_aexit() -> None:
    log: list[str] = []
    entered = Event()

    async def parent() -> None:
        async with TaskGroup() as tg:
            tg.spawn(nap(10, log, "a"))
            await entered.set()
        log.append("not reached")

    async def main() -> None:
        h = await spawn(parent())
        await entered.wait()
        await sleep(1)  # parent is now parked in __aexit__ joining its child
        h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()

    run(main())
    assert log == ["a cancelled"]


def test_cancelled_child_is_not_a_failure() -> None:
    log: list[str] = []

    async def main() -> str:
        async with TaskGroup() as tg:
            h = tg.spawn(nap(10, log, "victim"))
            tg.spawn(nap(2, log, "other"))
            await sleep(1)
            h.cancel()
        return "ok"

    assert run(main()) == "ok"
    assert log == ["victim cancelled", "other done"]


def test_outer_timeout_cancels_group() -> None:
    clock = MockClock()
    log: list[str] = []

    async def main() -> bool:
        with move_on_after(5) as scope:
            async with TaskGroup() as tg:
                tg.spawn(nap(10, log, "slow"))
                tg.spawn(nap(1, log, "fast"))
        return scope.cancelled_caught

    assert run(main(), clock) is True
    assert log == ["fast done", "slow cancelled"]
    assert clock.now() == 5


def test_timeout_inside_a_child_is_local() -> None:
    async def child() -> str:
        try:
            with fail_after(1):
                await sleep(10)
        except TimeoutError:
            return "child timed out"
        return "no"

    async def main() -> str:
        async with TaskGroup() as tg:
            h = tg.spawn(child())
        return await h.join()

    assert run(main()) == "child timed out"


def test_spawn_rules() -> None:
    async def main() -> None:
        tg = TaskGroup()
        coro = sleep(0)
        with pytest.raises(RuntimeError, match="new"):
            tg.spawn(coro)
        async with tg:
            pass
        with pytest.raises(RuntimeError, match="closed"):
            tg.spawn(sleep(0))
        with pytest.raises(RuntimeError, match="only once"):
            async with tg:
                pass

    run(main())


def test_spawn_into_aborted_group_never_runs_the_body() -> None:
    ran: list[str] = []

    async def late() -> None:
        ran.append("late ran")

    async def bad() -> None:
        raise ValueError("x")

    async def main() -> None:
        async with TaskGroup() as tg:
            tg.spawn(bad())
            try:
                await sleep(1)
            except TaskCancelled:
                tg.spawn(late())
                raise

    with pytest.raises(ExceptionGroup):
        run(main())
    assert ran == []


def test_children_spawned_by_children() -> None:
    log: list[str] = []

    async def main() -> None:
        async with TaskGroup() as tg:

            async def spawner() -> None:
                await sleep(1)
                tg.spawn(nap(1, log, "grandchild"))

            tg.spawn(spawner())
        log.append("group done")

    run(main())
    assert log == ["grandchild done", "group done"]


def test_many_children_memory_does_not_grow() -> None:
    async def quick() -> None:
        await sleep(0)

    async def main() -> int:
        async with TaskGroup() as tg:
            for _ in range(2000):
                tg.spawn(quick())
                await sleep(0)
                await sleep(0)
            live = len(tg._live)  # noqa: SLF001 - finished children are forgotten
        return live

    assert run(main()) < 10


def test_base_exception_group_type() -> None:
    assert issubclass(ExceptionGroup, BaseExceptionGroup)
