"""Spawning: a coroutine becomes a live task (its context, its record, its first turn).

Rules:
- A task's context is a copy of its spawner's (the caller's outside a task), with the loop
  and the task handle set in it; a task made on another thread is registered on the loop
  thread through the inbox.
- Only a fresh native coroutine (created, never started) or a coroutine-like object is run;
  one that is refused is closed so that it warns of nothing. Refusing is the spawner's error,
  raised in the spawner (a finished coroutine on the fast path: when its first step fails).
- It builds on the kernel's records and transitions and imports nothing above it.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Coroutine
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from flowno_eventloop._context import current_loop_var, current_task_var
from flowno_eventloop._kernel import Kernel
from flowno_eventloop._tasks import DONE, TaskHandle, TaskRecord, new_record

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = ["Spawning", "already_started", "close_refused", "raise_if_reused", "spawn_here"]

logger = logging.getLogger("flowno.eventloop")

_copy_context = contextvars.copy_context
_set_current_task = current_task_var.set


class Spawning(Kernel):
    """Making tasks from coroutines (internal base class of the loop)."""

    def _new_task(
        self, coro: Coroutine[Any, Any, Any], parent: Any, name: str | None = None
    ) -> TaskRecord:
        """A task whose context is a copy of the spawner's (the caller's outside a task)."""
        spawner = parent._task.context if isinstance(parent, TaskHandle) else None  # pyright: ignore[reportPrivateUsage]
        if spawner is not None and parent.event_loop is self:
            context = spawner.copy()  # the loop variable is already set in it
            task = new_record(self._as_loop, coro, context)
            context.run(current_task_var.set, task.handle)
        else:
            task = new_record(self._as_loop, coro, contextvars.copy_context())
            task.context.run(enter_task_context, self._as_loop, task.handle)  # type: ignore[union-attr]
        task.name = name
        self._register(task, parent)
        return task

    def _spawn_here(
        self, coro: Coroutine[Any, Any, Any], name: str | None
    ) -> TaskHandle[Any] | None:
        """``spawn()`` served in the spawning task's own step, without a command; None if the
        loop must serve it (hooks, a subclass's dispatch, not a fresh native coroutine).

        The child gets a copy of the current (the spawner's) context and is queued now; the
        spawner then takes a turn at the tail (``TURN``), so the child still runs first.

        On 3.11+ a *finished* coroutine is not refused here: telling it from a fresh one
        means reading ``cr_frame``, which builds a frame object for every spawned coroutine
        (about 3% of a spawn). Its first step fails instead, before the spawner resumes, and
        ``raise_if_reused`` turns that failure into the spawner's error.
        """
        candidate: object = coro
        if self._hooks or not self._plain_dispatch or type(candidate) is not CoroutineType:
            return None
        native: Any = coro  # (not narrowed: ``cr_suspended`` is typed from 3.11 on)
        if (
            (native.cr_suspended or native.cr_running)
            if _SUSPENDED_KNOWN  # (not ``_not_fresh``: no ``cr_frame`` read, see above)
            else _not_fresh(native)
        ) or coro in self._live:
            return None  # the loop's path raises the clear error in the spawning task
        context = _copy_context()
        task = new_record(self, coro, context)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
        if name is not None:
            task.name = name
        handle = task.handle
        context.run(_set_current_task, handle)
        self._live[coro] = task
        self.tasks.append((coro, None, None))
        return handle

    def _new_task_from_thread(
        self, coro: Coroutine[Any, Any, Any], name: str | None
    ) -> TaskHandle[Any]:
        """A task made on another thread: registered on the loop thread (inbox + wake-up).

        Returns its handle, read before the task is posted: the loop thread may run and finish
        the task (and its record drop the handle) before this thread looks again."""
        task = new_record(self._as_loop, coro, contextvars.copy_context())
        task.name = name
        handle = task.handle
        task.context.run(enter_task_context, self._as_loop, handle)  # type: ignore[union-attr]
        self._inbox.append((self._register, (task, None)))
        self._waker.wakeup()
        return handle

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
        detached = new_record(self._as_loop, coro, None)
        detached.state = DONE  # not (or no longer) a live task of this loop: outcome unknown
        return detached

    def _adopt(self, coro: Any) -> TaskRecord | None:
        """A packet for an unknown coroutine (appended by legacy code): make it a task."""
        if not hasattr(coro, "send"):
            logger.error("dropping a ready packet that is not a coroutine: %r", coro)
            return None
        task = new_record(self._as_loop, coro, contextvars.copy_context())
        task.context.run(enter_task_context, self._as_loop, task.handle)  # type: ignore[union-attr]
        self._live[coro] = task
        return task

    def _check_not_a_task(self, coro: object, caller: str) -> None:
        if coro in self._live:
            raise RuntimeError(
                f"{caller}() got the coroutine of a live task ({self._live[coro].handle!r}): "  # type: ignore[index, unused-ignore]
                "a coroutine object runs as one task only; call the async function again"
            )

    @staticmethod
    def _check_coroutine(coro: object, caller: str) -> None:
        if not (hasattr(coro, "send") and hasattr(coro, "throw")):
            raise TypeError(
                f"{caller}() needs a coroutine (the result of calling an async def), got {coro!r}"
            )
        if already_started(coro):
            raise RuntimeError(_refused_message(caller, coro))


spawn_here = Spawning._spawn_here  # pyright: ignore[reportPrivateUsage]
"""``loop._spawn_here(coro, name)`` as a plain function: ``spawn()`` calls it on every spawn,
and a plain call is cheaper than looking up a method on the loop (its instance dict)."""


def enter_task_context(loop: EventLoop, handle: TaskHandle[Any]) -> None:
    current_loop_var.set(loop)
    current_task_var.set(handle)


_SUSPENDED_KNOWN = sys.version_info >= (3, 11)
"""Coroutines have ``cr_suspended`` (3.11+): the freshness test is three attribute reads."""

if sys.version_info >= (3, 11):

    def _not_fresh(coro: CoroutineType[Any, Any, Any]) -> bool:
        """True for a native coroutine that is running, suspended or closed."""
        return coro.cr_suspended or coro.cr_running or coro.cr_frame is None

else:  # pragma: no cover - 3.10

    def _not_fresh(coro: CoroutineType[Any, Any, Any]) -> bool:
        """True for a native coroutine that is running, suspended or closed."""
        frame = coro.cr_frame
        return frame is None or coro.cr_running or frame.f_lasti != -1


_REUSED = "cannot reuse already awaited coroutine"
"""CPython's message when a finished coroutine is sent a value (3.10 to 3.13)."""


def raise_if_reused(handle: TaskHandle[Any]) -> None:
    """Raise the spawner's error if ``handle``'s task was a finished coroutine.

    Called by ``spawn()`` when the task it queued has already ended by the time the spawner
    resumes (the child always takes its first step first). A finished coroutine fails that
    step inside ``send`` itself, before any of its code runs, so the error's traceback holds
    the loop's frame only; an error raised by the task's own code has the task's frame too.
    """
    task = handle._task  # pyright: ignore[reportPrivateUsage]
    error = task.exc
    if type(error) is not RuntimeError or str(error) != _REUSED:
        return
    trace = error.__traceback__
    if trace is not None and trace.tb_next is None:
        task.observed = True  # reported to the spawner instead
        raise RuntimeError(_refused_message("spawn", handle.raw_task)) from error


def _refused_message(caller: str, coro: object) -> str:
    return (
        f"{caller}() got a coroutine that has already started or finished ({coro!r}): "
        "a coroutine object runs as one task only; call the async function again"
    )


def already_started(coro: object) -> bool:
    """True for a native coroutine that is running, suspended or closed (not just created)."""
    if type(coro) is not CoroutineType:
        return False
    native: CoroutineType[Any, Any, Any] = coro  # type: ignore[assignment, unused-ignore]
    return _not_fresh(native)


def close_refused(coro: object) -> None:
    """Close a coroutine the loop refused to run, so it warns of nothing."""
    close = getattr(coro, "close", None)
    if close is not None:
        close()
