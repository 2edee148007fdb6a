"""TaskGroup: structured concurrency on top of spawn/join and cancel scopes.

Rules of this module:
- ``async with TaskGroup() as tg`` does not finish before every child spawned with
  ``tg.spawn`` has finished.
- The first failure (a child raising anything but ``TaskCancelled``, or the body raising)
  aborts the group: every live child is cancelled and the body is interrupted at its next
  wait by the group's own ``CancelScope``. All failures are raised together in an
  ``ExceptionGroup`` (the ``exceptiongroup`` backport on 3.10).
- Cancelling the parent task (or an outer timeout scope firing) cancels the children; the
  group waits for them and then re-raises that cancellation (unless children failed: then the
  ExceptionGroup wins, so no error is hidden).
- A child that was cancelled is not a failure. A child's coroutine is seen through a thin
  proxy (``_Child``) that reports its end at once (failure -> abort); completion is also
  observed by joining the child handles, so a child that never ran is accounted for too. Live
  children are kept in an insertion-ordered dict that forgets finished children: memory does
  not grow with the number of children that have come and gone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar, cast

from flowno_eventloop._loop import EventLoop
from flowno_eventloop._tasks import TaskCancelled, TaskHandle
from flowno_eventloop._timeouts import CancelScope, ScopeCancelled
from flowno_eventloop.lowlevel import WakeToken, current_task_handle

if sys.version_info < (3, 11):  # pragma: no cover - exercised on 3.10 only
    from exceptiongroup import BaseExceptionGroup

__all__ = ["TaskGroup", "TaskStatus"]

_T = TypeVar("_T")


class TaskStatus:
    """Given to a child started with :meth:`TaskGroup.start`: call :meth:`started` when ready.

    Example:
        >>> TaskStatus.__name__
        'TaskStatus'
    """

    __slots__ = ("_token", "called")

    def __init__(self, token: WakeToken) -> None:
        self._token = token
        self.called: bool = False
        """True once :meth:`started` was called."""

    def started(self, value: Any = None) -> None:
        """Tell the starter the child is ready; ``start`` returns ``value``. Once only.

        Example:
            >>> TaskStatus.started.__name__
            'started'
        """
        if self.called:
            raise RuntimeError("task_status.started() called twice")
        self.called = True
        self._token.wake(value)


class TaskGroup:
    """Run child tasks that cannot outlive a block of code.

    Example:
        >>> from flowno_eventloop import EventLoop, MockClock, sleep
        >>> async def child(n: int) -> int:
        ...     await sleep(n)
        ...     return n * 10
        >>> async def main() -> list[int]:
        ...     async with TaskGroup() as tg:
        ...         handles = [tg.spawn(child(n)) for n in (3, 1, 2)]
        ...     return [await h.join() for h in handles]
        >>> EventLoop(clock=MockClock()).run_until_complete(main(), join=True)
        [30, 10, 20]

        A failing child cancels its siblings and the body; the failures come out together:

        >>> async def boom() -> None:
        ...     await sleep(1)
        ...     raise ValueError("boom")
        >>> async def main2() -> str:
        ...     try:
        ...         async with TaskGroup() as tg:
        ...             tg.spawn(boom())
        ...             tg.spawn(sleep(100))
        ...             await sleep(100)
        ...     except BaseExceptionGroup as eg:
        ...         return repr(eg.exceptions)
        ...     return "not reached"
        >>> EventLoop(clock=MockClock()).run_until_complete(main2(), join=True)
        "(ValueError('boom'),)"
    """

    def __init__(self) -> None:
        self._state = "new"  # new -> open -> closing -> closed
        self._live: dict[_Child, TaskHandle[Any]] = {}
        self._errors: list[BaseException] = []
        self._aborted = False
        self._body_scope = CancelScope()
        self._loop: EventLoop | None = None

    async def __aenter__(self) -> TaskGroup:
        if self._state != "new":
            raise RuntimeError("a TaskGroup can be entered only once")
        self._loop = current_task_handle().event_loop
        self._body_scope.__enter__()
        self._state = "open"
        return self

    def spawn(self, coro: Coroutine[Any, Any, _T], *, name: str | None = None) -> TaskHandle[_T]:
        """Start ``coro`` as a child of the group (named ``name``) and return its handle.

        Synchronous, like ``EventLoop.create_task``: the child runs at the loop's next turn.
        Spawning into an aborted group starts the child already cancelled (its body never
        runs).

        Raises:
            RuntimeError: If the group is not entered yet or has already finished.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def answer() -> int:
            ...     return 42
            >>> async def main() -> int:
            ...     async with TaskGroup() as tg:
            ...         h = tg.spawn(answer())
            ...     return await h.join()
            >>> EventLoop().run_until_complete(main(), join=True)
            42
        """
        if self._state not in ("open", "closing") or self._loop is None:
            coro.close()
            raise RuntimeError(f"TaskGroup.spawn() on a group that is {self._state}")
        child = _Child(coro, self)
        handle = self._loop.create_task(cast("Coroutine[Any, Any, _T]", child), name=name)
        self._live[child] = handle
        if self._aborted:
            _cancel(handle)
        return handle

    def create_task(
        self, coro: Coroutine[Any, Any, _T], *, name: str | None = None
    ) -> TaskHandle[_T]:
        """Same as :meth:`spawn` (the asyncio name).

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def answer() -> int:
            ...     return 42
            >>> async def main() -> tuple[int, str]:
            ...     async with TaskGroup() as tg:
            ...         h = tg.create_task(answer(), name="the answer")
            ...     return await h.join(), h.name
            >>> EventLoop().run_until_complete(main(), join=True)
            (42, 'the answer')
        """
        return self.spawn(coro, name=name)

    def cancel(self) -> None:
        """Cancel the whole group: every child, and the body at its next wait.

        The ``async with`` block then ends quietly (a cancelled group is not a failure).

        Example:
            >>> from flowno_eventloop import EventLoop, MockClock, sleep
            >>> async def main() -> float:
            ...     async with TaskGroup() as tg:
            ...         tg.spawn(sleep(100))
            ...         tg.cancel()
            ...         await sleep(100)
            ...     return current_task_handle().event_loop.clock.now()
            >>> EventLoop(clock=MockClock()).run_until_complete(main(), join=True)
            0.0
        """
        if self._state in ("open", "closing"):
            self._abort()

    async def start(
        self, fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any, name: str | None = None
    ) -> Any:
        """Start ``fn(*args, task_status=status)`` as a child; return once it is ready.

        The child calls ``task_status.started(value)`` when it is ready (listening, say);
        ``start`` then returns ``value`` while the child runs on in the group. A child that
        ends before calling it makes ``start`` raise ``RuntimeError`` (its own failure is
        reported by the group).

        Example:
            >>> from flowno_eventloop import EventLoop, MockClock, sleep
            >>> async def server(port: int, task_status: TaskStatus) -> None:
            ...     await sleep(1)  # set up
            ...     task_status.started(f"listening on {port}")
            ...     await sleep(5)
            >>> async def main() -> str:
            ...     async with TaskGroup() as tg:
            ...         return await tg.start(server, 8080)
            >>> EventLoop(clock=MockClock()).run_until_complete(main(), join=True)
            'listening on 8080'
        """
        token = WakeToken()
        status = TaskStatus(token)
        label = name or getattr(fn, "__qualname__", repr(fn))

        async def child() -> Any:
            try:
                return await fn(*args, task_status=status)
            finally:
                if not status.called:
                    token.wake_error(RuntimeError(f"{label} ended before task_status.started()"))

        self.spawn(child(), name=name or label)
        return await token.park(reason=("TaskGroup.start", label))

    def _child_exited(self, child: _Child, exc: BaseException | None) -> None:
        """Called by a child as it ends: forget it; record a failure and abort."""
        self._live.pop(child, None)
        if exc is not None and not isinstance(exc, TaskCancelled):
            self._record_failure(exc)

    def _record_failure(self, exc: BaseException) -> None:
        self._errors.append(exc)
        self._abort()

    def _abort(self) -> None:
        if self._aborted:
            return
        self._aborted = True
        for handle in list(self._live.values()):
            _cancel(handle)
        self._body_scope.cancel()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        self._state = "closing"
        self._body_scope.__exit__(None, None, None)
        cancellation = self._classify_body_exit(exc)
        cancellation = await self._wait_children(cancellation)
        self._state = "closed"
        if self._errors:
            errors, self._errors = self._errors, []
            raise BaseExceptionGroup("unhandled errors in a TaskGroup", errors) from None
        if cancellation is not None and cancellation is not exc:
            raise cancellation
        return exc is not None and cancellation is None

    def _classify_body_exit(self, exc: BaseException | None) -> BaseException | None:
        """Return the cancellation to re-raise later, record a body failure, or None."""
        if exc is None:
            return None
        if isinstance(exc, ScopeCancelled) and exc.scope is self._body_scope:
            return None  # our own abort interrupted the body: swallow it
        if isinstance(exc, TaskCancelled):
            self._abort()
            return exc
        if isinstance(exc, Exception):
            self._record_failure(exc)
            return None
        self._abort()  # KeyboardInterrupt & co: cancel children, then let it go
        return exc

    async def _wait_children(self, cancellation: BaseException | None) -> BaseException | None:
        while self._live:
            child, handle = next(iter(self._live.items()))
            try:
                if cancellation is None:
                    await handle.join()
                else:  # already cancelled: the (cancelled) children get their turns quietly
                    with CancelScope(shield=True):
                        await handle.join()
            except BaseException as exc:  # noqa: BLE001 - sorted below, never swallowed blindly
                if not _is_done(handle):
                    # Thrown into *us* while we waited: the parent was cancelled.
                    if not isinstance(exc, TaskCancelled):
                        raise
                    self._abort()
                    cancellation = cancellation or exc
                    continue
            self._live.pop(child, None)
        return cancellation

    def __repr__(self) -> str:
        return (
            f"TaskGroup(state={self._state}, live={len(self._live)}, "
            f"errors={len(self._errors)}, aborted={self._aborted})"
        )


class _Child:
    """A child's coroutine, seen through a thin proxy that tells the group when it ends.

    A proxy rather than a wrapper coroutine: a child cancelled before its first step gets the
    ``TaskCancelled`` thrown straight into the user's coroutine (no "never awaited" warning),
    and no extra frame is stepped. Everything else (``__qualname__``, ``cr_frame`` ...) is
    looked up on the user's coroutine.
    """

    __slots__ = ("_coro", "_group")

    def __init__(self, coro: Coroutine[Any, Any, Any], group: TaskGroup) -> None:
        self._coro = coro
        self._group = group

    def send(self, value: Any) -> Any:
        try:
            return self._coro.send(value)
        except BaseException as exc:
            exc_or_none = None if isinstance(exc, StopIteration) else exc
            self._group._child_exited(self, exc_or_none)  # pyright: ignore[reportPrivateUsage]
            raise

    def throw(self, exc: BaseException, *rest: Any) -> Any:
        try:
            return self._coro.throw(exc, *rest)
        except BaseException as raised:
            raised_or_none = None if isinstance(raised, StopIteration) else raised
            self._group._child_exited(self, raised_or_none)  # pyright: ignore[reportPrivateUsage]
            raise

    def close(self) -> None:
        self._coro.close()
        self._group._child_exited(self, None)  # pyright: ignore[reportPrivateUsage]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._coro, name)

    def __repr__(self) -> str:
        return repr(self._coro)


def _is_done(handle: TaskHandle[Any]) -> bool:
    return handle.done


def _cancel(handle: TaskHandle[Any]) -> None:
    handle.event_loop.cancel(handle)
