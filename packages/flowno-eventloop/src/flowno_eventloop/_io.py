"""The loop's fd waits: which task waits to read or write which fd, over an I/O backend.

Rules: one reader and one writer per fd; it knows nothing of sockets beyond ``fileno()``.
It never touches task state itself: ``ready`` returns the tasks to wake (readiness reported
by the backend, or a stale wait whose file was closed behind the loop's back) and the loop
wakes them. A registration is removed from the backend as soon as its waiter is woken or
cancelled. Runs only on the loop thread.
"""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING, Any

from flowno_eventloop._backend import READ, WRITE, IOBackend, SelectorBackend
from flowno_eventloop._errors import BusyResourceError

if TYPE_CHECKING:
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
    __slots__ = ("fd", "fileobj", "reader", "writer")

    def __init__(self, fd: int, fileobj: Any) -> None:
        self.fd = fd
        self.fileobj = fileobj
        self.reader: TaskRecord | None = None
        self.writer: TaskRecord | None = None

    def is_stale(self) -> bool:
        """True when the watched file object no longer has this fd (closed under us)."""
        if isinstance(self.fileobj, int):
            return False
        try:
            return int(self.fileobj.fileno()) != self.fd
        except (OSError, ValueError):
            return True


class IOWatcher:
    """Per-fd waiters over an :class:`IOBackend` (internal)."""

    __slots__ = ("_stale", "backend", "native", "watches")

    def __init__(self) -> None:
        self.native = SelectorBackend()
        self.backend: IOBackend = self.native
        self.watches: dict[int, _Watch] = {}
        self._stale: list[tuple[TaskRecord, Any, BaseException]] = []

    def __len__(self) -> int:
        return len(self.watches)

    def add(self, task: TaskRecord, fileobj: Any, event: int) -> None:
        """Register ``task`` as the reader (``READ``) or writer (``WRITE``) of ``fileobj``.

        Raises BusyResourceError, TypeError, ValueError or OSError (the caller sends it to
        the task)."""
        fd = fileno_of(fileobj)
        watch = self.watches.get(fd)
        if watch is not None and watch.fileobj is not fileobj and watch.is_stale():
            self._evict(watch)
            watch = None
        if watch is None:
            watch = _Watch(fd, fileobj)
        reading = event == READ
        other = watch.reader if reading else watch.writer
        if other is not None:
            raise BusyResourceError(
                f"another task ({other!r}) is already waiting to "
                f"{'read' if reading else 'write'} {fileobj!r}"
            )
        if reading:
            self.backend.add_reader(fd)
            watch.reader = task
        else:
            self.backend.add_writer(fd)
            watch.writer = task
        self.watches[fd] = watch

    def _evict(self, watch: _Watch) -> None:
        """The file of ``watch`` was closed while tasks waited on it: fail them (OSError)."""
        del self.watches[watch.fd]
        self.backend.remove_reader(watch.fd)
        self.backend.remove_writer(watch.fd)
        for task in (watch.reader, watch.writer):
            if task is not None:
                error = OSError(errno.EBADF, os.strerror(errno.EBADF), watch.fileobj)
                self._stale.append((task, watch.fileobj, error))

    def remove(self, fd: int, event: int) -> None:
        """Forget the reader or writer of ``fd`` (on cancel)."""
        watch = self.watches.get(fd)
        if watch is None:
            return
        if event == READ:
            watch.reader = None
            self.backend.remove_reader(fd)
        else:
            watch.writer = None
            self.backend.remove_writer(fd)
        if watch.reader is None and watch.writer is None:
            del self.watches[fd]

    def ready(self, events: list[tuple[int, int]]) -> list[tuple[TaskRecord, Any, bool]]:
        """Turn backend readiness into ``(task, fileobj, readable)`` waiters to wake, each
        removed from the backend."""
        woken: list[tuple[TaskRecord, Any, bool]] = []
        for fd, mask in events:
            watch = self.watches.get(fd)
            if watch is None:
                continue
            if mask & READ and watch.reader is not None:
                woken.append((watch.reader, watch.fileobj, True))
                self.remove(fd, READ)
            if mask & WRITE and watch.writer is not None:
                woken.append((watch.writer, watch.fileobj, False))
                self.remove(fd, WRITE)
        return woken

    def take_stale(self) -> list[tuple[TaskRecord, Any, BaseException]]:
        """Waiters whose file was closed under them, with the error to throw in."""
        stale, self._stale = self._stale, []
        return stale

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        """Ask the backend for readiness."""
        return self.backend.poll(timeout)

    def close(self) -> None:
        """End of a run: release the backend's wake-up resources."""
        self.backend.close()

    def close_all(self) -> None:
        """Forget every watch and close everything."""
        self.watches.clear()
        self._stale.clear()
        self.native.close_all()
