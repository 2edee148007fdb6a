"""The kernel contract for library authors: park/wake, fd waits, timers.

Rules: everything that waits in flowno (sleep, join, locks, queues, sockets, timeouts) is
built on :func:`park` + :func:`wake`; so every wait is cancellable the same way. ``wake`` and
``wake_error`` run on the loop thread only (use ``loop.call_soon_threadsafe`` from others).
See docs/design/kernel-contract.md.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Generator
from typing import Any

from flowno_eventloop._backend import READ, WRITE, IOBackend, SelectorBackend, Waker
from flowno_eventloop._commands import (
    Command,
    ParkCommand,
    WaitReadableCommand,
    WaitWritableCommand,
)
from flowno_eventloop._context import current_task_handle
from flowno_eventloop._errors import BusyResourceError
from flowno_eventloop._running import LoopRun
from flowno_eventloop._tasks import TaskHandle
from flowno_eventloop._timers import TimerHandle

__all__ = [
    "READ",
    "WRITE",
    "BusyResourceError",
    "IOBackend",
    "LoopRun",
    "SelectorBackend",
    "Waker",
    "interrupt",
    "withdraw_interrupt",
    "TimerHandle",
    "current_task_handle",
    "park",
    "wait_readable",
    "wait_writable",
    "wake",
    "wake_error",
]


@types.coroutine
def park(
    *, reason: object, on_cancel: Callable[[], object] | None = None
) -> Generator[Command, Any, Any]:
    """Suspend the current task until :func:`wake` / :func:`wake_error`; return the woken value.

    Args:
        reason: What the task waits on; shown by ``DeadlockError`` and ``statistics()``.
        on_cancel: Called on the loop thread if the task is cancelled while parked, before
            ``TaskCancelled`` is thrown in: remove the waiter from your structure here.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep
        >>> waiters = []
        >>> async def waiter():
        ...     waiters.append(current_task_handle())
        ...     return await park(reason="demo", on_cancel=lambda: waiters.clear())
        >>> async def main():
        ...     h = await spawn(waiter())
        ...     await sleep(0)
        ...     wake(waiters.pop(), "hello")
        ...     return await h.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        'hello'
    """
    return (yield ParkCommand(reason, on_cancel))


def wake(handle: TaskHandle[Any], value: Any = None) -> bool:
    """Make a parked task runnable (at the tail of the ready queue), sending it ``value``.

    Returns True if it woke the task, False (a no-op) if the task was not parked (already
    woken, running or finished). Loop thread only. If the task was parked in a kernel wait
    (``sleep``, ``join``, ``wait_readable``/``wait_writable``) that wait is withdrawn first
    (timer cancelled, joiner removed, fd unregistered).

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     return wake(current_task_handle())  # running, not parked
        >>> EventLoop().run_until_complete(main(), join=True)
        False
    """
    task = handle._task  # pyright: ignore[reportPrivateUsage]
    return task.loop._wake_public(task, value, None)  # pyright: ignore[reportPrivateUsage]


def wake_error(handle: TaskHandle[Any], exc: BaseException) -> bool:
    """Like :func:`wake` but throw ``exc`` into the task.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep
        >>> parked = []
        >>> async def waiter():
        ...     parked.append(current_task_handle())
        ...     try:
        ...         await park(reason="demo")
        ...     except ValueError as e:
        ...         return f"got {e}"
        >>> async def main():
        ...     h = await spawn(waiter())
        ...     await sleep(0)
        ...     wake_error(parked[0], ValueError("boom"))
        ...     return await h.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        'got boom'
    """
    task = handle._task  # pyright: ignore[reportPrivateUsage]
    return task.loop._wake_public(task, None, exc)  # pyright: ignore[reportPrivateUsage]


@types.coroutine
def wait_readable(fileobj: Any) -> Generator[Command, Any, None]:
    """Park until ``fileobj`` (an fd or anything with ``fileno()``) is readable.

    One reader per fd at a time: a second one gets :class:`BusyResourceError` in its task.
    A bad or closed file object raises ``ValueError``/``OSError`` in the task. Cancelling
    unregisters the fd.

    Example:
        >>> import socket
        >>> from flowno_eventloop import EventLoop
        >>> a, b = socket.socketpair()
        >>> async def main():
        ...     b.send(b"x")
        ...     await wait_readable(a)
        ...     return a.recv(1)
        >>> EventLoop().run_until_complete(main(), join=True)
        b'x'
        >>> a.close(); b.close()
    """
    yield WaitReadableCommand(fileobj)


@types.coroutine
def wait_writable(fileobj: Any) -> Generator[Command, Any, None]:
    """Park until ``fileobj`` is writable (see :func:`wait_readable`).

    Example:
        >>> import socket
        >>> from flowno_eventloop import EventLoop
        >>> a, b = socket.socketpair()
        >>> async def main():
        ...     await wait_writable(a)
        ...     return a.send(b"ok")
        >>> EventLoop().run_until_complete(main(), join=True)
        2
        >>> a.close(); b.close()
    """
    yield WaitWritableCommand(fileobj)


def interrupt(handle: TaskHandle[Any], exc: BaseException) -> bool:
    """Cancel a task with ``exc`` instead of ``TaskCancelled`` (for timeout scopes).

    Parked: its ``on_cancel`` runs and ``exc`` is thrown in at once (queued at the tail).
    Ready or running: ``exc`` is thrown in at its next step / next park. No-op returning False
    if the task has ended or a cancellation is already pending (``TaskHandle.cancel`` later
    replaces a pending interrupt). Loop thread only.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep
        >>> async def sleeper():
        ...     try:
        ...         await sleep(10)
        ...     except TimeoutError as e:
        ...         return f"interrupted: {e}"
        >>> async def main():
        ...     h = await spawn(sleeper())
        ...     await sleep(0)
        ...     interrupt(h, TimeoutError("deadline"))
        ...     return await h.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        'interrupted: deadline'
    """
    task = handle._task  # pyright: ignore[reportPrivateUsage]
    return task.loop._interrupt(task, exc)  # pyright: ignore[reportPrivateUsage]


def withdraw_interrupt(handle: TaskHandle[Any], exc: BaseException) -> bool:
    """Drop ``exc`` if it is still pending (not yet thrown) for the task; True if dropped.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     me = current_task_handle()
        ...     e = TimeoutError()
        ...     return interrupt(me, e), withdraw_interrupt(me, e), withdraw_interrupt(me, e)
        >>> EventLoop().run_until_complete(main(), join=True)
        (True, True, False)
    """
    task = handle._task  # pyright: ignore[reportPrivateUsage]
    if task.cancel_pending is exc:
        task.cancel_pending = None
        return True
    return False
