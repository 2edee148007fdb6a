"""The loop's I/O side: its own selector, the cross-thread wake-up socketpair, fd waits.

Rules: created lazily, closed by the loop (``close``); one reader and one writer per fd; it
knows nothing of sockets beyond ``fileno()``. It never touches task state itself: ``poll``
returns the tasks to wake and the loop wakes them. Runs only on the loop thread, except
``wakeup`` which any thread may call.
"""

from __future__ import annotations

import selectors
import socket
from typing import TYPE_CHECKING, Any

from flowno_eventloop._errors import BusyResourceError

if TYPE_CHECKING:
    from flowno_eventloop._tasks import TaskRecord

__all__ = ["IOWatcher", "fileno_of"]

READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE
_WAKE = object()


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
    __slots__ = ("fd", "fileobj", "mask", "reader", "writer")

    def __init__(self, fd: int, fileobj: Any) -> None:
        self.fd = fd
        self.fileobj = fileobj
        self.mask = 0
        self.reader: TaskRecord | None = None
        self.writer: TaskRecord | None = None


class IOWatcher:
    """Selector + wake-up pair + per-fd waiters (internal)."""

    __slots__ = ("_selector", "_wake_r", "_wake_w", "polls", "watches")

    def __init__(self) -> None:
        self._selector: selectors.BaseSelector | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self.watches: dict[int, _Watch] = {}
        self.polls = 0

    def __len__(self) -> int:
        return len(self.watches)

    @property
    def selector(self) -> selectors.BaseSelector:
        sel = self._selector
        if sel is None:
            sel = self._selector = selectors.DefaultSelector()
        return sel

    def open_wakeup(self) -> None:
        """Create and register the wake-up socketpair (idempotent)."""
        if self._wake_r is None:
            r, w = socket.socketpair()
            r.setblocking(False)
            w.setblocking(False)
            self.selector.register(r, READ, _WAKE)
            self._wake_r, self._wake_w = r, w

    def wakeup(self) -> None:
        """Make a blocked ``poll`` return; callable from any thread; best effort by design
        (the caller has already queued its work, a full or closed pair means the loop is
        awake or gone)."""
        w = self._wake_w
        if w is not None:
            try:
                w.send(b"\0")
            except OSError:
                pass

    def add(self, task: TaskRecord, fileobj: Any, event: int) -> None:
        """Register ``task`` as the reader (``READ``) or writer (``WRITE``) of ``fileobj``.

        Raises BusyResourceError, TypeError, ValueError or OSError (the caller sends it to
        the task)."""
        fd = fileno_of(fileobj)
        watch = self.watches.get(fd)
        if watch is None:
            watch = _Watch(fd, fileobj)
        slot = "reader" if event == READ else "writer"
        other = getattr(watch, slot)
        if other is not None:
            raise BusyResourceError(
                f"another task ({other!r}) is already waiting to "
                f"{'read' if event == READ else 'write'} {fileobj!r}"
            )
        self._set_mask(watch, watch.mask | event)
        setattr(watch, slot, task)

    def remove(self, fd: int, event: int) -> None:
        """Forget the reader or writer of ``fd`` (on cancel)."""
        watch = self.watches.get(fd)
        if watch is None:
            return
        setattr(watch, "reader" if event == READ else "writer", None)
        self._set_mask(watch, watch.mask & ~event)

    def _set_mask(self, watch: _Watch, mask: int) -> None:
        sel = self.selector
        if mask == watch.mask:
            return
        if watch.mask == 0:
            sel.register(watch.fd, mask, watch)
            self.watches[watch.fd] = watch
        elif mask == 0:
            del self.watches[watch.fd]
            try:
                sel.unregister(watch.fd)
            except (KeyError, ValueError, OSError):
                pass  # the fd was closed under us: the kernel already forgot it
        else:
            sel.modify(watch.fd, mask, watch)
        watch.mask = mask

    def poll(self, timeout: float | None) -> list[tuple[TaskRecord, Any, bool]]:
        """Wait up to ``timeout`` (None: forever) and return ``(task, fileobj, readable)``
        for each ready waiter, unregistering it."""
        sel = self._selector
        if sel is None:
            return []
        self.polls += 1
        ready: list[tuple[TaskRecord, Any, bool]] = []
        for key, mask in sel.select(timeout):
            watch = key.data
            if watch is _WAKE:
                self._drain_wakeup()
                continue
            assert isinstance(watch, _Watch)
            new_mask = watch.mask
            if mask & READ and watch.reader is not None:
                ready.append((watch.reader, watch.fileobj, True))
                watch.reader = None
                new_mask &= ~READ
            if mask & WRITE and watch.writer is not None:
                ready.append((watch.writer, watch.fileobj, False))
                watch.writer = None
                new_mask &= ~WRITE
            self._set_mask(watch, new_mask)
        return ready

    def _drain_wakeup(self) -> None:
        r = self._wake_r
        if r is None:
            return
        try:
            while r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def close(self) -> None:
        """Close the wake-up pair and, if no fd is watched, the selector."""
        r, w = self._wake_r, self._wake_w
        self._wake_r = self._wake_w = None
        if r is not None and self._selector is not None:
            self._selector.unregister(r)
        for s in (r, w):
            if s is not None:
                s.close()
        if not self.watches and self._selector is not None:
            self._selector.close()
            self._selector = None

    def close_all(self) -> None:
        """Forget every watch and close everything."""
        self.watches.clear()
        self.close()
        if self._selector is not None:
            self._selector.close()
            self._selector = None
