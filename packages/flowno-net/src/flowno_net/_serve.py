# Rules of this module: serve() owns its listener and every connection it accepts. Each
# connection runs in its own task of one TaskGroup; the TLS handshake runs in that task, so a
# slow or hostile client never holds up accept(). Cancelling serve() cancels the connection
# tasks and closes the listener and every connection. A failed TLS handshake is logged (warning,
# logger "flowno.net") and ends only that connection; a handler's exception ends the server
# (structured concurrency: errors are not swallowed).
"""serve(): accept forever, one task per connection."""

from __future__ import annotations

import logging
import socket as std_socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from ._errors import TLSHandshakeError
from ._handle import SocketHandle
from ._kernel import TaskGroup
from ._resolve import resolve
from ._tls import TLSSocketHandle

logger = logging.getLogger("flowno.net")

Handler = Callable[[SocketHandle, Any], Awaitable[object]]


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
) -> None:
    """Accept connections forever, running ``await handler(connection, address)`` for each.

    Every connection runs in its own task of one task group and is closed when its handler
    returns. Cancel the task running ``serve`` to stop: the listener and all connections are
    closed. With ``ssl_context`` (a server context with a certificate) each connection's TLS
    handshake runs in its own task; a failed handshake is logged and closes only that
    connection. An exception from a handler stops the server and propagates (in an
    ``ExceptionGroup``, from the task group).

    Args:
        handler: ``async def handler(connection, address)``.
        host: the address to listen on.
        port: the port; 0 picks a free one.
        ssl_context: serve TLS with this server context.
        backlog: the listen backlog.
        on_listening: called with the listening handle once it listens (e.g. to read the port).

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
    connections: set[SocketHandle] = set()
    with await open_listener(host, port, ssl_context=ssl_context, backlog=backlog) as listener:
        if on_listening is not None:
            on_listening(listener)
        try:
            async with TaskGroup() as group:
                while True:
                    raw, address = await listener.accept_socket()
                    connection = _connection_for(listener, raw, address)
                    connections.add(connection)
                    group.spawn(_serve_one(handler, connection, address, connections))
        finally:
            for connection in list(connections):
                connection.close()


def _connection_for(listener: SocketHandle, raw: std_socket.socket, address: Any) -> SocketHandle:
    if isinstance(listener, TLSSocketHandle):
        return listener.server_connection(raw, address)
    return SocketHandle(raw)


async def _serve_one(
    handler: Handler, connection: SocketHandle, address: Any, connections: set[SocketHandle]
) -> None:
    try:
        if isinstance(connection, TLSSocketHandle):
            try:
                await connection.do_handshake()
            except TLSHandshakeError as exc:
                logger.warning("serve: %s", exc)
                return
        await handler(connection, address)
    finally:
        connections.discard(connection)
        connection.close()
