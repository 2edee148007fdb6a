# Rules of this module: the documented ``socket()`` factory. It only builds handles: the socket
# is made non-blocking by the handle, and a TLS handle does no TLS work until connect/accept.
"""The ``socket()`` factory."""

from __future__ import annotations

import socket as std_socket
import ssl

from ._handle import SocketHandle
from ._tls import TLSSocketHandle


def socket(
    family: std_socket.AddressFamily | int = -1,
    type: std_socket.SocketKind | int = -1,  # noqa: A002 (the documented name)
    proto: int = -1,
    fileno: int | None = None,
    use_tls: bool = False,
    ssl_context: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
) -> SocketHandle:
    """Create a non-blocking socket driven by the flowno event loop.

    Args:
        family: the address family (default AF_INET).
        type: the socket type (default SOCK_STREAM).
        proto: the protocol number (default 0).
        fileno: adopt this existing descriptor instead of creating one.
        use_tls: return a :class:`TLSSocketHandle`.
        ssl_context: the TLS context; default ``ssl.create_default_context()``, which verifies
            certificates and host names. A TLS listener needs a server context with a
            certificate.
        server_hostname: the host name to verify the server against (TLS clients).

    Returns:
        A :class:`SocketHandle`, or a :class:`TLSSocketHandle` with ``use_tls=True``.

    Raises:
        OSError: the socket could not be created.

    >>> with socket() as s:
    ...     type(s).__name__, s.socket.getblocking()
    ('SocketHandle', False)
    >>> with socket(use_tls=True, server_hostname="example.org") as t:
    ...     type(t).__name__, t.ssl_context.check_hostname
    ('TLSSocketHandle', True)
    """
    raw = std_socket.socket(family, type, proto, fileno)
    if not use_tls:
        return SocketHandle(raw)
    try:
        context = ssl.create_default_context() if ssl_context is None else ssl_context
        return TLSSocketHandle(raw, context, server_hostname)
    except BaseException:
        raw.close()
        raise
