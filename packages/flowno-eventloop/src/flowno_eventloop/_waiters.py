"""A FIFO set of parked tasks: the building block of every primitive's wait list.

Rules: O(1) add, remove (on cancel) and pop-first; iteration is FIFO. Lives on the primitive
(never in a loop-wide dict), so an unused primitive holds nothing and a dropped one frees all.
"""

from __future__ import annotations

import types
from collections.abc import Generator, Iterator
from typing import Any, Generic, TypeVar

from flowno_eventloop._commands import SLEEP_NOW, TURN, Command
from flowno_eventloop._context import current_task_var
from flowno_eventloop._tasks import TaskHandle, TaskRecord

__all__ = [
    "Waiters",
    "cancel_pending",
    "checkpoint",
    "checkpoint_if_cancelled",
    "park_on",
    "shielded_turn",
]

_V = TypeVar("_V")


class Waiters(Generic[_V]):
    """Parked tasks in arrival order, each with an optional payload (internal).

    Example:
        >>> w = Waiters()
        >>> len(w), bool(w)
        (0, False)
    """

    __slots__ = ("_d",)

    def __init__(self) -> None:
        # Keyed by the task's record (identity hash, computed in C), not by the handle
        # (whose __hash__ is Python code): add/discard are on every wait's path.
        self._d: dict[TaskRecord, tuple[TaskHandle[Any], _V | None]] = {}

    def __len__(self) -> int:
        return len(self._d)

    def __bool__(self) -> bool:
        return bool(self._d)

    def __iter__(self) -> Iterator[TaskHandle[Any]]:
        return iter([handle for handle, _ in self._d.values()])

    def __contains__(self, handle: object) -> bool:
        return isinstance(handle, TaskHandle) and handle._task in self._d  # pyright: ignore[reportPrivateUsage, reportUnknownMemberType]

    def add(self, handle: TaskHandle[Any], payload: _V | None = None) -> None:
        self._d[handle._task] = (handle, payload)  # pyright: ignore[reportPrivateUsage]

    def discard(self, handle: TaskHandle[Any]) -> bool:
        """Remove ``handle``; True if it was there (use it as the ``on_cancel`` body)."""
        return self._d.pop(handle._task, _MISSING) is not _MISSING  # pyright: ignore[reportPrivateUsage]

    def pop(self) -> tuple[TaskHandle[Any], _V | None]:
        """Remove and return the oldest waiter and its payload."""
        return self._d.pop(next(iter(self._d)))

    def pop_all(self) -> list[tuple[TaskHandle[Any], _V | None]]:
        items = list(self._d.values())
        self._d.clear()
        return items

    def pop_all_records(self) -> list[TaskRecord]:
        """Remove every waiter; return their task records, oldest first (for a wake-all)."""
        records = list(self._d)
        self._d.clear()
        return records

    def describe(self) -> list[str]:
        return [repr(handle) for handle, _ in self._d.values()]


_MISSING: Any = object()


@types.coroutine
def checkpoint() -> Generator[Command, Any, None]:
    """Go to the back of the ready queue (a scheduling and cancellation point).

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     await checkpoint()
        ...     return "ok"
        >>> EventLoop().run_until_complete(main(), join=True)
        'ok'
    """
    yield SLEEP_NOW


@types.coroutine
def park_on(command: Command) -> Generator[Command, Any, Any]:
    """Yield one ready-made park ``command``; return what the task is woken with.

    ``lowlevel.park`` without its keyword parsing and command construction, for the hot
    waits that build their own :class:`ParkCommand` (one generator frame per resume).

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> from flowno_eventloop._commands import SLEEP_NOW
        >>> async def main():
        ...     await park_on(SLEEP_NOW)  # any command: here a plain turn at the tail
        ...     return "ok"
        >>> EventLoop().run_until_complete(main(), join=True)
        'ok'
    """
    return (yield command)


def cancel_pending() -> bool:
    """True if the current task has a cancel waiting for its next park or checkpoint.

    Primitives check it before an operation takes effect (and then ``await checkpoint()``),
    so a cancel never lands after it.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     return cancel_pending()
        >>> EventLoop().run_until_complete(main(), join=True)
        False
    """
    handle = _current_handle()
    return handle is not None and handle._task.cancel_pending is not None  # pyright: ignore[reportPrivateUsage]


_current_handle = current_task_var.get


@types.coroutine
def checkpoint_if_cancelled() -> Generator[Command, Any, None]:
    """Throw a pending cancel in now (a checkpoint), else do nothing, without yielding.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     await checkpoint_if_cancelled()
        ...     return "ok"
        >>> EventLoop().run_until_complete(main(), join=True)
        'ok'
    """
    if cancel_pending():
        yield SLEEP_NOW


@types.coroutine
def shielded_turn() -> Generator[Command, Any, None]:
    """Go to the back of the ready queue without becoming a cancellation point.

    After an operation took effect (an item stored or taken), so that a cancel arriving
    meanwhile is thrown in at the next checkpoint instead of undoing it in the caller's eyes.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     await shielded_turn()
        ...     return "ok"
        >>> EventLoop().run_until_complete(main(), join=True)
        'ok'
    """
    yield TURN
