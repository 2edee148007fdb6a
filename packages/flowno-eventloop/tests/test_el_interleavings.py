"""Model tests: two things happen to a parked waiter in one turn, in every order, for every
primitive; nothing is lost (item, permit, lock, wake-up) and every cancel is delivered.

Each case parks a waiter on a primitive, then, without letting the loop run in between,
applies two events in one of the orders: "wake" (the primitive hands the waiter what it
waits for), "cancel" (the task is cancelled) and "timeout" (a scope around the wait fires in
the same timer pass). Afterwards the invariant is checked: if the waiter was handed the
thing, it received it (and the cancel was delivered at its next checkpoint); if not, the
primitive still holds it for somebody else.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Awaitable, Callable
from types import coroutine
from typing import Any

import pytest

from flowno_eventloop import (
    AsyncQueue,
    AsyncSetQueue,
    CancelScope,
    Condition,
    CountdownLatch,
    Event,
    EventLoop,
    Lock,
    MockClock,
    ScopeCancelled,
    Semaphore,
    TaskCancelled,
    sleep,
    spawn,
)
from flowno_eventloop.commands import ConditionWaitCommand, LockAcquireCommand
from flowno_eventloop.lowlevel import wait_readable


@coroutine
def send(command: Any) -> Any:
    return (yield command)


class Case:
    """A primitive with one waiter: ``wait`` parks; ``hand`` gives it what it waits for;
    ``kept`` says whether the primitive still has it (it was not handed or came back)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cleanup: list[Callable[[], object]] = []

    async def setup(self) -> None: ...

    async def wait(self) -> object:
        raise NotImplementedError

    def hand(self) -> None:
        raise NotImplementedError

    def kept(self) -> bool:
        raise NotImplementedError

    async def after(self, got: bool) -> None:
        """In the parent, after the waiter ended."""

    def leave(self, got: bool) -> None:
        """In the waiter, on its way out: give back what it received (if it keeps it)."""


class LockCase(Case):
    async def setup(self) -> None:
        self.lock = Lock()
        await self.lock.acquire()

    async def wait(self) -> object:
        await self.lock.acquire()
        return "lock"

    def hand(self) -> None:
        self.lock._release()  # pyright: ignore[reportPrivateUsage]  # main holds it

    def kept(self) -> bool:
        return not self.lock.is_locked()

    def leave(self, got: bool) -> None:
        if got:
            self.lock._release()  # pyright: ignore[reportPrivateUsage]


class CompatLockCase(LockCase):
    async def wait(self) -> object:
        await send(LockAcquireCommand(self.lock))
        return "lock"


class SemaphoreCase(Case):
    async def setup(self) -> None:
        self.sem = Semaphore(0)

    async def wait(self) -> object:
        await self.sem.acquire()
        return "permit"

    def hand(self) -> None:
        self.sem.release()

    def kept(self) -> bool:
        return self.sem.value == 1

    def leave(self, got: bool) -> None:
        if got:
            self.sem.release()


class ConditionCase(Case):
    async def setup(self) -> None:
        self.cond = Condition()

    async def wait(self) -> object:
        async with self.cond:
            try:
                await self.cond.wait()
            finally:
                assert self.cond.lock.owner is not None  # re-acquired, whatever happened
        return "notified"

    def hand(self) -> None:
        self.cond.notify_nowait()

    def kept(self) -> bool:
        return not self.cond.lock.is_locked()


class CompatConditionCase(ConditionCase):
    async def wait(self) -> object:
        await self.cond.lock.acquire()
        try:
            await send(ConditionWaitCommand(self.cond))
            return "notified"
        finally:
            assert self.cond.lock.owner is not None  # re-acquired, whatever happened
            await self.cond.lock.release()


class EventCase(Case):
    async def setup(self) -> None:
        self.event = Event()

    async def wait(self) -> object:
        await self.event.wait()
        return "set"

    def hand(self) -> None:
        self.event.set_nowait()

    def kept(self) -> bool:
        return self.event.is_set()


class LatchCase(EventCase):
    async def setup(self) -> None:
        self.latch = CountdownLatch(1)

    async def wait(self) -> object:
        await self.latch.wait()
        return "released"

    def hand(self) -> None:
        self.latch.countdown_nowait()

    def kept(self) -> bool:
        return self.latch.count == 0


class QueueCase(Case):
    def make(self) -> AsyncQueue[str]:
        return AsyncQueue()

    async def setup(self) -> None:
        self.queue = self.make()

    async def wait(self) -> object:
        return await self.queue.get()

    def hand(self) -> None:
        self.queue.put_nowait("item")

    def kept(self) -> bool:
        return list(self.queue.items) == ["item"]


class SetQueueCase(QueueCase):
    def make(self) -> AsyncQueue[str]:
        return AsyncSetQueue()


class PutCase(Case):
    async def setup(self) -> None:
        self.queue: AsyncQueue[str] = AsyncQueue(maxsize=1)
        self.queue.put_nowait("first")

    async def wait(self) -> object:
        await self.queue.put("second")
        return "stored"

    def hand(self) -> None:
        assert self.queue.get_nowait() == "first"  # room: "second" goes in

    def kept(self) -> bool:
        return list(self.queue.items) == []


class JoinCase(Case):
    async def setup(self) -> None:
        self.gate = Event()

        async def target() -> str:
            await self.gate.wait()
            return "joined"

        self.target = await spawn(target())

    async def wait(self) -> object:
        return await self.target.join()

    def hand(self) -> None:
        self.gate.set_nowait()

    def kept(self) -> bool:
        return True  # a join takes nothing away

    async def after(self, got: bool) -> None:
        await self.target.join()


class ReadableCase(Case):
    async def setup(self) -> None:
        self.a, self.b = socket.socketpair()
        self.cleanup += [self.a.close, self.b.close]

    async def wait(self) -> object:
        await wait_readable(self.a)
        return self.a.recv(1)

    def hand(self) -> None:
        self.b.send(b"x")

    def kept(self) -> bool:
        return self.a.recv(1) == b"x"


CASES: list[type[Case]] = [
    LockCase,
    CompatLockCase,
    SemaphoreCase,
    ConditionCase,
    CompatConditionCase,
    EventCase,
    LatchCase,
    QueueCase,
    SetQueueCase,
    PutCase,
    JoinCase,
    ReadableCase,
]
ORDERS = [
    *itertools.permutations(["wake", "cancel"]),
    *itertools.permutations(["wake", "timeout"]),
    ("cancel", "timeout"),
    ("timeout", "cancel"),
]


@pytest.mark.parametrize("order", ORDERS, ids="-then-".join)
@pytest.mark.parametrize("case_type", CASES, ids=lambda c: c.__name__)
def test_two_events_in_one_turn_lose_nothing(case_type: type[Case], order: tuple[str, ...]) -> None:
    case = case_type(case_type.__name__)
    outcome: dict[str, object] = {}
    loop = EventLoop(clock=MockClock())

    scopes: list[CancelScope] = []

    async def waiter() -> None:
        with CancelScope() as scope:  # "timeout": cancelled as its deadline timer would
            scopes.append(scope)
            try:
                outcome["got"] = await case.wait()
            except TaskCancelled as exc:
                outcome["raised"] = type(exc).__name__
                raise
            try:
                outcome["after_checkpoint"] = False
                await sleep(0)  # a checkpoint: a cancel still pending lands here
                outcome["after_checkpoint"] = True
            finally:
                case.leave(True)
        outcome["scope_caught"] = scope.cancelled_caught
        await sleep(0)  # a cancel that came after the scope's own lands here
        outcome["ran_on"] = True

    def apply(event: str, handle: Any) -> None:
        if event == "wake":
            if isinstance(case, ReadableCase):
                case.hand()
                loop._wake_io(loop._io.poll(0))  # pyright: ignore[reportPrivateUsage]
            else:
                case.hand()
        elif event == "cancel":
            handle.cancel()
        else:
            scopes[0].cancel()

    async def main() -> None:
        await case.setup()
        h = await spawn(waiter())
        await sleep(0.5)  # parked in case.wait()
        # Both events in one timer callback: the loop does not run in between.
        loop.call_at(1.0, lambda: [apply(e, h) for e in order])
        try:
            await h.join()
        except TaskCancelled:
            pass
        got = "got" in outcome
        if got:
            await case.after(got)
        if "wake" in order and not got:
            assert case.kept(), f"{case.name}: handed over, not received, not given back"
        if got and isinstance(case, (LockCase, ConditionCase)):
            assert case.kept(), f"{case.name}: the lock was not released on the way out"
        if "cancel" in order:
            assert h.is_cancelled, f"{case.name}: the cancel was lost ({outcome})"
            assert outcome.get("after_checkpoint") is not True
            assert "ran_on" not in outcome
        elif not got:
            assert outcome.get("scope_caught") is True

    try:
        loop.run_until_complete(main(), join=True)
    finally:
        for close in case.cleanup:
            close()
        loop.close()


def test_the_model_covers_every_primitive() -> None:
    assert len(CASES) == 12 and len(ORDERS) == 6
    assert ScopeCancelled is not None  # (timeouts raise it inside the scope)
    assert callable(Awaitable)  # (typing only)
