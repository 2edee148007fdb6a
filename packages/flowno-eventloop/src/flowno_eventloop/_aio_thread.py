"""The helper-thread host: one asyncio loop per Flowno loop, in a thread of its own.

Rules of this module:
- Started on the first ``aio.call`` of a run of a Flowno loop that is not a guest of an
  asyncio loop; closed when that run ends (``loop.call_at_run_end``), like an asyncio.run:
  the asyncio tasks still there are cancelled and awaited, async generators and the default
  executor shut down, the loop closed and its thread joined. So no thread, fd or asyncio
  task outlives the run.
- A call crosses to the helper thread through a queue the helper loop drains in one callback
  (one ``call_soon_threadsafe``, so one wake-up of the helper, per batch of calls), and
  comes back through a ``WakeToken`` fired by the asyncio task itself as the coroutine
  returns (no done-callback turn, no ``concurrent.futures.Future``).
- Cancelling the Flowno task cancels the asyncio task (a coroutine that never started is
  closed), unless the outcome is already on its way: then the task receives it and the
  cancel comes at its next park or checkpoint. An outcome that arrives after the wait was
  given up is dropped; an exception raised then stays the asyncio task's, so asyncio reports
  it.
- The asyncio coroutines run inside ordinary asyncio tasks, so ``asyncio.get_running_loop()``
  and ``sniffio.current_async_library()`` work inside them. A cancellation on the asyncio side
  comes back as ``concurrent.futures.CancelledError``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import deque
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from flowno_eventloop._aio_host import AsyncioHost, asyncio_context, remove_host
from flowno_eventloop.lowlevel import WakeToken, current_task_handle

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = ["HelperThreadHost", "start_helper_thread"]

_T = TypeVar("_T")


class _ThreadCall:
    """One ``aio.call`` on the helper loop: the coroutine, the Flowno task's token and the
    asyncio task running the coroutine (made on the helper thread)."""

    __slots__ = ("cancelled", "context", "coro", "host", "posted", "started", "task", "token")

    def __init__(
        self, host: HelperThreadHost, coro: Coroutine[Any, Any, Any], token: WakeToken
    ) -> None:
        self.host = host
        self.coro = coro
        self.context = asyncio_context()
        self.token = token
        self.task: asyncio.Task[None] | None = None
        self.cancelled = False  # Flowno thread: the waiting task gave up
        self.started = False  # helper thread: the coroutine is being awaited
        self.posted = False  # helper thread: the outcome is on its way to the token

    async def run(self) -> None:
        """Helper thread, as an asyncio task: await the coroutine, post its outcome."""
        self.started = True
        try:
            result = await self.coro
        except asyncio.CancelledError as cancelled:
            self._post_error(_cancelled_error(cancelled))
            raise
        except BaseException as error:
            self._post_error(error)
            if self.cancelled or not isinstance(error, Exception):
                raise  # nobody waits for it (asyncio reports it), or KeyboardInterrupt...
        else:
            self.posted = True
            self.token.wake_threadsafe(result)

    def _post_error(self, error: BaseException) -> None:
        self.posted = True
        self.token.wake_error_threadsafe(error)

    def abort(self) -> bool:
        """Flowno thread, the waiting task is cancelled: cancel the asyncio task, unless the
        outcome is already on its way (refused: the task receives it)."""
        if self.posted:
            return False
        self.cancelled = True
        try:
            self.host.loop.call_soon_threadsafe(self.cancel)
        except RuntimeError:
            pass  # the helper loop is closed: the task is gone with it
        return True

    def cancel(self) -> None:
        """Helper thread: cancel the asyncio task (closing a coroutine that never started)."""
        task = self.task
        if task is None:
            return  # not made yet: the start sees ``cancelled``
        if not self.started:
            self.coro.close()
        task.cancel()

    def __repr__(self) -> str:
        return f"aio.call({self.coro!r})"


def _cancelled_error(cancelled: asyncio.CancelledError) -> concurrent.futures.CancelledError:
    """What a Flowno task receives when the asyncio side cancelled the call."""
    error = concurrent.futures.CancelledError(*cancelled.args)
    error.__cause__ = cancelled
    return error


class HelperThreadHost(AsyncioHost):
    """An asyncio loop running forever in a helper thread until :meth:`close`."""

    def __init__(self, name: str) -> None:
        super().__init__(asyncio.new_event_loop())
        self._queue: deque[_ThreadCall] = deque()  # calls not started yet
        self._scheduled = False  # a drain of the queue is scheduled on the helper loop
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
        token = WakeToken()
        call = _ThreadCall(self, coro, token)
        self._submit(call)
        loop = current_task_handle().event_loop
        loop.hold()  # the helper thread will wake us: no deadlock while we wait
        try:
            result: _T = await token.park(reason=call, abort=call.abort)
        finally:
            loop.release()
        return result

    def _submit(self, call: _ThreadCall) -> None:
        """Flowno thread (the only one that submits): queue ``call``; schedule a drain unless
        one is scheduled and has not started yet (it will take this call too)."""
        self._queue.append(call)
        if self._scheduled:
            return
        self._scheduled = True
        try:
            self.loop.call_soon_threadsafe(self._start_queued)
        except BaseException:
            self._scheduled = False
            self._queue.remove(call)
            call.coro.close()
            raise

    def _start_queued(self) -> None:
        """Helper thread: start every queued call (the flag first: a call queued after it is
        cleared schedules another drain)."""
        self._scheduled = False
        queue = self._queue
        while queue:
            call = queue.popleft()
            if call.cancelled:
                call.coro.close()
            else:
                call.task = call.context.run(self.loop.create_task, call.run())

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
