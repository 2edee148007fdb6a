"""Command objects: what a task yields to ask the loop for something.

Rules: plain dataclasses, no behaviour. The loop handles a small closed set (spawn, join,
sleep, park, wait-readable/writable, exit, cancel) through a table keyed by type; the other
names exist for compatibility with code written for the original (see ``commands``). Users
never yield these directly; library and subclass authors may.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from flowno_eventloop._tasks import TaskHandle

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)

__all__ = [
    "CancelCommand",
    "Command",
    "ConditionNotifyCommand",
    "ConditionWaitCommand",
    "EventSetCommand",
    "EventWaitCommand",
    "ExitCommand",
    "JoinCommand",
    "LockAcquireCommand",
    "LockReleaseCommand",
    "ParkCommand",
    "QueueCloseCommand",
    "QueueGetCommand",
    "QueueNotifyGettersCommand",
    "QueuePutCommand",
    "RefusableAbort",
    "SleepCommand",
    "SocketAcceptCommand",
    "SocketCommand",
    "SocketRecvCommand",
    "SocketSendCommand",
    "SpawnCommand",
    "StreamCancelCommand",
    "WaitReadableCommand",
    "WaitWritableCommand",
]


@dataclass
class Command:
    """Base class of everything a task may yield to the loop.

    Example:
        >>> isinstance(SleepCommand(1.0), Command)
        True
    """


# --- the kernel's own commands -------------------------------------------------------------


@dataclass
class SpawnCommand(Command, Generic[_T_co]):
    """Start ``raw_task`` as a new task (named ``name``); the spawner is sent its handle.

    Example:
        >>> SpawnCommand(raw_task=None).raw_task is None
        True
    """

    raw_task: Coroutine[Any, Any, _T_co]
    name: str | None = None


@dataclass
class JoinCommand(Command, Generic[_T]):
    """Wait for ``task_handle`` to end; sent its result or thrown its exception.

    Example:
        >>> JoinCommand(task_handle=None)
        JoinCommand(task_handle=None)
    """

    task_handle: TaskHandle[_T]


@dataclass
class SleepCommand(Command):
    """Park until the loop clock reaches ``end_time``; a past ``end_time`` re-queues at once.

    Example:
        >>> SleepCommand(end_time=2.0).end_time
        2.0
    """

    end_time: float


SLEEP_NOW = SleepCommand(float("-inf"))
"""The one command of ``sleep(0)`` and ``checkpoint()`` (shared: commands are not mutated)."""
TURN = SleepCommand(float("-inf"))
"""A turn at the tail that never throws a pending cancel in (after an operation took effect)."""


@dataclass
class ExitCommand(Command):
    """Stop the loop: ``run_until_complete`` returns ``return_value`` or raises ``exception``.

    Example:
        >>> ExitCommand().return_value is None
        True
    """

    return_value: object = None
    exception: BaseException | None = None


class RefusableAbort:
    """The ``abort`` of ``lowlevel.park``: may refuse a cancel by returning False (internal).

    Example:
        >>> RefusableAbort(lambda: 0)()
        False
    """

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[], bool]) -> None:
        self.fn = fn

    def __call__(self) -> bool:
        return bool(self.fn())

    def __repr__(self) -> str:
        return f"RefusableAbort({self.fn!r})"


@dataclass
class ParkCommand(Command):
    """Suspend the task until :func:`~flowno_eventloop.lowlevel.wake` (see ``lowlevel.park``).

    ``reason`` is shown by :class:`DeadlockError` and ``statistics()``; ``on_cancel`` runs
    (on the loop thread) when the task is cancelled while parked, to remove it from whatever
    it waits on.

    Example:
        >>> ParkCommand(reason="demo").on_cancel is None
        True
    """

    reason: object
    on_cancel: Callable[[], object] | None = None


@dataclass
class WaitReadableCommand(Command):
    """Park until ``fileobj`` (anything with ``fileno()``, or an int fd) is readable.

    Example:
        >>> WaitReadableCommand(fileobj=0).fileobj
        0
    """

    fileobj: Any


@dataclass
class WaitWritableCommand(Command):
    """Park until ``fileobj`` is writable.

    Example:
        >>> WaitWritableCommand(fileobj=1).fileobj
        1
    """

    fileobj: Any


@dataclass
class CancelCommand(Command, Generic[_T]):
    """Cancel ``task_handle`` and wait for it to end (git HEAD's awaited cancel).

    Example:
        >>> CancelCommand(task_handle=None).task_handle is None
        True
    """

    task_handle: TaskHandle[_T]


# --- names kept for compatibility with the original --------------------------------------


@dataclass
class SocketCommand(Command):
    """Base of the original's socket commands. The loop has no socket code: flowno-net maps
    socket waits onto :class:`WaitReadableCommand` / :class:`WaitWritableCommand`; these names
    are kept so that imports and ``isinstance`` checks keep working.

    Example:
        >>> SocketRecvCommand(handle="h").handle
        'h'
    """

    handle: Any


@dataclass
class SocketSendCommand(SocketCommand):
    """Original name; unused by the loop (see :class:`SocketCommand`).

    Example:
        >>> issubclass(SocketSendCommand, SocketCommand)
        True
    """


@dataclass
class SocketRecvCommand(SocketCommand):
    """Original name; unused by the loop (see :class:`SocketCommand`).

    Example:
        >>> SocketRecvCommand(handle=None)
        SocketRecvCommand(handle=None)
    """


@dataclass
class SocketAcceptCommand(SocketCommand):
    """Original name; unused by the loop (see :class:`SocketCommand`).

    Example:
        >>> SocketAcceptCommand(handle=None).handle is None
        True
    """


@dataclass
class EventWaitCommand(Command):
    """Wait on ``event`` (an :class:`~flowno_eventloop.Event`); same as ``await event.wait()``.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, Event
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def main():
        ...     ev = Event(); await ev.set(); await send(EventWaitCommand(ev)); return ev.is_set()
        >>> EventLoop().run_until_complete(main(), join=True)
        True
    """

    event: Any


@dataclass
class EventSetCommand(Command):
    """Set ``event``; same as ``await event.set()``.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, Event
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def main():
        ...     ev = Event(); await send(EventSetCommand(ev)); return ev.is_set()
        >>> EventLoop().run_until_complete(main(), join=True)
        True
    """

    event: Any


@dataclass
class LockAcquireCommand(Command):
    """Acquire ``lock``; same as ``await lock.acquire()``.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, Lock
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def main():
        ...     lock = Lock(); await send(LockAcquireCommand(lock)); return lock.is_locked()
        >>> EventLoop().run_until_complete(main(), join=True)
        True
    """

    lock: Any


@dataclass
class LockReleaseCommand(Command):
    """Release ``lock``; same as ``await lock.release()``.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, Lock
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def main():
        ...     lock = Lock(); await lock.acquire(); await send(LockReleaseCommand(lock)); return lock.is_locked()
        >>> EventLoop().run_until_complete(main(), join=True)
        False
    """

    lock: Any


@dataclass
class ConditionWaitCommand(Command):
    """Wait on ``condition``; same as ``await condition.wait()``.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, Condition, spawn, sleep
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def waiter(c):
        ...     await c.lock.acquire()
        ...     await send(ConditionWaitCommand(c))
        ...     held = c.lock.is_locked()
        ...     await c.lock.release()
        ...     return held
        >>> async def main():
        ...     c = Condition(); h = await spawn(waiter(c)); await sleep(0)
        ...     c.notify_nowait(); return await h.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        True
    """

    condition: Any


@dataclass
class ConditionNotifyCommand(Command):
    """Notify one (``all=False``) or every waiter of ``condition``.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, Condition
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def main():
        ...     c = Condition(); await c.lock.acquire(); await send(ConditionNotifyCommand(c, all=True)); return c.lock.is_locked()
        >>> EventLoop().run_until_complete(main(), join=True)
        True
    """

    condition: Any
    all: bool = False


@dataclass
class StreamCancelCommand(Command):
    """Used by the flow engine only (it registers the handler); untyped on purpose.

    Example:
        >>> StreamCancelCommand(stream=None, producer_node="p", consumer_input=0).producer_node
        'p'
    """

    stream: Any
    producer_node: Any
    consumer_input: Any


@dataclass
class QueueGetCommand(Command):
    """Seed-004 queue command: get (or ``peek``) from ``queue``.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, AsyncQueue
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def main():
        ...     q = AsyncQueue(); await q.put(1); return await send(QueueGetCommand(q))
        >>> EventLoop().run_until_complete(main(), join=True)
        1
    """

    queue: Any
    peek: bool = False


@dataclass
class QueuePutCommand(Command):
    """Seed-004 queue command: put ``item`` into ``queue``.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, AsyncQueue
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def main():
        ...     q = AsyncQueue(); await send(QueuePutCommand(q, 2)); return list(q.items)
        >>> EventLoop().run_until_complete(main(), join=True)
        [2]
    """

    queue: Any
    item: Any = field(default=None)


@dataclass
class QueueCloseCommand(Command):
    """Seed-004 queue command: close ``queue``.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, AsyncQueue
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def main():
        ...     q = AsyncQueue(); await send(QueueCloseCommand(q)); return q.is_closed()
        >>> EventLoop().run_until_complete(main(), join=True)
        True
    """

    queue: Any


@dataclass
class QueueNotifyGettersCommand(Command):
    """Seed-004 queue command: hand queued items to waiting getters.

    Example:
        >>> from types import coroutine
        >>> from flowno_eventloop import EventLoop, AsyncQueue
        >>> @coroutine
        ... def send(cmd):
        ...     return (yield cmd)
        >>> async def main():
        ...     q = AsyncQueue(); await send(QueueNotifyGettersCommand(q)); return len(q)
        >>> EventLoop().run_until_complete(main(), join=True)
        0
    """

    queue: Any
