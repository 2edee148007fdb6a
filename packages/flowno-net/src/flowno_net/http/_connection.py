# Rules of this module:
# - One HTTPConnection is one socket and one h11 state machine; it carries one exchange at a
#   time. h11 does the framing (Content-Length, chunked, close-delimited); this module only
#   moves bytes and turns h11 / socket failures into the client's errors, naming the request.
# - Every receive is bounded by the read timeout and every send by the write timeout (cancel
#   scopes on the loop's clock).
# - A connection goes back to the pool only after a complete exchange (both sides DONE, no
#   "Connection: close"); anything else closes it. An idle connection that became readable
#   (the server closed it, or sent bytes nobody asked for) is stale and is closed, not reused.
"""HTTPConnection (one socket + h11) and ConnectionPool (idle connections per origin)."""

from __future__ import annotations

import select
from typing import Any

from .._handle import SocketHandle
from .._kernel import fail_after
from ._config import Headers
from ._errors import ReadError, ReadTimeout, RemoteProtocolError, WriteError, WriteTimeout
from ._models import Request, Response

Origin = tuple[str, str, int]  # scheme, host, port

_RECEIVE_SIZE = 1 << 16


def load_h11() -> Any:
    """Import h11, or raise an ImportError naming the extra that brings it.

    Returns:
        The h11 module.

    Raises:
        ImportError: h11 is not installed.

    >>> load_h11().__name__
    'h11'
    """
    try:
        import h11
    except ImportError as exc:
        raise ImportError(
            "flowno_net.http needs h11, which the 'http' extra installs: "
            "pip install 'flowno-net[http]'"
        ) from exc
    return h11


class HTTPConnection:
    """An HTTP/1.1 client connection: a connected socket handle and its h11 state machine.

    Args:
        handle: the connected (and, for https, TLS) socket handle; the connection owns it.
        origin: ``(scheme, host, port)`` it is connected to.
        pool: where it goes back after a complete exchange.

    >>> HTTPConnection.exchange.__doc__.splitlines()[0]
    'Send ``request`` and receive the response head; the body is read through the response.'
    """

    def __init__(self, handle: SocketHandle, origin: Origin, pool: ConnectionPool) -> None:
        h11_module = load_h11()
        self.handle = handle
        self.origin = origin
        self._pool = pool
        self._h11: Any = h11_module.Connection(h11_module.CLIENT)  # an h11.Connection
        self._request: Request | None = None
        self._read_timeout: float | None = None
        self.received_any = False

    def __repr__(self) -> str:
        scheme, host, port = self.origin
        return f"<HTTPConnection {scheme}://{host}:{port} {self.handle!r}>"

    @property
    def closed(self) -> bool:
        """True once the socket is closed.

        >>> HTTPConnection.closed.__doc__.splitlines()[0]
        'True once the socket is closed.'
        """
        return self.handle.closed

    def is_stale(self) -> bool:
        """True when an idle connection cannot carry another request (closed or readable).

        >>> HTTPConnection.is_stale.__doc__.splitlines()[0]
        'True when an idle connection cannot carry another request (closed or readable).'
        """
        if self.handle.closed:
            return True
        readable, _, _ = select.select([self.handle.fileno()], [], [], 0)
        return bool(readable)

    async def exchange(
        self, request: Request, read_timeout: float | None, write_timeout: float | None
    ) -> Response:
        """Send ``request`` and receive the response head; the body is read through the response.

        Args:
            request: the request.
            read_timeout: the longest wait for each chunk of the response.
            write_timeout: the deadline for sending the request.

        Returns:
            The response, whose body is still to be read.

        Raises:
            RemoteProtocolError, ReadError, WriteError, ReadTimeout, WriteTimeout: the
                exchange failed; the connection is closed.
        """
        h11_module = load_h11()
        self._request, self._read_timeout, self.received_any = request, read_timeout, False
        try:
            await self._send_request(h11_module, request, write_timeout)
            head = await self._next_event(h11_module)
            while isinstance(head, h11_module.InformationalResponse):
                head = await self._next_event(h11_module)
        except BaseException:
            self.close()
            raise
        return Response(
            head.status_code,
            request,
            headers=Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in head.headers),
            reason_phrase=head.reason.decode("latin-1"),
            http_version="HTTP/" + head.http_version.decode("ascii"),
            source=self,
        )

    async def _send_request(self, h11_module: Any, request: Request, timeout: float | None) -> None:
        target = _target(request.url)
        headers = request.headers.raw()
        events: list[Any] = [
            h11_module.Request(method=request.method, target=target, headers=headers)
        ]
        if request.content:
            events.append(h11_module.Data(data=request.content))
        events.append(h11_module.EndOfMessage())
        chunks: list[bytes] = [self._h11.send(event) or b"" for event in events]
        data = b"".join(chunks)
        try:
            with fail_after(_forever(timeout)):
                await self.handle.sendAll(data)
        except TimeoutError as exc:
            raise WriteTimeout(
                f"write timeout: sending {request.method} {request.url} took more than {timeout}s",
                request=request,
            ) from exc
        except OSError as exc:
            raise WriteError(
                f"sending {request.method} {request.url} failed: {exc}", request=request
            ) from exc

    async def _next_event(self, h11_module: Any) -> Any:
        conn = self._h11
        while True:
            try:
                event = conn.next_event()
            except h11_module.RemoteProtocolError as exc:
                raise self._protocol_error(exc) from exc
            if event is not h11_module.NEED_DATA:
                return event
            data = await self._receive_bytes()
            if data:
                self.received_any = True
            conn.receive_data(data)

    def _protocol_error(self, exc: BaseException) -> RemoteProtocolError:
        request = self._request
        what = f"{request.method} {request.url}" if request is not None else "the request"
        if not self.received_any and "ConnectionClosed" in str(exc):
            message = f"the server closed the connection without sending a response ({what})"
        else:
            message = f"the server broke HTTP/1.1 ({what}): {exc}"
        return RemoteProtocolError(message, request=request)

    async def _receive_bytes(self) -> bytes:
        timeout = self._read_timeout
        data: bytes | None = None
        try:
            with fail_after(_forever(timeout)):
                data = await self.handle.recv(_RECEIVE_SIZE)
        except TimeoutError as exc:
            raise self._read_timeout_error() from exc
        except OSError as exc:
            raise ReadError(
                f"receiving from {self._where()} failed: {exc}", request=self._request
            ) from exc
        if data is None:  # the deadline passed
            raise self._read_timeout_error()
        return data

    def _read_timeout_error(self) -> ReadTimeout:
        return ReadTimeout(
            f"read timeout: no data from {self._where()} within {self._read_timeout}s",
            request=self._request,
        )

    def _where(self) -> str:
        request = self._request
        return f"{request.method} {request.url}" if request is not None else repr(self)

    # -- BodySource ---------------------------------------------------------------------------

    async def receive(self) -> bytes:
        """The next bytes of the response body; ``b""`` at its end.

        Raises:
            RemoteProtocolError: the body was cut short or malformed.
        """
        h11_module = load_h11()
        try:
            event = await self._next_event(h11_module)
        except BaseException:
            self.close()
            raise
        if isinstance(event, h11_module.Data):
            return bytes(event.data)
        return b""  # EndOfMessage (or ConnectionClosed after a close-delimited body)

    def release(self) -> None:
        """Back to the pool after a complete exchange, else closed.

        >>> HTTPConnection.release.__doc__.splitlines()[0]
        'Back to the pool after a complete exchange, else closed.'
        """
        h11_module = load_h11()
        conn = self._h11
        self._request = None
        if conn.our_state is h11_module.DONE and conn.their_state is h11_module.DONE:
            conn.start_next_cycle()
            self._pool.put(self)
        else:
            self.close()

    def close(self) -> None:
        """Close the socket (idempotent).

        >>> HTTPConnection.close.__doc__.splitlines()[0]
        'Close the socket (idempotent).'
        """
        self.handle.close()


class ConnectionPool:
    """Idle keep-alive connections, per origin.

    >>> pool = ConnectionPool(); pool.take(("http", "x.test", 80)) is None
    True
    """

    def __init__(self) -> None:
        self._idle: dict[Origin, list[HTTPConnection]] = {}
        self._closed = False

    def take(self, origin: Origin) -> HTTPConnection | None:
        """An idle, live connection to ``origin`` (stale ones are closed), or ``None``.

        Args:
            origin: ``(scheme, host, port)``.

        Returns:
            A connection ready for a request, or ``None``.

        >>> ConnectionPool().take(("https", "x.test", 443)) is None
        True
        """
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if not connection.is_stale():
                return connection
            connection.close()
        return None

    def put(self, connection: HTTPConnection) -> None:
        """Keep ``connection`` for the next request to its origin.

        Args:
            connection: a connection whose exchange completed.

        >>> ConnectionPool.put.__doc__.splitlines()[0]
        'Keep ``connection`` for the next request to its origin.'
        """
        if self._closed:  # the client was closed while this response was open
            connection.close()
            return
        if connection.closed:
            return
        self._idle.setdefault(connection.origin, []).append(connection)

    def idle_count(self) -> int:
        """How many idle connections the pool holds.

        >>> ConnectionPool().idle_count()
        0
        """
        return sum(len(idle) for idle in self._idle.values())

    def close(self) -> None:
        """Close every idle connection, and every connection given back from now on.

        >>> ConnectionPool().close()
        """
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


def _target(url: str) -> str:
    """The request target (path and query) of an absolute URL."""
    rest = url.split("://", 1)[1]
    slash = rest.find("/")
    query = rest.find("?")
    if slash < 0 or (0 <= query < slash):
        return "/" + rest[query:] if query >= 0 else "/"
    return rest[slash:].split("#", 1)[0]


def _forever(timeout: float | None) -> float:
    return float("inf") if timeout is None else timeout
