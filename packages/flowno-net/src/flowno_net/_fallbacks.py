# Rules of this module: stand-ins used only while flowno_eventloop does not export ``to_thread``
# and ``TaskGroup`` (they are planned there; _kernel prefers the kernel's versions). Both are
# built on the public kernel surface only (park/wake, hold/release, create_task, cancel, join).
"""Fallback ``to_thread`` and a spawn+join task group, for kernels that lack them."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, Callable, Coroutine, TypeVar

from flowno_eventloop import TaskCancelled, TaskHandle, current_event_loop
from flowno_eventloop.lowlevel import current_task_handle, park, wake, wake_error

_T = TypeVar("_T")


async def fallback_to_thread(fn: Callable[..., _T], *args: Any) -> _T:
    """Run ``fn(*args)`` in a new thread while the task parks; the loop keeps running.

    Args:
        fn: the blocking callable.
        *args: its arguments.

    Returns:
        What ``fn`` returned (its exception is raised in the task).

    >>> from flowno_eventloop import EventLoop
    >>> EventLoop().run_until_complete(fallback_to_thread(str.upper, "ok"), join=True)
    'OK'
    """
    loop = current_event_loop()
    if loop is None:
        raise RuntimeError("to_thread: no EventLoop is running in this thread")
    me = current_task_handle()
    abandoned: list[bool] = []

    def deliver(value: Any, error: BaseException | None) -> None:
        loop.release()
        if abandoned:
            return
        if error is None:
            wake(me, value)
        else:
            wake_error(me, error)

    def work() -> None:
        try:
            value: Any = fn(*args)
        except BaseException as error:  # handed to the task, not swallowed
            loop.call_soon_threadsafe(deliver, None, error)
            return
        loop.call_soon_threadsafe(deliver, value, None)

    loop.hold()
    threading.Thread(target=work, name="flowno-net-to-thread", daemon=True).start()
    result: _T = await park(reason=f"to_thread({fn!r})", on_cancel=lambda: abandoned.append(True))
    return result


class FallbackTaskGroup:
    """A minimal task group: children are spawned tasks; leaving the block joins them all, and
    an exception (or cancellation) in the block cancels the children first.

    >>> from flowno_eventloop import EventLoop
    >>> async def child(n):
    ...     return n * 2
    >>> async def main():
    ...     async with FallbackTaskGroup() as group:
    ...         handles = [group.spawn(child(n)) for n in (1, 2)]
    ...     return [await h.join() for h in handles]
    >>> EventLoop().run_until_complete(main(), join=True)
    [2, 4]
    """

    def __init__(self) -> None:
        self._children: list[TaskHandle[Any]] = []

    async def __aenter__(self) -> FallbackTaskGroup:
        return self

    def spawn(self, coro: Coroutine[Any, Any, _T]) -> TaskHandle[_T]:
        """Start ``coro`` as a child task.

        Args:
            coro: the child coroutine.

        Returns:
            The child's handle.
        """
        loop = current_event_loop()
        if loop is None:
            raise RuntimeError("TaskGroup.spawn: no EventLoop is running in this thread")
        self._children = [h for h in self._children if not h.is_finished]
        handle = loop.create_task(coro)
        self._children.append(handle)
        return handle

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            for child in self._children:
                child.cancel()
        for child in self._children:
            try:
                await child.join()
            except TaskCancelled:
                pass  # a cancelled child is not a failure
