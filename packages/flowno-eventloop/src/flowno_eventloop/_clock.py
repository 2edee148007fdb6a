"""Clocks: where the loop gets "now" and how long it may block.

Rules: a clock is a tiny object with three methods (the :class:`Clock` protocol); the loop
never calls ``time`` directly. :class:`MockClock` gives virtual time for deterministic tests.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "MockClock", "MonotonicClock"]


@runtime_checkable
class Clock(Protocol):
    """What the loop needs from a clock.

    ``now()`` is monotonic seconds. ``sleep_time(deadline)`` is how many real seconds the loop
    may block in its selector while waiting for ``deadline`` (``None``: no limit). ``idle(deadline)``
    is called when the loop blocked for that long, nothing happened, and the next timer is at
    ``deadline``: a virtual clock jumps there.

    Example:
        >>> isinstance(MonotonicClock(), Clock), isinstance(MockClock(), Clock)
        (True, True)
    """

    def now(self) -> float:
        """Return the current time in seconds."""
        ...

    def sleep_time(self, deadline: float) -> float | None:
        """Return the real seconds the loop may block while waiting for ``deadline``."""
        ...

    def idle(self, deadline: float) -> None:
        """Called when the loop waited ``sleep_time(deadline)`` and nothing happened."""
        ...


class MonotonicClock:
    """The real clock: :func:`time.perf_counter` (the original's timer).

    Example:
        >>> c = MonotonicClock()
        >>> c.now() <= c.now()
        True
        >>> c.sleep_time(c.now() - 1.0)
        0.0
    """

    __slots__ = ()

    def now(self) -> float:
        """Return :func:`time.perf_counter`.

        Example:
            >>> c = MonotonicClock(); a = c.now(); a <= c.now()
            True
        """
        return time.perf_counter()

    def sleep_time(self, deadline: float) -> float | None:
        """Return the seconds until ``deadline`` (never negative).

        Example:
            >>> c = MonotonicClock(); 0.0 < c.sleep_time(c.now() + 60) <= 60
            True
        """
        return max(0.0, deadline - time.perf_counter())

    def idle(self, deadline: float) -> None:
        """Do nothing: real time moves by itself.

        Example:
            >>> MonotonicClock().idle(0.0) is None
            True
        """

    def __repr__(self) -> str:
        return "MonotonicClock()"


class MockClock:
    """Virtual time for tests.

    Time starts at ``start`` and moves only through :meth:`jump` or, when ``autojump_threshold``
    is not ``None``, by jumping to the next timer once every task has been blocked for that
    many real seconds (``0.0``, the default: at once). So ``await sleep(3600)`` takes no real
    time and the order of wake-ups is exactly the order of deadlines.

    Args:
        start: The initial virtual time.
        autojump_threshold: Real seconds of idleness before jumping; ``None`` never jumps.

    Example:
        >>> from flowno_eventloop import EventLoop, sleep
        >>> clock = MockClock()
        >>> async def main():
        ...     return await sleep(3600)
        >>> EventLoop(clock=clock).run_until_complete(main(), join=True)
        3600.0
        >>> clock.now()
        3600.0
    """

    __slots__ = ("_now", "autojump_threshold")

    def __init__(self, start: float = 0.0, autojump_threshold: float | None = 0.0) -> None:
        if autojump_threshold is not None and autojump_threshold < 0:
            raise ValueError(f"autojump_threshold must be >= 0 or None, got {autojump_threshold!r}")
        self._now = float(start)
        self.autojump_threshold: float | None = autojump_threshold

    def now(self) -> float:
        """Return the virtual time.

        Example:
            >>> MockClock(start=5).now()
            5.0
        """
        return self._now

    def jump(self, seconds: float) -> None:
        """Move virtual time forward by ``seconds`` (must not be negative).

        Example:
            >>> c = MockClock(); c.jump(2.5); c.now()
            2.5
        """
        if seconds < 0:
            raise ValueError(f"MockClock.jump: time cannot go backwards ({seconds!r})")
        self._now += seconds

    def sleep_time(self, deadline: float) -> float | None:
        """Return 0 for a due deadline, else the autojump threshold (``None``: block).

        Example:
            >>> c = MockClock(start=1.0)
            >>> c.sleep_time(0.5), c.sleep_time(2.0), MockClock(autojump_threshold=None).sleep_time(2.0)
            (0.0, 0.0, None)
        """
        if deadline <= self._now:
            return 0.0
        return self.autojump_threshold

    def idle(self, deadline: float) -> None:
        """Jump to ``deadline`` when autojumping is on.

        Example:
            >>> c = MockClock(); c.idle(4.0); c.now()
            4.0
            >>> c = MockClock(autojump_threshold=None); c.idle(4.0); c.now()
            0.0
        """
        if self.autojump_threshold is not None and deadline > self._now:
            self._now = deadline

    def __repr__(self) -> str:
        return f"MockClock(now={self._now!r}, autojump_threshold={self.autojump_threshold!r})"
