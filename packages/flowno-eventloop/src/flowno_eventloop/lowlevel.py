"""The kernel contract for library authors: park/wake, fd waits, timers, drivers.

Rules: everything that waits in flowno (sleep, join, locks, queues, sockets, timeouts) is
built on :func:`park` + :func:`wake`; so every wait is cancellable the same way, and a parked
task is woken exactly once per park. ``wake`` and ``wake_error`` run on the loop thread only;
from other threads complete a :class:`WakeToken` (or use ``loop.call_soon_threadsafe``).
:class:`LoopRun`, :class:`IOBackend` and :class:`Waker` let another loop drive a run.
See docs/design/kernel-contract.md.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from flowno_eventloop._backend import READ, WRITE, IOBackend, SelectorBackend, Waker
from flowno_eventloop._commands import (
    Command,
    ParkCommand,
    RefusableAbort,
    WaitReadableCommand,
    WaitWritableCommand,
)
from flowno_eventloop._context import current_event_loop, current_task_handle
from flowno_eventloop._delegate import delegate
from flowno_eventloop._errors import BusyResourceError
from flowno_eventloop._native import native_coroutine
from flowno_eventloop._running import LoopRun
from flowno_eventloop._tasks import TaskHandle
from flowno_eventloop._timers import TimerHandle

if TYPE_CHECKING:
    from flowno_eventloop._loop import CommandHandler, EventLoop

__all__ = [
    "READ",
    "WRITE",
    "BusyResourceError",
    "IOBackend",
    "LoopRun",
    "SelectorBackend",
    "Waker",
    "interrupt",
    "notify_closing",
    "withdraw_interrupt",
    "TimerHandle",
    "WakeToken",
    "command_handler",
    "delegate",
    "current_task_handle",
    "park",
    "task_context",
    "wait_readable",
    "wait_writable",
    "wake",
    "wake_error",
]


@native_coroutine
def park(
    *,
    reason: object,
    on_cancel: Callable[[], object] | None = None,
    abort: Callable[[], bool] | None = None,
) -> Generator[Command, Any, Any]:
    """Suspend the current task until :func:`wake` / :func:`wake_error`; return the woken value.

    A parked task is woken exactly once per park. A cancel (or a timeout scope) that comes
    while a wake is already queued does not replace it: it is thrown in at the task's next
    park or checkpoint.

    Args:
        reason: What the task waits on; shown by ``DeadlockError`` and ``statistics()``.
        on_cancel: Called on the loop thread if the task is cancelled while parked, before
            ``TaskCancelled`` is thrown in: remove the waiter from your structure here.
        abort: Like ``on_cancel`` but may refuse: return True when the waiter was removed
            (the cancel is thrown in), False when the primitive has already handed the task
            what it waited for and will wake it (the task then receives that, and the cancel
            is thrown in at its next park or checkpoint). Give at most one of the two.

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
    if abort is not None:
        if on_cancel is not None:
            raise TypeError("park() takes on_cancel or abort, not both")
        return (yield ParkCommand(reason, RefusableAbort(abort)))
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


@native_coroutine
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


@native_coroutine
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


def notify_closing(fileobj: Any) -> None:
    """Tell the loop running here that ``fileobj`` is about to be closed.

    The loop keeps an fd registered with its selector between waits (so a socket read in a
    loop costs no register / unregister per wait). Call this just before closing a file
    object you waited on, so its registration goes with it; flowno_net's sockets do. A task
    still waiting on ``fileobj`` is woken with ``OSError(EBADF)``. Outside a running loop,
    or for a file object the loop does not know, it does nothing.

    Example:
        >>> import socket
        >>> from flowno_eventloop import EventLoop, current_event_loop
        >>> a, b = socket.socketpair()
        >>> async def main():
        ...     b.send(b"x")
        ...     await wait_readable(a)
        ...     kept = a.fileno() in current_event_loop().selector.get_map()
        ...     notify_closing(a); a.close()
        ...     return kept, len(current_event_loop().selector.get_map())
        >>> EventLoop().run_until_complete(main(), join=True)
        (True, 0)
        >>> b.close()
    """
    loop = current_event_loop()
    if loop is None or not loop._running:  # pyright: ignore[reportPrivateUsage]
        return
    io = loop._io  # pyright: ignore[reportPrivateUsage]
    io.forget(fileobj)
    for task, _, error in io.take_stale():
        loop._wake_public(task, None, error)  # pyright: ignore[reportPrivateUsage]


def command_handler(loop: EventLoop, command_type: type[Command]) -> CommandHandler | None:
    """The handler ``loop`` runs now for ``command_type`` (built in or registered), or None.

    Only a handler registered for exactly ``command_type`` is returned. A library that
    replaces a handler (``EventLoop.register_command``) hands the commands it does not take
    to the one it replaced.

    Example:
        >>> from flowno_eventloop import EventLoop, exit
        >>> from flowno_eventloop.commands import ExitCommand
        >>> loop, seen = EventLoop(), []
        >>> default = command_handler(loop, ExitCommand)
        >>> def logging_exit(lp, handle, command):
        ...     seen.append(command.return_value)
        ...     default(lp, handle, command)  # the loop's own exit
        >>> loop.register_command(ExitCommand, logging_exit)
        >>> async def main():
        ...     await exit("done")
        >>> loop.run_until_complete(main(), join=True), seen
        ('done', ['done'])
    """
    return loop._handlers.get(command_type)  # pyright: ignore[reportPrivateUsage]


def task_context(handle: TaskHandle[Any]) -> contextvars.Context | None:
    """The ``contextvars.Context`` the task runs in (None once the task has ended).

    A command handler runs on the loop, outside the task's context: this reads the
    context variables the task sees (those set by the code that spawned it, too).

    Example:
        >>> import contextvars
        >>> from flowno_eventloop import EventLoop, sleep, spawn
        >>> color = contextvars.ContextVar("color", default="none")
        >>> async def child():
        ...     color.set("red")
        ...     await park(reason="demo")
        >>> async def main():
        ...     h = await spawn(child())
        ...     await sleep(0)  # the child has set its color and waits
        ...     seen = task_context(h).get(color), color.get()
        ...     wake(h)
        ...     await h.join()
        ...     return seen, task_context(h)
        >>> EventLoop().run_until_complete(main(), join=True)
        (('red', 'none'), None)
    """
    return handle._task.context  # pyright: ignore[reportPrivateUsage]


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


class _TokenPark:
    """The park reason of a :class:`WakeToken`: identifies that one park."""

    __slots__ = ("reason",)

    def __init__(self, reason: object) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return repr(self.reason)


class WakeToken:
    """A one-shot wake-up for one park of the current task, safe to fire from any thread.

    Make it in the task, hand :meth:`wake_threadsafe` / :meth:`wake_error_threadsafe` to a
    thread or a done-callback, then ``await token.park(...)``. The first completion wins and
    is delivered to that park only: a completion that arrives after the park ended (the task
    was cancelled, or woken otherwise) is dropped, so it can never reach a later park. A
    completion that arrives before the park makes ``park`` return at once.

    Example:
        >>> import threading
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     token = WakeToken()
        ...     t = threading.Thread(target=token.wake_threadsafe, args=("from a thread",))
        ...     current_task_handle().event_loop.hold()  # a thread will wake us
        ...     t.start()
        ...     try:
        ...         return await token.park(reason="a thread")
        ...     finally:
        ...         current_task_handle().event_loop.release()
        ...         t.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        'from a thread'
    """

    __slots__ = ("_exc", "_handle", "_park", "_state", "_value")

    def __init__(self) -> None:
        self._handle: TaskHandle[Any] = current_task_handle()
        self._state = "new"  # new -> parked -> done | fired (before the park) -> done
        self._park: _TokenPark | None = None
        self._value: Any = None
        self._exc: BaseException | None = None

    async def park(self, *, reason: object, abort: Callable[[], bool] | None = None) -> Any:
        """Park the token's task until the token fires; return the value (or raise).

        Args:
            reason: What the task waits on (shown by ``DeadlockError``, ``statistics()``).
            abort: Called if the task is cancelled while parked: return True to accept (the
                cancel is thrown in; a later completion is dropped), False to refuse (the
                completion is on its way and is delivered; the cancel comes at the next
                park or checkpoint). Default: accept.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     token = WakeToken()
            ...     token.wake(5)  # fired before the park: park returns at once
            ...     return await token.park(reason="demo")
            >>> EventLoop().run_until_complete(main(), join=True)
            5
        """
        if current_task_handle() != self._handle:
            raise RuntimeError("WakeToken.park() must run in the task that made the token")
        if self._state == "fired":
            self._state = "done"
            return self._result()
        if self._state != "new":
            raise RuntimeError("a WakeToken parks only once")
        self._state = "parked"
        self._park = _TokenPark(reason)

        def on_abort() -> bool:
            accepted = True if abort is None else bool(abort())
            if accepted:
                self._state = "done"
            return accepted

        return await park(reason=self._park, abort=on_abort)

    def wake(self, value: Any = None) -> bool:
        """Complete with ``value`` (loop thread); True if this completion was taken.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     token = WakeToken()
            ...     return token.wake(1), token.wake(2), await token.park(reason="demo")
            >>> EventLoop().run_until_complete(main(), join=True)
            (True, False, 1)
        """
        return self._fire(value, None)

    def wake_error(self, exc: BaseException) -> bool:
        """Complete by raising ``exc`` in the task (loop thread).

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     token = WakeToken()
            ...     token.wake_error(KeyError("k"))
            ...     try:
            ...         await token.park(reason="demo")
            ...     except KeyError as e:
            ...         return repr(e)
            >>> EventLoop().run_until_complete(main(), join=True)
            "KeyError('k')"
        """
        return self._fire(None, exc)

    def wake_threadsafe(self, value: Any = None) -> None:
        """:meth:`wake` from any thread (through ``loop.call_soon_threadsafe``).

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     token = WakeToken()
            ...     token.wake_threadsafe("queued")
            ...     return await token.park(reason="demo")
            >>> EventLoop().run_until_complete(main(), join=True)
            'queued'
        """
        self._handle.event_loop.call_soon_threadsafe(self._fire, value, None)

    def wake_error_threadsafe(self, exc: BaseException) -> None:
        """:meth:`wake_error` from any thread.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     token = WakeToken()
            ...     token.wake_error_threadsafe(ValueError("v"))
            ...     try:
            ...         await token.park(reason="demo")
            ...     except ValueError as e:
            ...         return str(e)
            >>> EventLoop().run_until_complete(main(), join=True)
            'v'
        """
        self._handle.event_loop.call_soon_threadsafe(self._fire, None, exc)

    def _fire(self, value: Any, exc: BaseException | None) -> bool:
        state = self._state
        if state == "new":
            self._state = "fired"
            self._value, self._exc = value, exc
            return True
        if state != "parked":
            return False  # already completed, or the park ended: never reach a later park
        handle = self._handle
        if handle.state != "parked" or handle.park_reason is not self._park:
            self._state = "done"  # woken by something else: this park is over
            return False
        self._state = "done"
        return wake(handle, value) if exc is None else wake_error(handle, exc)

    def _result(self) -> Any:
        exc, self._exc = self._exc, None
        if exc is not None:
            raise exc
        return self._value
