"""Event: a one-shot flag that wakes every waiter when set.

Rules:
- A wait parks on the event's one shared ``ParkCommand`` (no abort: a cancel is accepted at
  once); the waiter list maps each waiting task's record to its handle, FIFO.
- A cancelled waiter is not removed from the list when the cancel lands; an entry counts
  only while its task is parked on this event. ``set`` wakes exactly those, so a task is
  woken once per park; the list is pruned when it doubles, so stale entries stay bounded.
- ``set`` never gives the turn away.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from flowno_eventloop._commands import Command, ParkCommand
from flowno_eventloop._context import current_task_handle, current_task_var
from flowno_eventloop._native import native_coroutine
from flowno_eventloop._tasks import PARKED, TaskHandle, TaskRecord

__all__ = ["Event"]

_current_handle = current_task_var.get

_MIN_PRUNE = 64
"""The waiter list is first pruned of stale entries when it reaches this length."""


class Event:
    """A one-shot flag: :meth:`wait` blocks until :meth:`set`; never cleared.

    ``set()`` does not give the turn away: the setter continues, then the waiters resume in
    the order they started waiting.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn
        >>> async def waiter(name, ev):
        ...     await ev.wait()
        ...     print(name, "proceeds")
        >>> async def main():
        ...     ev = Event()
        ...     a = await spawn(waiter("a", ev)); b = await spawn(waiter("b", ev))
        ...     await ev.set(); print("set", ev)
        ...     await a.join(); await b.join()
        >>> EventLoop().run_until_complete(main())
        set Event(set)
        a proceeds
        b proceeds
    """

    __slots__ = ("_flag", "_limit", "_park", "_waiters")

    def __init__(self) -> None:
        self._flag = False
        self._waiters: dict[TaskRecord, TaskHandle[Any]] = {}
        self._park = ParkCommand(self)
        self._limit = _MIN_PRUNE

    def is_set(self) -> bool:
        """True once :meth:`set` was called.

        Example:
            >>> from flowno_eventloop import EventLoop, Event
            >>> async def main():
            ...     ev = Event(); await ev.set(); return ev.is_set()
            >>> EventLoop().run_until_complete(main(), join=True)
            True
        """
        return self._flag

    @native_coroutine
    def wait(self) -> Generator[Command, Any, None]:
        """Return at once if set (without yielding), else park until :meth:`set`.

        Example:
            >>> from flowno_eventloop import EventLoop, Event
            >>> async def main():
            ...     ev = Event(); await ev.set(); await ev.wait(); return 'passed'
            >>> EventLoop().run_until_complete(main(), join=True)
            'passed'
        """
        if self._flag:
            return
        me = _current_handle() or current_task_handle()  # (the latter raises outside a task)
        record = me._task  # pyright: ignore[reportPrivateUsage]
        waiters = self._waiters  # (``_enlist`` inlined)
        if record in waiters:  # a stale entry of an earlier, cancelled wait: to the back
            del waiters[record]
        elif len(waiters) >= self._limit:
            waiters = self._prune()
        waiters[record] = me
        yield self._park

    def _enlist(self, handle: TaskHandle[Any]) -> None:
        """Add ``handle``'s task, about to park with this event as its reason, to the waiters."""
        record = handle._task  # pyright: ignore[reportPrivateUsage]
        waiters = self._waiters
        if record in waiters:
            del waiters[record]
        elif len(waiters) >= self._limit:
            waiters = self._prune()
        waiters[record] = handle

    def _prune(self) -> dict[TaskRecord, TaskHandle[Any]]:
        """Drop the entries of tasks no longer parked here (the next prune at twice the rest);
        return the new waiter list."""
        waiters = {
            record: handle for record, handle in self._waiters.items() if self._holds(record)
        }
        self._waiters, self._limit = waiters, max(_MIN_PRUNE, 2 * len(waiters))
        return waiters

    def _holds(self, record: TaskRecord) -> bool:
        """True while ``record``'s task is parked on this event."""
        return record.state == PARKED and record.reason is self

    async def set(self) -> None:
        """Set the flag and wake every waiter (FIFO). Does not yield.

        Example:
            >>> from flowno_eventloop import EventLoop, Event
            >>> async def main():
            ...     ev = Event(); await ev.set(); return repr(ev)
            >>> EventLoop().run_until_complete(main(), join=True)
            'Event(set)'
        """
        self.set_nowait()

    def set_nowait(self) -> int:
        """Synchronous :meth:`set` (loop thread); returns the number of waiters woken.

        Example:
            >>> from flowno_eventloop import EventLoop, Event
            >>> async def main():
            ...     return Event().set_nowait()
            >>> EventLoop().run_until_complete(main(), join=True)
            0
        """
        if self._flag:
            return 0
        self._flag = True
        waiters, self._waiters = self._waiters, {}
        records = [record for record in waiters if record.state == PARKED and record.reason is self]
        if not records:
            return 0
        return records[0].loop._wake_all(records)  # pyright: ignore[reportPrivateUsage]

    def statistics(self) -> dict[str, Any]:
        """``{"set": bool, "waiters": int}``.

        Example:
            >>> from flowno_eventloop import EventLoop, Event
            >>> async def main():
            ...     return Event().statistics()
            >>> EventLoop().run_until_complete(main(), join=True)
            {'set': False, 'waiters': 0}
        """
        return {"set": self._flag, "waiters": sum(map(self._holds, self._waiters))}

    def __repr__(self) -> str:
        return "Event(set)" if self._flag else "Event(not set)"
