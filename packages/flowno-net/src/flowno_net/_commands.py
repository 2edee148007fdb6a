# Rules of this module: plain descriptions of socket operations, used as the ``_command`` of the
# instrumentation metadata (the loop never sees them: flowno_net waits with the kernel's generic
# wait_readable / wait_writable). Names follow the original's ``commands`` module.
"""Descriptions of socket operations (for instruments and compatibility imports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SocketCommand:
    """A socket operation on ``handle``.

    >>> SocketRecvCommand("h").handle
    'h'
    """

    handle: Any


@dataclass(frozen=True)
class SocketAcceptCommand(SocketCommand):
    """An ``accept`` on a listening handle.

    >>> isinstance(SocketAcceptCommand("h"), SocketCommand)
    True
    """


@dataclass(frozen=True)
class SocketRecvCommand(SocketCommand):
    """A ``recv``-family read.

    >>> isinstance(SocketRecvCommand("h"), SocketCommand)
    True
    """


@dataclass(frozen=True)
class SocketSendCommand(SocketCommand):
    """A ``send``-family write.

    >>> isinstance(SocketSendCommand("h"), SocketCommand)
    True
    """
