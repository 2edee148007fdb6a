# Rules of this module:
# - Every send goes through the core's one retry loop (_run) as a SEND operation: tried first,
#   parked only when it would block.
# - sendAll writes whole messages: concurrent sendAll calls on one handle take turns (FIFO) on
#   the handle's send lock, and a plain send from another task while a sendAll is in progress
#   raises BusyResourceError, so bytes of two writers never interleave.
# - An uncontended sendAll with no instrument first tries one send without the lock; there is no
#   yield between the check and the send, so nothing can interleave.
# - A closed socket raises SocketClosedError (chained from the OSError).
"""The send half of a socket handle: send, sendto, sendAll (whole messages)."""

from __future__ import annotations

import socket as std_socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._decide import WOULD_BLOCK
from ._errors import SocketClosedError
from ._handle_core import HandleCore
from ._hooks import fire, instrumented
from ._kernel import BusyResourceError, Lock, current_task_handle
from ._metadata import SocketSendDataMetadata
from ._ops import SEND
from ._resolve import Address

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from 3.12


class SendHalf(HandleCore):
    """Sending bytes, one attempt at a time or whole messages that never interleave."""

    async def send(self, data: Buffer, flags: int = 0) -> int:
        """Send once; returns how many bytes were sent (may be fewer than ``len(data)``).

        Args:
            data: a bytes-like object.
            flags: ``socket.MSG_*`` flags (plain sockets only).

        Returns:
            The number of bytes sent.

        Raises:
            SocketClosedError: the socket is closed.

        >>> from flowno_eventloop import EventLoop
        >>> from flowno_net import SocketHandle
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     with SocketHandle(left) as a, SocketHandle(right) as b:
        ...         return await a.send(b"hello")
        >>> EventLoop().run_until_complete(main(), join=True)
        5
        """
        sock = self.socket
        return await self._send_with(data, lambda: sock.send(data, flags))

    async def sendto(self, data: Buffer, address: Address) -> int:
        """Send a datagram to ``address`` (numeric address: no name lookup on the loop).

        Args:
            data: a bytes-like object.
            address: the destination.

        Returns:
            The number of bytes sent.

        >>> from flowno_eventloop import EventLoop
        >>> from flowno_net import SocketHandle
        >>> async def main():
        ...     with SocketHandle(std_socket.socket(type=std_socket.SOCK_DGRAM)) as a:
        ...         return await a.sendto(b"abc", ("127.0.0.1", 9))
        >>> EventLoop().run_until_complete(main(), join=True)
        3
        """
        sock = self.socket
        return await self._send_with(data, lambda: sock.sendto(data, address))

    async def sendAll(self, data: Buffer) -> None:  # noqa: N802 (the documented name)
        """Send all of ``data``, waiting for the peer to drain as needed.

        The bytes go out as one unit: when several tasks call ``sendAll`` on one handle, each
        message is written whole, in the order the calls started.

        Args:
            data: a bytes-like object.

        Raises:
            SocketClosedError: the socket is closed.

        >>> from flowno_eventloop import EventLoop
        >>> from flowno_net import SocketHandle
        >>> async def main():
        ...     left, right = std_socket.socketpair()
        ...     with SocketHandle(left) as a, SocketHandle(right) as b:
        ...         await a.sendAll(b"all of it")
        ...         return await b.recv(100)
        >>> EventLoop().run_until_complete(main(), join=True)
        b'all of it'
        """
        lock = self._send_lock
        sent = 0
        if (lock is None or lock.owner is None) and not instrumented():
            # Fast path: nobody else is writing and the kernel takes it all at once (no yield
            # between the check and the send, so nothing can interleave). bytes need no view.
            if type(data) is bytes:
                sent = self._send_now(data)
                if sent == len(data):
                    self._reply_pending = type(self.socket) is std_socket.socket
                    return
            else:
                with memoryview(data) as whole, whole.cast("B") as view:
                    sent = self._send_now(view)
                    if sent == len(view):
                        self._reply_pending = type(self.socket) is std_socket.socket
                        return
        with memoryview(data) as whole:
            view = whole.cast("B")[sent:]
            if lock is None:
                lock = self._send_lock = Lock()
            async with lock:
                while view:
                    sent = await self._send_with(view, _sender(self.socket, view))
                    view = view[sent:]
            self._reply_pending = type(self.socket) is std_socket.socket

    def _send_now(self, view: Buffer) -> int:
        """One non-blocking send attempt: bytes sent, 0 when it would block."""
        try:
            return self.socket.send(view)
        except WOULD_BLOCK:
            return 0
        except OSError as exc:
            if self.socket.fileno() == -1:
                raise SocketClosedError("send") from exc
            raise

    sendall = sendAll

    async def _send_with(self, data: Buffer, attempt: Callable[[], int]) -> int:
        """One send of ``data`` through ``attempt``, reported to an active instrument."""
        lock = self._send_lock
        if lock is not None and lock.owner is not None and lock.owner != current_task_handle():
            raise BusyResourceError(f"{self!r}: send while another task's sendAll is in progress")
        traced = instrumented()
        sent = await self._run(SEND, attempt, traced)
        if traced:
            chunk = bytes(memoryview(data).cast("B")[:sent])
            fire("on_socket_send_data", SocketSendDataMetadata(self._public, chunk, sent))
        return sent


def _sender(sock: std_socket.socket, view: memoryview) -> Callable[[], int]:
    return lambda: sock.send(view)
