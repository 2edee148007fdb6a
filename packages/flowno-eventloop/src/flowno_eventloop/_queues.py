"""AsyncQueue: a FIFO queue on park/wake (its set and map variants are in ``_queue_sets``).

Rules: getters and putters wait on the queue itself (``Waiters``, FIFO, removed on cancel).
A ``put`` with waiting getters hands the item straight to the first getter; a ``get`` that
frees a slot hands it to the first putter (its item goes in, in order). Each ``put``/``get``/
``close`` ends with one checkpoint (a trip to the back of the ready queue), which keeps the
original's observable interleaving at a third of its cost; ``*_nowait`` forms never
yield; a getter woken with an item does not checkpoint again.
``maxsize`` <= 0 or None means unbounded. ``close()`` wakes every getter and putter.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import AsyncIterator, Hashable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from flowno_eventloop._context import current_task_handle, current_task_var
from flowno_eventloop._waiters import Waiters, cancel_pending, checkpoint, shielded_turn
from flowno_eventloop.instrumentation import get_current_instrument
from flowno_eventloop.lowlevel import park, wake, wake_error

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

_current_handle = current_task_var.get

__all__ = ["AsyncQueue", "QueueClosedError", "QueueFull"]

logger = logging.getLogger("flowno.eventloop.queues")

_T = TypeVar("_T")
_K = TypeVar("_K", bound=Hashable)
_C = TypeVar("_C")

PUT_CLOSED = "Cannot put item into closed queue"
GET_CLOSED = "Queue has been closed and is empty"
_NOTHING: Any = object()


class QueueFull(Exception):
    """Raised by ``put_nowait`` on a bounded queue that is full.

    Example:
        >>> from flowno_eventloop import EventLoop, AsyncQueue
        >>> async def main():
        ...     q = AsyncQueue(maxsize=1); q.put_nowait(1)
        ...     try:
        ...         q.put_nowait(2)
        ...     except QueueFull as e:
        ...         return str(e)
        >>> EventLoop().run_until_complete(main(), join=True)
        'put_nowait() on a full AsyncQueue (maxsize=1)'
    """


class QueueClosedError(Exception):
    """Raised by ``put`` on a closed queue and by ``get``/``peek`` on a closed, empty one.

    Example:
        >>> str(QueueClosedError("Cannot put item into closed queue"))
        'Cannot put item into closed queue'
    """


class AsyncQueue(Generic[_T]):
    """A FIFO queue between tasks; an async iterator that ends when closed and drained.

    Args:
        maxsize: Capacity; ``None`` or ``<= 0`` means unbounded. ``put`` waits when full.

    Example:
        >>> from flowno_eventloop import EventLoop, spawn
        >>> async def producer(q):
        ...     for i in range(3):
        ...         await q.put(i)
        ...     await q.close()
        >>> async def main():
        ...     q = AsyncQueue(maxsize=1)
        ...     await spawn(producer(q))
        ...     return [x async for x in q]
        >>> EventLoop().run_until_complete(main(), join=True)
        [0, 1, 2]
    """

    def __init__(self, maxsize: int | None = None) -> None:
        self.items: deque[_T] = deque()
        self.maxsize = maxsize
        self._closed = False
        self._getters: Waiters[bool] = Waiters()  # payload: peek?
        self._putters: Waiters[_T] = Waiters()  # payload: the item
        logger.debug("queue created: %r", self)

    # -- state
    @property
    def closed(self) -> bool:
        """Whether the queue is closed (settable, as in the original).

        Example:
            >>> q = AsyncQueue(); q.closed
            False
            >>> q.closed = True; q.closed, q.is_closed()
            (True, True)
        """
        return self._closed

    @closed.setter
    def closed(self, value: bool) -> None:
        if value:
            self.close_nowait()
        else:
            self._closed = False

    def is_closed(self) -> bool:
        """True once closed.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue
            >>> async def main():
            ...     return AsyncQueue().is_closed()
            >>> EventLoop().run_until_complete(main(), join=True)
            False
        """
        return self._closed

    def _full(self) -> bool:
        size = self.maxsize
        return size is not None and size > 0 and len(self.items) >= size

    def __len__(self) -> int:
        return len(self.items)

    # -- hooks for subclasses (set/map semantics)
    def _accept(self, item: _T) -> bool:
        """Return False to drop ``item`` silently (already present)."""
        return True

    def _store(self, item: _T) -> None:
        self.items.append(item)

    def _take(self) -> _T:
        return self.items.popleft()

    def _first(self) -> _T:
        return self.items[0]

    # -- put
    async def put(self, item: _T) -> None:
        """Put ``item``; wait while the queue is full.

        Raises:
            QueueClosedError: The queue is (or gets) closed.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue
            >>> async def main():
            ...     q = AsyncQueue(); await q.put('a'); return list(q.items)
            >>> EventLoop().run_until_complete(main(), join=True)
            ['a']
        """
        me = _current_handle()
        if me is not None and me._task.cancel_pending is not None:  # (cancel_pending inlined)  # pyright: ignore[reportPrivateUsage]
            await checkpoint()
        if self._try_put(item):
            await shielded_turn()
            return
        me = current_task_handle()
        self._putters.add(me, item)
        await park(reason=("AsyncQueue.put", self), on_cancel=lambda: self._putters.discard(me))
        await shielded_turn()  # the item was stored by the get that woke us: keep it so

    def put_nowait(self, item: _T, event_loop: EventLoop | None = None) -> bool:
        """Put without waiting; False if the item was dropped (a duplicate in a set queue).

        Raises:
            QueueFull: The queue is bounded and full.
            QueueClosedError: The queue is closed.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue
            >>> async def main():
            ...     q = AsyncQueue(maxsize=2); return q.put_nowait(1), q.put_nowait(2), len(q)
            >>> EventLoop().run_until_complete(main(), join=True)
            (True, True, 2)
        """
        if self._closed:
            raise QueueClosedError(PUT_CLOSED)
        if not self._accept(item):
            return False
        if self._full():
            raise QueueFull(
                f"put_nowait() on a full {type(self).__name__} (maxsize={self.maxsize})"
            )
        self._deliver(item)
        return True

    def notify_getters(self) -> None:
        """Hand items already in :attr:`items` to the tasks waiting in ``get``/``peek``.

        For code that appends to ``items`` directly instead of calling ``put_nowait``: the
        waiting getters are served, oldest first, while there are items.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue, sleep, spawn
            >>> async def main():
            ...     q = AsyncQueue()
            ...     getter = await spawn(q.get())
            ...     await sleep(0)  # the getter waits
            ...     q.items.append("direct")
            ...     q.notify_getters()
            ...     return await getter.join()
            >>> EventLoop().run_until_complete(main(), join=True)
            'direct'
        """
        self._serve_getters()

    def _try_put(self, item: _T) -> bool:
        """Store or hand over ``item`` now if possible; True if done (or dropped)."""
        if not self._accept(item):
            return True
        if self._closed:
            raise QueueClosedError(PUT_CLOSED)
        if self._full() and not self._getters:
            return False
        self._deliver(item)
        return True

    def _deliver(self, item: _T) -> None:
        get_current_instrument().on_queue_put(queue=self, item=item, immediate=True)
        self._store(item)
        self._serve_getters()

    def _serve_getters(self) -> None:
        while self._getters and self.items:
            handle, peek = self._getters.pop()
            if peek:
                wake(handle, self._first())
            else:
                wake(handle, self._take_and_report())

    def _take_and_report(self) -> _T:
        item = self._take()
        get_current_instrument().on_queue_get(queue=self, item=item, immediate=True)
        self._admit_putters()
        return item

    def _admit_putters(self) -> None:
        while self._putters and not self._full():
            handle, waiting_item = self._putters.pop()
            item = cast(_T, waiting_item)
            if self._accept(item):
                get_current_instrument().on_queue_put(queue=self, item=item, immediate=False)
                self._store(item)
            wake(handle)

    # -- get / peek
    async def get(self) -> _T:
        """Remove and return the next item; wait while empty.

        Raises:
            QueueClosedError: The queue is closed and empty.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue
            >>> async def main():
            ...     q = AsyncQueue(); await q.put('a'); return await q.get(), len(q)
            >>> EventLoop().run_until_complete(main(), join=True)
            ('a', 0)
        """
        me = _current_handle()
        if self.items and me is not None and me._task.cancel_pending is None:  # pyright: ignore[reportPrivateUsage]
            item = self._take_and_report()  # the common case of ``_get``, inlined
            await shielded_turn()
            return item
        return await self._get(peek=False)

    async def peek(self) -> _T:
        """Return the next item without removing it; wait while empty.

        Raises:
            QueueClosedError: The queue is closed and empty.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue
            >>> async def main():
            ...     q = AsyncQueue(); await q.put('a'); return await q.peek(), len(q)
            >>> EventLoop().run_until_complete(main(), join=True)
            ('a', 1)
        """
        return await self._get(peek=True)

    async def _get(self, peek: bool) -> _T:
        if self.items:
            if cancel_pending():
                await checkpoint()
            item = self._first() if peek else self._take_and_report()
            await shielded_turn()
            return item
        if self._closed:
            raise QueueClosedError(GET_CLOSED)
        me = current_task_handle()
        self._getters.add(me, peek)
        reason = ("AsyncQueue.peek" if peek else "AsyncQueue.get", self)
        got: _T = await park(reason=reason, on_cancel=lambda: self._getters.discard(me))
        return got

    def get_nowait(self) -> _T:
        """Remove and return the next item without waiting.

        Raises:
            QueueClosedError: Closed and empty.
            IndexError: Empty (not closed).

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue
            >>> async def main():
            ...     q = AsyncQueue(); q.put_nowait(5); return q.get_nowait()
            >>> EventLoop().run_until_complete(main(), join=True)
            5
        """
        if not self.items:
            if self._closed:
                raise QueueClosedError(GET_CLOSED)
            raise IndexError("get_nowait() on an empty AsyncQueue")
        return self._take_and_report()

    # -- close
    async def close(self) -> None:
        """Close the queue (idempotent): blocked putters and, once drained, getters raise.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue
            >>> async def main():
            ...     q = AsyncQueue(); await q.close(); return q.is_closed()
            >>> EventLoop().run_until_complete(main(), join=True)
            True
        """
        self.close_nowait()
        await checkpoint()

    def close_nowait(self, event_loop: EventLoop | None = None) -> None:
        """Synchronous :meth:`close` (usable from a command handler).

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue
            >>> async def main():
            ...     q = AsyncQueue(); q.close_nowait(); return q.is_closed()
            >>> EventLoop().run_until_complete(main(), join=True)
            True
        """
        if self._closed:
            return
        self._closed = True
        logger.debug("queue closed: %r", self, stack_info=logger.isEnabledFor(logging.DEBUG))
        for handle, _ in self._putters.pop_all():
            wake_error(handle, QueueClosedError(PUT_CLOSED))
        for handle, _ in self._getters.pop_all():
            wake_error(handle, QueueClosedError(GET_CLOSED))

    # -- iteration
    def __aiter__(self) -> AsyncQueue[_T]:
        return self

    async def __anext__(self) -> _T:
        try:
            return await self.get()
        except QueueClosedError:
            raise StopAsyncIteration from None

    def until_empty(self, self_closing: bool = True) -> AsyncIterator[_T]:
        """Iterate over the items present; stop at the first empty moment and (by default)
        close the queue. Never waits for new items.

        Example:
            >>> from flowno_eventloop import EventLoop
            >>> async def main():
            ...     q = AsyncQueue()
            ...     for x in (1, 2):
            ...         await q.put(x)
            ...     return [x async for x in q.until_empty()], q.is_closed()
            >>> EventLoop().run_until_complete(main(), join=True)
            ([1, 2], True)
        """
        return _UntilEmpty(self, self_closing)

    def statistics(self) -> dict[str, Any]:
        """``{"size", "maxsize", "closed", "getters", "putters"}``.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncQueue
            >>> async def main():
            ...     q = AsyncQueue(maxsize=2); await q.put(1); return q.statistics()['size']
            >>> EventLoop().run_until_complete(main(), join=True)
            1
        """
        return {
            "size": len(self.items),
            "maxsize": self.maxsize,
            "closed": self._closed,
            "getters": len(self._getters),
            "putters": len(self._putters),
        }

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} id={id(self)} maxsize={self.maxsize} "
            f"items={list(self.items)!r} closed={self._closed}>"
        )


class _UntilEmpty(Generic[_T]):
    def __init__(self, queue: AsyncQueue[_T], self_closing: bool) -> None:
        self.queue = queue
        self.self_closing = self_closing

    def __aiter__(self) -> _UntilEmpty[_T]:
        return self

    async def __anext__(self) -> _T:
        queue = self.queue
        if not queue.items:
            if self.self_closing:
                await queue.close()
            raise StopAsyncIteration
        return await queue.get()


_ = _NOTHING
