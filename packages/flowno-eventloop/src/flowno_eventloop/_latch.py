"""CountdownLatch: released when a count reaches zero, on top of an Event.

Rules: counting down never gives the turn away except as documented on ``count_down`` (the
released waiters run before the counting task continues); counting below zero logs a
warning or raises ``CountdownLatch.ZeroLatchError`` when asked to.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from flowno_eventloop._event import Event
from flowno_eventloop._waiters import checkpoint

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = ["CountdownLatch"]

logger = logging.getLogger("flowno.eventloop.synchronization")


class CountdownLatch:
    """Released when its count reaches zero; :meth:`wait` blocks until then.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn
        >>> async def part(latch):
        ...     await latch.count_down()
        >>> async def main():
        ...     latch = CountdownLatch(2)
        ...     for _ in range(2):
        ...         await spawn(part(latch))
        ...     await latch.wait()
        ...     return repr(latch)
        >>> EventLoop().run_until_complete(main(), join=True)
        'CountdownLatch(count=0, set=True)'
    """

    class ZeroLatchError(Exception):
        """``count_down(exception_if_zero=True)`` on a latch already at zero."""

    __slots__ = ("_count", "_event")

    def __init__(self, count: int) -> None:
        if count < 0:
            raise ValueError("CountdownLatch count must be non-negative")
        self._count = count
        self._event = Event()
        if count == 0:
            self._event.set_nowait()

    @property
    def count(self) -> int:
        """The remaining count.

        Example:
            >>> from flowno_eventloop import EventLoop, CountdownLatch
            >>> async def main():
            ...     return CountdownLatch(3).count
            >>> EventLoop().run_until_complete(main(), join=True)
            3
        """
        return self._count

    def set_count(self, count: int) -> None:
        """Set the counter; a positive count re-arms a released latch.

        Example:
            >>> from flowno_eventloop import EventLoop, CountdownLatch
            >>> async def main():
            ...     l = CountdownLatch(0); l.set_count(2); return repr(l)
            >>> EventLoop().run_until_complete(main(), join=True)
            'CountdownLatch(count=2, set=False)'
        """
        if count < 0:
            raise ValueError("CountdownLatch count must be non-negative")
        self._count = count
        if count == 0:
            self._event.set_nowait()
        elif self._event.is_set():
            self._event = Event()

    async def wait(self) -> None:
        """Wait until the count reaches zero (no yield if it already has).

        Example:
            >>> from flowno_eventloop import EventLoop, CountdownLatch
            >>> async def main():
            ...     l = CountdownLatch(1); await l.count_down(); await l.wait(); return l.count
            >>> EventLoop().run_until_complete(main(), join=True)
            0
        """
        await self._event.wait()

    async def count_down(self, exception_if_zero: bool = False) -> None:
        """Decrement; at zero, release the waiters, who run before this task continues.

        At zero already: log a WARNING, or raise ``CountdownLatch.ZeroLatchError`` if asked to (after
        the checkpoint, so tasks released earlier run first).

        Example:
            >>> from flowno_eventloop import EventLoop, CountdownLatch
            >>> async def main():
            ...     l = CountdownLatch(2); await l.count_down(); return l.count
            >>> EventLoop().run_until_complete(main(), join=True)
            1
        """
        if self._count == 0:
            await checkpoint()
            self.countdown_nowait(exception_if_zero=exception_if_zero)
            return
        self.countdown_nowait()
        await checkpoint()

    def countdown_nowait(
        self, event_loop: EventLoop | None = None, exception_if_zero: bool = False
    ) -> None:
        """Synchronous :meth:`count_down` (loop thread).

        Example:
            >>> from flowno_eventloop import EventLoop, CountdownLatch
            >>> async def main():
            ...     l = CountdownLatch(1); l.countdown_nowait(); return repr(l)
            >>> EventLoop().run_until_complete(main(), join=True)
            'CountdownLatch(count=0, set=True)'
        """
        if self._count == 0:
            if exception_if_zero:
                raise CountdownLatch.ZeroLatchError(
                    "Cannot count down a latch that is already at zero"
                )
            logger.warning("count_down() on a latch already at zero: %r", self)
            return
        self._count -= 1
        if self._count == 0:
            self._event.set_nowait()

    def statistics(self) -> dict[str, Any]:
        """``{"count": int, "waiters": int}``.

        Example:
            >>> from flowno_eventloop import EventLoop, CountdownLatch
            >>> async def main():
            ...     return CountdownLatch(1).statistics()
            >>> EventLoop().run_until_complete(main(), join=True)
            {'count': 1, 'waiters': 0}
        """
        return {"count": self._count, "waiters": self._event.statistics()["waiters"]}

    def __repr__(self) -> str:
        return f"CountdownLatch(count={self._count}, set={self._event.is_set()})"
