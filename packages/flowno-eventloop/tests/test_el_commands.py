"""The command table: original command names yielded directly, register_command, the
``_handle_command`` hook, foreign yields and handler errors."""

from __future__ import annotations

from dataclasses import dataclass
from types import coroutine
from typing import Any

import pytest

from flowno_eventloop import (
    AsyncQueue,
    Condition,
    Event,
    EventLoop,
    Lock,
    MockClock,
    OwnershipError,
    QueueClosedError,
    sleep,
    spawn,
)
from flowno_eventloop.commands import (
    Command,
    ConditionNotifyCommand,
    ConditionWaitCommand,
    EventSetCommand,
    EventWaitCommand,
    LockAcquireCommand,
    LockReleaseCommand,
    QueueCloseCommand,
    QueueGetCommand,
    QueueNotifyGettersCommand,
    QueuePutCommand,
    SleepCommand,
    SocketRecvCommand,
    StreamCancelCommand,
)
from flowno_eventloop.lowlevel import wake


@coroutine
def send(command: Command) -> Any:
    return (yield command)


def run(coro: Any) -> Any:
    return EventLoop(clock=MockClock()).run_until_complete(coro, join=True)


def test_original_event_and_lock_commands() -> None:
    log: list[str] = []

    async def waiter(ev: Event) -> None:
        await send(EventWaitCommand(ev))
        log.append("woken")

    async def main() -> None:
        ev, lock = Event(), Lock()
        h = await spawn(waiter(ev))
        await send(EventSetCommand(ev))
        await h.join()
        await send(EventWaitCommand(ev))  # already set
        await send(LockAcquireCommand(lock))
        assert lock.is_locked()
        with pytest.raises(OwnershipError):
            await send(LockAcquireCommand(lock))
        other = await spawn(send(LockAcquireCommand(lock)))
        await sleep(0)
        await send(LockReleaseCommand(lock))
        await other.join()
        assert lock.owner == other
        with pytest.raises(OwnershipError):
            await send(LockReleaseCommand(lock))

    run(main())
    assert log == ["woken"]


def test_original_condition_commands() -> None:
    async def waiter(cond: Condition) -> str:
        await send(LockAcquireCommand(cond.lock))
        await send(ConditionWaitCommand(cond))
        holds = cond.lock.owner is not None
        await send(LockReleaseCommand(cond.lock))
        return f"woken, held={holds}"

    async def main() -> str:
        cond = Condition()
        with pytest.raises(OwnershipError):
            await send(ConditionWaitCommand(cond))
        with pytest.raises(OwnershipError):
            await send(ConditionNotifyCommand(cond, all=True))
        h = await spawn(waiter(cond))
        await sleep(0)
        async with cond:
            await send(ConditionNotifyCommand(cond, all=False))
        return str(await h.join())

    assert run(main()) == "woken, held=True"


def test_original_queue_commands() -> None:
    async def main() -> list[Any]:
        q: AsyncQueue[str] = AsyncQueue(maxsize=1)
        await send(QueuePutCommand(q, "a"))
        getter = await spawn(send(QueueGetCommand(AsyncQueue())))
        putter = await spawn(send(QueuePutCommand(q, "b")))
        await sleep(0)
        out = [await send(QueueGetCommand(q, peek=True)), await send(QueueGetCommand(q))]
        await putter.join()
        await send(QueueNotifyGettersCommand(q))
        await send(QueueCloseCommand(q))
        out.append(await send(QueueGetCommand(q)))
        with pytest.raises(QueueClosedError):
            await send(QueueGetCommand(q))
        with pytest.raises(QueueClosedError):
            await send(QueuePutCommand(q, "c"))
        getter.cancel()
        return out

    assert run(main()) == ["a", "a", "b"]


def test_socket_and_stream_commands_are_plain_names() -> None:
    assert SocketRecvCommand(handle="h").handle == "h"
    assert StreamCancelCommand(1, 2, 3).consumer_input == 3

    async def main() -> str:
        try:
            await send(SocketRecvCommand(handle="h"))  # no socket code in the loop
        except TypeError as e:
            return "TypeError" if "SocketRecvCommand" in str(e) else str(e)
        return "handled"

    assert run(main()) == "TypeError"


def test_sleep_command_in_the_past_requeues() -> None:
    async def main() -> None:
        await send(SleepCommand(-1.0))

    run(main())


@dataclass
class Ping(Command):
    n: int


@dataclass
class SubPing(Ping):
    pass


def test_register_command_resolves_subclasses_and_can_defer() -> None:
    loop = EventLoop(clock=MockClock())
    pending: list[Any] = []

    def handler(lp: EventLoop, handle: Any, cmd: Ping) -> None:
        if cmd.n == 0:
            pending.append(handle)  # leave it parked; woken later
        else:
            wake(handle, cmd.n + 1)

    loop.register_command(Ping, handler)

    async def later() -> None:
        await sleep(1)
        wake(pending[0], "late")

    async def main() -> list[Any]:
        await spawn(later())
        return [await send(Ping(1)), await send(SubPing(2)), await send(Ping(0))]

    assert loop.run_until_complete(main(), join=True) == [2, 3, "late"]


def test_registered_handler_error_aborts_run() -> None:
    loop = EventLoop()

    def handler(lp: EventLoop, handle: Any, cmd: Ping) -> None:
        raise RuntimeError("abort the flow")

    loop.register_command(Ping, handler)

    async def main() -> None:
        await send(Ping(1))

    with pytest.raises(RuntimeError, match="abort the flow"):
        loop.run_until_complete(main())


def test_bad_spawn_argument_raises_in_task() -> None:
    async def main() -> str:
        try:
            await spawn("not a coroutine")  # type: ignore[arg-type]
        except TypeError as e:
            return str(e).split("(")[0]
        return "no error"

    assert run(main()) == "spawn"
    with pytest.raises(TypeError, match="run_until_complete"):
        EventLoop().run_until_complete("nope")  # type: ignore[arg-type]


def test_unknown_packet_from_legacy_subclass_is_adopted() -> None:
    class Legacy(EventLoop):
        pass

    async def side(log: list[str]) -> None:
        log.append("side ran")

    async def main() -> list[str]:
        log: list[str] = []
        loop = Legacy.__mro__[0]
        assert loop is Legacy
        me_loop = current_loop()
        me_loop.tasks.append((side(log), None, None))
        await sleep(0)
        await sleep(0)
        return log

    def current_loop() -> EventLoop:
        from flowno_eventloop import current_event_loop

        lp = current_event_loop()
        assert lp is not None
        return lp

    assert Legacy().run_until_complete(main(), join=True) == ["side ran"]
