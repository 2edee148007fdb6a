"""Cancel scopes and timeouts: ``move_on_after``, ``fail_after`` and friends.

Rules of this module:
- A scope belongs to the task that entered it and sits on that task's scope stack (outer
  first) while active. Its deadline is a ``loop.call_at`` timer; when it fires (or ``cancel()``
  is called) the kernel's cancel path throws a ``ScopeCancelled`` carrying the scope into the
  task, so the park's ``on_cancel`` removes the task from whatever it waited on. Every wait in
  the library is a park, so every wait is deadline-able the same way.
- Level-triggered: once cancelled, every park or checkpoint inside the scope raises until the
  scope exits; with several cancelled scopes the outermost one is raised (so it is the one
  that catches it). A wake already queued is delivered first.
- ``shield=True`` holds back every cancellation from outside the scope (outer scopes and the
  task's own cancel) until it exits; its own cancellation still applies.
- A scope catches only its own ``ScopeCancelled``; anything else (an outer scope's, a real
  ``TaskCancelled``) passes through, so a task cancel is never swallowed by a scope.
- ``fail_after`` raises ``TimeoutError`` when its deadline passed inside the scope, whether or
  not a wait was interrupted (a body that overran without awaiting still fails).
- ``ScopeCancelled`` subclasses ``TaskCancelled``: ``except TaskCancelled: cleanup; raise``
  cleanup code runs for timeouts too.
"""

from __future__ import annotations

import math
from types import TracebackType
from typing import Any

from flowno_eventloop._loop import EventLoop
from flowno_eventloop._tasks import TaskCancelled, TaskHandle
from flowno_eventloop.lowlevel import TimerHandle, current_task_handle

__all__ = ["CancelScope", "ScopeCancelled", "fail_after", "fail_at", "move_on_after", "move_on_at"]


class ScopeCancelled(TaskCancelled):
    """Thrown into a task when one of its cancel scopes fires.

    The owning scope catches it on exit; ``scope`` says which scope that is. It is a
    :class:`TaskCancelled`, so ``except TaskCancelled`` cleanup runs for timeouts too.

    Example:
        >>> from flowno_eventloop import EventLoop, MockClock, sleep
        >>> async def main():
        ...     with move_on_after(1) as scope:
        ...         try:
        ...             await sleep(5)
        ...         except ScopeCancelled as e:
        ...             print(type(e).__name__, e.scope is scope, isinstance(e, TaskCancelled))
        ...             raise
        ...     return scope.cancelled_caught
        >>> EventLoop(clock=MockClock()).run_until_complete(main(), join=True)
        ScopeCancelled True True
        True
    """

    scope: CancelScope

    @classmethod
    def for_scope(cls, handle: TaskHandle[Any], scope: CancelScope) -> ScopeCancelled:
        """Build the exception for ``scope``, owned by the task behind ``handle``.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> from flowno_eventloop.lowlevel import current_task_handle
            >>> async def main():
            ...     scope = move_on_after(1)
            ...     e = ScopeCancelled.for_scope(current_task_handle(), scope)
            ...     return e.scope is scope, str(e)
            >>> EventLoop().run_until_complete(main(), join=True)
            (True, 'Task was cancelled by a cancel scope')
        """
        exc = cls(handle)
        exc.scope = scope
        return exc

    def __str__(self) -> str:
        return "Task was cancelled by a cancel scope"


class CancelScope:
    """A region of a task that can be cancelled, by a deadline or by :meth:`cancel`.

    Use the helpers :func:`move_on_after`, :func:`move_on_at`, :func:`fail_after` and
    :func:`fail_at`, or ``CancelScope()`` directly for a scope with no deadline.

    Args:
        deadline: Absolute time on the loop's clock; ``math.inf`` for none.
        relative: If set, the deadline is ``clock.now() + relative`` taken on ``__enter__``.
        raise_timeout: Raise ``TimeoutError`` on exit if the deadline passed (``fail_*``).
        shield: Hold back cancellations from outside the scope while inside it (cleanup).

    Example:
        >>> from flowno_eventloop import EventLoop, MockClock, sleep
        >>> async def main() -> tuple[bool, float]:
        ...     with CancelScope() as scope:
        ...         scope.cancel()
        ...         await sleep(10)
        ...     return scope.cancelled_caught, scope.deadline
        >>> EventLoop(clock=MockClock()).run_until_complete(main(), join=True)
        (True, inf)
    """

    def __init__(
        self,
        deadline: float = math.inf,
        *,
        relative: float | None = None,
        raise_timeout: bool = False,
        shield: bool = False,
    ) -> None:
        self._deadline = _check_time("deadline", deadline)
        self.shield: bool = shield
        """Hold back cancellations from outside this scope (writable)."""
        self._relative = None if relative is None else _check_time("seconds", relative)
        self._raise_timeout = raise_timeout
        self._handle: TaskHandle[Any] = None  # type: ignore[assignment]  # set on __enter__
        self._loop: EventLoop = None  # type: ignore[assignment]
        self._timer: TimerHandle | None = None
        self._state = "new"  # new -> active -> exited
        self._cancel_called = False
        self._fired = False
        self.cancelled_caught: bool = False
        """True if the scope caught its own cancellation on exit."""

    @property
    def deadline(self) -> float:
        """The absolute deadline on the loop's clock (``inf`` for none, or before a relative
        scope is entered).

        Example:
            >>> from flowno_eventloop import EventLoop, MockClock
            >>> async def main():
            ...     before = move_on_after(2).deadline
            ...     with move_on_after(2) as scope:
            ...         return before, scope.deadline
            >>> EventLoop(clock=MockClock(start=10)).run_until_complete(main(), join=True)
            (inf, 12.0)
        """
        return self._deadline

    @property
    def cancel_called(self) -> bool:
        """True once :meth:`cancel` was called or the deadline fired.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     with move_on_after(5) as scope:
            ...         first = scope.cancel_called
            ...         scope.cancel()
            ...     return first, scope.cancel_called
            >>> EventLoop().run_until_complete(main(), join=True)
            (False, True)
        """
        return self._cancel_called

    def cancel(self) -> None:
        """Cancel the scope now: every wait inside it is interrupted until it exits.

        Calling it before ``__enter__`` cancels the scope as soon as it is entered; after the
        scope exited it does nothing. Loop thread only.

        Example:
            >>> CancelScope().cancel()
        """
        if self._cancel_called:
            return
        self._cancel_called = True
        if self._state == "active":
            self._cancel_timer()
            self._deliver()

    def cancel_exception(self, handle: TaskHandle[Any]) -> ScopeCancelled:
        """A fresh :class:`ScopeCancelled` of this scope for the task behind ``handle``.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     scope = CancelScope()
            ...     return type(scope.cancel_exception(current_task_handle())).__name__
            >>> EventLoop().run_until_complete(main(), join=True)
            'ScopeCancelled'
        """
        return ScopeCancelled.for_scope(handle, self)

    def __enter__(self) -> CancelScope:
        if self._state != "new":
            raise RuntimeError("a CancelScope can be entered only once")
        self._handle = current_task_handle()
        self._loop = self._handle.event_loop
        record = self._handle._task  # pyright: ignore[reportPrivateUsage]
        scopes: list[Any] | None = getattr(record, "scopes", None)
        if scopes is None:
            scopes = record.scopes = []
        scopes.append(self)
        self._state = "active"
        if self._relative is not None:
            self._deadline = self._loop.clock.now() + self._relative
        if self._cancel_called:
            self._deliver()
        elif self._deadline != math.inf:
            self._timer = self._loop.call_at(self._deadline, self._on_deadline)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        self._state = "exited"
        self._cancel_timer()
        record = self._handle._task  # pyright: ignore[reportPrivateUsage]
        scopes: list[Any] | None = getattr(record, "scopes", None)
        if scopes:
            if scopes[-1] is self:
                scopes.pop()
            elif self in scopes:
                scopes.remove(self)
            self._loop._scope_exited(record)  # pyright: ignore[reportPrivateUsage]
        caught = isinstance(exc, ScopeCancelled) and exc.scope is self
        self.cancelled_caught = caught
        if self._raise_timeout and (caught or self._deadline_passed()):
            raise TimeoutError(f"deadline {self._deadline:g} exceeded") from exc
        return caught

    def _deadline_passed(self) -> bool:
        return self._fired or self._loop.clock.now() >= self._deadline

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_deadline(self) -> None:
        self._timer = None
        self._fired = True
        if not self._cancel_called:
            self._cancel_called = True
            self._deliver()

    def _deliver(self) -> None:
        """Tell the kernel: thrown in now if the task is parked, else at its next park."""
        if self._state == "active":
            self._loop._scope_cancelled(self._handle._task)  # pyright: ignore[reportPrivateUsage]

    def __repr__(self) -> str:
        return (
            f"CancelScope(deadline={self._deadline:g}, state={self._state}, "
            f"cancel_called={self._cancel_called}, cancelled_caught={self.cancelled_caught})"
        )


def _check_time(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    if math.isnan(value):
        raise ValueError(f"{name} must not be NaN")
    return float(value)


def move_on_after(seconds: float | None) -> CancelScope:
    """A scope that silently stops waiting ``seconds`` after it is entered.

    Check ``scope.cancelled_caught`` to know whether the deadline cut it short. ``None`` (or
    ``math.inf``) means no deadline: the scope can still be cancelled with ``cancel()``.

    Example:
        >>> from flowno_eventloop import EventLoop, MockClock, sleep
        >>> clock = MockClock()
        >>> async def main() -> bool:
        ...     with move_on_after(1.5) as scope:
        ...         await sleep(10)
        ...     return scope.cancelled_caught
        >>> EventLoop(clock=clock).run_until_complete(main(), join=True), clock.now()
        (True, 1.5)
    """
    return CancelScope(relative=seconds)


def move_on_at(deadline: float) -> CancelScope:
    """Like :func:`move_on_after` with an absolute deadline on the loop's clock.

    Example:
        >>> move_on_at(12.0).deadline
        12.0
    """
    return CancelScope(deadline)


def fail_after(seconds: float | None) -> CancelScope:
    """A scope that raises ``TimeoutError`` if it is still running ``seconds`` after entry.

    ``None`` (or ``math.inf``) means no deadline, so a timeout can be optional without a
    second code path: ``with fail_after(timeout):`` where ``timeout`` may be ``None``.

    Example:
        >>> from flowno_eventloop import EventLoop, MockClock, sleep
        >>> async def main() -> str:
        ...     try:
        ...         with fail_after(2):
        ...             await sleep(5)
        ...     except TimeoutError as e:
        ...         return f"timed out: {e}"
        ...     return "finished"
        >>> EventLoop(clock=MockClock()).run_until_complete(main(), join=True)
        'timed out: deadline 2 exceeded'
    """
    return CancelScope(relative=seconds, raise_timeout=True)


def fail_at(deadline: float) -> CancelScope:
    """Like :func:`fail_after` with an absolute deadline on the loop's clock.

    Example:
        >>> fail_at(3.0).deadline
        3.0
    """
    return CancelScope(deadline, raise_timeout=True)
