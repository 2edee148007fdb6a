"""Semaphore and BoundedSemaphore: counting permits on park/wake.

Rules of this module:
- Library code only: waiting is ``lowlevel.park``, handing a permit over is ``lowlevel.wake``.
  The loop knows nothing about semaphores.
- FIFO and direct hand-off: ``release()`` gives its permit straight to the oldest waiter, so a
  late arrival can never overtake a parked task (no barging). Waiters therefore only exist
  while the counter is 0.
- An uncontended ``acquire()`` does not give the turn away (like ``Lock``).
- Cancellation-safe: a waiter cancelled (or timed out) while parked is removed by the park's
  ``on_cancel``; a waiter that was already handed a permit but receives an exception before it
  runs gives the permit back, so no permit is ever lost.
"""

from __future__ import annotations

from collections import deque
from types import TracebackType
from typing import Any, TypedDict

from flowno_eventloop.lowlevel import current_task_handle, park, wake

__all__ = ["BoundedSemaphore", "Semaphore", "SemaphoreStatistics"]


class SemaphoreStatistics(TypedDict):
    """What ``Semaphore.statistics()`` reports."""

    value: int
    """Permits available right now."""
    waiting: int
    """Tasks parked in ``acquire()``."""
    initial_value: int
    """The value the semaphore was created with."""


class _Waiter:
    """One parked ``acquire()``: its task and whether a permit was handed to it."""

    __slots__ = ("granted", "handle")

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.granted = False


class Semaphore:
    """A counting semaphore with FIFO hand-off.

    Args:
        value: The number of permits; must be ``>= 0``.

    Raises:
        ValueError: If ``value`` is negative.

    Example:
        >>> from flowno_eventloop import EventLoop, MockClock, Semaphore, sleep, spawn
        >>> async def worker(sem: Semaphore, name: str, log: list[str]) -> None:
        ...     async with sem:
        ...         log.append(f"{name} in")
        ...         await sleep(1)
        ...         log.append(f"{name} out")
        >>> async def main() -> list[str]:
        ...     sem, log = Semaphore(2), []
        ...     handles = [await spawn(worker(sem, n, log)) for n in "abc"]
        ...     for h in handles:
        ...         await h.join()
        ...     return log
        >>> EventLoop(clock=MockClock()).run_until_complete(main(), join=True)
        ['a in', 'b in', 'a out', 'b out', 'c in', 'c out']
    """

    __slots__ = ("_initial", "_value", "_waiters")

    def __init__(self, value: int = 1) -> None:
        if not isinstance(value, int) or isinstance(value, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"Semaphore value must be an int, got {value!r}")
        if value < 0:
            raise ValueError(f"Semaphore value must be >= 0, got {value}")
        self._initial = value
        self._value = value
        self._waiters: deque[_Waiter] = deque()

    @property
    def value(self) -> int:
        """Permits available right now.

        Example:
            >>> Semaphore(3).value
            3
        """
        return self._value

    def locked(self) -> bool:
        """True when an ``acquire()`` would have to wait.

        Example:
            >>> Semaphore(0).locked()
            True
        """
        return self._value == 0

    def statistics(self) -> SemaphoreStatistics:
        """Counters for debugging: available permits, parked tasks, initial value.

        Example:
            >>> Semaphore(2).statistics()
            {'value': 2, 'waiting': 0, 'initial_value': 2}
        """
        return {"value": self._value, "waiting": len(self._waiters), "initial_value": self._initial}

    async def acquire(self) -> None:
        """Take one permit, parking FIFO until one is free.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main() -> int:
            ...     sem = Semaphore(1)
            ...     await sem.acquire()
            ...     return sem.value
            >>> EventLoop().run_until_complete(main(), join=True)
            0
        """
        if self._value > 0:
            self._value -= 1
            return
        waiter = _Waiter(current_task_handle())
        self._waiters.append(waiter)
        try:
            await park(reason=self, on_cancel=lambda: self._forget(waiter))
        except BaseException:
            if waiter.granted:  # woken with a permit, then cancelled before running
                self.release()
            else:
                self._forget(waiter)
            raise

    def acquire_nowait(self) -> bool:
        """Take a permit if one is free right now; never waits.

        Returns:
            True if a permit was taken.

        Example:
            >>> sem = Semaphore(1)
            >>> sem.acquire_nowait(), sem.acquire_nowait()
            (True, False)
        """
        if self._value > 0:
            self._value -= 1
            return True
        return False

    def release(self) -> None:
        """Give a permit back, handing it to the oldest waiter if there is one.

        Synchronous (like ``asyncio.Semaphore.release``): it never waits.

        Example:
            >>> sem = Semaphore(0)
            >>> sem.release()
            >>> sem.value
            1
        """
        self._check_release()
        while self._waiters:
            waiter = self._waiters.popleft()
            waiter.granted = True
            if wake(waiter.handle):
                return
            waiter.granted = False  # no longer parked: try the next one
        self._value += 1

    def _check_release(self) -> None:
        """Hook for ``BoundedSemaphore``; a plain semaphore can always be released."""

    def _forget(self, waiter: _Waiter) -> None:
        try:
            self._waiters.remove(waiter)
        except ValueError:
            pass  # already handed a permit or removed by an earlier cleanup

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(value={self._value}, waiting={len(self._waiters)})"


class BoundedSemaphore(Semaphore):
    """A ``Semaphore`` that refuses to be released above its initial value.

    Raises:
        ValueError: From ``release()`` when every permit is already free.

    Example:
        >>> sem = BoundedSemaphore(1)
        >>> sem.release()
        Traceback (most recent call last):
        ...
        ValueError: BoundedSemaphore released too many times (initial value 1)
    """

    __slots__ = ()

    def _check_release(self) -> None:
        if self._value >= self._initial:
            raise ValueError(
                f"BoundedSemaphore released too many times (initial value {self._initial})"
            )
