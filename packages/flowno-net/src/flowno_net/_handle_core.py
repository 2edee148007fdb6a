# Rules of this module:
# - Every operation is tried first and parks (via the kernel's wait_readable / wait_writable) only
#   when it would block; the decision is _decide's. _run is the one retry loop, used by every
#   operation of every handle (plain and TLS). The hot calls (recv) make their first try inline
#   when no instrument listens and continue only when it would block, in _after_would_block:
#   _run's loop without the instrumentation.
# - Request / response hint: after a sendAll on a plain (non-TLS) socket, the next untraced recv
#   parks first and reads when the loop reports the socket readable, instead of a try that
#   almost always fails (the peer has not answered yet). Level-triggered readiness makes this
#   safe: data that is already there is reported by the loop's next poll. TLS sockets are left
#   out (the TLS layer may hold decrypted bytes while the socket itself is not readable).
# - A handle's state is its socket (always non-blocking), one waiter slot per direction, the
#   sendAll lock (created by the first sendAll) and the request / response hint; nothing else.
# - One reader and one writer may wait on a handle at once (full duplex); a second waiter in the
#   same direction gets the kernel's BusyResourceError in its own task.
# - Errors reach the task that did the operation: an OSError on a socket that is closed by then
#   becomes SocketClosedError, chained from it.
# - close() wakes any waiter with SocketClosedError and drops the loop's registration of the
#   descriptor (kept between waits) before releasing it.
"""The core every socket handle is built on: the try-then-park loop, waiting and closing."""

from __future__ import annotations

import socket as std_socket
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ._decide import WOULD_BLOCK, Step, next_step
from ._errors import SocketClosedError
from ._hooks import fire
from ._kernel import (
    Lock,
    current_task_handle,
    notify_closing,
    wait_readable,
    wait_writable,
    wake_error,
)
from ._metadata import InstrumentationMetadata, ReadySocketInstrumentationMetadata
from ._ops import OpKind

if TYPE_CHECKING:
    from flowno_eventloop import TaskHandle

    from ._handle import SocketHandle

_T = TypeVar("_T")
_WAIT_FUNCTIONS = (wait_readable, wait_writable)  # indexed like HandleCore._waiters


class HandleCore:
    """A non-blocking socket, its waiters, the one retry loop and its lifetime."""

    def __init__(self, socket: std_socket.socket) -> None:
        self.socket: std_socket.socket = socket
        self._waiters: list[Any] = [None, None]  # the task parked to read, to write
        self._close_reported = False
        # A plain socket's sendAll just went out whole: the next recv parks before it tries.
        self._reply_pending = False
        self._send_lock: Lock | None = None  # created by the first sendAll
        if socket.fileno() != -1:
            socket.setblocking(False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} fd={self.socket.fileno()}>"

    @property
    def _public(self) -> SocketHandle:
        """This handle as the public type the metadata and commands name (every core is one)."""
        return cast("SocketHandle", self)

    # -- the one retry loop -------------------------------------------------------------------

    async def _run(self, kind: OpKind, attempt: Callable[[], _T], traced: bool = False) -> _T:
        """Try ``attempt`` until it does not would-block, parking between tries.

        ``traced``: an instrument is active (the caller asked ``instrumented()`` once).
        """
        start = self._start(kind) if traced and kind.hooked else None
        parked = False
        while True:
            try:
                result = attempt()
                break
            except BlockingIOError:  # the common case, first row of _decide's table
                step = kind.own_step
            except WOULD_BLOCK as exc:
                step = next_step(exc, kind.direction)
            except OSError as exc:
                if self.socket.fileno() == -1:
                    raise SocketClosedError(kind.name) from exc
                raise
            if step is not Step.RETRY:
                parked = True
                await self.wait(step)
        if start is not None:
            ready = ReadySocketInstrumentationMetadata.from_instrumentation_metadata(start)
            ready.immediate = not parked
            fire(kind.ready_hook, ready)
        return result

    async def _after_would_block(self, kind: OpKind, step: Step, attempt: Callable[[], _T]) -> _T:
        """``_run`` without instrumentation, after a first try made inline by a fast path
        would block with ``step`` (see ``would_block_step``): park, try again, and so on."""
        while True:
            if step is not Step.RETRY:
                await self.wait(step)
            try:
                return attempt()
            except BlockingIOError:
                step = kind.own_step
            except WOULD_BLOCK as exc:
                step = next_step(exc, kind.direction)
            except OSError as exc:
                if self.socket.fileno() == -1:
                    raise SocketClosedError(kind.name) from exc
                raise

    def _start(self, kind: OpKind) -> InstrumentationMetadata:
        task = current_task_or_none()
        me = self._public
        start = InstrumentationMetadata(task, kind.command(me), me)
        fire(kind.start_hook, start)
        return start

    async def wait(self, step: Step) -> None:
        """Park the current task until the socket is ready for ``step``.

        Library code for protocols built on this handle; most users never call it.

        Args:
            step: ``Step.WAIT_READABLE`` or ``Step.WAIT_WRITABLE``.

        Raises:
            SocketClosedError: the handle was closed while waiting.
            BusyResourceError: another task already waits in that direction.

        >>> from flowno_eventloop import EventLoop
        >>> from flowno_net import SocketHandle, Step
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     with SocketHandle(left) as a, SocketHandle(right):
        ...         await a.wait(Step.WAIT_WRITABLE)
        ...         return "writable"
        >>> EventLoop().run_until_complete(main(), join=True)
        'writable'
        """
        slot = 0 if step is Step.WAIT_READABLE else 1
        waiters = self._waiters
        first = waiters[slot] is None
        if first:
            waiters[slot] = current_task_handle()
        try:
            await _WAIT_FUNCTIONS[slot](self.socket)
        finally:
            if first:
                waiters[slot] = None

    # -- lifetime -----------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether the socket is closed.

        >>> from flowno_net import SocketHandle
        >>> s = SocketHandle(std_socket.socket()); s.close(); s.closed
        True
        """
        return self.socket.fileno() == -1

    def close(self) -> None:
        """Close the socket; waiting tasks get SocketClosedError. Idempotent.

        >>> from flowno_net import SocketHandle
        >>> s = SocketHandle(std_socket.socket())
        >>> s.close(); s.close()
        >>> s.closed
        True
        """
        if not self._close_reported:
            self._close_reported = True
            fire(
                "on_socket_close",
                InstrumentationMetadata(current_task_or_none(), None, self._public),
            )
        waiters = [task for task in self._waiters if task is not None]
        self._waiters[:] = [None, None]
        for task in waiters:
            wake_error(task, SocketClosedError("wait"))
        if self.socket.fileno() != -1:
            notify_closing(self.socket)  # the loop keeps fds registered between waits
        self.socket.close()

    def __enter__(self: _H) -> _H:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self: _H) -> _H:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_H = TypeVar("_H", bound=HandleCore)


def would_block_step(exc: BaseException, kind: OpKind) -> Step:
    """The step after a first try of ``kind`` raised ``exc`` (one of ``WOULD_BLOCK``).

    Call it inside the ``except`` block and keep only the step: a kept exception holds the
    frame through its traceback (a reference cycle per blocked call).

    >>> from ._ops import RECV
    >>> would_block_step(BlockingIOError(), RECV)
    <Step.WAIT_READABLE: 'wait_readable'>
    """
    return kind.own_step if type(exc) is BlockingIOError else next_step(exc, kind.direction)


def current_task_or_none() -> TaskHandle[Any] | None:
    """The running task's handle, or None outside a task."""
    try:
        return current_task_handle()
    except RuntimeError:
        return None
