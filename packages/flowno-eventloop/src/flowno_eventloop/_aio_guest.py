"""Guest mode: a Flowno loop run by an asyncio loop, in the same thread.

Rules of this module:
- The Flowno run is driven tick by tick (``EventLoop.begin_run`` / ``LoopRun.tick``) from
  host callbacks: at once while work is left (each tick at most ``time_slice`` seconds, so
  neither loop starves the other), after the timeout a tick returns, or when an fd or the
  waker says so. At most one tick is scheduled at a time.
- Fd waits go to the host: ``add_reader`` / ``add_writer`` on the asyncio loop, whose
  callbacks record readiness, which the next tick collects with ``poll`` (never blocking).
- The waker is the host's ``call_soon_threadsafe`` (``call_soon`` on the host's own thread).
- The asyncio side of ``aio.call`` runs as host tasks; they are tracked, and every one of
  them (and every background task) has ended before ``aio.run`` returns.
- Every ``tick`` / ``finish`` failure ends up on the outcome future, never in the host's
  exception handler.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from flowno_eventloop._aio_host import AsyncioHost, asyncio_context, wait_all
from flowno_eventloop.lowlevel import READ, WRITE, current_task_handle, park, wake, wake_error

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop
    from flowno_eventloop._running import LoopRun
    from flowno_eventloop._tasks import TaskHandle

__all__ = ["GuestHost", "GuestRun"]

_T = TypeVar("_T")


class _GuestCall:
    """One ``aio.call`` in guest mode: the parked Flowno task and the host task it awaits.

    Both run on the host's thread, so the host task's done-callback wakes the Flowno task
    directly (and asks for a tick). The loop is held while it waits (no deadlock report).
    """

    __slots__ = ("guest", "handle", "task", "waiting")

    def __init__(self, guest: GuestRun, handle: TaskHandle[Any], task: asyncio.Task[Any]) -> None:
        self.guest = guest
        self.handle = handle
        self.task = task
        self.waiting = True

    def done(self, task: asyncio.Task[Any]) -> None:
        """Host callback: the asyncio task ended; hand its outcome to the Flowno task."""
        self.guest.asyncio_host.calls.discard(task)
        if not self.waiting:
            return  # the Flowno task was cancelled meanwhile: nobody waits for it
        self.waiting = False
        self.guest.loop.release()
        try:
            result = task.result()
        except asyncio.CancelledError as cancelled:  # a BaseException: would end the run
            error = concurrent.futures.CancelledError(*cancelled.args)
            error.__cause__ = cancelled
            wake_error(self.handle, error)
        except BaseException as error:  # noqa: BLE001 - handed to the waiting Flowno task
            wake_error(self.handle, error)
        else:
            wake(self.handle, result)
        self.guest.tick_soon()

    def abort(self) -> bool:
        """The Flowno task is cancelled: cancel the asyncio task, stop waiting."""
        self.waiting = False
        self.guest.loop.release()
        self.task.cancel()
        return True

    def __repr__(self) -> str:
        return f"aio.call({self.task.get_coro()!r})"


class GuestHost(AsyncioHost):
    """The asyncio loop a guest Flowno loop runs in: ``aio.call`` runs there directly."""

    def __init__(self, guest: GuestRun) -> None:
        super().__init__(guest.host)
        self.guest = guest
        self.calls: set[asyncio.Task[Any]] = set()

    async def call(self, coro: Coroutine[Any, Any, _T]) -> _T:
        task = asyncio_context().run(self.loop.create_task, coro)
        self.calls.add(task)
        waiter = _GuestCall(self.guest, current_task_handle(), task)
        task.add_done_callback(waiter.done)
        self.guest.loop.hold()
        result: _T = await park(reason=waiter, abort=waiter.abort)
        return result

    async def drain_background(self) -> None:
        """Wait for the asyncio side of abandoned calls too, then for background tasks."""
        await wait_all(self.calls)
        await super().drain_background()


class GuestRun:
    """One guest run: the Flowno ``LoopRun``, its backend/waker, and its outcome future."""

    def __init__(
        self,
        host: asyncio.AbstractEventLoop,
        loop: EventLoop,
        root: Coroutine[Any, Any, Any],
        time_slice: float,
    ) -> None:
        self.host = host
        self.loop = loop
        self.time_slice = time_slice
        self.outcome: asyncio.Future[Any] = host.create_future()
        self.asyncio_host = GuestHost(self)
        self._thread = threading.get_ident()
        self._tick_pending = False
        self._timer: asyncio.TimerHandle | None = None
        self._masks: dict[int, int] = {}
        self._ready: dict[int, int] = {}
        self.run: LoopRun = loop.begin_run(root, io=self, waker=self)
        self.tick_soon()

    # ------------------------------------------------------------------ driving

    def tick_soon(self) -> None:
        """Host thread: schedule one tick at the next host iteration (once)."""
        if not self._tick_pending:
            self._tick_pending = True
            self.host.call_soon(self._tick)

    def _tick(self) -> None:
        self._tick_pending = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        run = self.run
        try:
            timeout = run.tick(self.time_slice)
        except BaseException as failure:  # noqa: BLE001 - finish() re-raises it
            self._finish(failure)
            return
        if run.done:
            self._finish(None)
        elif timeout == 0:
            self.tick_soon()
        elif timeout is not None:
            self._timer = self.host.call_later(timeout, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self.tick_soon()

    def _finish(self, failure: BaseException | None) -> None:
        self.close()
        try:
            result = self.run.finish(join=True)
        except BaseException as error:  # noqa: BLE001 - the outcome of aio.run
            if not self.outcome.done():
                self.outcome.set_exception(error)
            return
        if failure is not None and not self.outcome.done():
            self.outcome.set_exception(failure)
        elif not self.outcome.done():
            self.outcome.set_result(result)

    def cancel(self) -> None:
        """Host thread: cancel every Flowno task of the run; the ticks go on until it ends."""
        if not self.run.done:
            self.run.cancel()
            self.tick_soon()

    # ------------------------------------------------------------------ waker

    def wakeup(self) -> None:
        """Any thread: make the run tick soon."""
        if threading.get_ident() == self._thread:
            self.tick_soon()
            return
        try:
            self.host.call_soon_threadsafe(self.tick_soon)
        except RuntimeError:  # the host loop is closed: the run is over anyway
            pass

    # ------------------------------------------------------------------ I/O backend

    def add_reader(self, fd: int) -> None:
        self._watch(fd, READ)

    def add_writer(self, fd: int) -> None:
        self._watch(fd, WRITE)

    def remove_reader(self, fd: int) -> None:
        self._unwatch(fd, READ)

    def remove_writer(self, fd: int) -> None:
        self._unwatch(fd, WRITE)

    def _watch(self, fd: int, event: int) -> None:
        mask = self._masks.get(fd, 0)
        if mask & event:
            return
        if event == READ:
            self.host.add_reader(fd, self._on_ready, fd, READ)
        else:
            self.host.add_writer(fd, self._on_ready, fd, WRITE)
        self._masks[fd] = mask | event

    def _unwatch(self, fd: int, event: int) -> None:
        mask = self._masks.get(fd, 0)
        if not mask & event:
            return
        if event == READ:
            self.host.remove_reader(fd)
        else:
            self.host.remove_writer(fd)
        mask &= ~event
        if mask:
            self._masks[fd] = mask
        else:
            del self._masks[fd]
        ready = self._ready.get(fd, 0) & ~event
        if ready:
            self._ready[fd] = ready
        else:
            self._ready.pop(fd, None)

    def _on_ready(self, fd: int, event: int) -> None:
        self._ready[fd] = self._ready.get(fd, 0) | event
        self.tick_soon()

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        """What the host's fd callbacks saw since the last poll; never blocks."""
        if not self._ready:
            return []
        ready = list(self._ready.items())
        self._ready.clear()
        return ready

    def close(self) -> None:
        """Drop every fd registration from the host."""
        for fd, mask in list(self._masks.items()):
            if mask & READ:
                self.host.remove_reader(fd)
            if mask & WRITE:
                self.host.remove_writer(fd)
        self._masks.clear()
        self._ready.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
