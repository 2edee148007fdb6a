"""Where the asyncio side of a Flowno loop lives: its host asyncio loop.

Rules of this module:
- Each Flowno loop has at most one host at a time: the asyncio loop it is a guest of
  (``aio.run``), else a helper-thread asyncio loop started on first use (``aio.call`` outside
  guest mode) and closed when the Flowno loop's run ends.
- The asyncio side of a call runs in a copy of the calling Flowno task's context with
  Flowno's own context variables (current loop, current task) cleared: the caller's other
  context variables are visible there, and Flowno code cannot mistake it for a Flowno task.
- A host runs work two ways: ``call`` (awaited by a Flowno task: run a coroutine as an
  asyncio task and wait for it) and ``spawn_threadsafe`` (from any thread; fire-and-forget
  background work such as closing an abandoned async iterator). Background tasks are awaited
  before the host goes away, so no asyncio task outlives it.
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from collections.abc import Callable, Coroutine
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, TypeVar

from flowno_eventloop._context import current_loop_var, current_task_var

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = [
    "AsyncioHost",
    "asyncio_context",
    "host_for",
    "install_host",
    "remove_host",
    "wait_all",
]

_T = TypeVar("_T")


def asyncio_context() -> contextvars.Context:
    """A copy of the current context without Flowno's loop and task (for an asyncio task)."""
    context = contextvars.copy_context()
    context.run(_leave_flowno)
    return context


def _leave_flowno() -> None:
    current_loop_var.set(None)
    current_task_var.set(None)


class AsyncioHost:
    """An asyncio loop that runs the asyncio side of one Flowno loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.background: set[asyncio.Future[Any]] = set()

    async def call(self, coro: Coroutine[Any, Any, _T]) -> _T:
        """Awaited by a Flowno task: run ``coro`` as an asyncio task and return its result."""
        raise NotImplementedError

    def spawn_threadsafe(self, factory: Callable[[], Coroutine[Any, Any, object]]) -> None:
        """Any thread: run ``factory()`` as a background asyncio task (dropped if closed)."""
        try:
            self.loop.call_soon_threadsafe(self._start_background, factory)
        except RuntimeError:  # the asyncio loop is closed: nothing runs there any more
            pass

    def _start_background(self, factory: Callable[[], Coroutine[Any, Any, object]]) -> None:
        task = self.loop.create_task(factory())
        self.background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Future[Any]) -> None:
        self.background.discard(task)
        if not task.cancelled() and isinstance(task.exception(), Exception):
            self.loop.call_exception_handler(
                {
                    "message": "background task of flowno_eventloop.aio failed",
                    "exception": task.exception(),
                    "future": task,
                }
            )

    async def drain_background(self) -> None:
        """Host loop: wait until every background task has ended."""
        await wait_all(self.background)


async def wait_all(tasks: AbstractSet[asyncio.Future[Any]]) -> None:
    """Wait until every future of ``tasks`` (a set that others may grow) is done."""
    while True:
        pending = [task for task in tasks if not task.done()]
        if not pending:
            return
        await asyncio.wait(pending)


_hosts: weakref.WeakKeyDictionary[EventLoop, AsyncioHost] = weakref.WeakKeyDictionary()


def host_for(loop: EventLoop, start: Callable[[EventLoop], AsyncioHost]) -> AsyncioHost:
    """The host of ``loop``; ``start(loop)`` makes (and installs) one if it has none."""
    host = _hosts.get(loop)
    if host is None:
        host = _hosts[loop] = start(loop)
    return host


def install_host(loop: EventLoop, host: AsyncioHost) -> None:
    """Make ``host`` the host of ``loop`` (guest mode)."""
    if loop in _hosts:
        raise RuntimeError(f"{loop!r} already has an asyncio host")
    _hosts[loop] = host


def remove_host(loop: EventLoop, host: AsyncioHost) -> None:
    """Forget ``host`` as the host of ``loop`` (if it still is)."""
    if _hosts.get(loop) is host:
        del _hosts[loop]
