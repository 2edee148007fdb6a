"""AsyncSetQueue and AsyncMapQueue: an AsyncQueue that merges equal items or keys.

Rules: the merging happens in ``_accept`` (on every put, waiting or not), so the waiting and
hand-over rules are exactly those of :class:`AsyncQueue`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from flowno_eventloop._queues import PUT_CLOSED, AsyncQueue, QueueClosedError
from flowno_eventloop._waiters import cancel_pending, checkpoint, shielded_turn
from flowno_eventloop.instrumentation import get_current_instrument

if TYPE_CHECKING:
    from flowno_eventloop._loop import EventLoop

__all__ = ["AsyncMapQueue", "AsyncSetQueue"]

_K = TypeVar("_K", bound=Hashable)
_C = TypeVar("_C")


class AsyncSetQueue(AsyncQueue[_K]):
    """An :class:`AsyncQueue` that never holds two equal items (items must be hashable).

    ``put`` of an item already queued returns at once (no error, even when closed).
    Membership is O(1).

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     s = AsyncSetQueue()
        ...     await s.putAll(["x", "y", "x", "z", "y"])
        ...     return list(s.items), "y" in s
        >>> EventLoop().run_until_complete(main(), join=True)
        (['x', 'y', 'z'], True)
    """

    def __init__(self, maxsize: int | None = None) -> None:
        super().__init__(maxsize)
        self._members: set[_K] = set()

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def _accept(self, item: _K) -> bool:
        return item not in self._members

    def _store(self, item: _K) -> None:
        self._members.add(item)
        self.items.append(item)

    def _take(self) -> _K:
        item = self.items.popleft()
        self._members.discard(item)
        return item

    async def putAll(self, items: Iterable[_K]) -> None:  # noqa: N802 - original name
        """``put`` each item in turn.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncSetQueue
            >>> async def main():
            ...     s = AsyncSetQueue(); await s.putAll([1, 1, 2]); return list(s.items)
            >>> EventLoop().run_until_complete(main(), join=True)
            [1, 2]
        """
        for item in items:
            await self.put(item)

    def put_nowait(self, item: _K, event_loop: EventLoop | None = None) -> bool:
        """Put without waiting (ignores ``maxsize``); False on a duplicate.

        Raises:
            QueueClosedError: The queue is closed.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncSetQueue
            >>> async def main():
            ...     s = AsyncSetQueue(); return s.put_nowait(1), s.put_nowait(1)
            >>> EventLoop().run_until_complete(main(), join=True)
            (True, False)
        """
        if self._closed:
            raise QueueClosedError(PUT_CLOSED)
        return super().put_nowait(item, event_loop)


class AsyncMapQueue(AsyncQueue[tuple[_K, list[_C]]], Generic[_K, _C]):
    """A FIFO of unique keys, each with the list of causes it was queued for.

    ``put((key, cause))`` queues a new key or appends ``cause`` to a queued key's list;
    ``get()`` returns ``(key, [causes])``. ``len()`` counts keys.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     m = AsyncMapQueue()
        ...     await m.put(("n1", "first")); await m.put(("n2", "x")); await m.put(("n1", "second"))
        ...     return len(m), await m.get()
        >>> EventLoop().run_until_complete(main(), join=True)
        (2, ('n1', ['first', 'second']))
    """

    def __init__(self, maxsize: int | None = None) -> None:
        super().__init__(maxsize)
        self._causes: dict[_K, list[_C]] = {}

    async def put(self, item: tuple[_K, _C]) -> None:  # type: ignore[override]
        """Queue ``(key, cause)``.

        Raises:
            ValueError: ``item`` is not a ``(key, cause)`` pair.
            QueueClosedError: The queue is closed.

        Example:
            >>> from flowno_eventloop import EventLoop, AsyncMapQueue
            >>> async def main():
            ...     m = AsyncMapQueue(); await m.put(('k', 1)); await m.put(('k', 2)); return await m.get()
            >>> EventLoop().run_until_complete(main(), join=True)
            ('k', [1, 2])
        """
        if not isinstance(cast(object, item), tuple) or len(item) != 2:
            raise ValueError(f"AsyncMapQueue.put expects a (key, cause) tuple, got {item!r}")
        key, cause = item
        if key in self._causes:
            if self._closed:
                raise QueueClosedError(PUT_CLOSED)
            if cancel_pending():
                await checkpoint()
            self._causes[key].append(cause)
            get_current_instrument().on_queue_put(queue=self, item=item, immediate=True)
            await shielded_turn()
            return
        await super().put((key, [cause]))

    def _store(self, item: tuple[_K, list[_C]]) -> None:
        key, causes = item
        self._causes[key] = causes
        self.items.append(item)

    def _take(self) -> tuple[_K, list[_C]]:
        key, causes = self.items.popleft()
        del self._causes[key]
        return key, causes

    def _accept(self, item: tuple[_K, list[_C]]) -> bool:
        key, causes = item
        if key in self._causes:
            self._causes[key].extend(causes)
            return False
        return True
