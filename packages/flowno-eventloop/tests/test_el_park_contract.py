"""The park contract: one wake per park, cancels never replace a queued wake, refusable aborts,
and WakeToken completions that target exactly one park."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from flowno_eventloop import (
    AsyncQueue,
    EventLoop,
    MockClock,
    TaskCancelled,
    TaskHandle,
    sleep,
    spawn,
)
from flowno_eventloop.lowlevel import WakeToken, current_task_handle, park, wake


def run(coro: Any) -> Any:
    return EventLoop(clock=MockClock()).run_until_complete(coro, join=True)


def test_an_item_handed_to_a_parked_getter_survives_its_cancel() -> None:
    got: list[object] = []

    async def getter(q: AsyncQueue[str]) -> None:
        got.append(await q.get())
        await sleep(0)  # the cancel is thrown in here
        got.append("not cancelled")

    async def main() -> None:
        q: AsyncQueue[str] = AsyncQueue()
        h = await spawn(getter(q))
        await sleep(0)
        q.put_nowait("item")  # handed to the parked getter
        h.cancel()  # ... which is cancelled before it runs
        with pytest.raises(TaskCancelled):
            await h.join()
        assert len(q.items) == 0

    run(main())
    assert got == ["item"]


def test_a_stored_put_does_not_raise_the_cancel_that_came_after() -> None:
    log: list[str] = []

    async def putter(q: AsyncQueue[str]) -> None:
        await q.put("second")  # parks: the queue is full
        log.append("put returned")
        await sleep(0)
        log.append("not cancelled")

    async def main() -> list[str]:
        q: AsyncQueue[str] = AsyncQueue(maxsize=1)
        q.put_nowait("first")
        h = await spawn(putter(q))
        await sleep(0)
        assert q.get_nowait() == "first"  # room: "second" is stored, the putter woken
        h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()
        return [q.get_nowait()]

    assert run(main()) == ["second"]
    assert log == ["put returned"]


def test_a_refused_abort_delivers_the_value_then_the_cancel_at_the_next_checkpoint() -> None:
    log: list[object] = []
    parked: list[TaskHandle[Any]] = []

    async def waiter() -> None:
        parked.append(current_task_handle())
        log.append(await park(reason="refuses", abort=lambda: False))
        try:
            await sleep(0)
        except TaskCancelled:
            log.append("cancelled at the checkpoint")
            raise

    async def main() -> None:
        h = await spawn(waiter())
        await sleep(0)
        assert h.cancel()  # refused: still parked, the cancel is pending
        assert h.state == "parked"
        assert wake(parked[0], "the value")
        with pytest.raises(TaskCancelled):
            await h.join()

    run(main())
    assert log == ["the value", "cancelled at the checkpoint"]


def test_an_accepted_abort_throws_the_cancel_in() -> None:
    aborted: list[bool] = []

    async def waiter() -> None:
        await park(reason="accepts", abort=lambda: aborted.append(True) or True)

    async def main() -> None:
        h = await spawn(waiter())
        await sleep(0)
        h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()

    run(main())
    assert aborted == [True]


def test_park_takes_on_cancel_or_abort_not_both() -> None:
    async def main() -> None:
        await park(reason="x", on_cancel=lambda: None, abort=lambda: True)

    with pytest.raises(TypeError, match="not both"):
        run(main())


def test_a_late_token_completion_never_reaches_a_later_park() -> None:
    log: list[object] = []

    async def main() -> None:
        first = WakeToken()
        me = current_task_handle()

        async def canceller() -> None:
            me.cancel()

        await spawn(canceller())
        try:
            await first.park(reason="first")
        except TaskCancelled:
            log.append("first park cancelled")
        assert not first.wake("late")  # the park is over: dropped
        second = WakeToken()
        second.wake_threadsafe("second value")
        first.wake_threadsafe("stale")
        log.append(await second.park(reason="second"))

    run(main())
    assert log == ["first park cancelled", "second value"]


def test_a_token_fired_from_a_thread_wakes_its_park_once() -> None:
    loop = EventLoop()

    async def main() -> list[object]:
        token = WakeToken()
        threads = [threading.Thread(target=token.wake_threadsafe, args=(i,)) for i in range(3)]
        loop.hold()
        for t in threads:
            t.start()
        try:
            first = await token.park(reason="threads")
        finally:
            loop.release()
            for t in threads:
                t.join()
        await sleep(0)  # the other completions are drained and dropped
        return [first]

    result = loop.run_until_complete(main(), join=True)
    assert result[0] in (0, 1, 2)
    loop.close()


def test_a_token_refusing_its_abort_gets_the_completion_then_the_cancel() -> None:
    log: list[object] = []

    async def main() -> None:
        token = WakeToken()
        me = current_task_handle()

        async def complete_after_cancel() -> None:
            me.cancel()  # refused below: the completion is "in flight"
            token.wake("completed")

        await spawn(complete_after_cancel())
        log.append(await token.park(reason="in flight", abort=lambda: False))
        try:
            await sleep(0)
        except TaskCancelled:
            log.append("cancelled")

    run(main())
    assert log == ["completed", "cancelled"]


def test_a_token_parks_only_in_its_own_task_and_only_once() -> None:
    async def main() -> None:
        token = WakeToken()
        token.wake(1)
        assert await token.park(reason="once") == 1
        with pytest.raises(RuntimeError, match="only once"):
            await token.park(reason="twice")

    run(main())


# --- task names ---------------------------------------------------------------------------


def test_task_names_default_to_the_qualname_and_show_everywhere() -> None:
    from flowno_eventloop import DeadlockError, Event, TaskGroup

    loop = EventLoop(clock=MockClock())

    async def stuck(ev: Event) -> None:
        await ev.wait()

    async def main() -> None:
        ev = Event()
        plain = await spawn(stuck(ev))
        named = await spawn(stuck(ev), name="f.b0")
        made = loop.create_task(stuck(ev), name="made")
        async with TaskGroup() as tg:
            grouped = tg.create_task(sleep(0), name="grouped")
        assert grouped.name == "grouped"
        assert plain.name.endswith("stuck")
        assert named.name == "f.b0" and made.name == "made"
        plain.name = "renamed"
        blocked = [task for task, _ in loop.statistics()["blocked"]]
        assert "<TaskHandle renamed parked>" in blocked
        assert "<TaskHandle f.b0 parked>" in blocked
        await ev.wait()

    with pytest.raises(DeadlockError, match=r"f\.b0") as info:
        loop.run_until_complete(main(), join=True)
    assert "renamed" in str(info.value) and "made" in str(info.value)


def test_a_task_name_must_be_a_str() -> None:
    async def child() -> None:
        pass

    async def main() -> None:
        with pytest.raises(TypeError, match="task name"):
            await spawn(child(), name=3)  # type: ignore[arg-type]
        h = await spawn(child())
        with pytest.raises(TypeError, match="TaskHandle.name"):
            h.name = None  # type: ignore[assignment]

    run(main())
