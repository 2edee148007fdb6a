"""Context variables: the current loop and the current task.

Rules: no module globals besides these two ContextVars. The loop sets the loop variable in the
caller's context for the duration of ``run_until_complete`` (restored after, so nested and
per-thread runs are right); each task steps in its own ``contextvars.Context`` in which both
variables are set once, at spawn time, so a step costs nothing extra.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop
    from flowno_eventloop._tasks import TaskHandle

current_loop_var: ContextVar[EventLoop | None] = ContextVar("flowno_current_loop", default=None)
current_task_var: ContextVar[TaskHandle[Any] | None] = ContextVar(
    "flowno_current_task", default=None
)


def current_event_loop() -> EventLoop | None:
    """Return the loop running in this context (inside a task or a loop callback), else None.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> print(current_event_loop())
        None
        >>> loop = EventLoop()
        >>> async def main():
        ...     return current_event_loop() is loop
        >>> loop.run_until_complete(main(), join=True)
        True
    """
    return current_loop_var.get()


def current_task() -> Any:
    """Return the coroutine of the task being stepped, else None (the original's semantics).

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> print(current_task())
        None
        >>> async def main():
        ...     return current_task() is me
        >>> me = main()
        >>> EventLoop().run_until_complete(me, join=True)
        True
    """
    handle = current_task_var.get()
    return None if handle is None else handle.raw_task


def current_task_handle() -> TaskHandle[Any]:
    """Return the :class:`TaskHandle` of the running task.

    Raises:
        RuntimeError: Outside a task.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     return current_task_handle().raw_task is me
        >>> me = main()
        >>> EventLoop().run_until_complete(me, join=True)
        True
    """
    handle = current_task_var.get()
    if handle is None:
        raise RuntimeError("current_task_handle() called outside a flowno task")
    return handle


def running_loop(caller: str) -> EventLoop:
    """Return the current loop or raise a RuntimeError naming ``caller``."""
    loop = current_loop_var.get()
    if loop is None:
        raise RuntimeError(f"{caller} must be awaited inside a task of a running flowno EventLoop")
    return loop
