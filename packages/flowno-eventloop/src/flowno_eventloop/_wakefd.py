"""The wake-up channel of the native backend: an fd that any thread can make readable.

Rules:
- ``signal()`` (any thread) makes ``fileno()`` readable; ``drain()`` (the loop thread) makes
  it unreadable again, in one system call when one signal or a few are pending.
- On Linux the channel is an eventfd (one fd, a counter: a write adds, one read empties it);
  elsewhere a non-blocking socket pair.
- ``signal`` never raises: a full channel is readable already, and a closed one belonged to
  a run that is over. After ``close`` the channel never touches its old fd number again.
"""

from __future__ import annotations

import os
import socket
from typing import Protocol

__all__ = ["WakeChannel", "open_channel"]

_EVENTFD = getattr(os, "eventfd", None)


class WakeChannel(Protocol):
    """An fd another thread makes readable.

    Example:
        >>> channel = open_channel()
        >>> channel.signal(); channel.drain(); channel.close()
    """

    def fileno(self) -> int:
        """The fd to watch for readability."""
        ...

    def signal(self) -> None:
        """Make the fd readable (any thread)."""
        ...

    def drain(self) -> None:
        """Make the fd unreadable again (the loop thread)."""
        ...

    def close(self) -> None:
        """Release the fd."""
        ...


class EventFdChannel:
    """A Linux eventfd: the cheapest channel (an 8-byte counter, no socket buffers).

    Example:
        >>> import select
        >>> channel = EventFdChannel()
        >>> channel.signal(); channel.signal()
        >>> select.select([channel.fileno()], [], [], 0)[0] == [channel.fileno()]
        True
        >>> channel.drain()
        >>> select.select([channel.fileno()], [], [], 0)[0]
        []
        >>> channel.close(); channel.signal()  # closed: ignored
    """

    __slots__ = ("_fd",)

    def __init__(self) -> None:
        self._fd: int = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)

    def fileno(self) -> int:
        """The eventfd.

        Example:
            >>> c = EventFdChannel(); c.fileno() >= 0
            True
            >>> c.close()
        """
        return self._fd

    def signal(self) -> None:
        """Add one to the counter (any thread).

        Example:
            >>> c = EventFdChannel(); c.signal(); c.close()
        """
        fd = self._fd
        if fd >= 0:
            try:
                os.eventfd_write(fd, 1)
            except OSError:
                pass  # closed at this moment: the run is over

    def drain(self) -> None:
        """Read the counter back to zero.

        Example:
            >>> c = EventFdChannel(); c.drain(); c.close()  # nothing pending: no error
        """
        try:
            os.eventfd_read(self._fd)
        except (BlockingIOError, InterruptedError):
            pass  # already empty

    def close(self) -> None:
        """Close the eventfd (idempotent).

        Example:
            >>> c = EventFdChannel(); c.close(); c.close(); c.fileno()
            -1
        """
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


class SocketPairChannel:
    """A non-blocking socket pair: the portable channel.

    Example:
        >>> import select
        >>> channel = SocketPairChannel()
        >>> channel.signal()
        >>> select.select([channel.fileno()], [], [], 0)[0] == [channel.fileno()]
        True
        >>> channel.drain(); channel.close()
    """

    __slots__ = ("_r", "_w")

    def __init__(self) -> None:
        r, w = socket.socketpair()
        r.setblocking(False)
        w.setblocking(False)
        self._r, self._w = r, w

    def fileno(self) -> int:
        """The reading end's fd (-1 once closed).

        Example:
            >>> c = SocketPairChannel(); c.fileno() >= 0
            True
            >>> c.close()
        """
        return self._r.fileno()

    def signal(self) -> None:
        """Send one byte (any thread).

        Example:
            >>> c = SocketPairChannel(); c.signal(); c.close(); c.signal()
        """
        try:
            self._w.send(b"\0")
        except OSError:
            pass  # full (readable anyway) or closed (the run is over)

    def drain(self) -> None:
        """Receive what is pending.

        Example:
            >>> c = SocketPairChannel(); c.drain(); c.close()
        """
        r = self._r
        try:
            while len(r.recv(4096)) == 4096:
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def close(self) -> None:
        """Close both ends.

        Example:
            >>> c = SocketPairChannel(); c.close(); c.fileno()
            -1
        """
        self._r.close()
        self._w.close()


def open_channel() -> WakeChannel:
    """A new wake-up channel: an eventfd where the platform has one, else a socket pair.

    Example:
        >>> channel = open_channel(); channel.fileno() >= 0
        True
        >>> channel.close()
    """
    if _EVENTFD is not None:
        return EventFdChannel()
    return SocketPairChannel()
