"""A FIFO set of parked tasks: the building block of every primitive's wait list.

Rules: O(1) add, remove (on cancel) and pop-first; iteration is FIFO. Lives on the primitive
(never in a loop-wide dict), so an unused primitive holds nothing and a dropped one frees all.
"""

from __future__ import annotations

import types
from collections.abc import Generator, Iterator
from typing import Any, Generic, TypeVar

from flowno_eventloop._commands import Command, SleepCommand
from flowno_eventloop._tasks import TaskHandle

__all__ = ["Waiters", "checkpoint"]

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
        self._d: dict[TaskHandle[Any], _V | None] = {}

    def __len__(self) -> int:
        return len(self._d)

    def __bool__(self) -> bool:
        return bool(self._d)

    def __iter__(self) -> Iterator[TaskHandle[Any]]:
        return iter(list(self._d))

    def __contains__(self, handle: object) -> bool:
        return handle in self._d

    def add(self, handle: TaskHandle[Any], payload: _V | None = None) -> None:
        self._d[handle] = payload

    def discard(self, handle: TaskHandle[Any]) -> bool:
        """Remove ``handle``; True if it was there (use it as the ``on_cancel`` body)."""
        return self._d.pop(handle, _MISSING) is not _MISSING

    def pop(self) -> tuple[TaskHandle[Any], _V | None]:
        """Remove and return the oldest waiter and its payload."""
        handle = next(iter(self._d))
        return handle, self._d.pop(handle)

    def pop_all(self) -> list[tuple[TaskHandle[Any], _V | None]]:
        items = list(self._d.items())
        self._d.clear()
        return items

    def describe(self) -> list[str]:
        return [repr(h) for h in self._d]


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
    yield SleepCommand(float("-inf"))
