"""The EventLoop: a microkernel that steps coroutines and serves a few generic commands.

Rules:
- Tasks yield command objects, served by ``type(command)`` through ``self._handlers`` (the
  hot loop ``_step_batches`` serves sleep(0)/park/spawn/join-of-finished in place; with hooks
  or an overridden ``_handle_command`` the general ``_step``/``_handle_command`` path runs;
  subclass command types are resolved once via the MRO and cached). Built-in handlers never
  raise: errors go to the task.
- The ready queue ``self.tasks`` holds ``(coroutine, value, exception)`` packets (the
  original's shape, so subclasses may append to it). A batch steps every packet that was ready
  when it started; between batches the selector is polled once (timeout 0) if any fd is
  watched, the inbox drained and due timers run; when there is none of these the next batch
  starts at once. The loop blocks only when nothing is ready.
- A task's state lives on its ``TaskRecord`` record; only live tasks are in ``self._live``; the
  outcome stays on the handle (nothing grows with finished tasks). Counters make
  ``has_living_tasks`` O(1).
- Park/wake is the only way a task waits: sleep, join, fd waits and every primitive are built
  on it; cancelling a parked task runs its ``on_cancel`` first, so nothing wakes it twice.
- No module globals: the loop owns its selector (lazily, closed on exit), clock and state.
"""

from __future__ import annotations

import contextvars
import sys
import logging
import selectors
import threading
from collections import deque
from collections.abc import Callable, Coroutine
from types import CoroutineType
from typing import Any, Literal, TypeVar, cast, overload

from flowno_eventloop._clock import Clock, MonotonicClock
from flowno_eventloop._commands import (
    CancelCommand,
    Command,
    ExitCommand,
    JoinCommand,
    ParkCommand,
    RefusableAbort,
    SleepCommand,
    SpawnCommand,
    WaitReadableCommand,
    WaitWritableCommand,
)
from flowno_eventloop._commands import TURN
from flowno_eventloop._compat_commands import COMPAT_HANDLERS
from flowno_eventloop._context import current_loop_var, current_task_var
from flowno_eventloop._errors import InstrumentHookError
from flowno_eventloop._backend import IOBackend, Waker
from flowno_eventloop._io import READ, WRITE, IOWatcher, fileno_of
from flowno_eventloop._running import LoopExit, LoopRun
from flowno_eventloop._signals import SignalGuard
from flowno_eventloop._tasks import (
    DONE,
    PARKED,
    READY,
    RUNNING,
    WOKEN,
    STATE_NAMES,
    CancelRequest,
    TaskCancelled,
    TaskHandle,
    SCOPES_CANCELLED,
    TaskRecord,
    check_task_name,
)
from flowno_eventloop._timers import TimerHandle, TimerQueue
from flowno_eventloop.instrumentation import (
    EMPTY_INSTRUMENT,
    EventLoopInstrument,
    TaskSendMetadata,
    TaskThrowMetadata,
    get_current_instrument,
)
from flowno_eventloop.types import AnyPacket

__all__ = ["CommandHandler", "EventLoop"]

logger = logging.getLogger("flowno.eventloop")

_R = TypeVar("_R")
_C = TypeVar("_C", bound=Command)

CommandHandler = Callable[["EventLoop", TaskHandle[Any], Any], None]
"""``handler(loop, handle, command)``: resume the task with wake/wake_error or leave it parked."""

_HOOK_NAMES = (
    "_on_task_before_send",
    "_on_task_after_send",
    "_on_task_before_throw",
    "_on_task_after_throw",
    "_on_task_completed",
    "_on_task_error",
    "_on_task_cancelled",
)


class EventLoop:
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

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        handle_signals: bool = False,
        deadlock_grace: float = 1.0,
    ) -> None:
        if deadlock_grace < 0:
            raise ValueError(f"deadlock_grace must be >= 0 seconds, got {deadlock_grace!r}")
        self.clock: Clock = clock if clock is not None else MonotonicClock()
        self.deadlock_grace = deadlock_grace
        self._stuck_since: float | None = None
        self.tasks: deque[AnyPacket] = deque()
        self._live: dict[Coroutine[Any, Any, Any], TaskRecord] = {}
        self._timers = TimerQueue()
        self._io = IOWatcher()
        self._inbox: deque[tuple[Callable[..., object], tuple[Any, ...]]] = deque()
        self._external_waiters = 0
        self._handle_signals = handle_signals
        self._handlers: dict[type, CommandHandler] = {
            SpawnCommand: EventLoop._cmd_spawn,
            JoinCommand: EventLoop._cmd_join,
            SleepCommand: EventLoop._cmd_sleep,
            ParkCommand: EventLoop._cmd_park,
            WaitReadableCommand: EventLoop._cmd_wait_readable,
            WaitWritableCommand: EventLoop._cmd_wait_writable,
            ExitCommand: EventLoop._cmd_exit,
            CancelCommand: EventLoop._cmd_cancel,
            **COMPAT_HANDLERS,
        }
        self._no_handler: set[type] = set()
        self._running = False
        self._thread: int | None = None
        self._stepping: TaskRecord | None = None
        self._root: TaskRecord | None = None
        self._stop = False
        self._exit: LoopExit | None = None
        self._ticking = False
        self._sliced = False  # a tick has a time budget: return to it after each batch
        self._waker: Waker = self._io.native
        self._shutting_down = False
        self._wait_for_spawned = True
        self._hooks_overridden = any(
            getattr(type(self), name) is not getattr(EventLoop, name) for name in _HOOK_NAMES
        )
        self._at_run_end: list[TimerHandle] = []
        self._unobserved: list[TaskRecord] = []
        self._plain_dispatch = type(self)._handle_command is EventLoop._handle_command
        self._inst: EventLoopInstrument = EMPTY_INSTRUMENT
        self._hooks = False
        self.steps: int = 0
        self.batches: int = 0

    # ------------------------------------------------------------------ public API

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
            task = TaskRecord(self, raw_task, contextvars.copy_context())
            task.name = name
            task.context.run(_enter_task_context, self, task.handle)  # type: ignore[union-attr]
            self.call_soon_threadsafe(self._register, task, None)
            return task.handle
        task = self._new_task(raw_task, parent=current_task_var.get(), name=name)
        handle = task.handle
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
        if task.state == DONE:
            return CancelRequest(handle, False)
        if not isinstance(task.cancel_pending, TaskCancelled):  # beats a pending interrupt
            task.cancel_pending = TaskCancelled(handle)
            if task.state == PARKED:
                self._deliver_cancel(task)
        return CancelRequest(handle, True)

    def _interrupt(self, task: TaskRecord, exc: BaseException) -> bool:
        """Cancel ``task`` with ``exc`` (see ``lowlevel.interrupt``)."""
        if task.state == DONE or task.cancel_pending is not None:
            return False
        task.cancel_pending = exc
        if task.state == PARKED:
            self._deliver_cancel(task)
        return True

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
        if when != when:
            raise ValueError("call_at() needs a time on the loop's clock, got NaN")
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
        if delay != delay:
            raise ValueError("call_later() needs a delay in seconds, got NaN")
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
            >>> loop = EventLoop()
            >>> loop.has_living_tasks()
            False
        """
        return bool(self._live) or bool(self.tasks)

    @property
    def selector(self) -> selectors.BaseSelector:
        """The loop's own selector (read-only; created on first use, closed by :meth:`close`).

        For inspection (``get_map()``, ``get_key()``): registering on it directly bypasses
        the loop; wait on file objects with ``lowlevel.wait_readable``/``wait_writable``.

        Example:
            >>> import socket
            >>> from flowno_eventloop.lowlevel import wait_readable
            >>> loop = EventLoop()
            >>> a, b = socket.socketpair()
            >>> async def reader():
            ...     await wait_readable(a)
            >>> async def main():
            ...     h = await spawn(reader())
            ...     watched = a.fileno() in loop.selector.get_map()
            ...     b.send(b"x")
            ...     await h.join()
            ...     return watched, a.fileno() in loop.selector.get_map()
            >>> from flowno_eventloop import spawn
            >>> loop.run_until_complete(main(), join=True)
            (True, False)
            >>> a.close(); b.close(); loop.close()
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
        """Seed-001 name: same as ``queue.close_nowait(self)``.

        Example:
            >>> from flowno_eventloop import AsyncQueue
            >>> q = AsyncQueue(); EventLoop().handle_queue_close(q); q.is_closed()
            True
        """
        queue.close_nowait(self)

    # ------------------------------------------------------------------ run

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
        run = self._begin(
            root_task, wait_for_spawned_tasks, None, None, self._handle_signals, _debug_max_wait_time
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
        return self._begin(root_task, wait_for_spawned_tasks, io, waker, False, None)

    def _begin(
        self,
        root_task: Coroutine[Any, Any, Any],
        wait_for_spawned_tasks: bool,
        io: IOBackend | None,
        waker: Waker | None,
        handle_signals: bool,
        max_wait: float | None,
    ) -> LoopRun:
        if self._running:
            _close_refused(root_task)
            raise RuntimeError("this EventLoop is already running (nested run on the same loop)")
        if root_task not in self._live:  # (a task made by create_task may be the root)
            try:
                self._check_coroutine(root_task, "run_until_complete")
            except RuntimeError:
                raise  # already started: not ours to close
            except TypeError:
                _close_refused(root_task)
                raise
        if io is not None and io is not self._io.backend and self._io.watches:
            _close_refused(root_task)
            raise RuntimeError("cannot switch the I/O backend while tasks wait on fds")
        self._running, self._thread = True, threading.get_ident()
        self._stop, self._exit, self._shutting_down = False, None, False
        self._wait_for_spawned = wait_for_spawned_tasks
        if io is not None:
            self._io.backend = io
        self._waker = waker if waker is not None else self._io.native
        signals = SignalGuard(self) if handle_signals else None
        try:
            if signals is not None:
                signals.install()
            context = contextvars.copy_context()
            context.run(current_loop_var.set, self)
            root = context.run(self._start_root, root_task)
        except BaseException:
            self._running, self._thread = False, None
            self._end_backend()
            if signals is not None:
                signals.restore()
            raise
        return LoopRun(self, root, context, signals=signals, max_wait=max_wait)

    def _start_root(self, root_task: Coroutine[Any, Any, Any]) -> TaskRecord:
        self._refresh_instrument()
        self._drain_inbox()
        root = self._live.get(root_task)
        if root is None:
            try:
                root = self._new_task(root_task, parent=None)
            except BaseException:  # an instrument hook refused it: never leave it unawaited
                self._live.pop(root_task, None)
                if self.tasks and self.tasks[-1][0] is root_task:
                    self.tasks.pop()
                _close_refused(root_task)
                raise
        self._root = root
        return root

    def _end_backend(self) -> None:
        """Back to the loop's own selector and waker after a run."""
        self._io.backend = self._io.native
        self._waker = self._io.native

    def _report_unobserved(self) -> None:
        """Log the failures of tasks nobody joined (like asyncio's "never retrieved")."""
        failed, self._unobserved = self._unobserved, []
        for task in failed:
            if not task.observed:
                exc = task.exc
                logger.error(
                    "Task %r raised an exception: %s%s",
                    task.coro,
                    exc,
                    _foreign_hint(exc),
                    exc_info=exc,
                )

    def _run_end_callbacks(self) -> None:
        """Run every ``call_at_run_end`` callback; re-raise the first failure after all ran."""
        error: BaseException | None = None
        while self._at_run_end:
            handles, self._at_run_end = self._at_run_end, []
            for handle in handles:
                try:
                    handle._run()  # pyright: ignore[reportPrivateUsage]
                except BaseException as failure:  # noqa: BLE001 - re-raised below
                    error = error or failure
        if error is not None:
            raise error

    def _blocked(self) -> list[TaskRecord]:
        return [t for t in self._live.values() if t.state == PARKED]

    def _refresh_instrument(self) -> None:
        inst = get_current_instrument()
        self._inst = inst
        self._hooks = inst is not EMPTY_INSTRUMENT or self._hooks_overridden

    def _run_ready(self) -> None:
        """Step batch after batch of ready packets while nothing else needs a look.

        A batch is the packets ready when it began. Between two batches the loop goes back to
        ``_run`` (selector poll, inbox, due timers) only if an fd is watched, a callback is
        queued or a timer exists; otherwise it goes straight on with the next batch. So I/O
        and timers are looked at exactly as often as with one batch per ``_run`` round, and a
        plain run of task switches pays nothing for them.
        """
        self._stuck_since = None
        if not self._hooks and self._plain_dispatch:
            self._step_batches()
            return
        tasks = self.tasks
        while True:
            self.batches += 1
            for _ in range(len(tasks)):
                if not tasks or self._stop:
                    return
                self._step(tasks.popleft())
            if (
                not tasks
                or self._stop
                or self._io.watches
                or self._inbox
                or len(self._timers)
                or self._sliced
            ):
                return

    def _step_batches(self) -> None:
        """``_run_ready`` with ``_step`` inlined for the common case (no hooks, no subclass
        dispatch, a ready task); built-in commands are served by type, the cheapest ones
        (``sleep(0)``, ``park``, ``spawn``, ``join`` of a finished task) in place.

        ``self._stop`` can only become true when a task finishes or a handler runs, so it is
        checked after those and not on the fast paths.
        """
        tasks = self.tasks
        popleft = tasks.popleft
        append = tasks.append
        live_get = self._live.get
        live = self._live
        handlers = self._handlers
        watches = self._io.watches
        inbox = self._inbox
        timers = self._timers
        set_current_task = current_task_var.set
        live_pop = live.pop
        root = self._root
        ready: int = READY
        woken: int = WOKEN
        running: int = RUNNING
        parked: int = PARKED
        done: int = DONE
        now = _NOW
        turn = TURN
        sleep_cmd, park_cmd, spawn_cmd, join_cmd = (
            SleepCommand,
            ParkCommand,
            SpawnCommand,
            JoinCommand,
        )
        coroutine_type, record = CoroutineType, TaskRecord
        steps = batches = 0
        try:
            while True:
                batches += 1
                count = len(tasks)
                while count:
                    count -= 1
                    try:
                        packet = popleft()
                    except IndexError:  # someone emptied the queue (legacy code)
                        return
                    coro, value, exc = packet
                    task = live_get(coro)
                    if task is None or task.state > woken or task.cancel_pending is not None:
                        self._step(packet)
                        if self._stop:
                            return
                        continue
                    task.state = running
                    steps += 1
                    command: Any
                    try:
                        if exc is None:
                            command = task.context.run(coro.send, value)  # type: ignore[union-attr]
                        else:
                            command = task.context.run(coro.throw, exc)  # type: ignore[union-attr]
                    except StopIteration as stop:
                        if task.joiners is None and task is not root:
                            # _finish inlined for the common end: nobody to wake, not the root
                            # (and no hooks: this loop only runs without them)
                            task.state = done
                            task.outcome, task.result = "ok", stop.value
                            task.cancel_pending = task.context = None
                            live_pop(coro, None)
                            continue
                        self._finish(task, "ok", stop.value, None)
                        if self._stop:
                            return
                        continue
                    except TaskCancelled as cancelled:
                        self._finish(task, "cancelled", None, cancelled)
                        if self._stop:
                            return
                        continue
                    except Exception as error:
                        self._finish(task, "error", None, error)
                        if self._stop:
                            return
                        continue
                    except BaseException as fatal:
                        self._finish(task, "error", None, fatal)
                        raise
                    kind = type(command)  # pyright: ignore[reportUnknownVariableType]
                    if kind is sleep_cmd and command.end_time == now:  # sleep(0): a checkpoint
                        # (a pending cancel is thrown in at its turn, except after TURN)
                        task.state = ready if command is not turn else woken
                        append((coro, None, None))
                        continue
                    if kind is park_cmd:
                        task.state = parked
                        task.reason = command.reason
                        task.on_cancel = command.on_cancel
                        if task.cancel_pending is not None:
                            self._deliver_cancel(task)
                        continue
                    if (
                        kind is spawn_cmd
                        and type(command.raw_task) is coroutine_type
                        and command.raw_task not in live
                        and not _already_started(command.raw_task)
                    ):
                        # (pyright: the type check above leaves the coroutine's parameters unknown)
                        raw = command.raw_task  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
                        context = task.context.copy()  # type: ignore[union-attr]
                        child = record(self, raw, context)  # pyright: ignore[reportUnknownArgumentType]
                        child.name = command.name
                        context.run(set_current_task, child.handle)
                        live[raw] = child
                        append((raw, None, None))  # pyright: ignore[reportUnknownArgumentType]
                        task.state = woken
                        append((coro, child.handle, None))
                        continue
                    if kind is join_cmd:
                        target = command.task_handle._task
                        if target.outcome is not None:  # already finished: re-queue now
                            target.observed = True
                            task.state = woken
                            append((coro, target.result, target.exc))
                            continue
                    handler = handlers.get(kind)  # pyright: ignore[reportUnknownArgumentType]
                    if handler is None:
                        self._dispatch(task, packet, command)
                    else:
                        self._serve(task, handler, command)
                    if self._stop:
                        return
                if not tasks or watches or inbox or timers.pending or self._sliced:
                    return
        finally:
            self.steps += steps
            self.batches += batches

    def _serve(self, task: TaskRecord, handler: CommandHandler, command: Command) -> None:
        """Run a command handler with the (running) task parked on the command."""
        task.state = PARKED
        task.reason = command
        task.on_cancel = None
        self._call_handler(task, handler, command)
        if task.cancel_pending is not None and task.state == PARKED:
            self._deliver_cancel(task)  # cancelled while it ran: now that it waits

    def _call_handler(self, task: TaskRecord, handler: CommandHandler, command: Command) -> None:
        """Built-in handlers never raise: their errors go to the task; others end the run."""
        try:
            handler(self, task.handle, command)
        except InstrumentHookError:
            raise
        except Exception as error:
            if not _is_builtin_handler(handler):
                raise
            logger.error("internal error in %r; sent to the task", handler, exc_info=error)
            self._resume(task, None, error)

    # ------------------------------------------------------------------ stepping

    def _step(self, packet: AnyPacket) -> None:
        coro, value, exc = packet
        task = self._live.get(coro)
        if task is None:
            task = self._adopt(coro)
            if task is None:
                return
        state = task.state
        if state == DONE:
            return
        if state == PARKED:  # a packet a legacy subclass queued for its own command: a wake
            self._unpark(task)
        elif state == READY and task.cancel_pending is not None:  # not a wake: cancel now
            exc = self._take_cancel(task) or exc
        if self._hooks:
            self._before_step_hooks(task, value, exc)
        task.state = RUNNING
        self.steps += 1
        self._stepping = task
        context = task.context
        assert context is not None
        try:
            if exc is None:
                command = context.run(coro.send, value)
            else:
                command = context.run(coro.throw, exc)
        except StopIteration as stop:
            self._finish(task, "ok", stop.value, None)
        except TaskCancelled as cancelled:
            self._finish(task, "cancelled", None, cancelled)
        except Exception as error:
            self._finish(task, "error", None, error)
        except BaseException as fatal:
            self._finish(task, "error", None, fatal)
            raise
        else:
            try:
                if self._hooks:
                    if exc is None:
                        self._hook(
                            "on_task_after_send", self._on_task_after_send, coro, value, command
                        )
                    else:
                        self._hook(
                            "on_task_after_throw", self._on_task_after_throw, coro, exc, command
                        )
            finally:
                self._dispatch(task, packet, command)
        finally:
            self._stepping = None

    def _before_step_hooks(self, task: TaskRecord, value: Any, exc: BaseException | None) -> None:
        """Fire before_send/before_throw; on failure put the packet back and re-raise."""
        try:
            if exc is None:
                self._hook("on_task_before_send", self._on_task_before_send, task.coro, value)
            else:
                self._hook("on_task_before_throw", self._on_task_before_throw, task.coro, exc)
        except InstrumentHookError:
            self.tasks.appendleft((task.coro, value, exc))
            raise

    def _dispatch(self, task: TaskRecord, packet: AnyPacket, command: object) -> None:
        if not self._handle_command(packet, command):  # type: ignore[arg-type]
            if task.state == RUNNING:
                self._resume(task, None, TypeError(_foreign_message(command)))
            return
        if task.state == RUNNING:  # handled by a subclass that will append to self.tasks
            self._park(task, command, None)
        if task.cancel_pending is not None and task.state == PARKED:
            self._deliver_cancel(task)

    def _handle_command(self, current_task_packet: AnyPacket, command: Command) -> bool:
        """Serve ``command`` for the task of ``current_task_packet``; False if unknown.

        The original's extension hook: a subclass calls ``super()._handle_command`` first and
        handles its own commands when it returns False (resuming the task by appending
        ``(task, value, None)`` to ``self.tasks``, or with ``wake``).
        """
        handler = self._handler_for(type(command))
        if handler is None:
            return False
        task = self._stepping
        if task is None or task.coro is not current_task_packet[0]:
            task = self._live[current_task_packet[0]]
        if task.state != PARKED:
            self._serve(task, handler, command)  # parked first, so the handler can wake() it
        else:  # a subclass parked it already
            self._park(task, command, None)
            self._call_handler(task, handler, command)
        return True

    def _handler_for(self, command_type: type) -> CommandHandler | None:
        handler = self._handlers.get(command_type)
        if handler is not None or command_type in self._no_handler:
            return handler
        for base in command_type.__mro__[1:]:
            handler = self._handlers.get(base)
            if handler is not None:
                self._handlers[command_type] = handler
                return handler
        self._no_handler.add(command_type)
        return None

    def _finish(
        self, task: TaskRecord, outcome: str, result: Any, exc: BaseException | None
    ) -> None:
        task.state = DONE
        task.outcome, task.result, task.exc = outcome, result, exc
        task.cancel_pending = None
        self._live.pop(task.coro, None)
        task.context = None
        if self._hooks:
            coro = task.coro
            if outcome == "ok":
                self._hook("on_task_completed", self._on_task_completed, coro, result)
            elif outcome == "cancelled":
                self._hook("on_task_cancelled", self._on_task_cancelled, coro, exc)
            elif isinstance(exc, Exception):
                self._hook("on_task_error", self._on_task_error, coro, exc)
        joiners = task.joiners
        if outcome == "error":
            _explain_foreign_failure(exc)
            task.observed = bool(joiners)
            if not joiners:
                self._unobserved.append(task)
        if joiners:
            task.joiners = None
            for joiner in joiners:
                self._wake(joiner, result, exc)
        if task is self._root and not self._wait_for_spawned:
            self._stop = True

    # ------------------------------------------------------------------ park / wake

    def _park(
        self, task: TaskRecord, reason: object, on_cancel: Callable[[], object] | None
    ) -> None:
        if task.state != PARKED:
            task.state = PARKED
        task.reason = reason
        task.on_cancel = on_cancel

    def _unpark(self, task: TaskRecord) -> None:
        task.state = WOKEN
        task.reason = None
        task.on_cancel = None

    def _resume(self, task: TaskRecord, value: Any, exc: BaseException | None) -> None:
        """Answer a running or parked task's command (a wake, queued at the tail)."""
        if task.state == PARKED:
            self._unpark(task)
        task.state = WOKEN
        self.tasks.append((task.coro, value, exc))

    def _requeue(self, task: TaskRecord) -> None:
        """A checkpoint: a plain turn at the tail (a pending cancel is thrown in then)."""
        task.state = READY
        self.tasks.append((task.coro, None, None))

    def _wake(self, task: TaskRecord, value: Any, exc: BaseException | None) -> bool:
        if task.state != PARKED:
            return False
        self._unpark(task)
        self.tasks.append((task.coro, value, exc))
        return True

    def _wake_public(self, task: TaskRecord, value: Any, exc: BaseException | None) -> bool:
        """``lowlevel.wake``/``wake_error``: a kernel-owned wait (sleep timer, join, fd
        registration) is cleaned up first, so it cannot fire later into another park."""
        if task.state != PARKED:
            return False
        if type(task.reason) in _KERNEL_PARKS and task.on_cancel is not None:
            cleanup, task.on_cancel = task.on_cancel, None
            cleanup()
        return self._wake(task, value, exc)

    def _wake_all(self, tasks: list[TaskRecord]) -> int:
        """``wake`` each of ``tasks`` (FIFO) in one go; return how many were woken."""
        ready = self.tasks
        plain = others = 0
        for task in tasks:
            if task.state != PARKED:
                continue
            if task.loop is not self or type(task.reason) in _KERNEL_PARKS:
                others += task.loop._wake_public(task, None, None)
            else:
                task.state = WOKEN
                task.reason = task.on_cancel = None
                ready.append((task.coro, None, None))
                plain += 1
        return plain + others

    def _deliver_cancel(self, task: TaskRecord) -> None:
        """Offer the pending cancel to a parked task's abort; wake it with it unless refused.

        A refusable abort (``park(abort=...)``) returning False keeps the task parked and
        the cancel pending: the primitive has handed the task what it waited for and wakes
        it; the cancel is thrown in at its next park or checkpoint. A cancel that a shield
        scope holds back stays pending too.
        """
        if self._cancel_to_throw(task) is None:
            return
        on_cancel = task.on_cancel
        error: BaseException | None = None
        if on_cancel is not None:
            task.on_cancel = None
            try:
                accepted = on_cancel()
            except Exception as failure:
                error = failure
            else:
                if accepted is False and type(on_cancel) is RefusableAbort:
                    return
        exc = self._take_cancel(task)
        if error is not None:
            error.__context__ = exc
            exc = error
        self._wake(task, None, exc)

    def _cancel_to_throw(self, task: TaskRecord) -> BaseException | None:
        """What a park or checkpoint of ``task`` would throw in now (None: nothing/shielded).

        A task cancel or an interrupt is held back by any shield scope around the task. A
        cancelled scope (level-triggered) gives a fresh exception for the outermost cancelled
        scope that no shield inside it hides, at every park until it exits.
        """
        pending = task.cancel_pending
        scopes = task.scopes
        if pending is None or not scopes:
            return None if pending is SCOPES_CANCELLED else pending
        if pending is not SCOPES_CANCELLED:
            return None if any(scope.shield for scope in scopes) else pending
        target = None
        for scope in scopes:  # outer first
            if scope.shield:
                target = None
            if target is None and scope.cancel_called:
                target = scope
        return None if target is None else target.cancel_exception(task.handle)

    def _take_cancel(self, task: TaskRecord) -> BaseException | None:
        """Consume what a park or checkpoint throws in now; re-arm for cancelled scopes."""
        exc = self._cancel_to_throw(task)
        if exc is None:
            if task.cancel_pending is SCOPES_CANCELLED and not _any_scope_cancelled(task):
                task.cancel_pending = None
            return None
        task.cancel_pending = SCOPES_CANCELLED if _any_scope_cancelled(task) else None
        return exc

    def _scope_exited(self, task: TaskRecord) -> None:
        """A cancel scope of ``task`` exited: drop the scope marker if nothing is left."""
        if task.cancel_pending is SCOPES_CANCELLED and not _any_scope_cancelled(task):
            task.cancel_pending = None

    def _scope_cancelled(self, task: TaskRecord) -> None:
        """A cancel scope of ``task`` was cancelled: throw it in now if parked, else later."""
        if task.state == DONE:
            return
        if task.cancel_pending is None:
            task.cancel_pending = SCOPES_CANCELLED
        if task.state == PARKED:
            self._deliver_cancel(task)

    # ------------------------------------------------------------------ tasks

    def _new_task(
        self, coro: Coroutine[Any, Any, Any], parent: Any, name: str | None = None
    ) -> TaskRecord:
        """A task whose context is a copy of the spawner's (the caller's outside a task)."""
        spawner = parent._task.context if isinstance(parent, TaskHandle) else None  # pyright: ignore[reportPrivateUsage]
        if spawner is not None and parent.event_loop is self:
            context = spawner.copy()  # the loop variable is already set in it
            task = TaskRecord(self, coro, context)
            context.run(current_task_var.set, task.handle)
        else:
            task = TaskRecord(self, coro, contextvars.copy_context())
            task.context.run(_enter_task_context, self, task.handle)  # type: ignore[union-attr]
        task.name = name
        self._register(task, parent)
        return task

    def _register(self, task: TaskRecord, parent: Any) -> None:
        """Make ``task`` (its context already prepared) live and ready, at the tail."""
        self._live[task.coro] = task
        self.tasks.append((task.coro, None, None))
        if self._hooks:
            self._hook(
                "on_task_spawned",
                self._inst.on_task_spawned,
                task.coro,
                getattr(parent, "raw_task", None),
            )

    def _task_for(self, coro: Coroutine[Any, Any, Any]) -> TaskRecord:
        task = self._live.get(coro)
        if task is not None:
            return task
        detached = TaskRecord(self, coro, None)
        detached.state = DONE  # not (or no longer) a live task of this loop: outcome unknown
        return detached

    def _adopt(self, coro: Any) -> TaskRecord | None:
        """A packet for an unknown coroutine (appended by legacy code): make it a task."""
        if not hasattr(coro, "send"):
            logger.error("dropping a ready packet that is not a coroutine: %r", coro)
            return None
        task = TaskRecord(self, coro, contextvars.copy_context())
        task.context.run(_enter_task_context, self, task.handle)  # type: ignore[union-attr]
        self._live[coro] = task
        return task

    def _force_close(self, task: TaskRecord) -> None:
        if task.state == PARKED:
            on_cancel = task.on_cancel
            self._unpark(task)
            if on_cancel is not None:
                on_cancel()
        try:
            _close_in_context(task)
        except RuntimeError as error:
            logger.error("task %r would not close: %s", task.coro, error)
        exc = TaskCancelled(task.handle)
        self._finish(task, "cancelled", None, exc)

    def _check_not_a_task(self, coro: object, caller: str) -> None:
        if coro in self._live:
            raise RuntimeError(
                f"{caller}() got the coroutine of a live task ({self._live[coro].handle!r}): "  # type: ignore[index]
                "a coroutine object runs as one task only; call the async function again"
            )

    @staticmethod
    def _check_coroutine(coro: object, caller: str) -> None:
        if not (hasattr(coro, "send") and hasattr(coro, "throw")):
            raise TypeError(
                f"{caller}() needs a coroutine (the result of calling an async def), got {coro!r}"
            )
        if _already_started(coro):
            raise RuntimeError(
                f"{caller}() got a coroutine that has already started or finished ({coro!r}): "
                "a coroutine object runs as one task only; call the async function again"
            )

    def _drain_inbox(self) -> None:
        inbox = self._inbox
        while inbox:
            callback, args = inbox.popleft()
            callback(*args)

    def _wake_io(self, events: list[tuple[int, int]]) -> None:
        """Wake the tasks whose fds the backend reported ready."""
        hooks = self._hooks
        for task, fileobj, readable in self._io.ready(events):
            task.on_cancel = None  # the watcher already dropped this registration
            if hooks:
                self._hook(
                    "on_io_wait_ready", self._inst.on_io_wait_ready, task.coro, fileobj, readable
                )
            self._wake(task, None, None)

    # ------------------------------------------------------------------ built-in commands

    def _cmd_spawn(self, handle: TaskHandle[Any], command: SpawnCommand[Any]) -> None:
        try:
            self._check_coroutine(command.raw_task, "spawn")
            self._check_not_a_task(command.raw_task, "spawn")
        except (TypeError, RuntimeError) as error:
            self._resume(handle._task, None, error)  # pyright: ignore[reportPrivateUsage]
            return
        child = self._new_task(command.raw_task, parent=handle, name=command.name)
        self._resume(handle._task, child.handle, None)  # pyright: ignore[reportPrivateUsage]

    def _cmd_join(self, handle: TaskHandle[Any], command: JoinCommand[Any]) -> None:
        me = handle._task  # pyright: ignore[reportPrivateUsage]
        target = command.task_handle._task  # pyright: ignore[reportPrivateUsage]
        if target.loop is not self and target.outcome is None and target.state != DONE:
            error = RuntimeError(f"cannot join {target.handle!r}: it belongs to another EventLoop")
            self._resume(me, None, error)
            return
        if target.state == DONE:
            if target.outcome is None:
                self._resume(
                    me, None, RuntimeError(f"cannot join {target.coro!r}: not a task of this loop")
                )
            else:
                target.observed = True
                self._resume(me, target.result, target.exc)
            return
        if target is me:
            self._resume(me, None, RuntimeError("a task cannot join itself"))
            return
        if target.joiners is None:
            target.joiners = {}
        joiners = target.joiners
        joiners[me] = None
        self._park(me, command, lambda: joiners.pop(me, None))

    def _cmd_sleep(self, handle: TaskHandle[Any], command: SleepCommand) -> None:
        me = handle._task  # pyright: ignore[reportPrivateUsage]
        end_time = command.end_time
        if end_time <= self.clock.now():
            if command is TURN:
                self._resume(me, None, None)
            else:
                self._requeue(me)
            return
        if end_time == _NEVER:  # sleep(inf): only a cancel ends it
            self._park(me, command, None)
            return
        timer = self._timers.add(command.end_time, self._wake, (me, None, None))
        self._park(me, command, timer.cancel)

    def _cmd_park(self, handle: TaskHandle[Any], command: ParkCommand) -> None:
        self._park(handle._task, command.reason, command.on_cancel)  # pyright: ignore[reportPrivateUsage]

    def _cmd_wait_readable(self, handle: TaskHandle[Any], command: WaitReadableCommand) -> None:
        self._wait_io(handle, command, command.fileobj, READ)

    def _cmd_wait_writable(self, handle: TaskHandle[Any], command: WaitWritableCommand) -> None:
        self._wait_io(handle, command, command.fileobj, WRITE)

    def _wait_io(self, handle: TaskHandle[Any], command: Command, fileobj: Any, event: int) -> None:
        me = handle._task  # pyright: ignore[reportPrivateUsage]
        try:
            self._io.add(me, fileobj, event)
        except (TypeError, ValueError, OSError, RuntimeError) as error:
            self._resume(me, None, error)
            return
        fd = fileno_of(fileobj)
        self._park(me, command, lambda: self._io.remove(fd, event))
        for stale, _, error in self._io.take_stale():  # closed behind the loop's back
            self._wake(stale, None, error)
        if self._hooks:
            self._hook(
                "on_io_wait_start", self._inst.on_io_wait_start, me.coro, fileobj, event == READ
            )

    def _cmd_exit(self, handle: TaskHandle[Any], command: ExitCommand) -> None:
        me = handle._task  # pyright: ignore[reportPrivateUsage]
        if self._exit is None:
            self._exit = LoopExit(command.return_value, command.exception)
        try:
            _close_in_context(me)
        except RuntimeError as error:
            logger.error("task %r ignored GeneratorExit after exit(): %s", me.coro, error)
        self._finish(me, "ok", command.return_value, None)
        if not self._shutting_down:
            self._shutting_down = True
            for task in list(self._live.values()):
                self.cancel(task.handle)

    def _cmd_cancel(self, handle: TaskHandle[Any], command: CancelCommand[Any]) -> None:
        self.cancel(command.task_handle)
        self._cmd_join(handle, JoinCommand(command.task_handle))

    # ------------------------------------------------------------------ hooks

    def _hook(self, name: str, hook: Callable[..., object], *args: Any) -> None:
        try:
            hook(*args)
        except Exception as error:
            raise InstrumentHookError(f"instrument hook {name} raised {error!r}") from error

    def _on_task_before_send(self, task: Any, value: Any) -> None:
        self._inst.on_task_before_send(TaskSendMetadata(task, value))

    def _on_task_after_send(self, task: Any, value: Any, command: Any) -> None:
        self._inst.on_task_after_send(TaskSendMetadata(task, value), command)

    def _on_task_before_throw(self, task: Any, exc: BaseException) -> None:
        self._inst.on_task_before_throw(TaskThrowMetadata(task, exc))

    def _on_task_after_throw(self, task: Any, exc: BaseException, command: Any) -> None:
        self._inst.on_task_after_throw(TaskThrowMetadata(task, exc), command)

    def _on_task_completed(self, task: Any, result: Any) -> None:
        self._inst.on_task_completed(task, result)

    def _on_task_error(self, task: Any, exc: Exception) -> None:
        self._inst.on_task_error(task, exc)

    def _on_task_cancelled(self, task: Any, exc: Exception) -> None:
        self._inst.on_task_cancelled(task, exc)

    def __repr__(self) -> str:
        state = "running" if self._running else "idle"
        return f"<EventLoop {state} live={len(self._live)} ready={len(self.tasks)}>"


_NEVER = float("inf")
_NOW = float("-inf")
"""``SleepCommand.end_time`` of ``sleep(0)`` (and of ``checkpoint()``): due at once."""

_KERNEL_PARKS = frozenset({SleepCommand, JoinCommand, WaitReadableCommand, WaitWritableCommand})


def _enter_task_context(loop: EventLoop, handle: TaskHandle[Any]) -> None:
    current_loop_var.set(loop)
    current_task_var.set(handle)


def _close_in_context(task: TaskRecord) -> None:
    """``coro.close()`` inside the task's own context, so its cleanup (``finally``,
    ``__aexit__``) sees the right ``current_task_handle()``."""
    context = task.context
    if context is None:
        task.coro.close()
    else:
        context.run(task.coro.close)


def _any_scope_cancelled(task: TaskRecord) -> bool:
    scopes = task.scopes
    return bool(scopes) and any(scope.cancel_called for scope in scopes)  # type: ignore[union-attr]


def _already_started(coro: object) -> bool:
    """True for a native coroutine that is running, suspended or closed (not just created)."""
    if type(coro) is not CoroutineType:
        return False
    native = cast("CoroutineType[Any, Any, Any]", coro)
    frame = native.cr_frame
    if frame is None or native.cr_running:
        return True
    if sys.version_info >= (3, 11):
        return native.cr_suspended
    return frame.f_lasti != -1


def _close_refused(coro: object) -> None:
    """Close a coroutine the loop refused to run, so it warns of nothing."""
    close = getattr(coro, "close", None)
    if close is not None:
        close()


def _is_builtin_handler(handler: object) -> bool:
    return getattr(handler, "__module__", None) in (__name__, COMPAT_HANDLERS_MODULE)


COMPAT_HANDLERS_MODULE = "flowno_eventloop._compat_commands"


_AIO_HINT = (
    "to await an asyncio awaitable from a flowno task use flowno_eventloop.aio.call(...)"
)


def _foreign_message(command: object) -> str:
    return (
        f"a flowno task awaited {command!r} ({type(command).__qualname__}), which the flowno "
        "EventLoop does not understand; foreign awaitables (asyncio, trio...) do not work "
        f"here: {_AIO_HINT}"
    )


def _is_sniffio_failure(exc: BaseException | None) -> bool:
    return type(exc).__name__ == "AsyncLibraryNotFoundError"


def _explain_foreign_failure(exc: BaseException | None) -> None:
    """sniffio found no async library: say how to call asyncio code (a note on 3.11+)."""
    if exc is not None and _is_sniffio_failure(exc) and sys.version_info >= (3, 11):
        exc.add_note(f"flowno: {_AIO_HINT}")


def _foreign_hint(exc: BaseException | None) -> str:
    """The same advice for the log on 3.10 (no exception notes there)."""
    if _is_sniffio_failure(exc) and sys.version_info < (3, 11):
        return f" ({_AIO_HINT})"
    return ""


_ = STATE_NAMES
