"""Instrumentation: observe the loop without changing it (the original's module of this name).

Rules: an instrument is a context manager that pushes itself on a ContextVar stack (default:
empty tuple). The loop asks :func:`get_current_instrument` once per batch of steps and skips
every hook when it gets :data:`EMPTY_INSTRUMENT`, so an uninstrumented loop pays nothing.
Hooks are no-ops by default; a composite of several instruments forwards *any* ``on_*`` hook
that a member defines (domain packages add their own hooks, e.g. flowno-net's socket hooks).
A hook that raises ends ``run_until_complete`` with :class:`InstrumentHookError` (W15): the
task is not blamed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar

__all__ = [
    "EMPTY_INSTRUMENT",
    "EventLoopInstrument",
    "InstrumentationMetadata",
    "LogInstrument",
    "NoopInstrument",
    "PrintInstrument",
    "ReadySocketInstrumentationMetadata",
    "SocketConnectReadyMetadata",
    "SocketConnectStartMetadata",
    "SocketRecvDataMetadata",
    "SocketSendDataMetadata",
    "TLSHandshakeMetadata",
    "TaskSendMetadata",
    "TaskThrowMetadata",
    "get_current_instrument",
]

logger = logging.getLogger("flowno.eventloop.instrumentation")


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


def _now() -> float:
    return time.monotonic()


@dataclass
class InstrumentationMetadata:
    """Socket-wait metadata (filled by flowno-net). Times are monotonic (W19), not epoch.

    Example:
        >>> m = InstrumentationMetadata(_task=None, _command=None, socket_handle="h")
        >>> m.immediate, m.start_time > 0
        (False, True)
    """

    _task: Any
    _command: Any
    socket_handle: Any
    immediate: bool = False
    start_time: float = field(default_factory=_now)


@dataclass
class ReadySocketInstrumentationMetadata(InstrumentationMetadata):
    """Socket-ready metadata: an :class:`InstrumentationMetadata` plus ``finish_time``.

    Example:
        >>> m = InstrumentationMetadata(_task=None, _command=None, socket_handle="h")
        >>> r = ReadySocketInstrumentationMetadata.from_instrumentation_metadata(m)
        >>> r.finish_time >= r.start_time
        True
    """

    finish_time: float = field(default_factory=_now)

    @classmethod
    def from_instrumentation_metadata(
        cls, metadata: InstrumentationMetadata, finish_time: float | None = None
    ) -> ReadySocketInstrumentationMetadata:
        """Copy ``metadata`` and stamp ``finish_time`` (now by default)."""
        return cls(
            _task=metadata._task,
            _command=metadata._command,
            socket_handle=metadata.socket_handle,
            immediate=metadata.immediate,
            start_time=metadata.start_time,
            finish_time=_now() if finish_time is None else finish_time,
        )


@dataclass
class SocketRecvDataMetadata:
    """Bytes received on a socket.

    Example:
        >>> SocketRecvDataMetadata(socket_handle=None, data=b"x").data
        b'x'
    """

    socket_handle: Any
    data: bytes


@dataclass
class SocketSendDataMetadata:
    """Bytes sent on a socket.

    Example:
        >>> SocketSendDataMetadata(socket_handle=None, data=b"xy", bytes_sent=2).bytes_sent
        2
    """

    socket_handle: Any
    data: bytes
    bytes_sent: int


@dataclass
class SocketConnectStartMetadata:
    """A connect started.

    Example:
        >>> SocketConnectStartMetadata(socket_handle=None, target_address=("h", 1)).immediate
        False
    """

    socket_handle: Any
    target_address: Any
    immediate: bool = False
    start_time: float = field(default_factory=_now)


@dataclass
class SocketConnectReadyMetadata(SocketConnectStartMetadata):
    """A connect finished.

    Example:
        >>> m = SocketConnectReadyMetadata(socket_handle=None, target_address="a")
        >>> m.finish_time >= m.start_time
        True
    """

    finish_time: float = field(default_factory=_now)


@dataclass
class TLSHandshakeMetadata:
    """A TLS handshake finished.

    Example:
        >>> TLSHandshakeMetadata(None, "AES", "TLSv1.3", "localhost", 1.0, 2.0).version
        'TLSv1.3'
    """

    socket_handle: Any
    cipher: Any
    version: Any
    server_hostname: Any
    start_time: float
    finish_time: float


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

    # Socket hooks (fired by flowno-net; kept here so old instruments keep working).
    def on_socket_connect_start(self, metadata: SocketConnectStartMetadata) -> None:
        """A connect started."""

    def on_socket_connect_ready(self, metadata: SocketConnectReadyMetadata) -> None:
        """A connect finished."""

    def on_socket_accept_start(self, metadata: InstrumentationMetadata) -> None:
        """A task waits to accept."""

    def on_socket_accept_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """A listening socket is ready."""

    def on_socket_recv_start(self, metadata: InstrumentationMetadata) -> None:
        """A task waits to receive."""

    def on_socket_recv_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """A socket is readable."""

    def on_socket_send_start(self, metadata: InstrumentationMetadata) -> None:
        """A task waits to send."""

    def on_socket_send_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """A socket is writable."""

    def on_socket_recv_data(self, metadata: SocketRecvDataMetadata) -> None:
        """Bytes were received."""

    def on_socket_send_data(self, metadata: SocketSendDataMetadata) -> None:
        """Bytes were sent."""

    def on_tls_handshake_complete(self, metadata: TLSHandshakeMetadata) -> None:
        """A TLS handshake finished."""

    def on_socket_close(self, metadata: InstrumentationMetadata) -> None:
        """A socket was closed."""


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


def _describe(handle: Any) -> str:
    return repr(handle)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


class PrintInstrument(EventLoopInstrument):
    """Prints socket events (``[CONNECT]``, ``[SEND]``, ``[RECV]``, ``[RECV-DATA]``...).

    Binary payloads are decoded with replacement characters (N9). ``print`` is a class
    attribute so a subclass can redirect output.

    Example:
        >>> PrintInstrument().on_socket_recv_data(SocketRecvDataMetadata("s", b"hi"))
        [RECV-DATA] Got 2 bytes from 's'
        [RECV-DATA] 'hi'
    """

    print: ClassVar[Callable[..., None]] = print

    def _out(self, text: str) -> None:
        type(self).print(text)

    def on_socket_connect_start(self, metadata: SocketConnectStartMetadata) -> None:
        """Print ``[CONNECT]``."""
        self._out(f"[CONNECT] Starting connection to {metadata.target_address}")

    def on_socket_connect_ready(self, metadata: SocketConnectReadyMetadata) -> None:
        """Print ``[CONNECT]``."""
        took = metadata.finish_time - metadata.start_time
        self._out(f"[CONNECT] Connected to {metadata.target_address} in {took:.6f}s")

    def on_socket_send_start(self, metadata: InstrumentationMetadata) -> None:
        """Print ``[SEND]``."""
        self._out(f"[SEND] Waiting to send on {_describe(metadata.socket_handle)}")

    def on_socket_send_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """Print ``[SEND]``."""
        took = metadata.finish_time - metadata.start_time
        self._out(f"[SEND] Ready to send on {_describe(metadata.socket_handle)} after {took:.6f}s")

    def on_socket_recv_start(self, metadata: InstrumentationMetadata) -> None:
        """Print ``[RECV]``."""
        self._out(f"[RECV] Waiting to receive on {_describe(metadata.socket_handle)}")

    def on_socket_recv_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """Print ``[RECV]``."""
        took = metadata.finish_time - metadata.start_time
        self._out(f"[RECV] Data ready on {_describe(metadata.socket_handle)} after {took:.6f}s")

    def on_socket_recv_data(self, metadata: SocketRecvDataMetadata) -> None:
        """Print ``[RECV-DATA]``."""
        self._out(f"[RECV-DATA] Got {len(metadata.data)} bytes from {_describe(metadata.socket_handle)}")
        self._out(f"[RECV-DATA] {_decode(metadata.data)!r}")

    def on_socket_send_data(self, metadata: SocketSendDataMetadata) -> None:
        """Print ``[SEND-DATA]``."""
        self._out(
            f"[SEND-DATA] Sent {metadata.bytes_sent} of {len(metadata.data)} bytes "
            f"on {_describe(metadata.socket_handle)}"
        )

    def on_tls_handshake_complete(self, metadata: TLSHandshakeMetadata) -> None:
        """Print ``[TLS]``."""
        self._out(
            f"[TLS] Handshake with {metadata.server_hostname}: {metadata.version} {metadata.cipher}"
        )

    def on_socket_close(self, metadata: InstrumentationMetadata) -> None:
        """Print ``[CLOSE]``."""
        self._out(f"[CLOSE] Closed {_describe(metadata.socket_handle)}")


def _log_debug(text: str) -> None:
    logger.debug(text)


class LogInstrument(PrintInstrument):
    """Like :class:`PrintInstrument` but sends the lines to the ``flowno.eventloop.instrumentation``
    logger at DEBUG.

    Example:
        >>> LogInstrument().on_socket_close(InstrumentationMetadata(None, None, "s"))
    """

    print: ClassVar[Callable[..., None]] = staticmethod(_log_debug)
