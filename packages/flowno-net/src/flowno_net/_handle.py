# Rules of this module:
# - Every socket a handle owns is non-blocking. Every operation is tried first and parks (via the
#   kernel's wait_readable / wait_writable) only when it would block; the decision is _decide's.
# - One reader and one writer may wait on a handle at once (full duplex); a second waiter in the
#   same direction gets the kernel's BusyResourceError in its own task.
# - sendAll writes whole messages: concurrent sendAll calls on one handle take turns (FIFO) and a
#   plain send from another task while a sendAll is in progress raises BusyResourceError, so
#   bytes of two writers never interleave.
# - Errors reach the task that did the operation. A closed socket raises SocketClosedError
#   (recv-family calls return EOF instead, as the original did).
# - close() wakes any waiter with SocketClosedError before releasing the descriptor.
"""SocketHandle: a non-blocking socket driven by the flowno event loop."""

from __future__ import annotations

import socket as std_socket
from collections.abc import Callable, Generator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ._connect import connect_any
from ._decide import WOULD_BLOCK, Step, next_step
from ._errors import SocketClosedError
from ._hooks import fire, instrumented
from ._kernel import (
    BusyResourceError,
    Lock,
    current_task_handle,
    wait_readable,
    wait_writable,
    wake_error,
)
from ._metadata import (
    InstrumentationMetadata,
    ReadySocketInstrumentationMetadata,
    SocketConnectReadyMetadata,
    SocketConnectStartMetadata,
    SocketRecvDataMetadata,
    SocketSendDataMetadata,
)
from ._ops import ACCEPT, RECV, SEND, OpKind
from ._resolve import Address, resolve

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from 3.12

    from flowno_eventloop import TaskHandle

_T = TypeVar("_T")
_WAIT_FUNCTIONS = (wait_readable, wait_writable)  # indexed like SocketHandle._waiters


@contextmanager
def blocking_mode(sock: std_socket.socket) -> Generator[None, None, None]:
    """Make ``sock`` blocking for the duration of the block, then non-blocking again.

    Args:
        sock: the socket.

    >>> a, b = std_socket.socketpair()
    >>> with blocking_mode(a):
    ...     a.getblocking()
    True
    >>> a.getblocking()
    False
    >>> a.close(); b.close()
    """
    sock.setblocking(True)
    try:
        yield
    finally:
        if sock.fileno() != -1:
            sock.setblocking(False)


class SocketHandle:
    """A socket whose operations are awaitables run by the flowno event loop.

    The wrapped socket is switched to non-blocking mode. ``handle.socket`` is the standard
    socket (an ``ssl.SSLSocket`` after a TLS handshake). Use it as a context manager (``with``
    or ``async with``) to close it.

    Args:
        socket: the standard-library socket to drive.

    >>> from flowno_eventloop import EventLoop, spawn
    >>> async def main():
    ...     left, right = std_socket.socketpair()
    ...     with SocketHandle(left) as a, SocketHandle(right) as b:
    ...         reader = await spawn(b.recv(100))
    ...         await a.sendAll(b"hello")
    ...         return await reader.join()
    >>> EventLoop().run_until_complete(main(), join=True)
    b'hello'
    """

    def __init__(self, socket: std_socket.socket) -> None:
        self.socket: std_socket.socket = socket
        self._waiters: list[Any] = [None, None]  # the task parked to read, to write
        self._close_reported = False
        self._send_lock: Lock | None = None  # created by the first sendAll
        if socket.fileno() != -1:
            socket.setblocking(False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} fd={self.socket.fileno()}>"

    # -- plain calls -------------------------------------------------------------------------

    def bind(self, address: Address, /) -> None:
        """Bind the socket to ``address``.

        Args:
            address: ``(host, port)`` for INET sockets, a path for AF_UNIX.

        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.bind(("127.0.0.1", 0))
        ...     s.getsockname()[0]
        '127.0.0.1'
        """
        self.socket.bind(address)

    def listen(self, backlog: int | None = None, /) -> None:
        """Start listening; ``backlog`` defaults to the system's.

        Args:
            backlog: the number of unaccepted connections the system queues.

        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.bind(("127.0.0.1", 0)); s.listen()
        """
        if backlog is None:
            self.socket.listen()
        else:
            self.socket.listen(backlog)

    def connect(self, address: Address, /) -> None:
        """Connect to ``address``: a plain **blocking** call, kept for compatibility.

        It blocks the whole loop for name resolution and the TCP handshake; prefer
        ``await handle.aconnect(address)``.

        Args:
            address: the address to connect to.

        >>> with SocketHandle(std_socket.socket()) as server, SocketHandle(std_socket.socket()) as c:
        ...     server.bind(("127.0.0.1", 0)); server.listen()
        ...     c.connect(server.getsockname())
        ...     c.getpeername() == server.getsockname()
        True
        """
        start = SocketConnectStartMetadata(self, address, immediate=True)
        fire("on_socket_connect_start", start)
        with blocking_mode(self.socket):
            self.socket.connect(address)
        fire("on_socket_connect_ready", _connect_ready(start))

    async def aconnect(self, address: Address, /) -> None:
        """Connect to ``address`` without blocking the loop (resolution runs in a thread).

        Args:
            address: the address to connect to; host names are resolved off the loop and each
                resolved address is tried in turn.

        Raises:
            OSError: the connection failed (``ConnectionRefusedError`` ...), or
                ``socket.gaierror`` when the name does not resolve.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     with SocketHandle(std_socket.socket()) as server, SocketHandle(std_socket.socket()) as c:
        ...         server.bind(("127.0.0.1", 0)); server.listen()
        ...         await c.aconnect(server.getsockname())
        ...         return c.getpeername() == server.getsockname()
        >>> EventLoop().run_until_complete(main(), join=True)
        True
        """
        start = SocketConnectStartMetadata(self, address)
        fire("on_socket_connect_start", start)
        sock = self.socket
        targets = await resolve(address, sock.family, sock.type, sock.proto)
        await connect_any(self, targets)
        fire("on_socket_connect_ready", _connect_ready(start))

    # -- awaitables ---------------------------------------------------------------------------

    async def accept(self) -> tuple[SocketHandle, Any]:
        """Wait for and accept a connection.

        Returns:
            ``(connection, address)``; the connection is a non-blocking :class:`SocketHandle`.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     with SocketHandle(std_socket.socket()) as server, SocketHandle(std_socket.socket()) as c:
        ...         server.bind(("127.0.0.1", 0)); server.listen()
        ...         await c.aconnect(server.getsockname())
        ...         conn, addr = await server.accept()
        ...         with conn:
        ...             return addr == c.getsockname()
        >>> EventLoop().run_until_complete(main(), join=True)
        True
        """
        raw, address = await self.accept_socket()
        return SocketHandle(raw), address

    async def accept_socket(self) -> tuple[std_socket.socket, Any]:
        """Accept a connection and return the raw (not yet wrapped) standard socket.

        Returns:
            ``(socket, address)``; the caller owns the socket.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     with SocketHandle(std_socket.socket()) as server, SocketHandle(std_socket.socket()) as c:
        ...         server.bind(("127.0.0.1", 0)); server.listen()
        ...         await c.aconnect(server.getsockname())
        ...         raw, _ = await server.accept_socket()
        ...         with raw:
        ...             return type(raw).__name__
        >>> EventLoop().run_until_complete(main(), join=True)
        'socket'
        """
        return await self._run(ACCEPT, self._accept_now, instrumented())

    def _accept_now(self) -> tuple[std_socket.socket, Any]:
        return self.socket.accept()

    async def recv(self, bufsize: int, flags: int = 0) -> bytes:
        """Receive up to ``bufsize`` bytes; ``b""`` at end of stream or on a closed socket.

        Args:
            bufsize: the most bytes to return.
            flags: ``socket.MSG_*`` flags (plain sockets only).

        Returns:
            The bytes received.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     with SocketHandle(left) as a, SocketHandle(right) as b:
        ...         await a.sendAll(b"ab"); a.shutdown(std_socket.SHUT_WR)
        ...         return await b.recv(10), await b.recv(10)
        >>> EventLoop().run_until_complete(main(), join=True)
        (b'ab', b'')
        """
        sock = self.socket
        traced = instrumented()
        try:
            data = await self._run(RECV, lambda: sock.recv(bufsize, flags), traced)
        except SocketClosedError:
            return b""
        if traced:
            fire("on_socket_recv_data", SocketRecvDataMetadata(self, data))
        return data

    async def recv_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int:
        """Receive into ``buffer``; returns the byte count (0 at end of stream or when closed).

        Args:
            buffer: a writable bytes-like object.
            nbytes: the most bytes to read (0: the buffer's size).
            flags: ``socket.MSG_*`` flags (plain sockets only).

        Returns:
            The number of bytes written into ``buffer``.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     with SocketHandle(left) as a, SocketHandle(right) as b:
        ...         buf = bytearray(8)
        ...         await a.sendAll(b"xyz")
        ...         n = await b.recv_into(buf)
        ...         return n, bytes(buf[:n])
        >>> EventLoop().run_until_complete(main(), join=True)
        (3, b'xyz')
        """
        sock = self.socket
        traced = instrumented()
        try:
            count = await self._run(RECV, lambda: sock.recv_into(buffer, nbytes, flags), traced)
        except SocketClosedError:
            return 0
        if traced:
            received = bytes(memoryview(buffer)[:count])
            fire("on_socket_recv_data", SocketRecvDataMetadata(self, received))
        return count

    async def recvfrom(self, bufsize: int, flags: int = 0) -> tuple[bytes, Any]:
        """Receive a datagram (UDP) and its sender's address.

        Args:
            bufsize: the most bytes to return.
            flags: ``socket.MSG_*`` flags.

        Returns:
            ``(data, address)``.

        Raises:
            SocketClosedError: the socket is closed.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     kind = std_socket.SOCK_DGRAM
        ...     with SocketHandle(std_socket.socket(type=kind)) as a, SocketHandle(std_socket.socket(type=kind)) as b:
        ...         b.bind(("127.0.0.1", 0))
        ...         await a.sendto(b"dgram", b.getsockname())
        ...         data, sender = await b.recvfrom(100)
        ...         return data, sender[1] == a.getsockname()[1]
        >>> EventLoop().run_until_complete(main(), join=True)
        (b'dgram', True)
        """
        sock = self.socket
        traced = instrumented()
        data, address = await self._run(RECV, lambda: sock.recvfrom(bufsize, flags), traced)
        if traced:
            fire("on_socket_recv_data", SocketRecvDataMetadata(self, data))
        return data, address

    async def send(self, data: Buffer, flags: int = 0) -> int:
        """Send once; returns how many bytes were sent (may be fewer than ``len(data)``).

        Args:
            data: a bytes-like object.
            flags: ``socket.MSG_*`` flags (plain sockets only).

        Returns:
            The number of bytes sent.

        Raises:
            SocketClosedError: the socket is closed.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     with SocketHandle(left) as a, SocketHandle(right) as b:
        ...         return await a.send(b"hello")
        >>> EventLoop().run_until_complete(main(), join=True)
        5
        """
        sock = self.socket
        return await self._send_with(data, lambda: sock.send(data, flags))

    async def sendto(self, data: Buffer, address: Address) -> int:
        """Send a datagram to ``address`` (numeric address: no name lookup on the loop).

        Args:
            data: a bytes-like object.
            address: the destination.

        Returns:
            The number of bytes sent.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     with SocketHandle(std_socket.socket(type=std_socket.SOCK_DGRAM)) as a:
        ...         return await a.sendto(b"abc", ("127.0.0.1", 9))
        >>> EventLoop().run_until_complete(main(), join=True)
        3
        """
        sock = self.socket
        return await self._send_with(data, lambda: sock.sendto(data, address))

    async def sendAll(self, data: Buffer) -> None:  # noqa: N802 (the documented name)
        """Send all of ``data``, waiting for the peer to drain as needed.

        The bytes go out as one unit: when several tasks call ``sendAll`` on one handle, each
        message is written whole, in the order the calls started.

        Args:
            data: a bytes-like object.

        Raises:
            SocketClosedError: the socket is closed.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     with SocketHandle(left) as a, SocketHandle(right) as b:
        ...         await a.sendAll(b"all of it")
        ...         return await b.recv(100)
        >>> EventLoop().run_until_complete(main(), join=True)
        b'all of it'
        """
        with memoryview(data) as whole:
            view = whole.cast("B")
            lock = self._send_lock
            if (lock is None or lock.owner is None) and not instrumented():
                # Fast path: nobody else is writing and the kernel takes it all at once (no
                # yield between the check and the send, so nothing can interleave).
                sent = self._send_now(view)
                if sent == len(view):
                    return
                view = view[sent:]
            if lock is None:
                lock = self._send_lock = Lock()
            async with lock:
                while view:
                    sent = await self._send_with(view, _sender(self.socket, view))
                    view = view[sent:]

    def _send_now(self, view: memoryview) -> int:
        """One non-blocking send attempt: bytes sent, 0 when it would block."""
        try:
            return self.socket.send(view)
        except WOULD_BLOCK:
            return 0
        except OSError as exc:
            if self.socket.fileno() == -1:
                raise SocketClosedError("send") from exc
            raise

    sendall = sendAll

    async def _send_with(self, data: Buffer, attempt: Callable[[], int]) -> int:
        """One send of ``data`` through ``attempt``, reported to an active instrument."""
        lock = self._send_lock
        if lock is not None and lock.owner is not None and lock.owner != current_task_handle():
            raise BusyResourceError(f"{self!r}: send while another task's sendAll is in progress")
        traced = instrumented()
        sent = await self._run(SEND, attempt, traced)
        if traced:
            chunk = bytes(memoryview(data).cast("B")[:sent])
            fire("on_socket_send_data", SocketSendDataMetadata(self, chunk, sent))
        return sent

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

    def _start(self, kind: OpKind) -> InstrumentationMetadata:
        task = _current_task_or_none()
        start = InstrumentationMetadata(task, kind.command(self), self)
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

    # -- lifetime and passthroughs ------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether the socket is closed.

        >>> s = SocketHandle(std_socket.socket()); s.close(); s.closed
        True
        """
        return self.socket.fileno() == -1

    def close(self) -> None:
        """Close the socket; waiting tasks get SocketClosedError. Idempotent.

        >>> s = SocketHandle(std_socket.socket())
        >>> s.close(); s.close()
        >>> s.closed
        True
        """
        if not self._close_reported:
            self._close_reported = True
            fire("on_socket_close", InstrumentationMetadata(_current_task_or_none(), None, self))
        waiters = [task for task in self._waiters if task is not None]
        self._waiters[:] = [None, None]
        for task in waiters:
            wake_error(task, SocketClosedError("wait"))
        self.socket.close()

    def shutdown(self, how: int) -> None:
        """Shut down one or both directions (``socket.SHUT_RD``, ``SHUT_WR``, ``SHUT_RDWR``).

        Args:
            how: which direction(s) to shut down.

        Raises:
            SocketClosedError: the socket is closed.

        >>> a, b = std_socket.socketpair()
        >>> with SocketHandle(a) as h, b:
        ...     h.shutdown(std_socket.SHUT_WR); b.recv(1)
        b''
        """
        if self.closed:
            raise SocketClosedError("shutdown")
        self.socket.shutdown(how)

    def fileno(self) -> int:
        """The file descriptor (-1 once closed).

        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.fileno() >= 0
        True
        """
        return self.socket.fileno()

    def getsockname(self) -> Any:
        """The local address.

        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.bind(("127.0.0.1", 0)); s.getsockname()[0]
        '127.0.0.1'
        """
        return self.socket.getsockname()

    def getpeername(self) -> Any:
        """The peer's address (OSError when not connected).

        >>> a, b = std_socket.socketpair(std_socket.AF_UNIX)
        >>> with SocketHandle(a) as h, b:
        ...     h.getpeername()
        ''
        """
        return self.socket.getpeername()

    def setsockopt(self, level: int, option: int, value: Any, optlen: int | None = None) -> None:
        """Set a socket option (see ``socket.setsockopt``).

        Args:
            level: e.g. ``socket.SOL_SOCKET``.
            option: e.g. ``socket.SO_REUSEADDR``.
            value: an int or bytes (or ``None`` together with ``optlen``).
            optlen: the option length when ``value`` is ``None``.

        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEADDR, 1)
        ...     s.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEADDR) != 0
        True
        """
        if optlen is None:
            self.socket.setsockopt(level, option, value)
        else:
            self.socket.setsockopt(level, option, value, optlen)

    @overload
    def getsockopt(self, level: int, option: int, buflen: None = None) -> int: ...
    @overload
    def getsockopt(self, level: int, option: int, buflen: int) -> bytes: ...
    def getsockopt(self, level: int, option: int, buflen: int | None = None) -> int | bytes:
        """Read a socket option (see ``socket.getsockopt``).

        Args:
            level: e.g. ``socket.SOL_SOCKET``.
            option: e.g. ``socket.SO_TYPE``.
            buflen: read the option as bytes of this length.

        Returns:
            The option value (an int, or bytes with ``buflen``).

        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_TYPE) == std_socket.SOCK_STREAM
        True
        """
        if buflen is None:
            return self.socket.getsockopt(level, option)
        return self.socket.getsockopt(level, option, buflen)

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


_H = TypeVar("_H", bound=SocketHandle)


def _sender(sock: std_socket.socket, view: memoryview) -> Callable[[], int]:
    return lambda: sock.send(view)


def _connect_ready(start: SocketConnectStartMetadata) -> SocketConnectReadyMetadata:
    return SocketConnectReadyMetadata(
        start.socket_handle, start.target_address, start.immediate, start.start_time
    )


def _current_task_or_none() -> TaskHandle[Any] | None:
    try:
        return current_task_handle()
    except RuntimeError:
        return None
