# Rules of this module:
# - SocketHandle is the public socket handle: the core (one try-then-park loop, waiter slots,
#   close) plus its receive half, send half and plain calls, each in its own module; this module
#   adds only connecting and accepting.
# - aconnect never blocks the loop: names are resolved in a thread and each resolved address is
#   tried in turn; connect() is the documented blocking call, kept for compatibility.
# - accept() wraps the accepted socket in a plain SocketHandle (TLSSocketHandle overrides it).
"""SocketHandle: a non-blocking socket driven by the flowno event loop."""

from __future__ import annotations

import socket as std_socket
from collections.abc import Generator
from contextlib import contextmanager
from typing import Any

from ._connect import connect_any
from ._handle_calls import PlainCalls
from ._handle_recv import ReceiveHalf
from ._handle_send import SendHalf
from ._hooks import fire
from ._metadata import SocketConnectReadyMetadata, SocketConnectStartMetadata
from ._resolve import Address, resolve


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


class SocketHandle(PlainCalls, ReceiveHalf, SendHalf):
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


def _connect_ready(start: SocketConnectStartMetadata) -> SocketConnectReadyMetadata:
    return SocketConnectReadyMetadata(
        start.socket_handle, start.target_address, start.immediate, start.start_time
    )
