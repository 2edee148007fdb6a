"""Delegation: a command handler answers a command by running an awaitable as the task.

Rules:
- The task keeps its identity (record, handle, ``_live`` key, joiners). While the awaitable
  runs, ``task.coro`` is a trampoline generator that forwards send / throw / close to it;
  the loop finds the task for the trampoline's packets in ``_delegates`` (the general step
  path only: tasks that never delegate never meet it).
- The awaitable's first step runs inside the handler, so it takes effect at once, like the
  handler's own work would. If it finishes without suspending, the task is answered with a
  wake (or wake_error), as a handler that answers at once does. Otherwise its command is
  served as the task's, and when it ends the trampoline gives the task its coroutine back
  and sends it the result (or throws the exception in) within the same step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, cast

from flowno_eventloop._stepping import foreign_message
from flowno_eventloop._tasks import PARKED, TaskHandle, TaskRecord

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = ["delegate"]


def delegate(handle: TaskHandle[Any], awaitable: Awaitable[Any]) -> None:
    """Answer the command ``handle``'s task yielded by running ``awaitable`` as that task.

    Call it from a command handler (the task is parked on its command). The awaitable runs
    in the task's place and context: the commands it yields are the task's commands, a cancel
    or an exception is thrown into it, and when it ends its result is sent into the task's
    own coroutine (or its exception thrown in there). If it ends without suspending, the task
    is woken with the outcome, at the tail of the ready queue. This is how the legacy
    commands (``LockAcquireCommand``...) reuse the primitives' public methods.

    Args:
        handle: The task whose command is being handled.
        awaitable: What answers the command (a coroutine, or any object with ``__await__``).

    Raises:
        RuntimeError: The task is not parked on a command (not called from a handler).

    Example:
        >>> import types
        >>> from flowno_eventloop import EventLoop, sleep
        >>> from flowno_eventloop.commands import Command
        >>> class Twice(Command):
        ...     def __init__(self, n): self.n = n
        >>> async def twice(n):
        ...     await sleep(0)  # a command of the task: its turn at the tail
        ...     return 2 * n
        >>> loop = EventLoop()
        >>> loop.register_command(Twice, lambda lp, h, cmd: delegate(h, twice(cmd.n)))
        >>> @types.coroutine
        ... def ask(command):  # legacy style: yield the command itself
        ...     return (yield command)
        >>> async def main():
        ...     return await ask(Twice(21))
        >>> loop.run_until_complete(main(), join=True)
        42
    """
    task = handle._task  # pyright: ignore[reportPrivateUsage]
    if task.state != PARKED:
        raise RuntimeError(f"delegate(): {handle!r} is not parked on a command")
    loop = task.loop
    inner = _iterate(awaitable)
    context = task.context
    assert context is not None
    try:
        command = context.run(inner.send, None)
    except StopIteration as stop:
        loop._wake_public(task, stop.value, None)  # pyright: ignore[reportPrivateUsage]
        return
    except Exception as error:
        loop._wake_public(task, None, error)  # pyright: ignore[reportPrivateUsage]
        return
    trampoline = _trampoline(loop, task, task.coro, inner, command)
    next(trampoline)  # primed: suspended at its first yield (``command``)
    task.coro = trampoline  # type: ignore[assignment]
    loop._delegates[trampoline] = task  # pyright: ignore[reportPrivateUsage]
    _serve_as_task(loop, task, trampoline, command)


def _iterate(awaitable: Awaitable[Any]) -> Generator[Any, Any, Any]:
    """The generator to drive: ``__await__()``, or the generator-based coroutine itself."""
    await_ = getattr(awaitable, "__await__", None)
    if await_ is not None:
        iterator: Generator[Any, Any, Any] = await_()
        return iterator
    if isinstance(awaitable, Generator):  # a types.coroutine generator
        return cast("Generator[Any, Any, Any]", awaitable)
    raise TypeError(f"delegate() needs an awaitable, got {awaitable!r}")


def _serve_as_task(loop: EventLoop, task: TaskRecord, trampoline: Any, command: Any) -> None:
    """Serve the delegate's first command as the (still parked) task's own command."""
    stepping = loop._stepping  # pyright: ignore[reportPrivateUsage]
    loop._stepping = task  # pyright: ignore[reportPrivateUsage]
    try:
        handled = loop._handle_command((trampoline, None, None), command)  # pyright: ignore[reportPrivateUsage]
    finally:
        loop._stepping = stepping  # pyright: ignore[reportPrivateUsage]
    if not handled and task.state == PARKED:
        loop._wake(task, None, TypeError(foreign_message(command)))  # pyright: ignore[reportPrivateUsage]


def _trampoline(
    loop: EventLoop, task: TaskRecord, outer: Any, inner: Generator[Any, Any, Any], first: Any
) -> Generator[Any, Any, Any]:
    """Drive ``inner`` (yield-from semantics), then hand ``outer`` its outcome."""
    command = first  # primed by ``delegate``: it stops at this first ``yield`` and serves it
    result: Any = None
    error: BaseException | None = None
    try:
        while True:
            try:
                value = yield command
            except GeneratorExit:
                inner.close()
                raise
            except BaseException as thrown:  # forwarded, as ``yield from`` does
                step: Callable[[Any], Any] = inner.throw
                sent: Any = thrown
            else:
                step, sent = inner.send, value
            try:
                command = step(sent)
            except StopIteration as stop:
                result = stop.value
                break
            except BaseException as failure:
                error = failure
                break
    except GeneratorExit:
        _give_back(loop, task, outer)
        outer.close()
        raise
    _give_back(loop, task, outer)
    try:
        command = outer.send(result) if error is None else outer.throw(error)
    except StopIteration as stop:
        return stop.value
    yield command  # the task's own command; its answer goes to ``outer`` directly


def _give_back(loop: EventLoop, task: TaskRecord, outer: Any) -> None:
    """The task's coroutine is ``outer`` again (the trampoline is done with it)."""
    loop._delegates.pop(task.coro, None)  # pyright: ignore[reportPrivateUsage]
    task.coro = outer
