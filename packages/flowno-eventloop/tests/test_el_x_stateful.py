"""Hypothesis state machines: AsyncQueue, Lock, Semaphore, Condition and Event against models.

Each machine owns one EventLoop on a MockClock. A rule creates tasks and/or runs an action in a
short root task, then drives the loop *until quiescent*: the root ends with ``await sleep(1)``,
and a MockClock only moves when no task is ready, so that sleep returns exactly when every other
task is parked. ``wait_for_spawned_tasks=False`` leaves the parked tasks in the loop for the
next rule; ``loop.close()`` ends them at teardown. After every rule the invariants compare the
primitive and the tasks' observations with a plain-Python model: who holds the lock, FIFO order
of wake-ups, which getter got which item, queue contents.

Profile: ``derandomize=True`` (deterministic CI); ``FLOWNO_STATEFUL_EXAMPLES`` scales it.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from flowno_eventloop import (
    AsyncQueue,
    Condition,
    Event,
    EventLoop,
    Lock,
    MockClock,
    QueueClosedError,
    Semaphore,
    TaskCancelled,
    TaskHandle,
    sleep,
)
from flowno_eventloop.lowlevel import park, wake

EXAMPLES = int(os.environ.get("FLOWNO_STATEFUL_EXAMPLES", "400"))
PROFILE = settings(
    max_examples=EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class LoopDriver:
    """One loop, driven rule by rule until quiescent."""

    def __init__(self) -> None:
        self.loop = EventLoop(clock=MockClock())

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> TaskHandle[Any]:
        return self.loop.create_task(coro)

    def settle(self, action: Callable[[], Any] | None = None) -> None:
        """Run ``action`` (sync or async) in a root task, then until every task is parked."""

        async def root() -> None:
            if action is not None:
                result = action()
                if hasattr(result, "__await__"):
                    await result
            await sleep(1)

        self.loop.run_until_complete(root(), join=True, wait_for_spawned_tasks=False)

    def close(self) -> None:
        self.loop.close()


class _Machine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.driver = LoopDriver()
        self.handles: dict[int, TaskHandle[Any]] = {}
        self.next_id = 0

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def teardown(self) -> None:
        # End every task by cancelling it inside the loop (their cleanup may await), then
        # close the loop.
        self.driver.settle(lambda: [h.cancel() for h in self.handles.values()])
        assert not self.driver.loop.has_living_tasks()
        self.driver.close()


# ---------------------------------------------------------------- Lock and Semaphore


class HolderMachine(_Machine):
    """Tasks take a permit, hold it until told to release (a wake), may be cancelled."""

    capacity = 1
    primitive: Lock | Semaphore

    def __init__(self) -> None:
        super().__init__()
        self.acquired: list[int] = []  # observed order of acquisitions
        self.model_log: list[int] = []
        self.model_holders: list[int] = []
        self.model_waiters: list[int] = []

    async def user(self, i: int) -> None:
        try:
            async with self.primitive:
                self.acquired.append(i)
                await park(reason="holding")
        except TaskCancelled:
            pass

    def grant(self) -> None:
        while self.model_waiters and len(self.model_holders) < self.capacity:
            i = self.model_waiters.pop(0)
            self.model_holders.append(i)
            self.model_log.append(i)

    @rule()
    def acquire(self) -> None:
        i = self.new_id()
        self.handles[i] = self.driver.spawn(self.user(i))
        self.model_waiters.append(i)
        self.grant()
        self.driver.settle()

    @precondition(lambda self: self.model_holders)
    @rule(data=st.data(), cancel=st.booleans())
    def release(self, data: st.DataObject, cancel: bool) -> None:
        i = data.draw(st.sampled_from(self.model_holders))
        handle = self.handles[i]
        self.driver.settle(handle.cancel if cancel else (lambda: wake(handle)))
        self.model_holders.remove(i)
        self.grant()

    @precondition(lambda self: self.model_waiters)
    @rule(data=st.data())
    def cancel_waiter(self, data: st.DataObject) -> None:
        i = data.draw(st.sampled_from(self.model_waiters))
        self.driver.settle(self.handles[i].cancel)
        self.model_waiters.remove(i)

    @invariant()
    def same_grants_in_fifo_order(self) -> None:
        assert self.acquired == self.model_log


class LockMachine(HolderMachine):
    @initialize()
    def setup(self) -> None:
        self.primitive = Lock()

    @invariant()
    def lock_state(self) -> None:
        if isinstance(getattr(self, "primitive", None), Lock):
            assert isinstance(self.primitive, Lock)
            assert self.primitive.is_locked() == bool(self.model_holders)


class SemaphoreMachine(HolderMachine):
    @initialize(capacity=st.integers(1, 3))
    def setup(self, capacity: int) -> None:
        self.capacity = capacity
        self.primitive = Semaphore(capacity)

    @invariant()
    def semaphore_state(self) -> None:
        if isinstance(getattr(self, "primitive", None), Semaphore):
            assert isinstance(self.primitive, Semaphore)
            stats = self.primitive.statistics()
            assert stats["value"] == self.capacity - len(self.model_holders)
            assert stats["waiting"] == len(self.model_waiters)


# ---------------------------------------------------------------- Event


class EventMachine(_Machine):
    def __init__(self) -> None:
        super().__init__()
        self.event = Event()
        self.woken: list[int] = []
        self.model_woken: list[int] = []
        self.model_waiting: list[int] = []
        self.model_set = False

    async def waiter(self, i: int) -> None:
        try:
            await self.event.wait()
        except TaskCancelled:
            return
        self.woken.append(i)

    @rule()
    def wait(self) -> None:
        i = self.new_id()
        self.handles[i] = self.driver.spawn(self.waiter(i))
        if self.model_set:
            self.model_woken.append(i)
        else:
            self.model_waiting.append(i)
        self.driver.settle()

    @rule()
    def set(self) -> None:
        self.driver.settle(self.event.set)
        self.model_set = True
        self.model_woken += self.model_waiting
        self.model_waiting = []

    @precondition(lambda self: self.model_waiting)
    @rule(data=st.data())
    def cancel_waiter(self, data: st.DataObject) -> None:
        i = data.draw(st.sampled_from(self.model_waiting))
        self.driver.settle(self.handles[i].cancel)
        self.model_waiting.remove(i)

    @invariant()
    def fifo_wakeups(self) -> None:
        assert self.woken == self.model_woken
        assert self.event.is_set() == self.model_set


# ---------------------------------------------------------------- Condition


class ConditionMachine(_Machine):
    def __init__(self) -> None:
        super().__init__()
        self.cond = Condition()
        self.woken: list[int] = []
        self.model_woken: list[int] = []
        self.model_waiting: list[int] = []

    async def waiter(self, i: int) -> None:
        try:
            async with self.cond:
                await self.cond.wait()
                self.woken.append(i)
        except TaskCancelled:
            pass

    async def notify(self, n: int | None) -> None:
        async with self.cond:
            if n is None:
                await self.cond.notify_all()
            else:
                await self.cond.notify(n)

    @rule()
    def wait(self) -> None:
        i = self.new_id()
        self.handles[i] = self.driver.spawn(self.waiter(i))
        self.model_waiting.append(i)
        self.driver.settle()

    @rule(n=st.one_of(st.none(), st.integers(0, 3)))
    def notify_some(self, n: int | None) -> None:
        self.driver.settle(lambda: self.notify(n))
        count = len(self.model_waiting) if n is None else n
        self.model_woken += self.model_waiting[:count]
        self.model_waiting = self.model_waiting[count:]

    @precondition(lambda self: self.model_waiting)
    @rule(data=st.data())
    def cancel_waiter(self, data: st.DataObject) -> None:
        i = data.draw(st.sampled_from(self.model_waiting))
        self.driver.settle(self.handles[i].cancel)
        self.model_waiting.remove(i)

    @invariant()
    def fifo_notify(self) -> None:
        assert self.woken == self.model_woken
        assert not self.cond.lock.is_locked()


# ---------------------------------------------------------------- AsyncQueue


class QueueMachine(_Machine):
    @initialize(maxsize=st.sampled_from([None, 1, 2, 3]))
    def setup(self, maxsize: int | None) -> None:
        self.maxsize = maxsize
        self.queue: AsyncQueue[int] = AsyncQueue(maxsize=maxsize)
        self.got: dict[int, int] = {}  # getter id -> item
        self.put_ok: set[int] = set()
        self.closed_errors: set[int] = set()  # task ids that saw QueueClosedError
        self.model_items: deque[int] = deque()
        self.model_got: dict[int, int] = {}
        self.model_put_ok: set[int] = set()
        self.model_closed_errors: set[int] = set()
        self.blocked_putters: list[tuple[int, int]] = []  # (task id, item)
        self.blocked_getters: list[int] = []
        self.closed = False

    async def putter(self, i: int, item: int) -> None:
        try:
            await self.queue.put(item)
        except QueueClosedError:
            self.closed_errors.add(i)
        except TaskCancelled:
            return
        else:
            self.put_ok.add(i)

    async def getter(self, i: int) -> None:
        try:
            self.got[i] = await self.queue.get()
        except QueueClosedError:
            self.closed_errors.add(i)
        except TaskCancelled:
            pass

    def full(self) -> bool:
        return self.maxsize is not None and len(self.model_items) >= self.maxsize

    @rule(item=st.integers(0, 99))
    def put(self, item: int) -> None:
        i = self.new_id()
        self.handles[i] = self.driver.spawn(self.putter(i, item))
        if self.closed:
            self.model_closed_errors.add(i)
        elif self.blocked_getters:
            self.model_got[self.blocked_getters.pop(0)] = item
            self.model_put_ok.add(i)
        elif self.full():
            self.blocked_putters.append((i, item))
        else:
            self.model_items.append(item)
            self.model_put_ok.add(i)
        self.driver.settle()

    @rule()
    def get(self) -> None:
        i = self.new_id()
        self.handles[i] = self.driver.spawn(self.getter(i))
        if self.model_items:
            self.model_got[i] = self.model_items.popleft()
            if self.blocked_putters:
                putter, item = self.blocked_putters.pop(0)
                self.model_items.append(item)
                self.model_put_ok.add(putter)
        elif self.closed:
            self.model_closed_errors.add(i)
        else:
            self.blocked_getters.append(i)
        self.driver.settle()

    @rule()
    def close(self) -> None:
        self.driver.settle(self.queue.close)
        self.closed = True
        self.model_closed_errors.update(self.blocked_getters)
        self.model_closed_errors.update(i for i, _ in self.blocked_putters)
        self.blocked_getters, self.blocked_putters = [], []

    @precondition(
        lambda self: bool(
            getattr(self, "blocked_getters", None) or getattr(self, "blocked_putters", None)
        )
    )
    @rule(data=st.data())
    def cancel_blocked(self, data: st.DataObject) -> None:
        ids = self.blocked_getters + [i for i, _ in self.blocked_putters]
        i = data.draw(st.sampled_from(ids))
        self.driver.settle(self.handles[i].cancel)
        if i in self.blocked_getters:
            self.blocked_getters.remove(i)
        else:
            self.blocked_putters = [(p, x) for p, x in self.blocked_putters if p != i]

    @invariant()
    def same_as_model(self) -> None:
        if not hasattr(self, "queue"):
            return
        assert list(self.queue.items) == list(self.model_items)
        assert self.got == self.model_got
        assert self.put_ok == self.model_put_ok
        assert self.closed_errors == self.model_closed_errors
        assert self.queue.is_closed() == self.closed


for _machine in (LockMachine, SemaphoreMachine, EventMachine, ConditionMachine, QueueMachine):
    _machine.TestCase.settings = PROFILE

TestLock = LockMachine.TestCase
TestSemaphore = SemaphoreMachine.TestCase
TestEvent = EventMachine.TestCase
TestCondition = ConditionMachine.TestCase
TestQueue = QueueMachine.TestCase
