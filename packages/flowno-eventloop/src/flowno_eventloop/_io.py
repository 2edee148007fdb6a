"""The loop's fd waits: which task waits to read or write which fd, over an I/O backend.

Rules: one reader and one writer per fd; it knows nothing of sockets beyond ``fileno()``.
It never touches task state itself: ``ready`` returns the tasks to wake (readiness reported
by the backend, or a stale wait whose file was closed behind the loop's back) and the loop
wakes them. Runs only on the loop thread.

Registrations are lazy: an fd waited on through a file object (anything with ``fileno()``)
stays registered with the backend after its waiter is woken or cancelled, so a socket that
is read in a loop costs no register / unregister per wait. An interest is dropped when the
backend reports the fd ready and nobody waits in that direction, when the file object is
closed through :meth:`IOWatcher.forget` (``lowlevel.notify_closing``), when another file
object turns up with the same fd number (the old one was closed behind the loop's back), and
at the end of the run. A wait on a bare int fd is unregistered as soon as it ends (the loop
cannot tell when a bare number is closed and reused).
"""

from __future__ import annotations

import errno
import os
import socket
from typing import TYPE_CHECKING, Any

from flowno_eventloop._backend import READ, WRITE, IOBackend, SelectorBackend
from flowno_eventloop._errors import BusyResourceError

if TYPE_CHECKING:
    from collections.abc import Callable

    from flowno_eventloop._tasks import TaskRecord

__all__ = ["READ", "WRITE", "IOWatcher", "fileno_of"]


def fileno_of(fileobj: Any) -> int:
    """Return the fd of ``fileobj`` (an int or anything with ``fileno()``), or raise ValueError."""
    if isinstance(fileobj, int):
        fd = fileobj
    else:
        getter = getattr(fileobj, "fileno", None)
        if getter is None:
            raise TypeError(f"cannot wait on {fileobj!r}: it is neither an fd nor has fileno()")
        fd = int(getter())
    if fd < 0:
        raise ValueError(f"cannot wait on {fileobj!r}: invalid file descriptor {fd} (closed?)")
    return fd


class _Watch:
    """One fd: its file object, its waiters and the interest registered with the backend."""

    __slots__ = ("cancel_read", "cancel_write", "fd", "fileobj", "keep", "mask", "reader", "writer")

    def __init__(self, fd: int, fileobj: Any, watcher: IOWatcher) -> None:
        self.fd = fd
        self.fileobj = fileobj
        self.keep = not isinstance(fileobj, int)  # registered between waits (lazy)
        self.mask = 0  # the interest registered with the backend
        self.reader: TaskRecord | None = None
        self.writer: TaskRecord | None = None
        # The on_cancel callbacks of this watch's waits (made once, not per wait).
        self.cancel_read: Callable[[], None] = lambda: watcher.cancel(self, READ)
        self.cancel_write: Callable[[], None] = lambda: watcher.cancel(self, WRITE)

    def is_stale(self) -> bool:
        """True when the watched file object no longer has this fd (closed under us)."""
        if isinstance(self.fileobj, int):
            return False
        try:
            return int(self.fileobj.fileno()) != self.fd
        except (OSError, ValueError):
            return True


class IOWatcher:
    """Per-fd waiters over an :class:`IOBackend` (internal).

    ``watches`` holds the fds somebody waits on (its truthiness is "an fd wait is pending");
    ``known`` holds every fd registered with the backend, idle ones included.
    """

    __slots__ = ("_stale", "backend", "known", "native", "watches")

    def __init__(self) -> None:
        self.native = SelectorBackend()
        self.backend: IOBackend = self.native
        self.watches: dict[int, _Watch] = {}
        self.known: dict[int, _Watch] = {}
        self._stale: list[tuple[TaskRecord, Any, BaseException]] = []

    def __len__(self) -> int:
        return len(self.watches)

    def add(self, task: TaskRecord, fileobj: Any, event: int) -> _Watch:
        """Register ``task`` as the reader (``READ``) or writer (``WRITE``) of ``fileobj``.

        Returns the watch (its ``cancel_read`` / ``cancel_write`` undo this wait).
        Raises BusyResourceError, TypeError, ValueError or OSError (the caller sends it to
        the task)."""
        fd = fileobj.fileno() if type(fileobj) is socket.socket else -1
        if fd < 0:
            fd = fileno_of(fileobj)  # (raises for a closed or fd-less file object)
        watch = self.known.get(fd)
        if watch is None:
            watch = self.known[fd] = _Watch(fd, fileobj, self)
        elif watch.fileobj is not fileobj and (watch.is_stale() or not _waited(watch)):
            self._evict(watch)  # closed behind our back, or an idle registration of another
            watch = self.known[fd] = _Watch(fd, fileobj, self)
        if event == READ:
            if watch.reader is not None:
                raise BusyResourceError(
                    f"another task ({watch.reader!r}) is already waiting to read {fileobj!r}"
                )
            if not watch.mask & READ:
                self._interest(watch, watch.mask | READ)
            watch.reader = task
        else:
            if watch.writer is not None:
                raise BusyResourceError(
                    f"another task ({watch.writer!r}) is already waiting to write {fileobj!r}"
                )
            if not watch.mask & WRITE:
                self._interest(watch, watch.mask | WRITE)
            watch.writer = task
        self.watches[fd] = watch
        return watch

    def _interest(self, watch: _Watch, mask: int) -> None:
        """Make the backend's interest in ``watch.fd`` equal ``mask``."""
        backend, fd, old = self.backend, watch.fd, watch.mask
        try:
            if mask & READ and not old & READ:
                backend.add_reader(fd)
            if mask & WRITE and not old & WRITE:
                backend.add_writer(fd)
        except BaseException:
            if not watch.mask and not _waited(watch):
                self._drop(watch)
            raise
        if old & READ and not mask & READ:
            backend.remove_reader(fd)
        if old & WRITE and not mask & WRITE:
            backend.remove_writer(fd)
        watch.mask = mask

    def _drop(self, watch: _Watch) -> None:
        """Forget ``watch`` (no waiters) and its backend interest."""
        if self.known.get(watch.fd) is watch:
            del self.known[watch.fd]
        if watch.mask:
            self._interest(watch, 0)

    def _evict(self, watch: _Watch) -> None:
        """Drop ``watch``; tasks still waiting on its (closed) file get OSError(EBADF)."""
        if self.watches.get(watch.fd) is watch:
            del self.watches[watch.fd]
        for task in (watch.reader, watch.writer):
            if task is not None:
                error = OSError(errno.EBADF, os.strerror(errno.EBADF), watch.fileobj)
                self._stale.append((task, watch.fileobj, error))
        watch.reader = watch.writer = None
        self._drop(watch)

    def cancel(self, watch: _Watch, event: int) -> None:
        """Forget the reader or writer of ``watch`` (its wait was cancelled or woken by
        ``wake``/``wake_error``). The interest stays registered for a kept watch."""
        if event == READ:
            watch.reader = None
        else:
            watch.writer = None
        if watch.reader is None and watch.writer is None:
            self._idle(watch)

    def _idle(self, watch: _Watch) -> None:
        """``watch`` has no waiter left."""
        if self.watches.get(watch.fd) is watch:
            del self.watches[watch.fd]
        if not watch.keep:
            self._drop(watch)

    def ready(self, events: list[tuple[int, int]]) -> list[tuple[TaskRecord, Any, bool]]:
        """Turn backend readiness into ``(task, fileobj, readable)`` waiters to wake; an
        interest that nobody waits on any more is dropped."""
        woken: list[tuple[TaskRecord, Any, bool]] = []
        known = self.known
        for fd, mask in events:
            watch = known.get(fd)
            if watch is None:
                continue
            unwanted = 0
            if mask & READ:
                task = watch.reader
                if task is None:
                    unwanted = READ
                else:
                    watch.reader = None
                    woken.append((task, watch.fileobj, True))
            if mask & WRITE:
                task = watch.writer
                if task is None:
                    unwanted |= WRITE
                else:
                    watch.writer = None
                    woken.append((task, watch.fileobj, False))
            if unwanted & watch.mask:
                self._interest(watch, watch.mask & ~unwanted)
            if watch.reader is None and watch.writer is None:
                self._idle(watch)
                if not watch.mask:
                    self._drop(watch)
        return woken

    def forget(self, fileobj: Any) -> None:
        """``fileobj`` is about to be closed: drop its registration; tasks still waiting on
        it are queued for ``take_stale`` with OSError(EBADF)."""
        try:
            fd = fileno_of(fileobj)
        except (TypeError, ValueError, OSError):
            return  # already closed: nothing of ours can still be registered under it
        watch = self.known.get(fd)
        if watch is not None and (watch.fileobj is fileobj or watch.fileobj == fileobj):
            self._evict(watch)

    def has_stale(self) -> bool:
        """Whether ``take_stale`` has waiters to hand out."""
        return bool(self._stale)

    def take_stale(self) -> list[tuple[TaskRecord, Any, BaseException]]:
        """Waiters whose file was closed under them, with the error to throw in."""
        stale, self._stale = self._stale, []
        return stale

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        """Ask the backend for readiness."""
        return self.backend.poll(timeout)

    def close(self) -> None:
        """End of a run: drop the idle registrations, release the backend's wake-up
        resources."""
        for watch in [w for w in self.known.values() if not _waited(w)]:
            self._drop(watch)
        self.backend.close()

    def close_all(self) -> None:
        """Forget every watch and close everything."""
        self.watches.clear()
        self.known.clear()
        self._stale.clear()
        self.native.close_all()


def _waited(watch: _Watch) -> bool:
    return watch.reader is not None or watch.writer is not None
