# Rules of this module:
# - Every receive goes through the core's one retry loop (_run) as a RECV (or ACCEPT) operation:
#   tried first, parked only when it would block. recv makes its first try inline when no
#   instrument listens (the hot path) and enters _run only when that would block.
# - recv and recv_into return EOF (b"" / 0) on a closed socket, as the original did; recvfrom,
#   whose result carries an address, raises SocketClosedError instead.
# - The data received is reported to an active instrument only (instrumented() is asked once
#   per call, so an idle instrument costs nothing on the hot path).
"""The receive half of a socket handle: accept, recv, recv_into, recvfrom."""

from __future__ import annotations

import socket as std_socket
from typing import TYPE_CHECKING, Any

from ._decide import WOULD_BLOCK, Step
from ._errors import SocketClosedError
from ._handle_core import HandleCore, would_block_step
from ._hooks import fire, instrumented
from ._metadata import SocketRecvDataMetadata
from ._ops import ACCEPT, RECV

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from 3.12


class ReceiveHalf(HandleCore):
    """Accepting connections and receiving bytes, each tried first and parked when needed."""

    async def accept_socket(self) -> tuple[std_socket.socket, Any]:
        """Accept a connection and return the raw (not yet wrapped) standard socket.

        Returns:
            ``(socket, address)``; the caller owns the socket.

        >>> from flowno_eventloop import EventLoop
        >>> from flowno_net import SocketHandle
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
        >>> from flowno_net import SocketHandle
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     with SocketHandle(left) as a, SocketHandle(right) as b:
        ...         await a.sendAll(b"ab"); a.shutdown(std_socket.SHUT_WR)
        ...         return await b.recv(10), await b.recv(10)
        >>> EventLoop().run_until_complete(main(), join=True)
        (b'ab', b'')
        """
        sock = self.socket
        if instrumented():
            return await self._recv_traced(bufsize, flags)
        if self._reply_pending and sock.fileno() != -1:  # the request / response hint
            self._reply_pending = False
            step = Step.WAIT_READABLE
        else:
            try:  # the first try inline (no instrument: nothing to report)
                return sock.recv(bufsize, flags)
            except WOULD_BLOCK as exc:
                step = would_block_step(exc, RECV)
            except OSError:
                if sock.fileno() == -1:
                    return b""  # closed: end of stream
                raise
        try:
            return await self._after_would_block(RECV, step, lambda: sock.recv(bufsize, flags))
        except SocketClosedError:
            return b""

    async def _recv_traced(self, bufsize: int, flags: int) -> bytes:
        sock = self.socket
        try:
            data = await self._run(RECV, lambda: sock.recv(bufsize, flags), True)
        except SocketClosedError:
            return b""
        fire("on_socket_recv_data", SocketRecvDataMetadata(self._public, data))
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
        >>> from flowno_net import SocketHandle
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
            fire("on_socket_recv_data", SocketRecvDataMetadata(self._public, received))
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
        >>> from flowno_net import SocketHandle
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
            fire("on_socket_recv_data", SocketRecvDataMetadata(self._public, data))
        return data, address
