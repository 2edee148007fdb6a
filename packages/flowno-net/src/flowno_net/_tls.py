# Rules of this module:
# - TLS on both sides, on a non-blocking socket: the handshake is the same try-then-park loop as
#   every other operation (SSLWantRead / SSLWantWrite decide the direction), so it never blocks
#   the loop, except in the documented blocking ``connect()``.
# - Reads try the SSL object first, so bytes it already decrypted (``pending()``) are returned
#   without waiting for the raw fd.
# - Verification is whatever the context says; ``socket(use_tls=True)`` gives a default context,
#   which verifies certificates and host names.
# - Every handshake failure is raised as a TLSHandshakeError subclass chained from the ssl error.
"""TLSSocketHandle: TLS client and server connections."""

from __future__ import annotations

import socket as std_socket
import ssl
import time
from typing import Any

from ._errors import SocketClosedError, classify_tls_failure
from ._handle import SocketHandle, blocking_mode
from ._hooks import fire, instrumented
from ._metadata import TLSHandshakeMetadata
from ._ops import HANDSHAKE
from ._resolve import Address


class TLSSocketHandle(SocketHandle):
    """A socket handle that speaks TLS once connected (client) or accepted (server).

    Client: ``await handle.aconnect(address)`` does TCP and then the handshake without blocking
    the loop (``connect`` does both blocking, for compatibility). Server: a listening
    ``TLSSocketHandle`` whose context holds a certificate returns TLS connections from
    ``accept()``, their handshake already done.

    Args:
        socket: the standard-library socket to drive.
        ssl_context: the TLS configuration; for a listener, a server context with a certificate.
        server_hostname: the name to verify the server's certificate against (client side).

    >>> ctx = ssl.create_default_context()
    >>> with TLSSocketHandle(std_socket.socket(), ctx, "example.org") as handle:
    ...     handle.server_hostname, handle.ssl_context.verify_mode == ssl.CERT_REQUIRED
    ('example.org', True)
    """

    #: The standard socket; an ``ssl.SSLSocket`` once the handshake has wrapped it.
    socket: std_socket.socket
    ssl_context: ssl.SSLContext
    server_hostname: str | None

    def __init__(
        self,
        socket: std_socket.socket,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
    ) -> None:
        super().__init__(socket)
        self.ssl_context = ssl_context
        self.server_hostname = server_hostname
        self._server_side = False
        self._peer_address: Any = None

    def connect(self, address: Address, /) -> None:
        """Connect and handshake, **blocking** the loop (compatibility); prefer ``aconnect``.

        Args:
            address: the server's address.

        Raises:
            ValueError: the context checks host names but ``server_hostname`` is missing.
            TLSHandshakeError: the handshake failed (see its subclasses).

        >>> with TLSSocketHandle(std_socket.socket(), ssl.create_default_context()) as h:
        ...     h.connect(("127.0.0.1", 9))
        Traceback (most recent call last):
        ...
        ValueError: TLSSocketHandle: the context checks host names but no server_hostname was given; pass server_hostname= to socket()
        """
        self._require_hostname()
        super().connect(address)
        started = time.monotonic()
        sslsock = self._wrap()
        with blocking_mode(sslsock):
            try:
                sslsock.do_handshake()
            except (ssl.SSLError, ConnectionError) as exc:
                raise classify_tls_failure(exc, self._peer_name()) from exc
        self._report_handshake(started)

    async def aconnect(self, address: Address, /) -> None:
        """Connect and handshake without blocking the loop.

        Args:
            address: the server's address (host names resolve off the loop).

        Raises:
            ValueError: the context checks host names but ``server_hostname`` is missing.
            OSError: the TCP connection failed.
            TLSHandshakeError: the handshake failed (see its subclasses).

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     with TLSSocketHandle(std_socket.socket(), ssl.create_default_context()) as h:
        ...         await h.aconnect(("127.0.0.1", 9))
        >>> EventLoop().run_until_complete(main(), join=True)
        Traceback (most recent call last):
        ...
        ValueError: TLSSocketHandle: the context checks host names but no server_hostname was given; pass server_hostname= to socket()
        """
        self._require_hostname()
        await super().aconnect(address)
        await self.do_handshake()

    async def accept(self) -> tuple[SocketHandle, Any]:
        """Accept a connection and complete its TLS handshake (server side) asynchronously.

        Returns:
            ``(connection, address)``; the connection is a :class:`TLSSocketHandle`.

        Raises:
            TLSHandshakeError: the client's handshake failed; the connection is closed.

        >>> TLSSocketHandle.accept.__doc__.splitlines()[0]
        'Accept a connection and complete its TLS handshake (server side) asynchronously.'
        """
        raw, address = await self.accept_socket()
        connection = self.server_connection(raw, address)
        try:
            await connection.do_handshake()
        except BaseException:
            connection.close()
            raise
        return connection, address

    def server_connection(self, raw: std_socket.socket, address: Any = None) -> TLSSocketHandle:
        """Wrap an accepted raw socket as the server side of a TLS connection (no handshake yet).

        Args:
            raw: a socket returned by :meth:`accept_socket`.
            address: the peer's address (used in error messages).

        Returns:
            A handle whose :meth:`do_handshake` runs the server side of the handshake.

        >>> listener = TLSSocketHandle(std_socket.socket(), ssl.create_default_context())
        >>> a, b = std_socket.socketpair()
        >>> with listener, listener.server_connection(a) as conn, b:
        ...     conn.server_hostname is None
        True
        """
        connection = TLSSocketHandle(raw, self.ssl_context)
        connection._server_side = True
        connection._peer_address = address
        return connection

    async def do_handshake(self) -> None:
        """Run the TLS handshake without blocking the loop (wrapping the socket first if needed).

        Raises:
            TLSHandshakeError: the handshake failed (see its subclasses).
            SocketClosedError: the socket is closed.

        >>> TLSSocketHandle.do_handshake.__doc__.splitlines()[0]
        'Run the TLS handshake without blocking the loop (wrapping the socket first if needed).'
        """
        started = time.monotonic()
        sock = self.socket
        sslsock = sock if isinstance(sock, ssl.SSLSocket) else self._wrap()
        try:
            await self._run(HANDSHAKE, sslsock.do_handshake)
        except SocketClosedError:
            raise
        except (ssl.SSLError, ConnectionError) as exc:
            raise classify_tls_failure(exc, self._peer_name()) from exc
        self._report_handshake(started)

    def _wrap(self) -> ssl.SSLSocket:
        if self.socket.fileno() == -1:
            raise SocketClosedError("TLS handshake")
        sslsock = self.ssl_context.wrap_socket(
            self.socket,
            server_side=self._server_side,
            server_hostname=None if self._server_side else self.server_hostname,
            do_handshake_on_connect=False,
        )
        self.socket = sslsock
        return sslsock

    def _require_hostname(self) -> None:
        if self.ssl_context.check_hostname and not self.server_hostname:
            raise ValueError(
                "TLSSocketHandle: the context checks host names but no server_hostname was"
                " given; pass server_hostname= to socket()"
            )

    def _peer_name(self) -> str:
        if self.server_hostname:
            return repr(self.server_hostname)
        if self._peer_address is not None:
            return repr(self._peer_address)
        try:
            return repr(self.socket.getpeername())
        except OSError:
            return "an unconnected peer"

    def _report_handshake(self, started: float) -> None:
        if not instrumented():
            return
        sslsock = self.socket
        cipher = sslsock.cipher() if isinstance(sslsock, ssl.SSLSocket) else None
        version = sslsock.version() if isinstance(sslsock, ssl.SSLSocket) else None
        metadata = TLSHandshakeMetadata(self, cipher, version, self.server_hostname, started)
        fire("on_tls_handshake_complete", metadata)
