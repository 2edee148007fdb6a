"""``lowlevel.delegate``: a command handler answers a command by running an awaitable as the
task (results, errors, cancels, closes and the commands the awaitable yields)."""

from __future__ import annotations

from types import coroutine
from typing import Any

import pytest

from flowno_eventloop import (
    DeadlockError,
    Event,
    EventLoop,
    Lock,
    MockClock,
    TaskCancelled,
    TaskHandle,
    sleep,
    spawn,
)
from flowno_eventloop.commands import Command, LockAcquireCommand
from flowno_eventloop.lowlevel import current_task_handle, delegate


class Ask(Command):
    """Answered by delegating to ``make()``."""

    def __init__(self, make: Any) -> None:
        self.make = make


@coroutine
def ask(make: Any) -> Any:
    return (yield Ask(make))


def new_loop() -> EventLoop:
    loop = EventLoop(clock=MockClock())
    loop.register_command(Ask, lambda lp, handle, cmd: delegate(handle, cmd.make()))
    return loop


def run(coro: Any) -> Any:
    return new_loop().run_until_complete(coro, join=True)


def test_the_result_is_sent_into_the_task_after_the_awaitable_suspended() -> None:
    async def answer() -> str:
        await sleep(1)
        await sleep(0)
        return "answer"

    async def main() -> tuple[str, str]:
        got = await ask(answer)
        return got, await ask(answer)

    assert run(main()) == ("answer", "answer")


def test_an_awaitable_that_never_suspends_answers_like_a_wake() -> None:
    order: list[str] = []

    async def quick() -> int:
        return 7

    async def other() -> None:
        order.append("other")

    async def main() -> int:
        await spawn(other())
        value = await ask(quick)  # answered with a wake: "other" runs first
        order.append("main")
        return value

    assert run(main()) == 7
    assert order == ["other", "main"]


@pytest.mark.parametrize("suspend", [False, True])
def test_an_exception_is_thrown_into_the_task_at_its_yield(suspend: bool) -> None:
    async def failing() -> None:
        if suspend:
            await sleep(0)
        raise ValueError("no")

    async def main() -> str:
        try:
            await ask(failing)
        except ValueError as error:
            return str(error)
        return "not raised"

    assert run(main()) == "no"


def test_the_awaitable_runs_as_the_task() -> None:
    async def probe() -> tuple[TaskHandle[Any], TaskHandle[Any]]:
        await sleep(0)
        child = await spawn(sleep(0))
        await child.join()
        return current_task_handle(), child

    async def main() -> bool:
        me = current_task_handle()
        seen, child = await ask(probe)
        return seen == me and child != me and current_task_handle() == me

    assert run(main()) is True


def test_legacy_commands_inside_a_delegated_awaitable_nest() -> None:
    lock = Lock()

    async def take() -> str:
        await sleep(0)
        await send_raw(LockAcquireCommand(lock))  # itself answered by delegation
        return "taken"

    async def main() -> tuple[str, bool]:
        return await ask(take), lock.owner == current_task_handle()

    assert run(main()) == ("taken", True)


@coroutine
def send_raw(command: Command) -> Any:
    return (yield command)


def test_a_cancel_while_delegated_goes_to_the_awaitable_then_the_task() -> None:
    log: list[str] = []
    event = Event()

    async def wait_forever() -> None:
        try:
            await event.wait()
        finally:
            log.append("inner finally")

    async def victim() -> None:
        try:
            await ask(wait_forever)
        except TaskCancelled:
            log.append("task saw the cancel")
            raise

    async def main() -> bool:
        handle = await spawn(victim())
        await sleep(0)
        handle.cancel()
        with pytest.raises(TaskCancelled) as caught:
            await handle.join()
        return caught.value.by == handle

    assert run(main()) is True
    assert log == ["inner finally", "task saw the cancel"]


def test_a_task_closed_while_delegated_closes_both() -> None:
    log: list[str] = []

    async def stuck() -> None:
        try:
            await Event().wait()
        finally:
            log.append("inner closed")

    async def victim() -> None:
        try:
            await ask(stuck)
        finally:
            log.append("task closed")

    async def main() -> None:
        handle = await spawn(victim())
        await handle.join()

    loop = new_loop()
    loop.deadlock_grace = 0
    with pytest.raises(DeadlockError):
        loop.run_until_complete(main(), join=True)
    assert log == ["inner closed", "task closed"]
    assert not loop.has_living_tasks()


def test_delegate_outside_a_command_handler_is_refused() -> None:
    async def nothing() -> None:
        return None

    async def main() -> str:
        awaitable = nothing()
        try:
            delegate(current_task_handle(), awaitable)
        except RuntimeError as error:
            return str(error)
        finally:
            awaitable.close()
        return "accepted"

    assert "not parked on a command" in run(main())
