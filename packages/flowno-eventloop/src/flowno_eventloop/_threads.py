"""Threads: ``to_thread`` (loop -> worker thread) and ``run_coroutine_threadsafe`` /
``from_thread_run`` (foreign thread -> loop).

Rules of this module:
- Blocking work runs on a small pool of worker threads owned by the loop (at most
  ``MAX_WORKERS`` per loop, started lazily, reused for the whole run). The pool is shut down
  and its threads joined when the run ends (``loop.call_at_run_end``), or, if work is still
  pending then (``wait_for_spawned_tasks=False``), as soon as its last result is delivered;
  so no worker outlives the work of a run.
- While work is pending the loop is *held* (``loop.hold()`` / ``loop.release()``), so it
  neither reports a deadlock nor finishes; the worker hands the outcome back with
  ``loop.call_soon_threadsafe``, which also wakes a loop blocked in its selector.
- The waiting task parks; ``wake`` gives it the result, ``wake_error`` throws the worker's
  exception (its traceback includes the worker frames). A task cancelled while it waits stops
  waiting at once; the thread cannot be interrupted, so a small reaper task waits for it in
  its place (the run does not end before the thread is done) and drops the late result.
- Foreign threads never touch loop state directly: ``run_coroutine_threadsafe`` goes through
  ``loop.create_task`` (thread-safe) and reports through a ``concurrent.futures.Future``.
"""

from __future__ import annotations

import concurrent.futures
import functools
import queue
import threading
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from flowno_eventloop._context import current_event_loop
from flowno_eventloop._tasks import TaskCancelled, TaskHandle
from flowno_eventloop.lowlevel import current_task_handle, park, wake, wake_error

__all__ = ["from_thread_run", "run_coroutine_threadsafe", "to_thread"]

_T = TypeVar("_T")

MAX_WORKERS = 8
"""Worker threads per loop at most; more concurrent ``to_thread`` calls queue up."""


class _WorkerPool:
    """A tiny thread pool: jobs are callables, ``None`` tells one worker to stop."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], Callable[[], object]] | None] = (
            queue.SimpleQueue()
        )
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()
        self._name = name
        self.pending = 0  # jobs submitted and not yet delivered (loop thread only)
        self.run_ended = False  # the run that created it is over: shut down when idle

    def submit(self, job: Callable[[], Callable[[], object]]) -> None:
        with self._lock:
            start = self._idle <= 0 and len(self._threads) < MAX_WORKERS
            if not start:
                self._idle -= 1  # an idle worker takes it, or it waits for the next free one
        if start:
            thread = threading.Thread(
                target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        self._jobs.put(job)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            post = job()
            with self._lock:
                self._idle += 1  # idle before the result is posted: the next call reuses us
            post()

    def shutdown(self) -> None:
        """Stop every worker and join it (pending jobs finish first)."""
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        self._threads.clear()


_pools: weakref.WeakKeyDictionary[Any, _WorkerPool] = weakref.WeakKeyDictionary()


def _pool_for(loop: Any) -> _WorkerPool:
    """The loop's pool (loop thread only), created on first use."""
    pool = _pools.get(loop)
    if pool is None:
        pool = _pools[loop] = _WorkerPool(f"flowno-to_thread-{id(loop):x}")
        loop.call_at_run_end(_run_ended, loop)
    return pool


def _run_ended(loop: Any) -> None:
    """Loop thread, end of the run: shut the pool down now, or when its work is delivered."""
    pool = _pools.get(loop)
    if pool is not None:
        pool.run_ended = True
        if pool.pending == 0:
            del _pools[loop]
            pool.shutdown()


def _job_done(loop: Any) -> None:
    """Loop thread, after a result arrived: shut a pool whose run ended down once idle."""
    pool = _pools.get(loop)
    if pool is not None:
        pool.pending -= 1
        if pool.pending == 0 and pool.run_ended:
            del _pools[loop]
            pool.shutdown()


class _Call:
    """One ``to_thread`` call: the task waiting for it and what became of the call."""

    __slots__ = ("delivered", "handle", "loop", "waiting")

    def __init__(self, handle: TaskHandle[Any]) -> None:
        self.handle = handle
        self.loop = handle.event_loop
        self.waiting = True
        self.delivered = False

    def run(self, fn: Callable[[], Any]) -> Callable[[], object]:
        """Worker thread: run ``fn``; return what posts the outcome to the loop thread."""
        try:
            result = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
            return functools.partial(self.loop.call_soon_threadsafe, self.deliver, None, exc)
        return functools.partial(self.loop.call_soon_threadsafe, self.deliver, result, None)

    def deliver(self, result: Any, exc: BaseException | None) -> None:
        """Loop thread: wake the waiting task (or the reaper) and let the loop go."""
        self.delivered = True
        self.loop.release()
        _job_done(self.loop)
        if not self.waiting:
            wake(self.handle)  # the reaper: the late outcome is dropped
        elif exc is None:
            wake(self.handle, result)
        else:
            wake_error(self.handle, exc)

    def abandon(self) -> None:
        """Loop thread, the waiting task was cancelled: a reaper task waits for the thread in
        its place, so the run does not end (and leave the worker behind) before it is done."""
        self.waiting = False
        self.handle = self.loop.create_task(self._reap())

    async def _reap(self) -> None:
        if not self.delivered:
            await park(reason="to_thread: late result of a cancelled call")


async def to_thread(
    fn: Callable[..., _T],
    /,
    *args: Any,
    abandon_on_cancel: bool = True,
    **kwargs: Any,
) -> _T:
    """Run the blocking ``fn(*args, **kwargs)`` in a worker thread; the loop keeps running.

    ``abandon_on_cancel`` (default True): a cancel ends the wait at once and the thread's late
    result is dropped (the run still waits for the thread before it ends). False: the call
    cannot be cancelled; the task gets ``fn``'s outcome and the cancel comes at its next
    checkpoint.

    Returns:
        What ``fn`` returned.

    Raises:
        Whatever ``fn`` raised (the same exception object, with the worker's traceback).

    Example:
        >>> import time
        >>> from flowno_eventloop import EventLoop
        >>> async def main() -> str:
        ...     return await to_thread(str.upper, "done in a thread")
        >>> EventLoop().run_until_complete(main(), join=True)
        'DONE IN A THREAD'
    """
    call = _Call(current_task_handle())
    job = functools.partial(fn, *args, **kwargs)
    pool = _pool_for(call.loop)
    pool.submit(functools.partial(call.run, job))
    pool.pending += 1
    call.loop.hold()
    reason = f"to_thread({_name(fn)})"
    if abandon_on_cancel:
        result: _T = await park(reason=reason, on_cancel=call.abandon)
    else:
        result = await park(reason=reason, abort=_refuse)
    return result


def _refuse() -> bool:
    return False  # the thread's outcome is on its way: the task waits for it


def _name(fn: object) -> str:
    return str(getattr(fn, "__qualname__", None) or repr(fn))


def run_coroutine_threadsafe(
    coro: Coroutine[Any, Any, _T], loop: Any
) -> concurrent.futures.Future[_T]:
    """Submit ``coro`` to a running ``loop`` from another thread.

    Returns a ``concurrent.futures.Future`` completed with the coroutine's result or exception
    (``concurrent.futures.CancelledError`` if the task is cancelled). Call it from a thread
    other than the loop's; the coroutine starts when the loop runs (queued until then). To
    block until the result is there, use :func:`from_thread_run`.

    Example:
        >>> import threading
        >>> from flowno_eventloop import EventLoop
        >>> async def double(x: int) -> int:
        ...     return 2 * x
        >>> async def main() -> int:
        ...     loop = current_task_handle().event_loop
        ...     return await to_thread(lambda: run_coroutine_threadsafe(double(21), loop).result())
        >>> EventLoop().run_until_complete(main(), join=True)
        42
    """
    future: concurrent.futures.Future[_T] = concurrent.futures.Future()
    loop.create_task(_complete(future, coro))
    return future


async def _complete(future: concurrent.futures.Future[_T], coro: Coroutine[Any, Any, _T]) -> None:
    if not future.set_running_or_notify_cancel():
        coro.close()
        return
    try:
        result = await coro
    except TaskCancelled as exc:
        future.set_exception(
            concurrent.futures.CancelledError(f"task running {coro!r} was cancelled")
        )
        raise exc
    except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
        future.set_exception(exc)
        return
    future.set_result(result)


def from_thread_run(loop: Any, coro: Coroutine[Any, Any, _T], timeout: float | None = None) -> _T:
    """Run ``coro`` on ``loop`` from a foreign thread and block until it finishes.

    Raises:
        RuntimeError: If called on the loop's own thread (it would wait for itself).
        TimeoutError: If ``timeout`` (seconds) passes first.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def ping() -> str:
        ...     return "pong"
        >>> async def main() -> str:
        ...     loop = current_task_handle().event_loop
        ...     return await to_thread(from_thread_run, loop, ping())
        >>> EventLoop().run_until_complete(main(), join=True)
        'pong'
    """
    if current_event_loop() is loop:
        coro.close()
        raise RuntimeError("from_thread_run() called on the loop's own thread; use await")
    return run_coroutine_threadsafe(coro, loop).result(timeout)
