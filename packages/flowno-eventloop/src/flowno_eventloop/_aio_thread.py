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
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from flowno_eventloop._aio_host import AsyncioHost, remove_host

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

    def submit(self, coro: Coroutine[Any, Any, _T]) -> concurrent.futures.Future[_T]:
        """Run ``coro`` as an asyncio task of the helper loop (any thread)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

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


def _cancel_remaining_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """What ``asyncio.run`` does at its end: cancel every task left and wait for them."""
    tasks = asyncio.all_tasks(loop)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    outcomes = loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task, outcome in zip(tasks, outcomes):
        if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
            loop.call_exception_handler(
                {
                    "message": "asyncio task of aio.call failed after its caller stopped waiting",
                    "exception": outcome,
                    "task": task,
                }
            )
