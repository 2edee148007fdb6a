"""The EventLoop: the public face of the loop (tasks, timers, threads, runs, statistics).

Rules:
- The loop is built in layers, each a module importing only the ones below it: kernel (task
  records, park / wake / cancel), stepping, dispatch (the built-in commands), running (a run
  as a tick; ``run_until_complete`` drives it) and this public class.
- The original's command names (``EventWaitCommand``, ``LockAcquireCommand`` ...) are served
  by thin adapters over the primitives, registered here from outside the kernel.
- No module globals: the loop owns its selector (lazily, closed on exit), clock and state.
"""

from __future__ import annotations

import selectors
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar, cast, overload

from flowno_eventloop._backend import IOBackend, Waker
from flowno_eventloop._commands import (
    Command,
)
from flowno_eventloop._compat_commands import COMPAT_HANDLERS
from flowno_eventloop._context import current_task_var
from flowno_eventloop._dispatch import Dispatch
from flowno_eventloop._running import LoopRun, start_run
from flowno_eventloop._tasks import (
    CancelRequest,
    TaskHandle,
    check_task_name,
)
from flowno_eventloop._timers import TimerHandle, checked_time

__all__ = ["CommandHandler", "EventLoop"]

_R = TypeVar("_R")
_C = TypeVar("_C", bound=Command)

CommandHandler = Callable[["EventLoop", TaskHandle[Any], Any], None]
"""``handler(loop, handle, command)``: resume the task with wake/wake_error or leave it parked."""


class EventLoop(Dispatch):
    """The Flowno event loop: runs tasks (coroutines) cooperatively on one thread.

    Args:
        clock: Where time comes from (default :class:`MonotonicClock`; :class:`MockClock` for
            tests: sleeps take no real time).
        handle_signals: Opt in to the SIGINT/SIGTERM/SIGUSR1 state dump during runs; previous
            handlers are chained to and restored, SIGTERM is never swallowed.
        deadlock_grace: When every task is blocked and nothing (timer, fd, ``hold()``) can
            wake one, but other threads exist (one might still call ``create_task``), wait this
            many real seconds for them before raising :class:`DeadlockError`. With no other
            thread the error is immediate. ``0`` disables the wait.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep
        >>> async def worker(tag, steps):
        ...     for i in range(steps):
        ...         print(f"{tag}{i}")
        ...         await sleep(0)
        ...     return tag
        >>> async def main():
        ...     a = await spawn(worker("a", 2))
        ...     b = await spawn(worker("b", 1))
        ...     return await a.join() + await b.join()
        >>> EventLoop().run_until_complete(main(), join=True)
        a0
        a1
        b0
        'ab'
    """

    def _install_handlers(self) -> None:
        super()._install_handlers()
        self._handlers.update(COMPAT_HANDLERS)

    def create_task(
        self, raw_task: Coroutine[Any, Any, _R], *, name: str | None = None
    ) -> TaskHandle[_R]:
        """Schedule ``raw_task`` as a new task (at the tail) and return its handle.

        ``name`` names the task (see :attr:`TaskHandle.name`).

        Not a scheduling point. Thread-safe: from another thread the task is registered on
        the loop thread and a blocked loop is woken up.

        Example:
            >>> loop = EventLoop()
            >>> async def job():
            ...     return "done"
            >>> h = loop.create_task(job())
            >>> async def main():
            ...     return await h.join()
            >>> loop.run_until_complete(main(), join=True)
            'done'
        """
        self._check_coroutine(raw_task, "create_task")
        self._check_not_a_task(raw_task, "create_task")
        if name is not None and not isinstance(name, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raw_task.close()  # never started: no "never awaited" warning
            check_task_name(name)
        if self._running and threading.get_ident() != self._thread:
            return self._new_task_from_thread(raw_task, name)
        handle = self._new_task(raw_task, parent=current_task_var.get(), name=name).handle
        if self._running and not self._ticking:  # a host callback (guest mode): tick again
            self._waker.wakeup()
        return handle

    def cancel(self, raw_task: Coroutine[Any, Any, _R] | TaskHandle[_R]) -> CancelRequest[_R]:
        """Cancel a task: ``TaskCancelled`` is thrown into it at its next turn.

        If the task is parked, it is first removed from what it waits on (its ``on_cancel``
        runs), so it is never woken twice. A task cancelled before its first step never runs
        its body. Returns a :class:`CancelRequest`: falsy if the task had already ended
        (the original's ``bool``), and awaitable (waits for the task to end; see there).

        Example:
            >>> from flowno_eventloop import spawn, sleep
            >>> loop = EventLoop()
            >>> async def main():
            ...     h = await spawn(sleep(10))
            ...     print(bool(loop.cancel(h)), bool(loop.cancel(h.raw_task)))
            ...     await sleep(0)
            ...     print(h.is_cancelled, bool(loop.cancel(h)))
            >>> loop.run_until_complete(main())
            True True
            True False
        """
        if isinstance(raw_task, TaskHandle):
            handle: TaskHandle[_R] = raw_task
        elif hasattr(raw_task, "send") and hasattr(raw_task, "throw"):
            handle = TaskHandle(self, raw_task)
        else:
            raise TypeError(f"cancel() needs a TaskHandle or a task's coroutine, got {raw_task!r}")
        task = handle._task  # pyright: ignore[reportPrivateUsage]
        return CancelRequest(handle, self._cancel_task(task))

    def call_soon(self, callback: Callable[..., object], *args: Any) -> TimerHandle:
        """Run ``callback(*args)`` on the loop thread at the next batch (loop thread only).

        Example:
            >>> loop = EventLoop()
            >>> async def main():
            ...     loop.call_soon(print, "soon")
            ...     print("first")
            >>> loop.run_until_complete(main())
            first
            soon
        """
        return self._timers.add_soon(callback, args)

    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> TimerHandle:
        """Run ``callback(*args)`` once ``self.clock.now() >= when`` (loop thread only).

        Equal deadlines fire in the order they were scheduled. A callback that raises ends
        ``run_until_complete`` with that exception.

        Example:
            >>> from flowno_eventloop import MockClock, sleep
            >>> loop = EventLoop(clock=MockClock())
            >>> async def main():
            ...     loop.call_at(2.0, print, "b")
            ...     loop.call_at(1.0, print, "a")
            ...     await sleep(3)
            >>> loop.run_until_complete(main())
            a
            b
        """
        when = checked_time(when, "call_at() needs a time on the loop's clock")
        return self._timers.add(when, callback, args)

    def call_later(self, delay: float, callback: Callable[..., object], *args: Any) -> TimerHandle:
        """Run ``callback(*args)`` ``delay`` seconds from now (loop thread only).

        Example:
            >>> from flowno_eventloop import MockClock, sleep
            >>> loop = EventLoop(clock=MockClock())
            >>> async def main():
            ...     loop.call_later(1.5, lambda: print("at", loop.clock.now()))
            ...     await sleep(2)
            >>> loop.run_until_complete(main())
            at 1.5
        """
        delay = checked_time(delay, "call_later() needs a delay in seconds")
        return self._timers.add(self.clock.now() + delay, callback, args)

    def call_at_run_end(self, callback: Callable[..., object], *args: Any) -> TimerHandle:
        """Run ``callback(*args)`` once, when the current ``run_until_complete`` returns.

        For per-run resources (a worker pool, say). Callbacks run on the loop thread in the
        order they were registered, after the tasks stopped, whether the run succeeded or
        failed; a callback that raises propagates out of ``run_until_complete`` (the others
        still run). Outside a run, the callback waits for the end of the next one.

        Example:
            >>> loop = EventLoop()
            >>> async def main():
            ...     loop.call_at_run_end(print, "run ended")
            ...     print("body")
            >>> loop.run_until_complete(main())
            body
            run ended
        """
        handle = TimerHandle(float("inf"), callback, args, None)
        self._at_run_end.append(handle)
        return handle

    def call_soon_threadsafe(self, callback: Callable[..., object], *args: Any) -> None:
        """Run ``callback(*args)`` on the loop thread soon; callable from any thread.

        Example:
            >>> import threading
            >>> loop = EventLoop()
            >>> from flowno_eventloop import AsyncQueue
            >>> q = AsyncQueue()
            >>> async def main():
            ...     t = threading.Thread(target=loop.call_soon_threadsafe, args=(q.put_nowait, "hi"))
            ...     t.start()
            ...     item = await q.get()
            ...     t.join()
            ...     return item
            >>> loop.run_until_complete(main(), join=True)
            'hi'
        """
        self._inbox.append((callback, args))
        if self._running and (not self._ticking or threading.get_ident() != self._thread):
            self._waker.wakeup()

    def stop(self) -> None:
        """Stop the running loop from any thread: every task is cancelled (the root first).

        ``run_until_complete`` returns once their cleanup ran inside the loop (with
        ``join=True`` it raises the root's ``TaskCancelled``). Does nothing when not running.

        Example:
            >>> import threading
            >>> from flowno_eventloop import sleep
            >>> loop = EventLoop()
            >>> async def forever():
            ...     threading.Thread(target=loop.stop).start()
            ...     await sleep(float("inf"))
            >>> loop.run_until_complete(forever())
        """
        self.call_soon_threadsafe(self._cancel_everything)

    def hold(self) -> None:
        """Tell the loop that something outside it (a thread) will wake it later.

        While held, the loop never reports a deadlock. Loop thread only; pair with
        :meth:`release`, which any thread may call.

        Example:
            >>> loop = EventLoop()
            >>> loop.hold(); loop.release(); loop.statistics()["holds"]
            0
        """
        self._external_waiters += 1

    def release(self) -> None:
        """Undo one :meth:`hold`; thread-safe.

        Example:
            >>> loop = EventLoop()
            >>> loop.hold(); loop.release()
            >>> loop.statistics()["holds"]
            0
        """
        if self._running and threading.get_ident() != self._thread:
            self.call_soon_threadsafe(self.release)
            return
        if self._external_waiters <= 0:
            raise RuntimeError("EventLoop.release() called more often than hold()")
        self._external_waiters -= 1

    def register_command(self, command_type: type[_C], handler: CommandHandler) -> None:
        """Teach the loop a new command: ``handler(loop, handle, command)``.

        The handler resumes the task with :func:`~flowno_eventloop.lowlevel.wake` /
        ``wake_error`` (now or later) or leaves it parked; if it raises, the run ends with
        that exception (the way a flow aborts).

        Example:
            >>> from dataclasses import dataclass
            >>> from types import coroutine
            >>> from flowno_eventloop.lowlevel import wake
            >>> @dataclass
            ... class Double(Command):
            ...     n: int
            >>> @coroutine
            ... def double(n):
            ...     return (yield Double(n))
            >>> loop = EventLoop()
            >>> loop.register_command(Double, lambda lp, h, c: wake(h, 2 * c.n))
            >>> async def main():
            ...     return await double(21)
            >>> loop.run_until_complete(main(), join=True)
            42
        """
        self._handlers[command_type] = handler
        self._no_handler.clear()

    def has_living_tasks(self) -> bool:
        """True while any task has not ended (or a packet is queued). O(1).

        Pending timers do not count: a run ends when its tasks have, and callbacks still
        scheduled then fire during a later run.

        Example:
            >>> EventLoop().has_living_tasks()
            False
        """
        return bool(self._live) or bool(self.tasks)

    @property
    def selector(self) -> selectors.BaseSelector:
        """The loop's own selector (read-only; created on first use, closed by :meth:`close`).

        For inspection (``get_map()``, ``get_key()``): registering on it directly bypasses
        the loop; wait on file objects with ``lowlevel.wait_readable``/``wait_writable``.

        Example:
            >>> loop = EventLoop()
            >>> len(loop.selector.get_map())
            0
            >>> loop.close()
        """
        return self._io.native.selector

    def is_running(self) -> bool:
        """True while ``run_until_complete`` is executing.

        Example:
            >>> EventLoop().is_running()
            False
        """
        return self._running

    def statistics(self) -> dict[str, Any]:
        """A snapshot of what the loop holds and has done.

        Keys: ``live_tasks``, ``ready``, ``parked``, ``timers``, ``io_waits``, ``holds``,
        ``steps``, ``batches``, ``polls`` and ``blocked`` (``[(task repr, reason repr)]``).

        Example:
            >>> s = EventLoop().statistics()
            >>> s["live_tasks"], s["ready"], s["blocked"]
            (0, 0, [])
        """
        blocked = self._blocked()
        return {
            "live_tasks": len(self._live),
            "ready": len(self.tasks),
            "parked": len(blocked),
            "timers": len(self._timers),
            "io_waits": len(self._io),
            "holds": self._external_waiters,
            "steps": self.steps,
            "batches": self.batches,
            "polls": self._io.native.polls,
            "blocked": [(repr(t.handle), repr(t.reason)) for t in blocked],
        }

    def close(self) -> None:
        """Close every task still suspended in the loop (their ``finally`` blocks run, without
        awaiting) and the selector. The loop can still run afterwards.

        Example:
            >>> loop = EventLoop(); loop.close()
        """
        if self._running:
            raise RuntimeError("cannot close a running EventLoop")
        for task in list(self._live.values()):
            self._force_close(task)
        self.tasks.clear()
        self._io.close_all()

    def handle_queue_close(self, queue: Any) -> None:
        """The original's name for ``queue.close_nowait(self)``.

        Example:
            >>> from flowno_eventloop import AsyncQueue
            >>> q = AsyncQueue(); EventLoop().handle_queue_close(q); q.is_closed()
            True
        """
        queue.close_nowait(self)

    @overload
    def run_until_complete(
        self,
        root_task: Coroutine[Any, Any, _R],
        join: Literal[False] = False,
        wait_for_spawned_tasks: bool = True,
        _debug_max_wait_time: float | None = None,
    ) -> None: ...

    @overload
    def run_until_complete(
        self,
        root_task: Coroutine[Any, Any, _R],
        join: bool = False,
        wait_for_spawned_tasks: bool = True,
        _debug_max_wait_time: float | None = None,
    ) -> _R: ...

    def run_until_complete(
        self,
        root_task: Coroutine[Any, Any, _R],
        join: bool = False,
        wait_for_spawned_tasks: bool = True,
        _debug_max_wait_time: float | None = None,
    ) -> _R | None:
        """Run until ``root_task`` (and, by default, every other task) is complete.

        Args:
            root_task: The coroutine to run as the root task.
            join: Return the root's result (or raise its exception); else return None.
            wait_for_spawned_tasks: Keep running the other tasks after the root ends. When
                False, return as soon as the root ends (other tasks stay suspended in the loop
                and continue on the next run, or are closed by :meth:`close`).
            _debug_max_wait_time: Cap, in seconds, on each single blocking wait (an ERROR is
                logged when a timer wait is capped). It does not bound the whole run.

        Returns:
            The root's result when ``join`` is true, else None.

        Raises:
            DeadlockError: The root can never finish (every task is parked and nothing can
                wake any of them).
            RuntimeError: ``join`` and the root never completed.
            Exception: With ``join``, whatever the root raised; with ``exit(exception=e)``, e.

        Tasks still parked forever after the root ended (nothing can wake them) are cancelled
        so that their ``finally`` blocks run inside the loop; so are the other tasks after
        :func:`~flowno_eventloop.exit`.

        Example:
            >>> async def main():
            ...     return 1 + 1
            >>> EventLoop().run_until_complete(main(), join=True)
            2
        """
        run = start_run(
            self,
            root_task,
            wait_for_spawned_tasks,
            None,
            None,
            self._handle_signals,
            _debug_max_wait_time,
        )
        try:
            while True:
                timeout = run.tick()
                if run.done:
                    break
                run.wait(timeout)
        finally:
            result = run.finish(join)
        return cast("_R | None", result)

    def begin_run(
        self,
        root_task: Coroutine[Any, Any, Any],
        *,
        wait_for_spawned_tasks: bool = True,
        io: IOBackend | None = None,
        waker: Waker | None = None,
    ) -> LoopRun:
        """Start a run of ``root_task`` that the caller drives with :meth:`LoopRun.tick`.

        For hosting the loop inside another one (guest mode): the host calls ``tick`` from
        its callbacks, waits as long as ``tick`` says, reports I/O through ``io`` (a backend
        whose ``poll`` returns what the host's fd callbacks saw) and is woken from other
        threads through ``waker``; by default the loop's own selector does both. The loop is
        running on the calling thread until :meth:`LoopRun.finish`. Signal handlers are not
        installed (the host owns them).

        Example:
            >>> async def main():
            ...     return "guest"
            >>> run = EventLoop().begin_run(main())
            >>> while not run.done:
            ...     run.wait(run.tick())  # a host waits in its own way instead
            >>> run.finish(join=True)
            'guest'
        """
        return start_run(self, root_task, wait_for_spawned_tasks, io, waker, False, None)

    def __repr__(self) -> str:
        state = "running" if self._running else "idle"
        return f"<EventLoop {state} live={len(self._live)} ready={len(self.tasks)}>"
