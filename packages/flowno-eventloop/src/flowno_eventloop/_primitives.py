"""The documented awaitables: spawn, sleep, exit, azip.

Rules: each yields one kernel command (so it is a scheduling point exactly where the
original's was) and returns a native coroutine (so a forgotten ``await`` warns "coroutine
... was never awaited"): ``spawn``, ``exit`` and ``sleep(0)`` are one-frame generators made
coroutines by ``native_coroutine``; ``azip`` is an async generator.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Coroutine, Generator
from typing import Any, NoReturn, TypeVar, overload

from flowno_eventloop._commands import (
    SLEEP_NOW,
    TURN,
    Command,
    ExitCommand,
    SleepCommand,
    SpawnCommand,
)
from flowno_eventloop._context import current_loop_var, running_loop
from flowno_eventloop._native import native_coroutine
from flowno_eventloop._spawning import raise_if_reused, spawn_here
from flowno_eventloop._tasks import TaskHandle, check_task_name

__all__ = ["azip", "exit", "sleep", "spawn"]

_T = TypeVar("_T")
_T1 = TypeVar("_T1")
_T2 = TypeVar("_T2")
_T3 = TypeVar("_T3")
_T4 = TypeVar("_T4")


_HANDLE_TYPE: type[Any] = TaskHandle  # (not narrowing: the check costs no cast() call)


@native_coroutine
def spawn(
    raw_task: Coroutine[Any, Any, _T], *, name: str | None = None
) -> Generator[Command, Any, TaskHandle[_T]]:
    """Start ``raw_task`` as a new task; its first step runs before ``spawn`` returns.

    ``name`` names the task (see :attr:`TaskHandle.name`; default: the coroutine's qualname).

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def child():
        ...     print("child runs")
        ...     return 1
        >>> async def main():
        ...     h = await spawn(child())
        ...     print("spawned")
        ...     return await h.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        child runs
        spawned
        1
    """
    if name is not None and not isinstance(name, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        getattr(raw_task, "close", lambda: None)()  # never started: no "never awaited" warning
        check_task_name(name)
    loop = _current_loop()
    here = None if loop is None else spawn_here(loop, raw_task, name)
    if here is not None:  # queued already: a turn at the tail lets the child run first
        yield TURN
        if here._task.outcome is not None:  # pyright: ignore[reportPrivateUsage]
            # (it ended in its first step, which it took before this one: maybe refused)
            raise_if_reused(here)
        return here
    sent: Any = yield SpawnCommand(raw_task) if name is None else SpawnCommand(raw_task, name)
    if type(sent) is not _HANDLE_TYPE:  # TaskHandle is final: no subclass to accept
        raise TypeError(f"spawn() expected a TaskHandle from the loop, got {sent!r}")
    handle: TaskHandle[_T] = sent
    return handle


def sleep(duration: float) -> Coroutine[Any, Any, float]:
    """Suspend the current task for ``duration`` seconds of the loop's clock.

    ``sleep(0)`` (or a negative duration) just goes to the back of the ready queue and returns
    ``0.0``. Otherwise returns the time actually slept, measured on the loop's clock
    (>= ``duration``); ``math.inf`` sleeps until cancelled. A NaN duration raises
    ``ValueError`` here, at the call, and a non-number ``TypeError``. ``sleep(...)`` returns a native coroutine: one that
    is never awaited warns like any coroutine ("coroutine 'sleep' was never awaited").

    Example:
        >>> from flowno_eventloop import EventLoop, MockClock
        >>> async def main():
        ...     return await sleep(0), await sleep(1.5)
        >>> EventLoop(clock=MockClock()).run_until_complete(main(), join=True)
        (0.0, 1.5)
    """
    try:
        if duration <= 0:
            return _sleep_now()
    except TypeError as exc:  # a str, None...: name the argument, not the comparison
        raise TypeError(
            f"sleep() duration must be a number of seconds, got {type(duration).__name__} "
            f"{duration!r}"
        ) from exc
    if duration != duration:
        raise ValueError("sleep() duration must be a number of seconds, got NaN")
    return _sleep_for(duration)


@native_coroutine
def _sleep_now() -> Generator[Command, Any, float]:
    if _current_loop() is None:
        running_loop("sleep()")  # raises: not inside a task of a running loop
    yield SLEEP_NOW  # just a turn at the tail: no clock reads, no new command object
    return 0.0


async def _sleep_for(duration: float) -> float:
    clock = running_loop("sleep()").clock
    start = clock.now()
    await _yield(SleepCommand(start + duration))
    return clock.now() - start


_sleep_now.__name__ = _sleep_now.__qualname__ = "sleep"  # named so in "never awaited"
_sleep_for.__name__ = _sleep_for.__qualname__ = "sleep"
_current_loop = current_loop_var.get


@types.coroutine
def _yield(command: Command) -> Generator[Command, Any, Any]:
    return (yield command)


@native_coroutine
def exit(
    return_value: Any = None, exception: BaseException | None = None
) -> Generator[Command, Any, NoReturn]:  # noqa: A001
    """Stop the loop: ``run_until_complete`` returns ``return_value`` (with ``join=True``) or
    raises ``exception``. The other tasks are cancelled first, so their ``finally`` blocks run
    inside the loop; the calling task never resumes (its coroutine is closed). An
    ``exception`` that is not an exception raises ``TypeError`` at the ``await``.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     await exit("early")
        >>> EventLoop().run_until_complete(main(), join=True)
        'early'
    """
    if exception is not None and not _is_exception(exception):
        raise TypeError(
            "exit() exception must be an exception instance (or class) or None, got "
            f"{type(exception).__name__} {exception!r}"
        )
    yield ExitCommand(return_value, exception)
    raise RuntimeError("exit() returned: the loop did not stop")  # pragma: no cover


def _is_exception(value: object) -> bool:
    return isinstance(value, BaseException) or (
        isinstance(value, type) and issubclass(value, BaseException)
    )


@overload
def azip(__it1: AsyncIterator[_T1]) -> AsyncIterator[tuple[_T1]]: ...
@overload
def azip(
    __it1: AsyncIterator[_T1], __it2: AsyncIterator[_T2]
) -> AsyncIterator[tuple[_T1, _T2]]: ...
@overload
def azip(
    __it1: AsyncIterator[_T1], __it2: AsyncIterator[_T2], __it3: AsyncIterator[_T3]
) -> AsyncIterator[tuple[_T1, _T2, _T3]]: ...
@overload
def azip(
    __it1: AsyncIterator[_T1],
    __it2: AsyncIterator[_T2],
    __it3: AsyncIterator[_T3],
    __it4: AsyncIterator[_T4],
) -> AsyncIterator[tuple[_T1, _T2, _T3, _T4]]: ...
@overload
def azip(*iterators: AsyncIterator[Any]) -> AsyncIterator[tuple[Any, ...]]: ...


def azip(*iterators: AsyncIterator[Any]) -> AsyncIterator[tuple[Any, ...]]:
    """Advance several async iterators in lockstep, like ``zip``; stop at the shortest.

    Departures from the original: ``azip()`` with no argument raises ``TypeError``
    (it looped forever); when a later iterator ends, the items already taken from the earlier
    ones in that round are lost just as with the builtin ``zip`` (documented, not hidden), and
    no iterator is closed by azip.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def gen(items):
        ...     for x in items:
        ...         yield x
        >>> async def main():
        ...     return [p async for p in azip(gen([0, 1, 2]), gen("ab"))]
        >>> EventLoop().run_until_complete(main(), join=True)
        [(0, 'a'), (1, 'b')]
    """
    if not iterators:
        raise TypeError("azip() needs at least one async iterator")
    for it in iterators:
        if not hasattr(it, "__anext__"):
            raise TypeError(f"azip() argument {it!r} is not an async iterator (no __anext__)")
    return _azip(iterators)


async def _azip(iterators: tuple[AsyncIterator[Any], ...]) -> AsyncIterator[tuple[Any, ...]]:
    while True:
        items: list[Any] = []
        for it in iterators:
            try:
                items.append(await it.__anext__())
            except StopAsyncIteration:
                return
        yield tuple(items)
