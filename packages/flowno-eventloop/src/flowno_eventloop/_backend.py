"""I/O backends and wakers: how a run waits for file descriptors and how it is woken.

Rules:
- A backend knows file descriptors and directions only, never tasks. Its whole registration
  API is ``add_reader``/``remove_reader``/``add_writer``/``remove_writer`` on an int fd; ``poll``
  returns ``(fd, mask)`` readiness (``mask`` is a set of :data:`READ` / :data:`WRITE` bits).
  A registration is level-triggered and stays until removed.
- :class:`SelectorBackend` (the native one) blocks in ``poll`` on a :mod:`selectors` selector.
  A host-driven backend (guest mode inside another loop) collects readiness from its host's
  callbacks and returns it from ``poll`` without blocking.
- A waker is the one object any thread may call: ``wakeup()`` makes the driver tick again
  soon. The native waker is a wake-up channel watched by the selector (an eventfd on Linux,
  else a socket pair), opened only when the run is about to block. The caller queues its work
  before ``wakeup()``; the backend forgets a wake-up only when it drains the channel, and
  the driver looks at its queues after every poll. So one signal per batch is enough:
  while a wake-up is pending (signalled, not yet drained), ``wakeup()`` writes nothing.
- An fd closed behind the backend's back (its number reused by a new file) is forgotten
  silently: registering the reused number replaces the stale entry. An fd that epoll keeps
  reporting after it was removed (closed while a duplicate holds the file open) makes the
  backend move its watches to a new epoll.
"""

from __future__ import annotations

import math
import select
import selectors
from typing import Any, Protocol, runtime_checkable

from flowno_eventloop._wakefd import WakeChannel, open_channel

__all__ = ["READ", "WRITE", "IOBackend", "SelectorBackend", "Waker"]

READ = selectors.EVENT_READ
"""Readiness bit: the fd is readable."""
WRITE = selectors.EVENT_WRITE
"""Readiness bit: the fd is writable."""
_WAKE = object()
_EPOLL_SELECTOR: type | None = getattr(selectors, "EpollSelector", None)
_EPOLLIN: int = getattr(select, "EPOLLIN", 0)
_EPOLLOUT: int = getattr(select, "EPOLLOUT", 0)


@runtime_checkable
class IOBackend(Protocol):
    """Where a run registers fd interest and collects readiness.

    Example:
        >>> isinstance(SelectorBackend(), IOBackend)
        True
    """

    def add_reader(self, fd: int) -> None:
        """Watch ``fd`` for readability until :meth:`remove_reader`."""
        ...

    def remove_reader(self, fd: int) -> None:
        """Stop watching ``fd`` for readability (no-op if not watched)."""
        ...

    def add_writer(self, fd: int) -> None:
        """Watch ``fd`` for writability until :meth:`remove_writer`."""
        ...

    def remove_writer(self, fd: int) -> None:
        """Stop watching ``fd`` for writability (no-op if not watched)."""
        ...

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        """Return ``(fd, mask)`` for watched fds that are ready, waiting at most ``timeout``
        seconds (``None``: until something happens). May return early with nothing."""
        ...

    def close(self) -> None:
        """Release what the backend holds; a later registration reopens it."""
        ...


@runtime_checkable
class Waker(Protocol):
    """Makes a waiting run tick again; ``wakeup`` is callable from any thread.

    Example:
        >>> isinstance(SelectorBackend(), Waker)
        True
    """

    def wakeup(self) -> None:
        """Make the run's driver call ``tick`` soon (any thread)."""
        ...


class SelectorBackend:
    """The native backend and waker: a :mod:`selectors` selector and a wake-up channel.

    Created lazily: an unused backend holds no fd. ``close()`` closes the wake-up channel,
    and the selector too once no fd is watched.

    Example:
        >>> import socket
        >>> backend = SelectorBackend()
        >>> a, b = socket.socketpair()
        >>> backend.add_reader(a.fileno())
        >>> b.send(b"x")
        1
        >>> backend.poll(1.0) == [(a.fileno(), READ)]
        True
        >>> backend.remove_reader(a.fileno()); backend.close()
        >>> a.close(); b.close()
    """

    __slots__ = ("_epoll", "_masks", "_selector", "_wake", "_wake_fd", "_wake_requested", "polls")

    def __init__(self) -> None:
        self._selector: selectors.BaseSelector | None = None
        self._epoll: Any = None  # the selector's select.epoll, polled directly (Linux)
        self._masks: dict[int, int] = {}
        self._wake: WakeChannel | None = None
        self._wake_fd = -1  # the channel's fd while it is open
        self._wake_requested = False  # signalled and not yet drained: wakeup() writes nothing
        self.polls: int = 0
        """How many times :meth:`poll` asked the selector."""

    @property
    def selector(self) -> selectors.BaseSelector:
        """The selector (created on first use).

        Example:
            >>> b = SelectorBackend(); len(b.selector.get_map()); b.close()
            0
        """
        sel = self._selector
        if sel is None:
            sel = self._selector = selectors.DefaultSelector()
            if type(sel) is _EPOLL_SELECTOR:
                self._epoll = _raw_epoll(sel)
        return sel

    def add_reader(self, fd: int) -> None:
        """Watch ``fd`` for readability.

        Example:
            >>> import socket
            >>> a, c = socket.socketpair(); b = SelectorBackend()
            >>> b.add_reader(a.fileno()); b.watched()
            1
            >>> b.remove_reader(a.fileno()); b.close(); a.close(); c.close()
        """
        self._set(fd, self._masks.get(fd, 0) | READ)

    def remove_reader(self, fd: int) -> None:
        """Stop watching ``fd`` for readability.

        Example:
            >>> SelectorBackend().remove_reader(0)
        """
        if fd in self._masks:
            self._set(fd, self._masks[fd] & ~READ)

    def add_writer(self, fd: int) -> None:
        """Watch ``fd`` for writability.

        Example:
            >>> import socket
            >>> a, c = socket.socketpair(); b = SelectorBackend()
            >>> b.add_writer(a.fileno()); b.poll(1.0) == [(a.fileno(), WRITE)]
            True
            >>> b.remove_writer(a.fileno()); b.close(); a.close(); c.close()
        """
        self._set(fd, self._masks.get(fd, 0) | WRITE)

    def remove_writer(self, fd: int) -> None:
        """Stop watching ``fd`` for writability.

        Example:
            >>> SelectorBackend().remove_writer(1)
        """
        if fd in self._masks:
            self._set(fd, self._masks[fd] & ~WRITE)

    def _set(self, fd: int, mask: int) -> None:
        sel = self.selector
        old = self._masks.get(fd, 0)
        if mask == old:
            return
        if mask == 0:
            del self._masks[fd]
            _forget(sel, fd)
        else:
            try:
                if old == 0:
                    sel.register(fd, mask, None)
                else:
                    sel.modify(fd, mask, None)
            except (KeyError, OSError):  # a stale entry: closed and reused behind our back
                if fd == self._wake_fd:
                    raise ValueError(f"file descriptor {fd} is not open (closed?)") from None
                _forget(sel, fd)
                sel.register(fd, mask, None)
            self._masks[fd] = mask

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        """Wait up to ``timeout`` seconds and return ``(fd, mask)`` of ready fds.

        Example:
            >>> SelectorBackend().poll(0)
            []
        """
        if timeout != 0 and self._wake is None:
            self._open_wakeup()
        if self._selector is None:
            return []
        self.polls += 1
        if self._epoll is not None:
            return self._poll_epoll(self._epoll, timeout)
        ready: list[tuple[int, int]] = []
        for key, mask in self._selector.select(timeout):
            if key.data is _WAKE:
                self._drain_wakeup()
            else:
                ready.append((key.fd, mask))
        return ready

    def _poll_epoll(self, epoll: Any, timeout: float | None) -> list[tuple[int, int]]:
        """``poll`` on Linux: ``epoll.poll`` straight, without building selector keys (the
        same timeout rounding and event translation as ``selectors.EpollSelector``)."""
        if timeout is None:
            timeout = -1
        elif timeout <= 0:
            timeout = 0
        else:  # epoll_wait() has a resolution of 1 ms: round up, to wait at least timeout
            timeout = math.ceil(timeout * 1e3) * 1e-3
        masks = self._masks
        try:
            events: list[tuple[int, int]] = epoll.poll(timeout, len(masks) + 1)
        except InterruptedError:
            return []
        ready: list[tuple[int, int]] = []
        for fd, event in events:
            mask = masks.get(fd)
            if mask is None:  # the wake-up socket, or an fd we no longer watch
                if fd == self._wake_fd:
                    self._drain_wakeup()
                else:
                    self._renew()
                continue
            if event == _EPOLLIN:
                ready.append((fd, READ & mask))
            elif event == _EPOLLOUT:
                ready.append((fd, WRITE & mask))
            else:  # errors and hang-ups wake both directions, like selectors does
                both = (WRITE if event & ~_EPOLLIN else 0) | (READ if event & ~_EPOLLOUT else 0)
                ready.append((fd, both & mask))
        return ready

    def _renew(self) -> None:
        """epoll reported an fd that is no longer registered: a file closed here while a
        duplicate (``dup``, ``fork``) keeps it open holds on in epoll, and ``epoll_ctl`` can
        no longer name it. Only a new epoll forgets it: move every watch to one."""
        old = self._selector
        self._selector = self._epoll = None
        sel = self.selector
        for fd, mask in list(self._masks.items()):
            try:
                sel.register(fd, mask, None)
            except (OSError, ValueError):  # closed as well: the loop replaces it on reuse
                del self._masks[fd]
        if self._wake_fd >= 0:
            sel.register(self._wake_fd, READ, _WAKE)
        if old is not None:
            old.close()

    def wakeup(self) -> None:
        """Make a blocked (or the next) :meth:`poll` return at once; any thread.

        Writes to the wake-up channel only if no wake-up is pending already.

        Example:
            >>> b = SelectorBackend(); b.wakeup(); b.poll(None); b.close()
            []
        """
        if self._wake_requested:
            return  # signalled, not drained yet: the poll that drains it is still to come
        self._wake_requested = True
        channel = self._wake
        if channel is not None:
            channel.signal()

    def _open_wakeup(self) -> None:
        channel = open_channel()
        try:
            sel = self.selector
            fd = channel.fileno()
            if fd in self._masks:  # a watched fd was closed behind our back: drop it
                del self._masks[fd]
            _forget(sel, fd)
            sel.register(fd, READ, _WAKE)
        except BaseException:
            channel.close()
            raise
        self._wake, self._wake_fd = channel, fd
        if self._wake_requested:  # requested while there was no channel to signal
            channel.signal()

    def _drain_wakeup(self) -> None:
        """Empty the channel, then forget the request: a ``wakeup()`` after this signals."""
        channel = self._wake
        if channel is not None:
            channel.drain()
        self._wake_requested = False

    def watched(self) -> int:
        """How many fds are watched.

        Example:
            >>> SelectorBackend().watched()
            0
        """
        return len(self._masks)

    def close(self) -> None:
        """Close the wake-up channel, and the selector once no fd is watched.

        Example:
            >>> SelectorBackend().close()
        """
        channel, fd = self._wake, self._wake_fd
        self._wake, self._wake_fd = None, -1
        if channel is not None:
            if self._selector is not None:
                _forget(self._selector, fd)
            channel.close()
        if not self._masks and self._selector is not None:
            self._selector.close()
            self._selector = self._epoll = None

    def close_all(self) -> None:
        """Forget every watch and close everything.

        Example:
            >>> SelectorBackend().close_all()
        """
        self._masks.clear()
        self.close()
        if self._selector is not None:
            self._selector.close()
            self._selector = self._epoll = None


def _raw_epoll(sel: selectors.BaseSelector) -> Any:
    """The ``select.epoll`` object inside a ``selectors.EpollSelector``."""
    return sel._selector  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]


def _forget(sel: selectors.BaseSelector, fd: int) -> None:
    """Unregister ``fd`` if the selector has it (closed fds included)."""
    try:
        sel.unregister(fd)
    except (KeyError, ValueError, OSError):
        pass  # not registered, or closed: the OS already forgot it
