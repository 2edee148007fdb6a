# Rules of this module:
# - A SocketStream owns one SocketHandle and one receive buffer: an immutable bytes object and a
#   read offset into it (a read is one slice; the consumed prefix is dropped at the next
#   receive). Every read method first serves bytes already buffered and receives more only
#   when the buffer cannot answer; nothing is ever lost between calls.
# - The buffer is bounded: a separator that does not show up within ``limit`` bytes raises
#   LimitOverrunError, with the bytes left in the buffer (the caller may read them with read()).
# - End of stream is sticky: once recv returned b"", no further recv is attempted.
# - Writes go through the handle's sendAll, so concurrent writers write whole messages.
"""SocketStream: a buffered byte stream over any flowno-net socket, and open_connection()."""

from __future__ import annotations

import socket as std_socket
import ssl as std_ssl
from collections.abc import AsyncIterator
from types import TracebackType

from ._factory import socket
from ._handle import SocketHandle
from ._resolve import Address

#: The default bound of a SocketStream's buffer while it looks for a separator.
DEFAULT_LIMIT = 1 << 16
_CHUNK = 1 << 16


class IncompleteReadError(EOFError):
    """The stream ended before the requested bytes arrived.

    Attributes:
        partial: the bytes read before the end of the stream.
        expected: the number of bytes asked for (``None`` for a separator search).

    >>> err = IncompleteReadError(b"ab", 5)
    >>> str(err), err.partial, isinstance(err, EOFError)
    ('2 bytes read on a total of 5 expected bytes', b'ab', True)
    """

    def __init__(self, partial: bytes, expected: int | None) -> None:
        wanted = "undefined" if expected is None else str(expected)
        super().__init__(f"{len(partial)} bytes read on a total of {wanted} expected bytes")
        self.partial = partial
        self.expected = expected


class LimitOverrunError(ValueError):
    """No separator was found within the stream's ``limit`` bytes.

    Attributes:
        consumed: how many buffered bytes were searched; they stay in the buffer.

    >>> err = LimitOverrunError("separator not found within 4 bytes (the limit)", 4)
    >>> err.consumed, isinstance(err, ValueError)
    (4, True)
    """

    def __init__(self, message: str, consumed: int) -> None:
        super().__init__(message)
        self.consumed = consumed


class SocketStream:
    """A buffered byte stream over a :class:`SocketHandle` (plain or TLS).

    Reads (``read``, ``readexactly``, ``readline``, ``readuntil``, ``async for line in
    stream``) come from a buffer that holds at most about ``limit`` bytes while a separator is
    looked for. Writes are ``write`` + ``drain`` or ``send_all``. ``aclose`` (or ``async
    with``) closes the socket.

    Args:
        handle: the connected socket handle; the stream owns it from now on.
        limit: the most bytes a line (or ``readuntil`` record) may have.

    >>> import socket as std_socket
    >>> from flowno_eventloop import EventLoop
    >>> async def main():
    ...     left, right = std_socket.socketpair()
    ...     async with SocketStream(SocketHandle(left)) as a, SocketStream(SocketHandle(right)) as b:
    ...         await a.send_all(b"one\\ntwo\\n")
    ...         return await b.readline(), await b.readline()
    >>> EventLoop().run_until_complete(main(), join=True)
    (b'one\\n', b'two\\n')
    """

    def __init__(self, handle: SocketHandle, *, limit: int = DEFAULT_LIMIT) -> None:
        if limit <= 0:
            raise ValueError(
                f"SocketStream: limit must be a positive number of bytes, got {limit!r}"
            )
        self.handle: SocketHandle = handle
        self.limit: int = limit
        self._buf = b""
        self._pos = 0
        self._chunk = max(_CHUNK, limit)
        self._eof = False
        self._pending: list[bytes] = []

    def __repr__(self) -> str:
        return f"<SocketStream {self.handle!r} buffered={self.buffered} eof={self._eof}>"

    # -- reading ------------------------------------------------------------------------------

    async def _receive(self) -> bytes:
        """Receive once; b"" (sticky) at the end of the stream."""
        if self._eof:
            return b""
        data = await self.handle.recv(self._chunk)
        if not data:
            self._eof = True
        return data

    async def _fill(self) -> bool:
        """Receive once into the buffer (dropping the consumed prefix); False at the end."""
        data = await self._receive()
        if not data:
            return False
        buf, pos = self._buf, self._pos
        self._buf = data if pos == len(buf) else buf[pos:] + data
        self._pos = 0
        return True

    @property
    def buffered(self) -> int:
        """How many received bytes wait in the buffer (read without touching the socket).

        >>> import socket as std_socket
        >>> a, b = std_socket.socketpair()
        >>> s = SocketStream(SocketHandle(a)); s.buffered
        0
        >>> s.handle.close(); b.close()
        """
        return len(self._buf) - self._pos

    def at_eof(self) -> bool:
        """True once the peer closed its side and the buffer is empty.

        >>> import socket as std_socket
        >>> a, b = std_socket.socketpair()
        >>> s = SocketStream(SocketHandle(a)); s.at_eof()
        False
        >>> s.handle.close(); b.close()
        """
        return self._eof and self._pos == len(self._buf)

    async def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes (``-1``: everything until the end of the stream).

        Waits only when the buffer is empty; returns ``b""`` at the end of the stream.

        Args:
            n: the most bytes to return, or ``-1``.

        Returns:
            The bytes read.

        >>> import socket as std_socket
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     async with SocketStream(SocketHandle(left)) as a, SocketStream(SocketHandle(right)) as b:
        ...         await a.send_all(b"abcdef"); a.handle.shutdown(std_socket.SHUT_WR)
        ...         return await b.read(2), await b.read(), await b.read()
        >>> EventLoop().run_until_complete(main(), join=True)
        (b'ab', b'cdef', b'')
        """
        if n < 0:
            parts = [self._take_all()]
            while data := await self._receive():
                parts.append(data)
            return b"".join(parts)
        if n == 0:
            return b""
        if self._pos == len(self._buf):
            await self._fill()
        return self._take(min(n, self.buffered))

    async def readexactly(self, n: int) -> bytes:
        """Read exactly ``n`` bytes.

        Args:
            n: the number of bytes.

        Returns:
            ``n`` bytes.

        Raises:
            IncompleteReadError: the stream ended first (``.partial`` holds what came).

        >>> import socket as std_socket
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     async with SocketStream(SocketHandle(left)) as a, SocketStream(SocketHandle(right)) as b:
        ...         await a.send_all(b"abc"); a.handle.shutdown(std_socket.SHUT_WR)
        ...         first = await b.readexactly(2)
        ...         try:
        ...             await b.readexactly(5)
        ...         except IncompleteReadError as e:
        ...             return first, e.partial
        >>> EventLoop().run_until_complete(main(), join=True)
        (b'ab', b'c')
        """
        if n < 0:
            raise ValueError(f"readexactly: n must be >= 0, got {n!r}")
        if self.buffered >= n:
            return self._take(n)
        parts = [self._take_all()]
        have = len(parts[0])
        while have < n:
            data = await self._receive()
            if not data:
                raise IncompleteReadError(b"".join(parts), n)
            parts.append(data)
            have += len(data)
        self._buf, self._pos = b"".join(parts), n  # the bytes past n stay buffered
        return self._buf[:n]

    async def readline(self) -> bytes:
        """Read one line, ``b"\\n"`` included; at the end of the stream, what is left.

        Returns:
            The line (without a final newline only at the end of the stream; ``b""`` there).

        Raises:
            LimitOverrunError: no newline within ``limit`` bytes.

        >>> import socket as std_socket
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     async with SocketStream(SocketHandle(left)) as a, SocketStream(SocketHandle(right)) as b:
        ...         await a.send_all(b"x\\ntail"); a.handle.shutdown(std_socket.SHUT_WR)
        ...         return await b.readline(), await b.readline(), await b.readline()
        >>> EventLoop().run_until_complete(main(), join=True)
        (b'x\\n', b'tail', b'')
        """
        buf, pos = self._buf, self._pos
        end = buf.find(b"\n", pos)
        if 0 <= end - pos <= self.limit:  # the common case: a whole line is buffered
            self._pos = end + 1
            return buf[pos : end + 1]
        try:
            return await self.readuntil(b"\n")
        except IncompleteReadError as exc:
            return exc.partial

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """Read up to and including ``separator``.

        Args:
            separator: the non-empty byte string that ends a record.

        Returns:
            The record, separator included.

        Raises:
            IncompleteReadError: the stream ended before the separator (``.partial`` has the
                rest of the stream, which is consumed).
            LimitOverrunError: the separator did not come within ``limit`` bytes; the bytes
                stay in the buffer.

        >>> import socket as std_socket
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     async with SocketStream(SocketHandle(left)) as a, SocketStream(SocketHandle(right), limit=4) as b:
        ...         await a.send_all(b"ab||abcdef||")
        ...         first = await b.readuntil(b"||")
        ...         try:
        ...             await b.readuntil(b"||")
        ...         except LimitOverrunError as e:
        ...             return first, str(e)
        >>> EventLoop().run_until_complete(main(), join=True)
        (b'ab||', "readuntil: separator b'||' not found within the stream's limit of 4 bytes")
        """
        if not separator:
            raise ValueError("readuntil: separator must not be empty")
        width, limit = len(separator), self.limit
        buf, pos = self._buf, self._pos
        start = pos
        while True:
            found = buf.find(separator, start)
            if found >= 0 and found - pos <= limit:
                self._pos = found + width
                return buf[pos : found + width]
            if found >= 0 or len(buf) - pos > limit:
                raise LimitOverrunError(
                    f"readuntil: separator {separator!r} not found within the stream's limit"
                    f" of {limit} bytes",
                    (found if found >= 0 else len(buf)) - pos,
                )
            start = max(pos, len(buf) - width + 1) - pos  # offset in the compacted buffer
            if not await self._fill():
                raise IncompleteReadError(self._take_all(), None)
            buf, pos = self._buf, 0

    def _take(self, n: int) -> bytes:
        pos = self._pos
        self._pos = pos + n
        return self._buf[pos : pos + n]

    def _take_all(self) -> bytes:
        data = self._buf[self._pos :] if self._pos else self._buf
        self._buf, self._pos = b"", 0
        return data

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[bytes]:
        while line := await self.readline():
            yield line

    # -- writing ------------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Queue ``data`` to be sent by the next :meth:`drain`.

        Args:
            data: the bytes to send.

        >>> import socket as std_socket
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     async with SocketStream(SocketHandle(left)) as a, SocketStream(SocketHandle(right)) as b:
        ...         a.write(b"he"); a.write(b"llo"); await a.drain()
        ...         return await b.readexactly(5)
        >>> EventLoop().run_until_complete(main(), join=True)
        b'hello'
        """
        self._pending.append(bytes(data))

    async def drain(self) -> None:
        """Send everything queued by :meth:`write` (as one whole write).

        >>> import socket as std_socket
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     async with SocketStream(SocketHandle(left)) as a, SocketStream(SocketHandle(right)) as b:
        ...         a.write(b"queued "); await a.drain(); await a.drain()
        ...         return await b.read(100)
        >>> EventLoop().run_until_complete(main(), join=True)
        b'queued '
        """
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            await self.handle.sendAll(data)

    async def send_all(self, data: bytes) -> None:
        """Send ``data`` now, after anything queued by :meth:`write`.

        Args:
            data: the bytes to send.

        >>> import socket as std_socket
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     async with SocketStream(SocketHandle(left)) as a, SocketStream(SocketHandle(right)) as b:
        ...         a.write(b"first, "); await a.send_all(b"then this")
        ...         return await b.readexactly(16)
        >>> EventLoop().run_until_complete(main(), join=True)
        b'first, then this'
        """
        if self._pending:
            self.write(data)
            await self.drain()
        else:
            await self.handle.sendAll(data)

    # -- lifetime -----------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the socket (queued, undrained writes are dropped). Idempotent.

        >>> import socket as std_socket
        >>> from flowno_eventloop import EventLoop
        >>> a, b = std_socket.socketpair()
        >>> stream = SocketStream(SocketHandle(a))
        >>> EventLoop().run_until_complete(stream.aclose(), join=True)
        >>> stream.handle.closed, b.recv(1)
        (True, b'')
        >>> b.close()
        """
        self._pending.clear()
        self.handle.close()

    async def __aenter__(self) -> SocketStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def open_connection(
    host: str,
    port: int,
    *,
    ssl: std_ssl.SSLContext | bool | None = None,
    server_hostname: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> SocketStream:
    """Connect to ``host:port`` (TLS with ``ssl``) and return a :class:`SocketStream`.

    Args:
        host: a host name or address (names resolve off the loop).
        port: the port.
        ssl: ``True`` for TLS with a default, verifying context; an ``ssl.SSLContext`` for
            TLS with that context; ``None``/``False`` for plain TCP.
        server_hostname: the name to verify the certificate against (default: ``host``).
        limit: the stream's line limit.

    Returns:
        The connected stream; the caller closes it.

    Raises:
        OSError: the connection failed (TLS failures are ``TLSHandshakeError`` subclasses).

    >>> from flowno_eventloop import EventLoop
    >>> from flowno_net import start_server
    >>> async def hello(conn, address):
    ...     await conn.sendAll(b"hello\\n")
    >>> async def main():
    ...     async with await start_server(hello, "127.0.0.1", 0) as server:
    ...         async with await open_connection("127.0.0.1", server.port) as stream:
    ...             return await stream.readline()
    >>> EventLoop().run_until_complete(main(), join=True)
    b'hello\\n'
    """
    if ssl is None or ssl is False:
        context = None
    else:
        context = std_ssl.create_default_context() if ssl is True else ssl
    handle = await connect_handle(host, port, context, server_hostname)
    return SocketStream(handle, limit=limit)


async def connect_handle(
    host: str, port: int, ssl_context: std_ssl.SSLContext | None, server_hostname: str | None = None
) -> SocketHandle:
    """A handle connected to ``host:port``, closed again when connecting fails.

    TLS with ``ssl_context`` when given, verifying ``server_hostname`` (default: ``host``).
    """
    family = std_socket.AF_INET6 if ":" in host else std_socket.AF_INET
    if ssl_context is None:
        handle = socket(family)
    else:
        hostname = server_hostname or host
        handle = socket(family, use_tls=True, ssl_context=ssl_context, server_hostname=hostname)
    address: Address = (host, port)
    try:
        await handle.aconnect(address)
    except BaseException:
        handle.close()
        raise
    return handle
