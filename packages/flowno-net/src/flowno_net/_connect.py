# Rules of this module: a non-blocking TCP/UNIX connect (connect_ex, wait writable, SO_ERROR),
# trying each resolved target in turn. It never blocks the loop and raises the OSError subclass
# the kernel reports (ConnectionRefusedError, ...), naming the target.
"""Non-blocking connect."""

from __future__ import annotations

import errno
import os
import socket as std_socket
from typing import TYPE_CHECKING

from ._decide import Step
from ._errors import SocketClosedError
from ._resolve import Address

if TYPE_CHECKING:
    from ._handle import SocketHandle

#: connect_ex results that mean "in progress: wait until writable, then read SO_ERROR".
IN_PROGRESS = frozenset({errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, errno.EALREADY})


def connect_error(code: int, target: Address) -> OSError:
    """Build the exception for a failed connect (``OSError`` picks the subclass from ``code``).

    Args:
        code: the errno.
        target: the address that failed.

    Returns:
        e.g. a ``ConnectionRefusedError`` for ``ECONNREFUSED``.

    >>> err = connect_error(errno.ECONNREFUSED, ("127.0.0.1", 1))
    >>> type(err).__name__, err.errno == errno.ECONNREFUSED
    ('ConnectionRefusedError', True)
    """
    return OSError(code, f"{os.strerror(code)} (connecting to {target!r})")


async def connect_one(handle: SocketHandle, target: Address) -> None:
    """Connect ``handle`` to one numeric ``target`` without blocking the loop.

    Args:
        handle: the handle whose socket connects.
        target: a numeric address.

    Raises:
        OSError: the connect failed.
        SocketClosedError: the handle is closed.

    >>> from flowno_eventloop import EventLoop
    >>> from flowno_net import SocketHandle
    >>> async def main():
    ...     with SocketHandle(std_socket.socket()) as server, SocketHandle(std_socket.socket()) as c:
    ...         server.bind(("127.0.0.1", 0)); server.listen()
    ...         await connect_one(c, server.getsockname())
    ...         return c.getpeername() == server.getsockname()
    >>> EventLoop().run_until_complete(main(), join=True)
    True
    """
    sock = handle.socket
    if sock.fileno() == -1:
        raise SocketClosedError("connect")
    code = sock.connect_ex(target)
    if code in IN_PROGRESS:
        await handle.wait(Step.WAIT_WRITABLE)
        code = sock.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_ERROR)
    if code:
        raise connect_error(code, target)


async def connect_any(handle: SocketHandle, targets: list[Address]) -> None:
    """Connect to the first of ``targets`` that accepts; raise the last failure otherwise.

    Args:
        handle: the handle whose socket connects.
        targets: numeric addresses, tried in order.

    Raises:
        OSError: every target failed (the last failure, chained to the one before it).
        ValueError: ``targets`` is empty.

    >>> from flowno_eventloop import EventLoop
    >>> from flowno_net import SocketHandle
    >>> async def main():
    ...     with SocketHandle(std_socket.socket()) as c:
    ...         await connect_any(c, [])
    >>> EventLoop().run_until_complete(main(), join=True)
    Traceback (most recent call last):
    ...
    ValueError: connect: the address resolved to no targets
    """
    failure: OSError | None = None
    for target in targets:
        try:
            await connect_one(handle, target)
        except SocketClosedError:
            raise
        except OSError as exc:
            exc.__context__ = failure
            failure = exc
            continue
        return
    if failure is not None:
        raise failure
    raise ValueError("connect: the address resolved to no targets")
