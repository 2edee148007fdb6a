# Rules of this module: plain descriptions of socket operations, used as the ``_command`` of the
# instrumentation metadata (the loop never sees them: flowno_net waits with the kernel's generic
# wait_readable / wait_writable). Names follow the original's ``commands`` module.
"""Descriptions of socket operations (for instruments and compatibility imports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._handle import SocketHandle


@dataclass(frozen=True)
class SocketCommand:
    """A socket operation on ``handle``.

    >>> import socket
    >>> from flowno_net import SocketHandle
    >>> with SocketHandle(socket.socket()) as h:
    ...     SocketRecvCommand(h).handle is h
    True
    """

    handle: SocketHandle


@dataclass(frozen=True)
class SocketAcceptCommand(SocketCommand):
    """An ``accept`` on a listening handle.

    >>> issubclass(SocketAcceptCommand, SocketCommand)
    True
    """


@dataclass(frozen=True)
class SocketRecvCommand(SocketCommand):
    """A ``recv``-family read.

    >>> issubclass(SocketRecvCommand, SocketCommand)
    True
    """


@dataclass(frozen=True)
class SocketSendCommand(SocketCommand):
    """A ``send``-family write.

    >>> issubclass(SocketSendCommand, SocketCommand)
    True
    """
