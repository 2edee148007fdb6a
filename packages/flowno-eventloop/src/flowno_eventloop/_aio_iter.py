"""The asyncio side of ``aio.iterate``: one ``__anext__`` at a time, closed when abandoned.

Rules of this module:
- Every method of :class:`RemoteIterator` runs on the host asyncio loop, never on the
  Flowno side; ``__aiter__`` is called there too, on the first step.
- At most one step runs at a time (the Flowno side awaits each before asking again).
- Closing waits for a step still running (it may be finishing its cancellation) before
  calling ``aclose()``, so an async generator is never closed while it runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from typing import Generic, TypeVar

__all__ = ["RemoteIterator"]

_T = TypeVar("_T")


class RemoteIterator(Generic[_T]):
    """An asyncio async iterable stepped from another loop (host loop only)."""

    __slots__ = ("_iterable", "_iterator", "_running")

    def __init__(self, iterable: AsyncIterable[_T]) -> None:
        self._iterable = iterable
        self._iterator: AsyncIterator[_T] | None = None
        self._running: asyncio.Task[object] | None = None

    async def step(self) -> tuple[bool, _T | None]:
        """``(True, item)`` for the next item, ``(False, None)`` at the end."""
        iterator = self._iterator
        if iterator is None:
            iterator = self._iterator = self._iterable.__aiter__()
        self._running = asyncio.current_task()
        try:
            item = await iterator.__anext__()
        except StopAsyncIteration:
            return False, None
        finally:
            self._running = None
        return True, item

    async def close(self) -> None:
        """Wait for a running step to end, then ``aclose()`` the iterator if it has one."""
        running = self._running
        if running is not None:
            await asyncio.wait([running])
        aclose = getattr(self._iterator, "aclose", None)
        if aclose is not None:
            await aclose()
