"""The helper-thread host: one asyncio loop per Flowno loop, in a thread of its own.

Rules of this module:
- Started on the first ``aio.call`` of a run of a Flowno loop that is not a guest of an
  asyncio loop; closed when that run ends (``loop.call_at_run_end``), like an asyncio.run:
  the asyncio tasks still there are cancelled and awaited, async generators and the default
  executor shut down, the loop closed and its thread joined. So no thread, fd or asyncio
  task outlives the run.
- Work crosses threads only through ``asyncio.run_coroutine_threadsafe`` (Flowno -> asyncio)
  and ``concurrent.futures.Future`` done-callbacks (asyncio -> Flowno, via ``wait_future``).
- The asyncio coroutines run as ordinary asyncio tasks, so ``asyncio.get_running_loop()`` and
  ``sniffio.current_async_library()`` work inside them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from flowno_eventloop._aio_host import AsyncioHost, asyncio_context, remove_host
from flowno_eventloop._futures import wait_future

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = ["HelperThreadHost", "start_helper_thread"]

_T = TypeVar("_T")


class HelperThreadHost(AsyncioHost):
    """An asyncio loop running forever in a helper thread until :meth:`close`."""

    def __init__(self, name: str) -> None:
        super().__init__(asyncio.new_event_loop())
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()
        self._started.wait()

    def _main(self) -> None:
        loop = self.loop
        asyncio.set_event_loop(loop)
        try:
            loop.call_soon(self._started.set)
            loop.run_forever()
            loop.run_until_complete(self.drain_background())
            _cancel_remaining_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    async def call(self, coro: Coroutine[Any, Any, _T]) -> _T:
        """Run ``coro`` as an asyncio task of the helper loop and wait for it."""
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()
        self.loop.call_soon_threadsafe(self._start, coro, future, asyncio_context())
        result: _T = await wait_future(future)
        return result

    def _start(
        self,
        coro: Coroutine[Any, Any, _T],
        future: concurrent.futures.Future[_T],
        context: contextvars.Context,
    ) -> None:
        """Helper thread: run ``coro`` as a task (in ``context``) whose outcome goes to
        ``future``.

        ``future`` stays pending while the task runs, so the Flowno side can still cancel it;
        its cancellation cancels the task."""
        if future.cancelled():
            coro.close()
            return
        task = context.run(self.loop.create_task, coro)
        task.add_done_callback(functools.partial(_settle, future))
        future.add_done_callback(functools.partial(_cancel_task, self.loop, task))

    def close(self) -> None:
        """Stop the loop (background work finishes, other tasks are cancelled and awaited)
        and join the thread."""
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()


def start_helper_thread(loop: EventLoop) -> HelperThreadHost:
    """A helper-thread host for ``loop``, closed when the loop's current run ends."""
    host = HelperThreadHost(f"flowno-aio-{id(loop):x}")
    loop.call_at_run_end(_close_helper, loop, host)
    return host


def _close_helper(loop: EventLoop, host: HelperThreadHost) -> None:
    remove_host(loop, host)
    host.close()


def _settle(future: concurrent.futures.Future[_T], task: asyncio.Task[_T]) -> None:
    """Helper thread: copy the task's outcome into the future the Flowno side waits on."""
    if future.done():
        return  # cancelled by the Flowno side: the task is being cancelled too
    try:
        if task.cancelled():
            future.cancel()
        elif task.exception() is not None:
            future.set_exception(task.exception())
        else:
            future.set_result(task.result())
    except concurrent.futures.InvalidStateError:
        pass  # the Flowno side cancelled it at this very moment


def _cancel_task(
    loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any], future: concurrent.futures.Future[Any]
) -> None:
    """Any thread: the Flowno side cancelled ``future``: cancel the task on its loop."""
    if future.cancelled() and not task.done():
        try:
            loop.call_soon_threadsafe(task.cancel)
        except RuntimeError:
            pass  # the helper loop is closed: the task is gone with it


def _cancel_remaining_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """What ``asyncio.run`` does at its end: cancel every task left and wait for them."""
    tasks = list(asyncio.all_tasks(loop))
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    outcomes = loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task, outcome in zip(tasks, outcomes, strict=True):
        if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
            loop.call_exception_handler(
                {
                    "message": "asyncio task of aio.call failed after its caller stopped waiting",
                    "exception": outcome,
                    "task": task,
                }
            )
