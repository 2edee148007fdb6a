"""The loop's shared ``"thread"`` pool: a ``concurrent.futures.Executor`` built for round trips.

Rules of this module:
- :class:`LoopThreadPool` is a complete ``concurrent.futures.Executor`` (``submit``, ``map``,
  ``shutdown``), with ``ThreadPoolExecutor``'s sizing: at most ``min(32, CPUs + 4)`` worker
  threads, started lazily, an idle one reused before a new one starts.
- A worker runs a job, counts itself idle, and only then hands the outcome over (completes
  the future, or fires the waiting task's ``WakeToken``): the hand-over is the last thing it
  does before it waits for the next job, so the woken loop thread does not have to wait for
  the worker to let go of the interpreter, and the next call reuses the same worker.
- :meth:`LoopThreadPool.call` is what ``run_in_executor("thread", ...)`` awaits: no
  ``concurrent.futures.Future`` at all; the worker fires the task's ``WakeToken``. The loop is
  held while the task waits. Cancelling the task drops a job that has not started (it never
  runs) and stops the wait at once for one that runs (its late outcome is dropped), unless
  the outcome is already on its way: then the task receives it and the cancel comes at its
  next park or checkpoint.
- ``shutdown(wait=True)`` lets queued jobs run, stops every worker and joins them;
  ``cancel_futures=True`` drops the queued jobs instead (their waiters get
  ``concurrent.futures.CancelledError``).
"""

from __future__ import annotations

import concurrent.futures
import functools
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from typing_extensions import ParamSpec

from flowno_eventloop.lowlevel import WakeToken, current_task_handle

__all__ = ["LoopThreadPool"]

_T = TypeVar("_T")
_P = ParamSpec("_P")

_Post = Callable[[], object]
"""What a job returns: hands its outcome over (run by the worker once it counts as idle)."""


def _nothing() -> None:
    return None


class _CallJob:
    """One :meth:`LoopThreadPool.call`: the function, and the token of the waiting task."""

    __slots__ = ("args", "cancelled", "error", "fn", "kwargs", "posted", "result", "token")

    def __init__(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.token = WakeToken()
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancelled = False  # loop thread: the waiting task gave up
        self.posted = False  # worker: the outcome is on its way to the token

    def __call__(self) -> _Post:
        """Worker: run the function unless the waiting task gave up already."""
        if self.cancelled:
            return _nothing
        try:
            self.result = self.fn(*self.args, **self.kwargs)
        except BaseException as error:  # noqa: BLE001 - handed to the waiting task
            self.error = error
        return self.post

    def post(self) -> None:
        """Worker: fire the token with the outcome."""
        self.posted = True
        error = self.error
        if error is None:
            self.token.wake_threadsafe(self.result)
        else:
            self.error = None
            self.token.wake_error_threadsafe(error)

    def abort(self) -> bool:
        """Loop thread, the waiting task is cancelled: drop the job (or its late outcome),
        unless the outcome is already on its way (refused: the task receives it)."""
        if self.posted:
            return False
        self.cancelled = True
        return True

    def drop(self) -> None:
        """Shutdown with ``cancel_futures``: the job will not run; tell the waiting task."""
        self.cancelled = True
        self.token.wake_error_threadsafe(concurrent.futures.CancelledError())

    def __repr__(self) -> str:
        return f"run_in_executor({getattr(self.fn, '__qualname__', self.fn)!r})"


class _FutureJob:
    """One :meth:`LoopThreadPool.submit`: the function and the future it completes."""

    __slots__ = ("args", "fn", "future", "kwargs")

    def __init__(
        self,
        future: concurrent.futures.Future[Any],
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        self.future, self.fn, self.args, self.kwargs = future, fn, args, kwargs

    def __call__(self) -> _Post:
        """Worker: run the function unless the future was cancelled."""
        future = self.future
        if not future.set_running_or_notify_cancel():
            return _nothing
        try:
            result = self.fn(*self.args, **self.kwargs)
        except BaseException as error:  # noqa: BLE001 - handed to the future
            return functools.partial(future.set_exception, error)
        return functools.partial(future.set_result, result)

    def drop(self) -> None:
        """Shutdown with ``cancel_futures``: the job will not run."""
        self.future.cancel()


_Job = _CallJob | _FutureJob


class LoopThreadPool(concurrent.futures.Executor):
    """A thread pool executor whose workers hand outcomes back as their last step.

    Example:
        >>> pool = LoopThreadPool("demo")
        >>> pool.submit(pow, 2, 5).result()
        32
        >>> list(pool.map(abs, [-1, -2]))
        [1, 2]
        >>> pool.shutdown()
    """

    def __init__(self, thread_name_prefix: str, max_workers: int | None = None) -> None:
        self._prefix = thread_name_prefix
        self._max = max_workers or min(32, (os.cpu_count() or 1) + 4)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0  # workers waiting for a job, minus jobs queued for them
        self._lock = threading.Lock()
        self._closed = False

    def submit(
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> concurrent.futures.Future[_T]:
        """Run ``fn(*args, **kwargs)`` on a worker; return its future (any thread).

        Example:
            >>> pool = LoopThreadPool("demo"); pool.submit(str.upper, "a").result()
            'A'
            >>> pool.shutdown()
        """
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()
        self._put(_FutureJob(future, fn, args, kwargs))
        return future

    async def call(
        self, fn: Callable[..., _T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> _T:
        """In a task: run ``fn(*args, **kwargs)`` on a worker and return its outcome.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> pool = LoopThreadPool("demo")
            >>> async def main() -> int:
            ...     return await pool.call(pow, (3, 2), {})
            >>> EventLoop().run_until_complete(main(), join=True)
            9
            >>> pool.shutdown()
        """
        job = _CallJob(fn, args, kwargs)
        self._put(job)
        loop = current_task_handle().event_loop
        loop.hold()  # a worker will wake us: no deadlock while we wait
        try:
            result: _T = await job.token.park(reason=job, abort=job.abort)
        finally:
            loop.release()
        return result

    def _put(self, job: _Job) -> None:
        with self._lock:  # a job queued here is ahead of shutdown()'s stop marks
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._idle <= 0 and len(self._threads) < self._max:
                name = f"{self._prefix}_{len(self._threads)}"
                thread = threading.Thread(target=self._work, name=name, daemon=True)
                thread.start()
                self._threads.append(thread)
            else:
                self._idle -= 1  # an idle worker takes it, or it waits for the next free one
            self._jobs.put(job)

    def _work(self) -> None:
        jobs, lock = self._jobs, self._lock
        while True:
            job = jobs.get()
            if job is None:
                return
            post = job()
            del job
            with lock:
                self._idle += 1  # idle before the outcome is handed over: reused next
            post()
            del post

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the workers once the queued jobs ran (``cancel_futures``: drop those).

        Example:
            >>> pool = LoopThreadPool("demo"); pool.shutdown(); pool.shutdown()
        """
        with self._lock:
            self._closed = True
            threads = list(self._threads)
            dropped = self._take_queued() if cancel_futures else []
            for _ in threads:
                self._jobs.put(None)
        for job in dropped:
            job.drop()  # outside the lock: a future's callbacks may run here
        if wait:
            for thread in threads:
                thread.join()

    def _take_queued(self) -> list[_Job]:
        taken: list[_Job] = []
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return taken
            if job is not None:
                taken.append(job)
