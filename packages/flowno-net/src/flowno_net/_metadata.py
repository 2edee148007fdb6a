# Rules of this module: plain data, no behaviour. Field names and order follow the original's
# instrumentation metadata of flowno 0.1.x, so instruments written for it keep working.
# Timestamps are ``time.monotonic()`` seconds (the original used wall-clock time, which jumps).
"""Metadata objects passed to the socket instrumentation hooks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowno_eventloop import TaskHandle

    from ._commands import SocketCommand
    from ._handle import SocketHandle
    from ._resolve import Address


@dataclass
class InstrumentationMetadata:
    """A socket operation starting (``on_socket_{accept,recv,send}_start``, ``on_socket_close``).

    Attributes:
        _task: the task handle doing the operation (``None`` outside a task).
        _command: the :class:`~flowno_net.SocketCommand` describing the operation.
        socket_handle: the handle the operation is on.
        immediate: ``True`` when the operation completed without waiting.
        start_time: monotonic time the operation started.

    >>> import socket
    >>> from flowno_net import SocketHandle
    >>> h = SocketHandle(socket.socket())
    >>> meta = InstrumentationMetadata(None, None, h, start_time=1.0)
    >>> meta.immediate, meta.start_time, meta.socket_handle is h
    (False, 1.0, True)
    >>> h.close()
    """

    _task: TaskHandle[Any] | None
    _command: SocketCommand | None
    socket_handle: SocketHandle
    immediate: bool = False
    start_time: float = field(default_factory=time.monotonic)


@dataclass
class ReadySocketInstrumentationMetadata(InstrumentationMetadata):
    """A socket operation became possible (``on_socket_{accept,recv,send}_ready``).

    >>> import socket
    >>> from flowno_net import SocketHandle
    >>> h = SocketHandle(socket.socket())
    >>> start = InstrumentationMetadata(None, None, h, start_time=1.0)
    >>> ready = ReadySocketInstrumentationMetadata.from_instrumentation_metadata(start, 1.5)
    >>> ready.finish_time - ready.start_time
    0.5
    >>> h.close()
    """

    finish_time: float = field(default_factory=time.monotonic)

    @classmethod
    def from_instrumentation_metadata(
        cls, metadata: InstrumentationMetadata, finish_time: float | None = None
    ) -> ReadySocketInstrumentationMetadata:
        """Build the ready metadata from the start metadata.

        Args:
            metadata: the start metadata of the same operation.
            finish_time: when it became ready (default: now).

        Returns:
            A new ready metadata with the same fields plus ``finish_time``.

        >>> import socket
        >>> from flowno_net import SocketHandle
        >>> with SocketHandle(socket.socket()) as h:
        ...     start = InstrumentationMetadata(None, None, h, True, 2.0)
        >>> ReadySocketInstrumentationMetadata.from_instrumentation_metadata(start, 3.0).immediate
        True
        """
        return cls(
            metadata._task,
            metadata._command,
            metadata.socket_handle,
            metadata.immediate,
            metadata.start_time,
            time.monotonic() if finish_time is None else finish_time,
        )


@dataclass
class SocketRecvDataMetadata:
    """Bytes a ``recv``-family call returned (``on_socket_recv_data``).

    >>> import socket
    >>> from flowno_net import SocketHandle
    >>> h = SocketHandle(socket.socket())
    >>> SocketRecvDataMetadata(h, b"abc").data
    b'abc'
    >>> h.close()
    """

    socket_handle: SocketHandle
    data: bytes


@dataclass
class SocketSendDataMetadata:
    """One ``send`` call's result (``on_socket_send_data``); ``data`` holds only the bytes sent.

    >>> import socket
    >>> from flowno_net import SocketHandle
    >>> h = SocketHandle(socket.socket())
    >>> SocketSendDataMetadata(h, b"ab", 2).bytes_sent
    2
    >>> h.close()
    """

    socket_handle: SocketHandle
    data: bytes
    bytes_sent: int


@dataclass
class SocketConnectStartMetadata:
    """A connect starting (``on_socket_connect_start``).

    >>> import socket
    >>> from flowno_net import SocketHandle
    >>> h = SocketHandle(socket.socket())
    >>> SocketConnectStartMetadata(h, ("127.0.0.1", 80), start_time=0.0).target_address
    ('127.0.0.1', 80)
    >>> h.close()
    """

    socket_handle: SocketHandle
    target_address: Address
    immediate: bool = False
    start_time: float = field(default_factory=time.monotonic)


@dataclass
class SocketConnectReadyMetadata(SocketConnectStartMetadata):
    """A connect that succeeded (``on_socket_connect_ready``).

    >>> import socket
    >>> from flowno_net import SocketHandle
    >>> h = SocketHandle(socket.socket())
    >>> SocketConnectReadyMetadata(h, ("127.0.0.1", 80), True, 1.0, 1.25).finish_time
    1.25
    >>> h.close()
    """

    finish_time: float = field(default_factory=time.monotonic)


@dataclass
class TLSHandshakeMetadata:
    """A completed TLS handshake (``on_tls_handshake_complete``).

    ``cipher`` is ``(name, protocol, bits)`` as returned by ``SSLSocket.cipher()``.

    >>> import socket
    >>> from flowno_net import SocketHandle
    >>> h = SocketHandle(socket.socket())
    >>> TLSHandshakeMetadata(h, ("X", "TLSv1.3", 256), "TLSv1.3", "localhost", 0.0, 0.1).version
    'TLSv1.3'
    >>> h.close()
    """

    socket_handle: SocketHandle
    cipher: tuple[str, str, int] | None
    version: str | None
    server_hostname: str | None
    start_time: float
    finish_time: float = field(default_factory=time.monotonic)
