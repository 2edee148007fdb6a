# Rules of this module: the socket side of instrumentation lives here, not in the loop. Hooks are
# no-ops on SocketInstrument; the printing instruments never fail on binary data (they print
# ``repr`` previews) and never raise for an unconnected socket.
"""Socket instruments: the hook base class and the printing / logging instruments."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from ._kernel import EventLoopInstrument
from ._metadata import (
    InstrumentationMetadata,
    ReadySocketInstrumentationMetadata,
    SocketConnectReadyMetadata,
    SocketConnectStartMetadata,
    SocketRecvDataMetadata,
    SocketSendDataMetadata,
    TLSHandshakeMetadata,
)

logger = logging.getLogger("flowno.net")

_PREVIEW_BYTES = 64


class SocketInstrument(EventLoopInstrument):
    """An event-loop instrument that also observes sockets; every socket hook is a no-op.

    Subclass it and override the hooks you need, then enter it around ``run_until_complete``.

    >>> import socket as std_socket
    >>> from flowno_eventloop import EventLoop
    >>> from flowno_net import SocketHandle
    >>> class Sizes(SocketInstrument):
    ...     def on_socket_recv_data(self, metadata):
    ...         print("received", len(metadata.data))
    >>> async def main():
    ...     left, right = std_socket.socketpair()
    ...     with SocketHandle(left) as a, SocketHandle(right) as b:
    ...         await a.sendAll(b"four"); await b.recv(10)
    >>> with Sizes():
    ...     EventLoop().run_until_complete(main())
    received 4
    """

    def on_socket_connect_start(self, metadata: SocketConnectStartMetadata) -> None:
        """A connect started."""

    def on_socket_connect_ready(self, metadata: SocketConnectReadyMetadata) -> None:
        """A connect succeeded."""

    def on_socket_accept_start(self, metadata: InstrumentationMetadata) -> None:
        """An accept started."""

    def on_socket_accept_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """An accept became possible (``immediate``: without waiting)."""

    def on_socket_recv_start(self, metadata: InstrumentationMetadata) -> None:
        """A receive started."""

    def on_socket_recv_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """A receive became possible (``immediate``: without waiting)."""

    def on_socket_send_start(self, metadata: InstrumentationMetadata) -> None:
        """A send started."""

    def on_socket_send_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """A send became possible (``immediate``: without waiting)."""

    def on_socket_recv_data(self, metadata: SocketRecvDataMetadata) -> None:
        """Bytes were received."""

    def on_socket_send_data(self, metadata: SocketSendDataMetadata) -> None:
        """Bytes were sent (``metadata.data`` holds only the bytes sent)."""

    def on_tls_handshake_complete(self, metadata: TLSHandshakeMetadata) -> None:
        """A TLS handshake completed."""

    def on_socket_close(self, metadata: InstrumentationMetadata) -> None:
        """A handle was closed."""


def describe_peer(handle: Any) -> str:
    """The peer address of ``handle`` for messages, or a placeholder when there is none.

    Args:
        handle: a socket handle (anything with ``getpeername()``).

    Returns:
        The address as text.

    >>> import socket as std_socket
    >>> from flowno_net import SocketHandle
    >>> with SocketHandle(std_socket.socket()) as s:
    ...     describe_peer(s)
    '<not connected>'
    """
    try:
        return str(handle.getpeername())
    except (OSError, AttributeError):
        return "<not connected>"


def preview(data: bytes) -> str:
    """A binary-safe, bounded preview of ``data`` (its ``repr``, cut at 64 bytes).

    Args:
        data: the payload.

    Returns:
        The preview text.

    >>> preview(b"\\xff\\xfe")
    "b'\\\\xff\\\\xfe'"
    >>> preview(bytes(100)).endswith("...")
    True
    """
    text = repr(bytes(data[:_PREVIEW_BYTES]))
    return text + "..." if len(data) > _PREVIEW_BYTES else text


def _took(start: float, finish: float) -> str:
    return f"{finish - start:.4f}s"


class SocketPrintInstrument(SocketInstrument):
    """Prints one line per socket event, in the original's ``[TAG]`` formats.

    Output goes through the class attribute ``print`` (a subclass can redirect it). Payloads are
    shown as ``repr`` previews, so binary data is safe.

    >>> SocketPrintInstrument().on_socket_recv_data(SocketRecvDataMetadata(None, b"\\xff\\xfe"))
    [RECV-DATA] Got 2 bytes: b'\\xff\\xfe'
    """

    print: ClassVar[Callable[[str], None]] = print

    def _out(self, text: str) -> None:
        type(self).print(text)

    def on_socket_connect_start(self, metadata: SocketConnectStartMetadata) -> None:
        """Print ``[CONNECT] Connecting to <address>.``"""
        self._out(f"[CONNECT] Connecting to {metadata.target_address}.")

    def on_socket_connect_ready(self, metadata: SocketConnectReadyMetadata) -> None:
        """Print ``[CONNECT] Connected to <peer> in <s>s``."""
        took = _took(metadata.start_time, metadata.finish_time)
        self._out(f"[CONNECT] Connected to {metadata.target_address} in {took}")

    def on_socket_send_start(self, metadata: InstrumentationMetadata) -> None:
        """Print ``[SEND] Starting send to <peer>``."""
        self._out(f"[SEND] Starting send to {describe_peer(metadata.socket_handle)}")

    def on_socket_send_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """Print ``[SEND] Completed send to <peer> in <s>s``."""
        took = _took(metadata.start_time, metadata.finish_time)
        self._out(f"[SEND] Completed send to {describe_peer(metadata.socket_handle)} in {took}")

    def on_socket_recv_start(self, metadata: InstrumentationMetadata) -> None:
        """Print ``[RECV] Waiting for data from <peer>``."""
        self._out(f"[RECV] Waiting for data from {describe_peer(metadata.socket_handle)}")

    def on_socket_recv_ready(self, metadata: ReadySocketInstrumentationMetadata) -> None:
        """Print ``[RECV] Ready to receive data from <peer> in <s>s``."""
        took = _took(metadata.start_time, metadata.finish_time)
        peer = describe_peer(metadata.socket_handle)
        self._out(f"[RECV] Ready to receive data from {peer} in {took}")

    def on_socket_recv_data(self, metadata: SocketRecvDataMetadata) -> None:
        """Print ``[RECV-DATA] Got <n> bytes: <preview>``."""
        self._out(f"[RECV-DATA] Got {len(metadata.data)} bytes: {preview(metadata.data)}")

    def on_socket_send_data(self, metadata: SocketSendDataMetadata) -> None:
        """Print ``[SEND-DATA] Sent <n> bytes: <preview>``."""
        self._out(f"[SEND-DATA] Sent {metadata.bytes_sent} bytes: {preview(metadata.data)}")

    def on_tls_handshake_complete(self, metadata: TLSHandshakeMetadata) -> None:
        """Print ``[TLS] Handshake complete in <s>s: <version>, <cipher>``."""
        took = _took(metadata.start_time, metadata.finish_time)
        self._out(f"[TLS] Handshake complete in {took}: {metadata.version}, {metadata.cipher}")

    def on_socket_close(self, metadata: InstrumentationMetadata) -> None:
        """Print ``[CLOSE] Closed <handle>``."""
        self._out(f"[CLOSE] Closed {metadata.socket_handle!r}")


def _log_debug(text: str) -> None:
    logger.debug(text)


class SocketLogInstrument(SocketPrintInstrument):
    """Sends the :class:`SocketPrintInstrument` lines to the ``flowno.net`` logger at DEBUG.

    >>> SocketLogInstrument().on_socket_close(InstrumentationMetadata(None, None, "h"))
    """

    print: ClassVar[Callable[[str], None]] = staticmethod(_log_debug)
