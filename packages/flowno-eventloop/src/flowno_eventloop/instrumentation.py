"""Instrumentation: observe the loop without changing it (the original's module of this name).

Rules: an instrument is a context manager that pushes itself on a ContextVar stack (default:
empty tuple). The loop asks :func:`get_current_instrument` once per batch of steps and skips
every hook when it gets :data:`EMPTY_INSTRUMENT`, so an uninstrumented loop pays nothing.
Hooks are no-ops by default; a composite of several instruments forwards *any* ``on_*`` hook
that a member defines (domain packages add their own hooks: flowno-net owns the socket hooks,
their metadata classes and their printing; nothing about sockets lives here).
A hook that raises ends ``run_until_complete`` with :class:`InstrumentHookError`: the
task is not blamed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar

__all__ = [
    "EMPTY_INSTRUMENT",
    "EventLoopInstrument",
    "LogInstrument",
    "NoopInstrument",
    "PrintInstrument",
    "TaskSendMetadata",
    "TaskThrowMetadata",
    "get_current_instrument",
]

logger: logging.Logger = logging.getLogger("flowno.eventloop.instrumentation")


# --- metadata -----------------------------------------------------------------------------


@dataclass
class TaskSendMetadata:
    """Passed to ``on_task_before_send`` / ``on_task_after_send``.

    Example:
        >>> TaskSendMetadata(task="t", send_value=1)
        TaskSendMetadata(task='t', send_value=1)
    """

    task: Any
    send_value: Any


@dataclass
class TaskThrowMetadata:
    """Passed to ``on_task_before_throw`` / ``on_task_after_throw``.

    Example:
        >>> TaskThrowMetadata(task="t", exception=None).exception is None
        True
    """

    task: Any
    exception: BaseException | None


# --- instruments --------------------------------------------------------------------------

_stack: ContextVar[tuple[EventLoopInstrument, ...]] = ContextVar(
    "flowno_instrument_stack", default=()
)


class EventLoopInstrument:
    """Base class of instruments: every hook is a no-op; override the ones you need.

    Use it as a context manager around ``run_until_complete``. Hook names and keyword names are
    part of the API (queue hooks are called with keywords ``queue=, item=, immediate=``).

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> class Done(EventLoopInstrument):
        ...     def on_task_completed(self, task, result):
        ...         print(task.__qualname__, "->", result)
        >>> async def main():
        ...     return 7
        >>> with Done():
        ...     EventLoop().run_until_complete(main())
        main -> 7
    """

    _token_stack: list[Token[tuple[EventLoopInstrument, ...]]]

    def __enter__(self) -> EventLoopInstrument:
        tokens = self.__dict__.setdefault("_token_stack", [])
        tokens.append(_stack.set((*_stack.get(), self)))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _stack.reset(self.__dict__["_token_stack"].pop())

    # Task hooks (called by the loop).
    def on_task_spawned(self, task: Any, parent: Any) -> None:
        """A task was created (``parent`` is the spawner's coroutine, or None)."""

    def on_task_before_send(self, metadata: TaskSendMetadata) -> None:
        """A task is about to be sent a value."""

    def on_task_after_send(self, metadata: TaskSendMetadata, command: Any) -> None:
        """A task was sent a value and yielded ``command``."""

    def on_task_before_throw(self, metadata: TaskThrowMetadata) -> None:
        """An exception is about to be thrown into a task."""

    def on_task_after_throw(self, metadata: TaskThrowMetadata, command: Any) -> None:
        """An exception was thrown into a task, which yielded ``command``."""

    def on_task_completed(self, task: Any, result: Any) -> None:
        """A task returned ``result``."""

    def on_task_error(self, task: Any, exception: Exception) -> None:
        """A task raised ``exception``."""

    def on_task_cancelled(self, task: Any, exception: Exception) -> None:
        """A task ended with ``TaskCancelled``."""

    def on_io_wait_start(self, task: Any, fileobj: Any, readable: bool) -> None:
        """A task parked waiting for ``fileobj`` to be readable (or writable)."""

    def on_io_wait_ready(self, task: Any, fileobj: Any, readable: bool) -> None:
        """The selector reported ``fileobj`` ready for the task."""

    # Queue hooks (called by the queues, inside the task).
    def on_queue_get(self, queue: Any, item: Any, immediate: bool) -> None:
        """A queue handed out ``item``."""

    def on_queue_put(self, queue: Any, item: Any, immediate: bool) -> None:
        """A queue is about to store ``item``."""


class NoopInstrument(EventLoopInstrument):
    """The do-nothing instrument (the class of :data:`EMPTY_INSTRUMENT`).

    Example:
        >>> get_current_instrument() is EMPTY_INSTRUMENT
        True
    """


EMPTY_INSTRUMENT = NoopInstrument()


class _CompositeInstrument(EventLoopInstrument):
    """Calls every member that defines the hook, innermost first (internal)."""

    def __init__(self, members: tuple[EventLoopInstrument, ...]) -> None:
        self.members = members

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("on_"):
            members = object.__getattribute__(self, "members")
            hooks = [h for h in (getattr(m, name, None) for m in reversed(members)) if h]

            def forward(*args: Any, **kwargs: Any) -> None:
                for hook in hooks:
                    hook(*args, **kwargs)

            return forward
        return object.__getattribute__(self, name)

    def __repr__(self) -> str:
        return f"<composite instrument {list(self.members)!r}>"


def get_current_instrument() -> EventLoopInstrument:
    """Return the active instrument: :data:`EMPTY_INSTRUMENT`, the only one, or a composite.

    Example:
        >>> class A(EventLoopInstrument):
        ...     def on_queue_put(self, queue, item, immediate):
        ...         print("A", item)
        >>> class B(EventLoopInstrument):
        ...     def on_queue_put(self, queue, item, immediate):
        ...         print("B", item)
        >>> with A(), B():
        ...     get_current_instrument().on_queue_put(queue=None, item=1, immediate=True)
        B 1
        A 1
    """
    stack = _stack.get()
    if not stack:
        return EMPTY_INSTRUMENT
    if len(stack) == 1:
        return stack[0]
    return _CompositeInstrument(stack)


class PrintInstrument(EventLoopInstrument):
    """Prints the queue events: ``[QUEUE-PUT]`` and ``[QUEUE-GET]`` lines.

    Socket events are flowno-net's (``flowno_net.SocketPrintInstrument``; the meta package's
    ``PrintInstrument`` combines both). ``print`` is a class attribute so a subclass can
    redirect output.

    Example:
        >>> from flowno_eventloop import EventLoop, AsyncQueue
        >>> async def main():
        ...     q = AsyncQueue()
        ...     await q.put("x")
        ...     return await q.get()
        >>> with PrintInstrument():
        ...     EventLoop().run_until_complete(main(), join=True)
        [QUEUE-PUT] 'x' (immediate)
        [QUEUE-GET] 'x' (immediate)
        'x'
    """

    print: ClassVar[Callable[..., None]] = print

    def _out(self, text: str) -> None:
        type(self).print(text)

    def on_queue_put(self, queue: Any, item: Any, immediate: bool) -> None:
        """Print ``[QUEUE-PUT] <item>``."""
        self._out(f"[QUEUE-PUT] {item!r}{_how(immediate)}")

    def on_queue_get(self, queue: Any, item: Any, immediate: bool) -> None:
        """Print ``[QUEUE-GET] <item>``."""
        self._out(f"[QUEUE-GET] {item!r}{_how(immediate)}")


def _how(immediate: bool) -> str:
    return " (immediate)" if immediate else " (after waiting)"


def _log_debug(text: str) -> None:
    logger.debug(text)


class LogInstrument(PrintInstrument):
    """Like :class:`PrintInstrument` but sends the lines to the ``flowno.eventloop.instrumentation``
    logger at DEBUG.

    Example:
        >>> LogInstrument().on_queue_put(queue=None, item=1, immediate=True)
    """

    print: ClassVar[Callable[..., None]] = staticmethod(_log_debug)
