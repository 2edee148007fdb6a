"""Cancel scopes are level-triggered, nest, never swallow a task cancel, and can shield."""

from __future__ import annotations

from typing import Any

import pytest

from flowno_eventloop import (
    CancelScope,
    EventLoop,
    MockClock,
    ScopeCancelled,
    TaskCancelled,
    current_event_loop,
    move_on_after,
    sleep,
    spawn,
)


def current_loop() -> EventLoop:
    loop = current_event_loop()
    assert loop is not None
    return loop


def run(coro: Any) -> Any:
    return EventLoop(clock=MockClock()).run_until_complete(coro, join=True)


@pytest.mark.parametrize("cancel_first", [True, False])
def test_a_task_cancel_and_a_scope_deadline_in_one_timer_pass_keep_the_cancel(
    cancel_first: bool,
) -> None:
    log: list[str] = []

    async def victim() -> None:
        with move_on_after(1):
            await sleep(10)
        log.append("after the scope")
        await sleep(0)  # a checkpoint: a cancel still pending is thrown in here
        log.append("ran on")  # must not happen: the task was cancelled

    async def main_cancel_first() -> None:
        handles: list[Any] = []
        me_loop = current_loop()
        me_loop.call_at(1.0, lambda: handles[0].cancel())
        handles.append(await spawn(victim()))
        with pytest.raises(TaskCancelled) as info:
            await handles[0].join()
        assert not isinstance(info.value, ScopeCancelled)

    async def main_scope_first() -> None:
        h = await spawn(victim())
        h.event_loop.call_at(1.0, h.cancel)  # after the scope's timer, same pass
        with pytest.raises(TaskCancelled) as info:
            await h.join()
        assert not isinstance(info.value, ScopeCancelled)

    run(main_cancel_first() if cancel_first else main_scope_first())
    assert log == ([] if cancel_first else ["after the scope"])


def test_nested_scopes_with_the_same_deadline_both_hold() -> None:
    async def main() -> tuple[bool, bool, float]:
        with move_on_after(1) as outer:
            with move_on_after(1) as inner:
                await sleep(10)
            await sleep(10)  # the outer scope is cancelled too: this must not wait
        return outer.cancelled_caught, inner.cancelled_caught, loop.clock.now()

    loop = EventLoop(clock=MockClock())
    assert loop.run_until_complete(main(), join=True) == (True, False, 1.0)


def test_every_park_inside_a_cancelled_scope_raises_until_it_exits() -> None:
    raised: list[str] = []

    async def main() -> bool:
        with CancelScope() as scope:
            scope.cancel()
            for _ in range(3):
                try:
                    await sleep(1)
                except ScopeCancelled:
                    raised.append("again")
        await sleep(1)  # outside: not cancelled any more
        return scope.cancelled_caught

    assert run(main()) is False
    assert raised == ["again"] * 3


def test_a_shield_protects_cleanup_then_the_cancel_arrives() -> None:
    log: list[str] = []

    async def worker() -> None:
        try:
            await sleep(10)
        finally:
            with CancelScope(shield=True):
                await sleep(1)  # cleanup that awaits, through a second cancel
                log.append("cleanup done")
            log.append("after the shield")
            await sleep(1)  # the second cancel, held back by the shield, lands here
            log.append("not reached")

    async def main() -> None:
        h = await spawn(worker())
        await sleep(0)
        h.cancel()
        await sleep(0.5)
        h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()

    run(main())
    assert log == ["cleanup done", "after the shield"]


def test_a_shielded_task_cancel_is_delivered_after_the_shield() -> None:
    log: list[str] = []

    async def worker() -> None:
        with CancelScope(shield=True):
            await sleep(5)
            log.append("shielded sleep finished")
        try:
            await sleep(0)
        except TaskCancelled:
            log.append("cancelled after the shield")
            raise

    async def main() -> None:
        h = await spawn(worker())
        await sleep(1)
        h.cancel()
        with pytest.raises(TaskCancelled):
            await h.join()

    run(main())
    assert log == ["shielded sleep finished", "cancelled after the shield"]


def test_an_outer_deadline_reaches_through_an_inner_unshielded_scope() -> None:
    async def main() -> tuple[bool, bool]:
        with move_on_after(1) as outer:
            with CancelScope() as inner:
                await sleep(10)
        return outer.cancelled_caught, inner.cancelled_caught

    assert run(main()) == (True, False)
