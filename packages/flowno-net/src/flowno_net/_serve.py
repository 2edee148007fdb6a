# Rules of this module: serve() owns its listener and every connection it accepts. Each
# connection runs in its own task of one TaskGroup; the TLS handshake runs in that task under a
# deadline, so a slow, stalled or hostile client never holds up accept() nor keeps its fd.
# Cancelling serve() cancels the connection tasks and closes the listener and every connection.
# What a misbehaving peer causes ends only that connection and is logged (logger "flowno.net"):
# a failed or overdue TLS handshake, and a ConnectionError (reset, broken pipe, TLS error) or
# SocketClosedError escaping the handler. Any other exception from a handler ends the server
# (structured concurrency: program errors are not swallowed).
"""serve(): accept forever, one task per connection."""

from __future__ import annotations

import logging
import math
import socket as std_socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from ._errors import SocketClosedError, TLSHandshakeError
from ._handle import SocketHandle
from ._kernel import TaskGroup, TaskHandle, move_on_after, spawn
from ._resolve import resolve
from ._tls import TLSSocketHandle

logger = logging.getLogger("flowno.net")

Handler = Callable[[SocketHandle, Any], Awaitable[object]]

#: Seconds a TLS client gets to complete its handshake in ``serve()`` by default.
DEFAULT_HANDSHAKE_TIMEOUT = 10.0

# What a peer can cause inside a handler: logged, and only that connection ends.
_PEER_FAILURES = (ConnectionError, SocketClosedError)


async def open_listener(
    host: str, port: int, *, ssl_context: ssl.SSLContext | None = None, backlog: int | None = None
) -> SocketHandle:
    """Create a listening handle on ``host:port`` (a TLS listener when ``ssl_context`` is given).

    Args:
        host: the address or name to bind (names resolve off the loop).
        port: the port; 0 picks a free one (read it with ``getsockname()``).
        ssl_context: a server context holding a certificate, for TLS.
        backlog: the listen backlog (default: the system's).

    Returns:
        The listening handle; the caller closes it.

    >>> from flowno_eventloop import EventLoop
    >>> async def main():
    ...     with await open_listener("127.0.0.1", 0) as listener:
    ...         return listener.getsockname()[0]
    >>> EventLoop().run_until_complete(main(), join=True)
    '127.0.0.1'
    """
    family = std_socket.AF_INET6 if ":" in host else std_socket.AF_INET
    targets = await resolve((host, port), family, std_socket.SOCK_STREAM, 0)
    raw = std_socket.socket(family, std_socket.SOCK_STREAM)
    listener = SocketHandle(raw) if ssl_context is None else TLSSocketHandle(raw, ssl_context)
    try:
        listener.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEADDR, 1)
        listener.bind(targets[0])
        listener.listen(backlog)
    except BaseException:
        listener.close()
        raise
    return listener


async def serve(
    handler: Handler,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    backlog: int | None = None,
    on_listening: Callable[[SocketHandle], object] | None = None,
    handshake_timeout: float | None = DEFAULT_HANDSHAKE_TIMEOUT,
) -> None:
    """Accept connections forever, running ``await handler(connection, address)`` for each.

    Every connection runs in its own task of one task group and is closed when its handler
    returns. Cancel the task running ``serve`` to stop: the listener and all connections are
    closed. With ``ssl_context`` (a server context with a certificate) each connection's TLS
    handshake runs in its own task and must finish within ``handshake_timeout`` seconds; a
    failed or overdue handshake is logged and closes only that connection. A
    ``ConnectionError`` (a client reset, a broken pipe) or ``SocketClosedError`` escaping a
    handler is logged and ends only that connection; any other exception from a handler stops
    the server and propagates (in an ``ExceptionGroup``, from the task group). To wait until
    the server listens, use :func:`start_server` instead.

    Args:
        handler: ``async def handler(connection, address)``.
        host: the address to listen on.
        port: the port; 0 picks a free one.
        ssl_context: serve TLS with this server context.
        backlog: the listen backlog.
        on_listening: called with the listening handle once it listens (e.g. to read the port).
        handshake_timeout: seconds for each TLS handshake (``None``: no deadline).

    >>> from flowno_eventloop import EventLoop, sleep, spawn
    >>> from flowno_net import socket
    >>> async def shout(conn, address):
    ...     await conn.sendAll((await conn.recv(100)).upper())
    >>> async def main():
    ...     ports = []
    ...     listening = lambda listener: ports.append(listener.getsockname()[1])
    ...     server = await spawn(serve(shout, "127.0.0.1", 0, on_listening=listening))
    ...     while not ports:
    ...         await sleep(0)
    ...     with socket() as client:
    ...         await client.aconnect(("127.0.0.1", ports[0]))
    ...         await client.sendAll(b"hi")
    ...         reply = await client.recv(100)
    ...     await server.cancel()
    ...     return reply, server.is_cancelled
    >>> EventLoop().run_until_complete(main(), join=True)
    (b'HI', True)
    """
    listener = await open_listener(host, port, ssl_context=ssl_context, backlog=backlog)
    if on_listening is not None:
        try:
            on_listening(listener)
        except BaseException:
            listener.close()
            raise
    await serve_listener(handler, listener, handshake_timeout=handshake_timeout)


async def serve_listener(
    handler: Handler,
    listener: SocketHandle,
    *,
    handshake_timeout: float | None = DEFAULT_HANDSHAKE_TIMEOUT,
) -> None:
    """Like :func:`serve` on a listening handle (which it owns and closes when it ends).

    A listening :class:`TLSSocketHandle` serves TLS.

    Args:
        handler: ``async def handler(connection, address)``.
        listener: a listening handle, e.g. from :func:`open_listener`.
        handshake_timeout: seconds for each TLS handshake (``None``: no deadline).

    >>> from flowno_eventloop import EventLoop, spawn
    >>> from flowno_net import socket
    >>> async def greet(conn, address):
    ...     await conn.sendAll(b"hello")
    >>> async def main():
    ...     listener = await open_listener("127.0.0.1", 0)
    ...     server = await spawn(serve_listener(greet, listener))
    ...     with socket() as client:
    ...         await client.aconnect(listener.getsockname())
    ...         reply = await client.recv(100)
    ...     await server.cancel()
    ...     return reply, listener.closed
    >>> EventLoop().run_until_complete(main(), join=True)
    (b'hello', True)
    """
    connections: set[SocketHandle] = set()
    with listener:
        try:
            async with TaskGroup() as group:
                while True:
                    raw, address = await listener.accept_socket()
                    connection = _connection_for(listener, raw, address)
                    connections.add(connection)
                    one = _serve_one(handler, connection, address, connections, handshake_timeout)
                    group.spawn(one)
        finally:
            for connection in list(connections):
                connection.close()


class Server:
    """A running server made by :func:`start_server`: its listener, address and lifetime.

    ``async with`` it (or call :meth:`aclose`) to stop it: the listener and every connection
    are closed and the serving task is waited for.

    >>> from flowno_eventloop import EventLoop
    >>> async def idle(conn, address):
    ...     await conn.recv(1)
    >>> async def main():
    ...     async with await start_server(idle, "127.0.0.1", 0) as server:
    ...         listening = not server.listener.closed
    ...     return listening, server.listener.closed, server.task.is_cancelled
    >>> EventLoop().run_until_complete(main(), join=True)
    (True, True, True)
    """

    def __init__(self, listener: SocketHandle, task: TaskHandle[None]) -> None:
        self.listener: SocketHandle = listener
        self.task: TaskHandle[None] = task

    @property
    def address(self) -> Any:
        """The address the server listens on (``(host, port)`` for INET).

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     async with await start_server(lambda c, a: c.recv(1), "127.0.0.1", 0) as server:
        ...         return server.address[0]
        >>> EventLoop().run_until_complete(main(), join=True)
        '127.0.0.1'
        """
        return self.listener.getsockname()

    @property
    def port(self) -> int:
        """The port the server listens on (useful after asking for port 0).

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     async with await start_server(lambda c, a: c.recv(1), "127.0.0.1", 0) as server:
        ...         return server.port > 0
        >>> EventLoop().run_until_complete(main(), join=True)
        True
        """
        return int(self.address[1])

    async def aclose(self) -> None:
        """Stop serving: cancel the serving task, wait for it, close every connection.

        Raises:
            BaseException: what ended the serving task before it was stopped (a handler's
                error), if anything did.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     server = await start_server(lambda c, a: c.recv(1), "127.0.0.1", 0)
        ...     await server.aclose(); await server.aclose()  # idempotent
        ...     return repr(server)
        >>> EventLoop().run_until_complete(main(), join=True)
        '<Server closed>'
        """
        if not self.task.done:
            await self.task.cancel()
        if self.task.is_error:
            await self.task.join()
        self.listener.close()

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self.listener.closed else f"listening on {self.address!r}"
        return f"<Server {state}>"


async def start_server(
    handler: Handler,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    backlog: int | None = None,
    handshake_timeout: float | None = DEFAULT_HANDSHAKE_TIMEOUT,
) -> Server:
    """Start :func:`serve` in a new task and return once it listens (a readiness handshake).

    The arguments are :func:`serve`'s. When this returns, clients can connect at
    ``server.address``; ``async with`` the server (or ``await server.aclose()``) stops it.

    Returns:
        The running :class:`Server`.

    >>> from flowno_eventloop import EventLoop
    >>> from flowno_net import socket
    >>> async def shout(conn, address):
    ...     await conn.sendAll((await conn.recv(100)).upper())
    >>> async def main():
    ...     async with await start_server(shout, "127.0.0.1", 0) as server:
    ...         with socket() as client:
    ...             await client.aconnect(server.address)
    ...             await client.sendAll(b"ready")
    ...             return await client.recv(100)
    >>> EventLoop().run_until_complete(main(), join=True)
    b'READY'
    """
    listener = await open_listener(host, port, ssl_context=ssl_context, backlog=backlog)
    try:
        task = await spawn(serve_listener(handler, listener, handshake_timeout=handshake_timeout))
    except BaseException:
        listener.close()
        raise
    return Server(listener, task)


def _connection_for(listener: SocketHandle, raw: std_socket.socket, address: Any) -> SocketHandle:
    if isinstance(listener, TLSSocketHandle):
        return listener.server_connection(raw, address)
    return SocketHandle(raw)


async def _handshake(connection: TLSSocketHandle, timeout: float | None, address: Any) -> bool:
    """Run the server side of the handshake under ``timeout``; False (logged) when it failed."""
    try:
        with move_on_after(math.inf if timeout is None else timeout) as scope:
            await connection.do_handshake()
    except TLSHandshakeError as exc:
        logger.warning("serve: %s", exc)
        return False
    if scope.cancelled_caught:
        logger.warning("serve: TLS handshake with %r took longer than %ss", address, timeout)
        return False
    return True


async def _serve_one(
    handler: Handler,
    connection: SocketHandle,
    address: Any,
    connections: set[SocketHandle],
    handshake_timeout: float | None,
) -> None:
    try:
        if isinstance(connection, TLSSocketHandle) and not await _handshake(
            connection, handshake_timeout, address
        ):
            return
        await handler(connection, address)
    except _PEER_FAILURES as exc:
        logger.info("serve: connection from %r ended: %r", address, exc)
    finally:
        connections.discard(connection)
        connection.close()
