"""Exceptions of the loop itself (task-level ones live with what raises them).

Rules: every error names what went wrong and what was involved.
"""

from __future__ import annotations

__all__ = ["BusyResourceError", "DeadlockError", "InstrumentHookError"]


class DeadlockError(RuntimeError):
    """No task can ever run again but the root task has not finished.

    Raised out of ``run_until_complete`` when nothing is ready, nothing sleeps, no fd is
    watched, nothing holds the loop (``loop.hold()``) and no other thread exists that could
    call ``create_task``. ``blocked`` lists ``(task handle, park reason)`` pairs.

    Example:
        >>> from flowno_eventloop import EventLoop, AsyncQueue
        >>> async def main():
        ...     await AsyncQueue().get()
        >>> try:
        ...     EventLoop().run_until_complete(main())
        ... except DeadlockError as e:
        ...     print(str(e).splitlines()[0])
        deadlock: the root task cannot finish; 1 task(s) blocked forever:
    """

    def __init__(self, message: str, blocked: list[tuple[object, object]] | None = None) -> None:
        super().__init__(message)
        self.blocked: list[tuple[object, object]] = blocked if blocked is not None else []


class BusyResourceError(RuntimeError):
    """A second task waits to read (or write) a file object that another task already waits on.

    Example:
        >>> issubclass(BusyResourceError, RuntimeError)
        True
    """


class InstrumentHookError(RuntimeError):
    """An instrument hook (or an overridden ``_on_task_*`` hook) raised; chained to the cause.

    The task the hook was about is not blamed: the error ends ``run_until_complete``.

    Example:
        >>> issubclass(InstrumentHookError, RuntimeError)
        True
    """
