"""The kernel: task records, park / wake / cancel, and a task's way to done.

Rules:
- Task states and their transitions are listed once, in ``_tasks.py``; only this class
  changes them. A parked task is woken exactly once per park (``_wake``); a cancel or a
  cancel scope that arrives while a wake is queued stays pending until the next park or
  checkpoint; an abort may refuse (``RefusableAbort``).
- The ready queue ``self.tasks`` holds ``(coroutine, value, exception)`` packets (the
  original's shape, so subclasses may append to it); only live tasks are in ``self._live``;
  the outcome stays on the record (nothing grows with finished tasks).
- It imports nothing above it: spawning, stepping, dispatch, running and the public loop
  build on it.
"""

from __future__ import annotations

import logging
import sys
from collections import deque
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from flowno_eventloop._backend import Waker
from flowno_eventloop._clock import Clock, MonotonicClock
from flowno_eventloop._commands import (
    JoinCommand,
    RefusableAbort,
    SleepCommand,
    WaitReadableCommand,
    WaitWritableCommand,
)
from flowno_eventloop._hooks import HOOK_NAMES, InstrumentPlumbing

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop
from flowno_eventloop._io import IOWatcher
from flowno_eventloop._tasks import (
    DONE,
    PARKED,
    READY,
    SCOPES_CANCELLED,
    WOKEN,
    TaskCancelled,
    TaskHandle,
    TaskRecord,
)
from flowno_eventloop._timers import TimerHandle, TimerQueue
from flowno_eventloop.instrumentation import (
    EMPTY_INSTRUMENT,
    EventLoopInstrument,
)
from flowno_eventloop.types import AnyPacket

__all__ = ["Kernel", "LoopExit"]

logger = logging.getLogger("flowno.eventloop")

Handler = Callable[[Any, TaskHandle[Any], Any], None]


class LoopExit:
    """What ``exit()`` asked the run to return or raise (internal)."""

    __slots__ = ("exception", "value")

    def __init__(self, value: object, exception: BaseException | None) -> None:
        self.value = value
        self.exception = exception


class Kernel(InstrumentPlumbing):
    """Task records and their transitions (internal base class of the loop)."""

    steps: int
    """How many task steps the loop has run (all runs)."""
    batches: int
    """How many batches of ready tasks the loop has run (all runs)."""

    @property
    def _as_loop(self) -> EventLoop:
        """This loop, typed as the public class it always is."""
        return self  # type: ignore[return-value]  # pyright: ignore[reportReturnType]

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
        self._delegates: dict[Any, TaskRecord] = {}  # trampoline -> task (see ``_delegate``)
        self._timers = TimerQueue()
        self._io = IOWatcher()
        self._inbox: deque[tuple[Callable[..., object], tuple[Any, ...]]] = deque()
        self._external_waiters: int = 0
        self._handle_signals = handle_signals
        self._handlers: dict[type, Handler] = {}
        self._no_handler: set[type] = set()
        self._running = False
        self._thread: int | None = None
        self._stepping: TaskRecord | None = None
        self._root: TaskRecord | None = None
        self._stop = False
        self._exit: LoopExit | None = None
        self._ticking = False
        self._slice_end: float | None = None  # perf_counter() deadline of a budgeted tick
        self._waker: Waker = self._io.native
        self._shutting_down = False
        self._wait_for_spawned = True
        self._hooks_overridden = any(
            getattr(type(self), name) is not getattr(InstrumentPlumbing, name)
            for name in HOOK_NAMES
        )
        self._at_run_end: list[TimerHandle] = []
        self._unobserved: list[TaskRecord] = []
        self._plain_dispatch = False
        self._inst: EventLoopInstrument = EMPTY_INSTRUMENT
        self._hooks = False
        self.steps: int = 0
        self.batches: int = 0
        self._install_handlers()

    def _install_handlers(self) -> None:
        """Fill ``self._handlers`` (each layer above adds its commands)."""

    def _cancel_task(self, task: TaskRecord) -> bool:
        """Cancel ``task`` (see ``EventLoop.cancel``); False if it had already ended."""
        if task.state == DONE:
            return False
        if not isinstance(task.cancel_pending, TaskCancelled):  # beats a pending interrupt
            task.cancel_pending = TaskCancelled(task.handle)
            if task.state == PARKED:
                self._deliver_cancel(task)
        return True

    def _cancel_everything(self) -> None:
        """Cancel the root and every live task (``EventLoop.stop``)."""
        if self._running:
            first = [self._root] if self._root is not None else []
            for task in dict.fromkeys([*first, *self._live.values()]):  # each once
                self._cancel_task(task)

    def _interrupt(self, task: TaskRecord, exc: BaseException) -> bool:
        """Cancel ``task`` with ``exc`` (see ``lowlevel.interrupt``)."""
        if task.state == DONE or task.cancel_pending is not None:
            return False
        task.cancel_pending = exc
        if task.state == PARKED:
            self._deliver_cancel(task)
        return True

    def _blocked(self) -> list[TaskRecord]:
        return [t for t in self._live.values() if t.state == PARKED]

    def _finish(
        self, task: TaskRecord, outcome: str, result: Any, exc: BaseException | None
    ) -> None:
        task.state = DONE
        task.outcome, task.result, task.exc = outcome, result, exc
        task.cancel_pending = None
        self._live.pop(task.coro, None)
        task.context = None
        task.handle = None  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]  # (no cycle)
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
            explain_foreign_failure(exc)
            task.observed = bool(joiners)
            if not joiners:
                self._unobserved.append(task)
        if joiners:
            task.joiners = None
            for joiner in joiners:
                self._wake(joiner, result, exc)
        if task is self._root and not self._wait_for_spawned:
            self._stop = True

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
        if task.on_cancel is not None and type(task.reason) in KERNEL_PARKS:
            cleanup, task.on_cancel = task.on_cancel, None
            cleanup()
            if task.state != PARKED:
                return False
        # ``_wake`` and ``_unpark`` inlined: this is every primitive's wake (hot path).
        task.state = WOKEN
        task.reason = task.on_cancel = None
        self.tasks.append((task.coro, value, exc))
        return True

    def _wake_all(self, tasks: list[TaskRecord]) -> int:
        """``wake`` each of ``tasks`` (FIFO) in one go; return how many were woken."""
        ready = self.tasks
        plain = others = 0
        for task in tasks:
            if task.state != PARKED:
                continue
            if task.loop is not self or type(task.reason) in KERNEL_PARKS:
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
        scopes = getattr(task, "scopes", None)
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
            if task.cancel_pending is SCOPES_CANCELLED and not any_scope_cancelled(task):
                task.cancel_pending = None
            return None
        task.cancel_pending = SCOPES_CANCELLED if any_scope_cancelled(task) else None
        return exc

    def _scope_exited(self, task: TaskRecord) -> None:
        """A cancel scope of ``task`` exited: drop the scope marker if nothing is left."""
        if task.cancel_pending is SCOPES_CANCELLED and not any_scope_cancelled(task):
            task.cancel_pending = None

    def _scope_cancelled(self, task: TaskRecord) -> None:
        """A cancel scope of ``task`` was cancelled: throw it in now if parked, else later."""
        if task.state == DONE:
            return
        if task.cancel_pending is None:
            task.cancel_pending = SCOPES_CANCELLED
        if task.state == PARKED:
            self._deliver_cancel(task)

    def _force_close(self, task: TaskRecord) -> None:
        if task.state == PARKED:
            on_cancel = task.on_cancel
            self._unpark(task)
            if on_cancel is not None:
                on_cancel()
        try:
            close_in_context(task)
        except RuntimeError as error:
            logger.error("task %r would not close: %s", task.coro, error)
        exc = TaskCancelled(task.handle)
        self._finish(task, "cancelled", None, exc)

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


NEVER = float("inf")


_NOW = float("-inf")
"""``SleepCommand.end_time`` of ``sleep(0)`` (and of ``checkpoint()``): due at once."""


KERNEL_PARKS = frozenset({SleepCommand, JoinCommand, WaitReadableCommand, WaitWritableCommand})


def close_in_context(task: TaskRecord) -> None:
    """``coro.close()`` inside the task's own context, so its cleanup (``finally``,
    ``__aexit__``) sees the right ``current_task_handle()``."""
    context = task.context
    if context is None:
        task.coro.close()
    else:
        context.run(task.coro.close)


def any_scope_cancelled(task: TaskRecord) -> bool:
    scopes: list[Any] | None = getattr(task, "scopes", None)
    return bool(scopes) and any(scope.cancel_called for scope in scopes)  # type: ignore[union-attr]


AIO_HINT = "to await an asyncio awaitable from a flowno task use flowno_eventloop.aio.call(...)"


def is_sniffio_failure(exc: BaseException | None) -> bool:
    return type(exc).__name__ == "AsyncLibraryNotFoundError"


def explain_foreign_failure(exc: BaseException | None) -> None:
    """sniffio found no async library: say how to call asyncio code (a note on 3.11+)."""
    if exc is not None and is_sniffio_failure(exc) and sys.version_info >= (3, 11):
        exc.add_note(f"flowno: {AIO_HINT}")


def foreign_hint(exc: BaseException | None) -> str:
    """The same advice for the log on 3.10 (no exception notes there)."""
    if is_sniffio_failure(exc) and sys.version_info < (3, 11):
        return f" ({AIO_HINT})"
    return ""
