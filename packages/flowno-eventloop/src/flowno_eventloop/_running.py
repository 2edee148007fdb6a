"""One run of the loop as a tick: run ready work for a budget, then say how long to wait.

Rules:
- ``LoopRun.tick(budget)`` steps ready tasks, polls the I/O backend without blocking, drains
  the cross-thread inbox and runs due timers, until nothing is ready or the budget (real
  seconds) is spent. It never blocks. It returns ``0.0`` (call again at once), a number of
  seconds to wait at most, ``None`` (wait until I/O or a wake-up), or ``None`` with ``done``
  true when the run is over. Deadlock detection happens inside ``tick``.
- The native driver (``run_until_complete``) is ``tick``, then ``wait(timeout)`` (a blocking
  poll of the backend), in a loop. A host loop drives guest mode with the same ``tick``, its
  own fd callbacks (through its backend) and its own timers.
- Every wait handed to a backend is capped (a day), so no deadline can overflow a selector.
- On the way out (``finish``) a run that failed, or was interrupted, cancels the tasks still
  alive and runs them inside the loop (bounded), then closes what the run opened, restores
  signal handlers and re-raises.
"""

# pyright: reportPrivateUsage=false

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from flowno_eventloop._backend import IOBackend, Waker
from flowno_eventloop._context import current_loop_var
from flowno_eventloop._errors import DeadlockError
from flowno_eventloop._kernel import LoopExit, foreign_hint
from flowno_eventloop._signals import SignalGuard
from flowno_eventloop._spawning import close_refused
from flowno_eventloop._tasks import DONE, TaskRecord
from flowno_eventloop.instrumentation import EMPTY_INSTRUMENT

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = ["LoopRun", "start_run"]

logger = logging.getLogger("flowno.eventloop")

MAX_WAIT = 86400.0
"""The longest single wait handed to a backend, in seconds (longer ones are re-armed)."""
SHUTDOWN_GRACE = 5.0
"""Real seconds the tasks cancelled on the way out of a failed run get to finish."""


class LoopRun:
    """One run of an :class:`~flowno_eventloop.EventLoop`, driven tick by tick.

    Made by :meth:`EventLoop.begin_run`; ``run_until_complete`` is a small driver of it. A
    host loop (guest mode) calls :meth:`tick` from its callbacks: again at once when it
    returns ``0.0``, after at most the returned number of seconds, or when its backend
    reports I/O or its waker is called; then :meth:`finish` once :attr:`done`.

    Example:
        >>> from flowno_eventloop import EventLoop, MockClock, sleep
        >>> async def main():
        ...     await sleep(2)
        ...     return "slept"
        >>> loop = EventLoop(clock=MockClock())
        >>> run = loop.begin_run(main())
        >>> timeout = run.tick(budget=0.01)
        >>> while not run.done:
        ...     run.wait(timeout)  # a host loop would wait in its own way here
        ...     timeout = run.tick(budget=0.01)
        >>> run.finish(join=True)
        'slept'
    """

    def __init__(
        self,
        loop: EventLoop,
        root: TaskRecord,
        context: contextvars.Context,
        *,
        signals: SignalGuard | None,
        max_wait: float | None,
    ) -> None:
        self._loop = loop
        self._root = root
        self._signals = signals
        self._max_wait = max_wait
        self._context = context
        self._deadline: float | None = None
        self._failure: BaseException | None = None
        self._finished = False
        self._polled = False  # the native wait just polled the backend
        self.done: bool = False
        """True once the run is over (call :meth:`finish`)."""

    # ------------------------------------------------------------------ driver API

    def tick(self, budget: float | None = None) -> float | None:
        """Run ready work for at most ``budget`` real seconds (``None``: until idle).

        Returns:
            ``0.0`` when work is left (call again soon), else the seconds until the next
            timer, or ``None`` when only I/O, another thread or the end of the run can
            follow (check :attr:`done`).

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     return 7
            >>> run = EventLoop().begin_run(main())
            >>> run.tick(), run.done, run.finish(join=True)
            (None, True, 7)
        """
        if self.done:
            return None
        loop = self._loop
        loop._ticking = True
        if budget is not None:  # the batch loop returns once it is spent
            loop._slice_end = time.perf_counter() + budget
        try:
            return self._tick(budget)  # (tasks step in their own contexts)
        except BaseException as failure:
            self._failure = failure
            self.done = True
            raise
        finally:
            loop._ticking = False
            loop._slice_end = None

    def wait(self, timeout: float | None) -> None:
        """Block in the loop's own backend for at most ``timeout`` seconds (native driver).

        Does nothing once the run is :attr:`done`.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     pass
            >>> run = EventLoop().begin_run(main())
            >>> run.wait(0); run.tick(); run.finish()
        """
        if self.done:
            return
        self._block(timeout, self._deadline)
        self._polled = True

    def cancel(self) -> None:
        """Cancel every task of the run (the root first); keep ticking until :attr:`done`.

        Example:
            >>> from flowno_eventloop import EventLoop, sleep
            >>> async def main():
            ...     await sleep(3600)
            >>> run = EventLoop().begin_run(main())
            >>> _ = run.tick(); run.cancel(); _ = run.tick(); run.done
            True
            >>> run.finish()
        """
        self._loop._cancel_everything()

    def finish(self, join: bool = False) -> Any:
        """End the run: return the root's result (``join``) or None, or raise.

        A run that is not done (or failed) has its remaining tasks cancelled and run first.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     raise KeyError("k")
            >>> run = EventLoop().begin_run(main())
            >>> _ = run.tick()
            >>> try:
            ...     run.finish(join=True)
            ... except KeyError as e:
            ...     print("raised", e)
            raised 'k'
        """
        if self._finished:
            raise RuntimeError("LoopRun.finish() was already called")
        self._finished = True
        failure = self._failure
        try:
            if failure is not None or not self.done:
                self._shutdown()
            if failure is not None:
                raise failure
            return self._context.run(self._outcome, join)
        finally:
            self._context.run(self._close)

    # ------------------------------------------------------------------ the tick

    def _tick(self, budget: float | None) -> float | None:
        loop = self._loop
        end = None if budget is None else time.perf_counter() + budget
        tasks, io, timers = loop.tasks, loop._io, loop._timers
        if io.watches and not self._polled:  # what a host backend saw since the last tick
            loop._wake_io(io.poll(0))
        self._polled = False
        while not loop._stop:
            if tasks:
                loop._run_ready()
                if io.watches:
                    loop._wake_io(io.poll(0))
            elif not loop._live and not loop._inbox:
                break  # timers without tasks stay scheduled for the next run
            else:
                timeout = self._next_timeout()
                if timeout is None or timeout > 0:
                    return timeout
                if io.watches or self._deadline is not None:  # else nothing to poll for
                    self._block(0.0, self._deadline)
            if loop._inbox or len(timers):
                self._context.run(self._run_callbacks)
            if end is not None and time.perf_counter() >= end and not loop._stop:
                return 0.0
        self.done = True
        return None

    def _run_callbacks(self) -> None:
        """The inbox and the due timers, in the run's own context (where the loop is the
        current one); they may have entered an instrument, so it is looked up again."""
        loop = self._loop
        ran = False
        if loop._inbox:
            loop._drain_inbox()
            ran = True
        if len(loop._timers):
            for handle in loop._timers.pop_due(loop.clock.now()):
                handle._run()
                ran = True
        if ran:
            loop._refresh_instrument()

    def _block(self, timeout: float | None, deadline: float | None) -> None:
        """Wait in the backend; with nothing happening, let a virtual clock reach ``deadline``."""
        loop = self._loop
        if timeout is not None and not timeout <= MAX_WAIT:
            timeout = MAX_WAIT
        events = loop._io.poll(timeout)
        if events:
            loop._wake_io(events)
        elif deadline is not None and not loop._inbox and not loop._external_waiters:
            loop.clock.idle(deadline)

    def _next_timeout(self) -> float | None:
        """Nothing is ready: how long may the driver wait? Detects a deadlock (then 0)."""
        loop = self._loop
        self._deadline = None
        timers = loop._timers
        if loop._inbox or timers.soon:
            return 0.0
        deadline = timers.next_deadline() if len(timers) else None
        held = loop._external_waiters > 0
        timeout = None if deadline is None else self._timer_timeout(deadline, held)
        if not (timeout is not None or loop._io.watches or held):
            timeout = self._deadlock_grace_left()  # nothing here can wake a task
            if timeout is None:
                self._on_stuck()
                return 0.0
        max_wait = self._max_wait
        if max_wait is not None and (timeout is None or timeout > max_wait):
            if deadline is not None:
                logger.error(
                    "Sleeping task timeout %s exceeds max wait time %s.", timeout, max_wait
                )
            timeout = max_wait
        self._deadline = deadline
        if timeout is not None and not timeout <= MAX_WAIT:
            timeout = MAX_WAIT
        return timeout

    def _timer_timeout(self, deadline: float, held: bool) -> float | None:
        """Real seconds to block for the next timer; None: the clock will not get there alone."""
        clock = self._loop.clock
        timeout = clock.sleep_time(deadline)
        if held and timeout == 0 and deadline > clock.now():
            return None  # a virtual clock does not jump while a thread works for us
        return timeout

    def _deadlock_grace_left(self) -> float | None:
        """Real seconds to keep waiting for another thread before calling it a deadlock.

        Only while the root is unfinished: leftover tasks after the root ended are cancelled
        at once (a thread that will wake them must ``hold()`` the loop)."""
        loop = self._loop
        root = self._root
        if root.state == DONE or loop._shutting_down:
            return None
        if loop.deadlock_grace <= 0 or threading.active_count() <= 1:
            return None
        now = time.monotonic()
        if loop._stuck_since is None:
            loop._stuck_since = now
        left = loop.deadlock_grace - (now - loop._stuck_since)
        return left if left > 0 else None

    def _on_stuck(self) -> None:
        """Every live task is parked and nothing can wake any of them."""
        loop = self._loop
        root = self._root
        if loop._shutting_down:
            for task in list(loop._live.values()):
                loop._force_close(task)
            return
        blocked = loop._blocked()
        loop._shutting_down = True
        if root.state != DONE:
            lines = [f"  {t.handle!r} parked on {t.reason!r}" for t in blocked]
            error = DeadlockError(
                f"deadlock: the root task cannot finish; {len(blocked)} task(s) blocked forever:\n"
                + "\n".join(lines),
                [(t.handle, t.reason) for t in blocked],
            )
            loop._exit = LoopExit(None, error)
        else:
            logger.debug("root done; cancelling %d task(s) parked forever", len(blocked))
        for task in blocked:
            loop._cancel_task(task)

    # ------------------------------------------------------------------ the way out

    def _shutdown(self) -> None:
        """Cancel the tasks still alive and run them (bounded) so their cleanup runs here."""
        loop = self._loop
        if not loop._live:
            return
        loop._stop = False
        loop._shutting_down = True
        for task in list(loop._live.values()):
            if task.state != DONE:
                loop._cancel_task(task)
        give_up = time.monotonic() + SHUTDOWN_GRACE
        try:
            while loop._live and time.monotonic() < give_up:
                loop._stop = False
                timeout = self._tick(None)
                if not loop._live:
                    break
                left = give_up - time.monotonic()
                self._block(left if timeout is None else min(timeout, left), self._deadline)
        except BaseException as error:  # noqa: BLE001 - a second failure: close the rest
            logger.error("error while cancelling the remaining tasks", exc_info=error)
        for task in list(loop._live.values()):
            loop._force_close(task)
        loop.tasks.clear()

    def _outcome(self, join: bool) -> Any:
        loop = self._loop
        root = self._root
        exit_request = loop._exit
        if exit_request is not None:
            if exit_request.exception is not None:
                raise exit_request.exception
            return exit_request.value if join else None
        if not join:
            return None
        if root.outcome == "ok":
            return root.result
        if root.exc is not None:
            root.observed = True
            raise root.exc
        raise RuntimeError("Event loop exited without completing the root task.")

    def _close(self) -> None:
        loop = self._loop
        try:
            _report_unobserved(loop)
            _run_end_callbacks(loop)
        finally:
            loop._running, loop._thread, loop._root = False, None, None
            loop._inst, loop._hooks = EMPTY_INSTRUMENT, False
            loop._io.close()
            _end_backend(loop)
            if self._signals is not None:
                self._signals.restore()


def start_run(
    loop: EventLoop,
    root_task: Coroutine[Any, Any, Any],
    wait_for_spawned_tasks: bool,
    io: IOBackend | None,
    waker: Waker | None,
    handle_signals: bool,
    max_wait: float | None,
) -> LoopRun:
    if loop._running:
        close_refused(root_task)
        raise RuntimeError("this EventLoop is already running (nested run on the same loop)")
    if root_task not in loop._live:  # (a task made by create_task may be the root)
        try:
            loop._check_coroutine(root_task, "run_until_complete")
        except RuntimeError:
            raise  # already started: not ours to close
        except TypeError:
            close_refused(root_task)
            raise
    if io is not None and io is not loop._io.backend and loop._io.watches:
        close_refused(root_task)
        raise RuntimeError("cannot switch the I/O backend while tasks wait on fds")
    loop._running, loop._thread = True, threading.get_ident()
    loop._stop, loop._exit, loop._shutting_down = False, None, False
    loop._wait_for_spawned = wait_for_spawned_tasks
    if io is not None:
        loop._io.backend = io
    loop._waker = waker if waker is not None else loop._io.native
    signals = SignalGuard(loop) if handle_signals else None
    try:
        if signals is not None:
            signals.install()
        context = contextvars.copy_context()
        context.run(current_loop_var.set, loop)
        root = context.run(_start_root, loop, root_task)
    except BaseException:
        loop._running, loop._thread = False, None
        _end_backend(loop)
        if signals is not None:
            signals.restore()
        raise
    return LoopRun(loop, root, context, signals=signals, max_wait=max_wait)


def _start_root(loop: EventLoop, root_task: Coroutine[Any, Any, Any]) -> TaskRecord:
    loop._refresh_instrument()
    loop._drain_inbox()
    root = loop._live.get(root_task)
    if root is None:
        try:
            root = loop._new_task(root_task, parent=None)
        except BaseException:  # an instrument hook refused it: never leave it unawaited
            loop._live.pop(root_task, None)
            if loop.tasks and loop.tasks[-1][0] is root_task:
                loop.tasks.pop()
            close_refused(root_task)
            raise
    loop._root = root
    return root


def _end_backend(loop: EventLoop) -> None:
    """Back to the loop's own selector and waker after a run."""
    loop._io.backend = loop._io.native
    loop._waker = loop._io.native


def _report_unobserved(loop: EventLoop) -> None:
    """Log the failures of tasks nobody joined (like asyncio's "never retrieved")."""
    failed, loop._unobserved = loop._unobserved, []
    for task in failed:
        if not task.observed:
            exc = task.exc
            logger.error(
                "Task %r raised an exception: %s%s",
                task.coro,
                exc,
                foreign_hint(exc),
                exc_info=exc,
            )


def _run_end_callbacks(loop: EventLoop) -> None:
    """Run every ``call_at_run_end`` callback; re-raise the first failure after all ran."""
    error: BaseException | None = None
    while loop._at_run_end:
        handles, loop._at_run_end = loop._at_run_end, []
        for handle in handles:
            try:
                handle._run()  # pyright: ignore[reportPrivateUsage]
            except BaseException as failure:  # noqa: BLE001 - re-raised below
                error = error or failure
    if error is not None:
        raise error
