"""Tasks: the per-task record, the public TaskHandle, TaskCancelled and the cancel request.

Rules: a task's whole state lives on its ``TaskRecord`` record (owned by the loop while the task
lives, then only by its handles), so nothing loop-wide grows with finished tasks. State
changes happen only on the loop thread, through the loop (``_loop.py``). A handle compares
and hashes by its coroutine.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from typing_extensions import final

from flowno_eventloop._commands import Command, JoinCommand
from flowno_eventloop._native import native_coroutine

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)

__all__ = [
    "SCOPES_CANCELLED",
    "CancelRequest",
    "TaskCancelled",
    "TaskHandle",
    "TaskRecord",
    "check_task_name",
    "new_record",
]

# Task states (a small closed set; transitions are made by the loop only):
#   READY   -> RUNNING                 stepped (a pending cancel is thrown in instead)
#   WOKEN   -> RUNNING                 stepped with its wake (a pending cancel waits)
#   RUNNING -> READY                   a checkpoint (sleep(0)): a plain turn at the tail
#   RUNNING -> WOKEN                   a command answered at once (spawn, join of a done task)
#   RUNNING -> PARKED                  a park (a pending cancel is offered to its abort)
#   PARKED  -> WOKEN                   wake / wake_error / an accepted cancel: once per park
#   RUNNING -> DONE                    returned, raised or cancelled
READY = 0  # a plain turn is queued (created, never stepped; or a checkpoint)
WOKEN = 1  # a wake is queued: its value or exception is delivered before any cancel
RUNNING = 2  # being stepped right now
PARKED = 3  # waiting for wake()/wake_error()/cancel
DONE = 4  # returned, raised or was cancelled; outcome is stored

STATE_NAMES = ("ready", "ready", "running", "parked", "done")


class TaskCancelled(Exception):
    """Thrown into a cancelled task. ``by`` is the handle of the *cancelled* task (as in the
    original); ``str(e) == "Task was cancelled"``.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep
        >>> async def sleeper():
        ...     await sleep(10)
        >>> async def main():
        ...     h = await spawn(sleeper())
        ...     await sleep(0)
        ...     h.cancel()
        ...     try:
        ...         await h.join()
        ...     except TaskCancelled as e:
        ...         return str(e), e.by == h
        >>> EventLoop().run_until_complete(main(), join=True)
        ('Task was cancelled', True)
    """

    def __init__(self, by: TaskHandle[Any]) -> None:
        super().__init__(by)
        self.by = by

    def __str__(self) -> str:
        return "Task was cancelled"


class TaskRecord:
    """The loop's record of one task (internal to the package; reached as ``handle._task``)."""

    __slots__ = (
        "__weakref__",
        "cancel_pending",
        "context",
        "coro",
        "exc",
        "handle",
        "joiners",
        "loop",
        "name",
        "observed",
        "on_cancel",
        "outcome",
        "reason",
        "result",
        "scopes",
        "state",
    )

    # Made by ``new_record`` (no ``__init__``: a class call runs the initializer through a
    # slower path than a plain function call, and every spawn makes one).
    loop: EventLoop
    coro: Coroutine[Any, Any, Any]
    context: contextvars.Context | None
    state: int
    reason: object
    on_cancel: Callable[[], object] | None
    cancel_pending: BaseException | None
    outcome: str | None  # "ok" | "error" | "cancelled"
    result: Any
    exc: BaseException | None
    joiners: dict[TaskRecord, None] | None
    handle: TaskHandle[Any]  # None once the task has ended (see the loop)
    # Set only when needed (read with getattr; an unset slot costs nothing at spawn):
    # ``name`` (str | None; None: the coroutine's qualname), ``scopes`` (the cancel
    # scopes it is inside, outer first) and ``observed`` (set when it fails, and when its
    # failure is taken by a join).
    name: str | None
    scopes: list[Any] | None
    observed: bool

    def __repr__(self) -> str:
        name = getattr(self, "name", None) or _coro_name(self.coro)
        return f"<task {name} {STATE_NAMES[self.state]}>"


def new_record(
    loop: EventLoop, coro: Coroutine[Any, Any, Any], context: contextvars.Context | None
) -> TaskRecord:
    """A ready task's record, with its handle (built without ``TaskHandle.__init__`` too)."""
    record: TaskRecord = _new_handle(TaskRecord)
    record.loop = loop
    record.coro = coro
    record.context = context
    record.state = READY
    record.reason = record.on_cancel = record.cancel_pending = None
    record.outcome = record.result = record.exc = record.joiners = None
    handle: TaskHandle[Any] = _new_handle(TaskHandle)
    handle.event_loop = loop
    handle.raw_task = coro
    handle._task = record  # pyright: ignore[reportPrivateUsage]
    record.handle = handle
    return record


class ScopesCancelled(BaseException):
    """``cancel_pending`` marker: a cancel scope of the task is cancelled (see the loop)."""


SCOPES_CANCELLED = ScopesCancelled()
"""The one marker: the exception to throw is computed from the task's scopes at delivery."""


_new_handle: Callable[[type[object]], Any] = object.__new__


def _coro_name(coro: object) -> str:
    return str(getattr(coro, "__qualname__", None) or type(coro).__name__)


def check_task_name(name: object) -> str | None:
    """Return ``name`` if it is a ``str`` or None, else raise a TypeError naming it."""
    if name is None or isinstance(name, str):
        return name
    raise TypeError(f"a task name must be a str or None, got {name!r}")


@final
class TaskHandle(Generic[_T_co]):
    """A handle on a task: join it, cancel it, read its outcome.

    Returned by :func:`~flowno_eventloop.spawn` and :meth:`EventLoop.create_task`. Handles
    compare equal (and hash) by their coroutine. ``TaskHandle(loop, coro)`` looks up the live
    task of ``coro`` in ``loop``.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn
        >>> async def child():
        ...     return 42
        >>> async def main():
        ...     h = await spawn(child())
        ...     return await h.join(), h.is_finished, h.is_error, h.is_cancelled
        >>> EventLoop().run_until_complete(main(), join=True)
        (42, True, False, False)
    """

    __slots__ = ("_task", "event_loop", "raw_task")

    def __init__(
        self,
        event_loop: EventLoop,
        raw_task: Coroutine[Any, Any, _T_co],
        *,
        _task: TaskRecord | None = None,
    ) -> None:
        self.event_loop: EventLoop = event_loop
        self.raw_task: Coroutine[Any, Any, _T_co] = raw_task
        if _task is None:
            _task = event_loop._task_for(raw_task)  # pyright: ignore[reportPrivateUsage]
        self._task = _task

    @property
    def name(self) -> str:
        """The task's name: given to ``spawn``/``create_task``, else its coroutine's qualname.

        Writable; shown by ``repr``, :class:`DeadlockError` and ``statistics()``.

        Example:
            >>> from flowno_eventloop import EventLoop, spawn, sleep
            >>> async def worker():
            ...     await sleep(0)
            >>> async def main():
            ...     a = await spawn(worker())
            ...     b = await spawn(worker(), name="f.b0")
            ...     a.name = "renamed"
            ...     return a.name, b.name, repr(b)
            >>> EventLoop().run_until_complete(main(), join=True)
            ('renamed', 'f.b0', '<TaskHandle f.b0 ready>')
        """
        return getattr(self._task, "name", None) or _coro_name(self.raw_task)

    @name.setter
    def name(self, value: str) -> None:
        if not isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"TaskHandle.name must be a str, got {value!r}")
        self._task.name = value

    @property
    def is_finished(self) -> bool:
        """True when the task returned normally.

        Example:
            >>> from flowno_eventloop import EventLoop, spawn, sleep
            >>> async def main():
            ...     h = await spawn(sleep(0)); await h.join(); return h.is_finished
            >>> EventLoop().run_until_complete(main(), join=True)
            True
        """
        return self._task.outcome == "ok"

    @property
    def is_error(self) -> bool:
        """True when the task ended with an exception other than :class:`TaskCancelled`.

        Example:
            >>> from flowno_eventloop import EventLoop, spawn, sleep
            >>> async def main():
            ...     h = await spawn(sleep(0)); return h.is_error
            >>> EventLoop().run_until_complete(main(), join=True)
            False
        """
        return self._task.outcome == "error"

    @property
    def is_cancelled(self) -> bool:
        """True when the task ended with :class:`TaskCancelled`.

        Example:
            >>> from flowno_eventloop import EventLoop, spawn, sleep
            >>> async def main():
            ...     h = await spawn(sleep(1)); await h.cancel(); return h.is_cancelled
            >>> EventLoop().run_until_complete(main(), join=True)
            True
        """
        return self._task.outcome == "cancelled"

    @property
    def done(self) -> bool:
        """True when the task has ended, whatever the outcome.

        Example:
            >>> from flowno_eventloop import EventLoop, spawn, sleep
            >>> async def main():
            ...     h = await spawn(sleep(0)); before = h.done; await h.join(); return before, h.done
            >>> EventLoop().run_until_complete(main(), join=True)
            (False, True)
        """
        return self._task.state == DONE

    @property
    def state(self) -> str:
        """The task's state: ``"ready"``, ``"running"``, ``"parked"`` or ``"done"``.

        Example:
            >>> from flowno_eventloop import EventLoop, spawn, sleep
            >>> async def main():
            ...     h = await spawn(sleep(1)); return h.state
            >>> EventLoop().run_until_complete(main(), join=True)
            'parked'
        """
        return STATE_NAMES[self._task.state]

    @property
    def park_reason(self) -> object:
        """What the task is parked on (``None`` unless parked).

        Example:
            >>> from flowno_eventloop import EventLoop, spawn, sleep
            >>> async def main():
            ...     h = await spawn(sleep(1)); r = h.park_reason; h.cancel(); return type(r).__name__
            >>> EventLoop().run_until_complete(main(), join=True)
            'SleepCommand'
        """
        return self._task.reason if self._task.state == PARKED else None

    @native_coroutine
    def join(self) -> Generator[Command, Any, _T_co]:
        """Wait until the task ends; return its result or raise its exception.

        If the task has already ended this returns at once, without a turn at the back of the
        ready queue (like ``await`` on a done asyncio task; 0.1.19 yielded here).

        Example:
            >>> from flowno_eventloop import EventLoop, spawn
            >>> async def boom():
            ...     raise KeyError("missing")
            >>> async def main():
            ...     h = await spawn(boom())
            ...     try:
            ...         await h.join()
            ...     except KeyError as e:
            ...         return repr(e), h.is_error
            >>> EventLoop().run_until_complete(main(), join=True)
            ("KeyError('missing')", True)
        """
        task = self._task
        if task.outcome is not None:  # already finished: no round trip (like asyncio)
            if task.exc is not None:
                task.observed = True
                raise task.exc
            finished: _T_co = task.result
            return finished
        result: _T_co = yield JoinCommand(self)
        return result

    def cancel(self) -> CancelRequest[_T_co]:
        """Request cancellation now; return an awaitable that is truthy if it was not done.

        See :meth:`EventLoop.cancel`.

        Example:
            >>> from flowno_eventloop import EventLoop, spawn, sleep
            >>> async def main():
            ...     h = await spawn(sleep(5))
            ...     first = bool(h.cancel())
            ...     print(await h.cancel())  # awaiting gives None: it was cancelled
            ...     return first, bool(h.cancel())
            >>> EventLoop().run_until_complete(main(), join=True)
            None
            (True, False)
        """
        return self.event_loop.cancel(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TaskHandle):
            other_handle: TaskHandle[Any] = other  # pyright: ignore[reportUnknownVariableType]
            return self.raw_task is other_handle.raw_task
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.raw_task)

    def __repr__(self) -> str:
        return f"<TaskHandle {self.name} {STATE_NAMES[self._task.state]}>"


@final
class CancelRequest(Generic[_T]):
    """What :meth:`TaskHandle.cancel` returns: truthy (the original's ``bool``) and awaitable.

    ``bool(req)`` is True if the task had not ended (the cancellation was requested). Awaiting
    it waits for the task to end: it gives the result if the task caught the cancellation and
    returned, ``None`` if :class:`TaskCancelled` ended it, and re-raises any other exception;
    for a task that had already ended it returns its result or raises its stored exception.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn, sleep, TaskCancelled
        >>> async def stubborn():
        ...     try:
        ...         await sleep(5)
        ...     except TaskCancelled:
        ...         return "cleaned up"
        >>> async def main():
        ...     h = await spawn(stubborn())
        ...     await sleep(0)
        ...     return await h.cancel()
        >>> EventLoop().run_until_complete(main(), join=True)
        'cleaned up'
    """

    __slots__ = ("_handle", "_requested")

    def __init__(self, handle: TaskHandle[_T], requested: bool) -> None:
        self._handle = handle
        self._requested = requested

    def __bool__(self) -> bool:
        return self._requested

    def __repr__(self) -> str:
        return repr(self._requested)  # prints like the original's bool

    def __await__(self) -> Generator[Command, Any, _T | None]:
        handle = self._handle
        try:
            result: _T = yield JoinCommand(handle)
        except TaskCancelled as exc:
            if self._requested and exc is handle._task.exc:  # pyright: ignore[reportPrivateUsage]
                return None
            raise
        return result
