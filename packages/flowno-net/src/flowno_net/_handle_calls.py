# Rules of this module:
# - Plain synchronous calls passed straight to the wrapped socket: they never wait, never touch
#   the loop and raise what the socket raises.
# - The one exception: shutdown() on a closed handle raises SocketClosedError.
"""The plain (non-waiting) calls of a socket handle: bind, listen, options, addresses."""

from __future__ import annotations

from typing import Any, overload

from ._errors import SocketClosedError
from ._handle_core import HandleCore
from ._resolve import Address


class PlainCalls(HandleCore):
    """Synchronous passthroughs to the wrapped socket."""

    def bind(self, address: Address, /) -> None:
        """Bind the socket to ``address``.

        Args:
            address: ``(host, port)`` for INET sockets, a path for AF_UNIX.

        >>> import socket as std_socket
        >>> from flowno_net import SocketHandle
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

        >>> import socket as std_socket
        >>> from flowno_net import SocketHandle
        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.bind(("127.0.0.1", 0)); s.listen()
        """
        if backlog is None:
            self.socket.listen()
        else:
            self.socket.listen(backlog)

    def shutdown(self, how: int) -> None:
        """Shut down one or both directions (``socket.SHUT_RD``, ``SHUT_WR``, ``SHUT_RDWR``).

        Args:
            how: which direction(s) to shut down.

        Raises:
            SocketClosedError: the socket is closed.

        >>> import socket as std_socket
        >>> from flowno_net import SocketHandle
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

        >>> import socket as std_socket
        >>> from flowno_net import SocketHandle
        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.fileno() >= 0
        True
        """
        return self.socket.fileno()

    def getsockname(self) -> Any:
        """The local address.

        >>> import socket as std_socket
        >>> from flowno_net import SocketHandle
        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.bind(("127.0.0.1", 0)); s.getsockname()[0]
        '127.0.0.1'
        """
        return self.socket.getsockname()

    def getpeername(self) -> Any:
        """The peer's address (OSError when not connected).

        >>> import socket as std_socket
        >>> from flowno_net import SocketHandle
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

        >>> import socket as std_socket
        >>> from flowno_net import SocketHandle
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

        >>> import socket as std_socket
        >>> from flowno_net import SocketHandle
        >>> with SocketHandle(std_socket.socket()) as s:
        ...     s.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_TYPE) == std_socket.SOCK_STREAM
        True
        """
        if buflen is None:
            return self.socket.getsockopt(level, option)
        return self.socket.getsockopt(level, option, buflen)
