"""Handlers for the original's primitive commands (EventWaitCommand, LockAcquireCommand...).

Rules: only for code that yields these commands directly (the primitives themselves do not);
each handler is a thin adapter that runs the matching public method as the task
(``lowlevel.delegate``), so the command does exactly what the method does, misuse errors
included. Registered by the loop in its command table.
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
)
from flowno_eventloop._tasks import TaskHandle
from flowno_eventloop.lowlevel import delegate, wake

if TYPE_CHECKING:
    from flowno_eventloop._loop import CommandHandler, EventLoop

__all__ = ["COMPAT_HANDLERS"]


def _event_wait(loop: EventLoop, handle: TaskHandle[Any], cmd: EventWaitCommand) -> None:
    delegate(handle, cmd.event.wait())


def _event_set(loop: EventLoop, handle: TaskHandle[Any], cmd: EventSetCommand) -> None:
    delegate(handle, cmd.event.set())


def _lock_acquire(loop: EventLoop, handle: TaskHandle[Any], cmd: LockAcquireCommand) -> None:
    delegate(handle, cmd.lock.acquire())


def _lock_release(loop: EventLoop, handle: TaskHandle[Any], cmd: LockReleaseCommand) -> None:
    delegate(handle, cmd.lock.release())


def _condition_wait(loop: EventLoop, handle: TaskHandle[Any], cmd: ConditionWaitCommand) -> None:
    delegate(handle, cmd.condition.wait())


def _condition_notify(
    loop: EventLoop, handle: TaskHandle[Any], cmd: ConditionNotifyCommand
) -> None:
    cond = cmd.condition
    delegate(handle, cond.notify_all() if cmd.all else cond.notify())


def _queue_get(loop: EventLoop, handle: TaskHandle[Any], cmd: QueueGetCommand) -> None:
    queue = cmd.queue
    delegate(handle, queue.peek() if cmd.peek else queue.get())


def _queue_put(loop: EventLoop, handle: TaskHandle[Any], cmd: QueuePutCommand) -> None:
    delegate(handle, cmd.queue.put(cmd.item))


def _queue_close(loop: EventLoop, handle: TaskHandle[Any], cmd: QueueCloseCommand) -> None:
    delegate(handle, cmd.queue.close())


def _queue_notify(loop: EventLoop, handle: TaskHandle[Any], cmd: QueueNotifyGettersCommand) -> None:
    cmd.queue.notify_getters()
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
