"""Handlers for the original's primitive commands (EventWaitCommand, LockAcquireCommand...).

Rules: only for code that yields these commands directly (the primitives themselves do not);
each handler does exactly what the matching method does, on the same waiter lists, and
reports misuse to the task. Registered by the loop in its command table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowno_eventloop._commands import (
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
    RefusableAbort,
)
from flowno_eventloop._event import Event
from flowno_eventloop._queues import QueueClosedError
from flowno_eventloop._sync import Condition, Lock, OwnershipError
from flowno_eventloop._tasks import TaskHandle
from flowno_eventloop.lowlevel import wake, wake_error

if TYPE_CHECKING:
    from flowno_eventloop._loop import CommandHandler, EventLoop

__all__ = ["COMPAT_HANDLERS"]


def _set_cancel(handle: TaskHandle[Any], reason: object, on_cancel: Any) -> None:
    task = handle._task  # pyright: ignore[reportPrivateUsage]
    task.reason, task.on_cancel = reason, on_cancel


def _event_wait(loop: EventLoop, handle: TaskHandle[Any], cmd: EventWaitCommand) -> None:
    event: Event = cmd.event
    if event.is_set():
        wake(handle)
        return
    event._enlist(handle)  # pyright: ignore[reportPrivateUsage]
    _set_cancel(handle, event, None)  # a cancelled waiter's entry goes stale (see Event)


def _event_set(loop: EventLoop, handle: TaskHandle[Any], cmd: EventSetCommand) -> None:
    cmd.event.set_nowait()
    wake(handle)


def _lock_acquire(loop: EventLoop, handle: TaskHandle[Any], cmd: LockAcquireCommand) -> None:
    lock: Lock = cmd.lock
    if lock.owner is None:
        lock._owner = handle  # pyright: ignore[reportPrivateUsage]
        wake(handle)
    elif lock.owner == handle:
        wake_error(handle, OwnershipError(f"{lock!r}: the current task already holds this lock"))
    else:
        waiters = lock._waiters  # pyright: ignore[reportPrivateUsage]
        waiters.add(handle)
        _set_cancel(handle, lock, lambda: waiters.discard(handle))


def _lock_release(loop: EventLoop, handle: TaskHandle[Any], cmd: LockReleaseCommand) -> None:
    lock: Lock = cmd.lock
    if lock.owner != handle:
        wake_error(
            handle, OwnershipError(f"{lock!r} released by {handle!r}, which does not hold it")
        )
        return
    lock._release()  # pyright: ignore[reportPrivateUsage]
    wake(handle)


def _condition_wait(loop: EventLoop, handle: TaskHandle[Any], cmd: ConditionWaitCommand) -> None:
    cond: Condition = cmd.condition
    lock = cond.lock
    if lock.owner != handle:
        wake_error(
            handle, OwnershipError(f"Condition.wait() needs the lock held by the caller: {cond!r}")
        )
        return
    abort = cond._begin_wait(handle)  # pyright: ignore[reportPrivateUsage]
    _set_cancel(handle, cond, RefusableAbort(abort))


def _condition_notify(
    loop: EventLoop, handle: TaskHandle[Any], cmd: ConditionNotifyCommand
) -> None:
    cond: Condition = cmd.condition
    if cond.lock.owner != handle:
        wake_error(
            handle,
            OwnershipError(f"Condition.notify() needs the lock held by the caller: {cond!r}"),
        )
        return
    if cmd.all:
        cond.notify_all_nowait()
    else:
        cond.notify_nowait()
    wake(handle)


def _queue_get(loop: EventLoop, handle: TaskHandle[Any], cmd: QueueGetCommand) -> None:
    queue = cmd.queue
    if queue.items:
        wake(handle, queue._first() if cmd.peek else queue._take_and_report())  # noqa: SLF001
    elif queue.is_closed():
        wake_error(handle, QueueClosedError("Queue has been closed and is empty"))
    else:
        getters = queue._getters  # noqa: SLF001
        getters.add(handle, cmd.peek)
        _set_cancel(handle, ("AsyncQueue.get", queue), lambda: getters.discard(handle))


def _queue_put(loop: EventLoop, handle: TaskHandle[Any], cmd: QueuePutCommand) -> None:
    queue = cmd.queue
    try:
        done = queue._try_put(cmd.item)  # noqa: SLF001
    except Exception as error:  # QueueClosedError goes to the task
        wake_error(handle, error)
        return
    if done:
        wake(handle)
    else:
        putters = queue._putters  # noqa: SLF001
        putters.add(handle, cmd.item)
        _set_cancel(handle, ("AsyncQueue.put", queue), lambda: putters.discard(handle))


def _queue_close(loop: EventLoop, handle: TaskHandle[Any], cmd: QueueCloseCommand) -> None:
    cmd.queue.close_nowait(loop)
    wake(handle)


def _queue_notify(loop: EventLoop, handle: TaskHandle[Any], cmd: QueueNotifyGettersCommand) -> None:
    cmd.queue._serve_getters()  # noqa: SLF001
    wake(handle)


COMPAT_HANDLERS: dict[type, CommandHandler] = {
    EventWaitCommand: _event_wait,
    EventSetCommand: _event_set,
    LockAcquireCommand: _lock_acquire,
    LockReleaseCommand: _lock_release,
    ConditionWaitCommand: _condition_wait,
    ConditionNotifyCommand: _condition_notify,
    QueueGetCommand: _queue_get,
    QueuePutCommand: _queue_put,
    QueueCloseCommand: _queue_close,
    QueueNotifyGettersCommand: _queue_notify,
}
