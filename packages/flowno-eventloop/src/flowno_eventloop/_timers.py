"""Timers: a heap of ``(deadline, seq, TimerHandle)`` plus a FIFO of call-soon callbacks.

Rules: O(log n) to add, O(1) to cancel (lazy deletion, compacted when more than half of the
heap is dead); the ``seq`` tiebreak means equal deadlines never compare handles and fire
in the order they were scheduled. Runs only on the loop thread.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from typing import Any

__all__ = ["TimerHandle", "TimerQueue", "checked_time"]


def checked_time(value: float, what: str) -> float:
    """``value`` if it is a number of seconds; else the error, raised at the call site.

    Args:
        value: A time or a delay on the loop's clock.
        what: The start of the message (``"call_later() needs a delay in seconds"``).

    Returns:
        ``value`` unchanged.

    Raises:
        TypeError: ``value`` is not an int or a float (a str, None...).
        ValueError: ``value`` is NaN.

    Example:
        >>> checked_time(1.5, "call_later() needs a delay in seconds")
        1.5
        >>> checked_time("1", "call_later() needs a delay in seconds")
        Traceback (most recent call last):
        TypeError: call_later() needs a delay in seconds, got str '1'
    """
    if value.__class__ is not float and (
        isinstance(value, bool) or not isinstance(value, (int, float))  # pyright: ignore[reportUnnecessaryIsInstance]
    ):
        raise TypeError(f"{what}, got {type(value).__name__} {value!r}")
    if value != value:
        raise ValueError(f"{what}, got NaN")
    return value


class TimerHandle:
    """A scheduled callback; returned by ``loop.call_at`` / ``loop.call_soon``.

    Example:
        >>> from flowno_eventloop import EventLoop, MockClock, sleep
        >>> loop = EventLoop(clock=MockClock())
        >>> fired = []
        >>> async def main():
        ...     loop.call_at(5.0, fired.append, "five")
        ...     h = loop.call_at(1.0, fired.append, "one")
        ...     h.cancel()
        ...     await sleep(10)
        >>> loop.run_until_complete(main())
        >>> fired
        ['five']
    """

    __slots__ = ("_args", "_callback", "_queue", "cancelled", "when")

    def __init__(
        self,
        when: float,
        callback: Callable[..., object],
        args: tuple[Any, ...],
        queue: TimerQueue | None,
    ) -> None:
        self.when: float = when
        self._callback = callback
        self._args = args
        self._queue = queue
        self.cancelled: bool = False

    def cancel(self) -> None:
        """Stop the callback from running; a no-op if it ran or was cancelled already.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> loop = EventLoop()
            >>> h = loop.call_soon(print, "never")
            >>> h.cancel(); h.cancelled
            True
            >>> loop.close()
        """
        if self.cancelled:
            return
        self.cancelled = True
        queue = self._queue
        self._queue = None
        if queue is not None:
            queue.forget(self)

    def _run(self) -> None:
        self._queue = None
        if not self.cancelled:
            self.cancelled = True  # a handle runs at most once
            self._callback(*self._args)

    def __repr__(self) -> str:
        state = "cancelled" if self.cancelled else "pending"
        name = getattr(self._callback, "__qualname__", repr(self._callback))
        return f"<TimerHandle when={self.when!r} {name} {state}>"


class TimerQueue:
    """The loop's timers (internal)."""

    __slots__ = ("_dead", "_heap", "_seq", "pending", "soon")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, TimerHandle]] = []
        self._seq = itertools.count()
        self.pending: int = 0  # live (not cancelled, not run) timers; read by the loop
        self._dead = 0
        self.soon: deque[TimerHandle] = deque()

    def __len__(self) -> int:
        return self.pending

    def add(
        self, when: float, callback: Callable[..., object], args: tuple[Any, ...]
    ) -> TimerHandle:
        handle = TimerHandle(when, callback, args, self)
        heapq.heappush(self._heap, (when, next(self._seq), handle))
        self.pending += 1
        return handle

    def add_soon(self, callback: Callable[..., object], args: tuple[Any, ...]) -> TimerHandle:
        handle = TimerHandle(float("-inf"), callback, args, self)
        self.soon.append(handle)
        self.pending += 1
        return handle

    def forget(self, handle: TimerHandle) -> None:
        self.pending -= 1
        if handle.when != float("-inf"):
            self._dead += 1
            if self._dead > 64 and self._dead * 2 > len(self._heap):
                self._compact()

    def _compact(self) -> None:
        self._heap = [entry for entry in self._heap if not entry[2].cancelled]
        heapq.heapify(self._heap)
        self._dead = 0

    def next_deadline(self) -> float | None:
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
            self._dead -= 1
        return heap[0][0] if heap else None

    def pop_due(self, now: float) -> list[TimerHandle]:
        """Remove and return the live timers due at ``now`` (call-soon ones first)."""
        due: list[TimerHandle] = []
        soon = self.soon
        while soon:
            handle = soon.popleft()
            if not handle.cancelled:
                self.pending -= 1
                handle._queue = None  # pyright: ignore[reportPrivateUsage]
                due.append(handle)
        heap = self._heap
        while heap and heap[0][0] <= now:
            handle = heapq.heappop(heap)[2]
            if handle.cancelled:
                self._dead -= 1
            else:
                self.pending -= 1
                handle._queue = None  # pyright: ignore[reportPrivateUsage]
                due.append(handle)
        return due
