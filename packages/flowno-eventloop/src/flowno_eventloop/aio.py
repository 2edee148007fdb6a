"""asyncio interop: await asyncio libraries from Flowno tasks, run Flowno inside asyncio.

- :func:`call` / :func:`iterate`: inside a Flowno task, await an asyncio coroutine or iterate
  an asyncio async iterator (httpx, SDK clients, database drivers...). They run on the asyncio
  loop that hosts the Flowno loop (guest mode), else on one asyncio loop per Flowno loop in a
  helper thread, started on first use and closed when the Flowno loop's run ends.

Rules of this module: nothing here imports a third-party package; the asyncio side of every
call runs as an ordinary asyncio task (so ``asyncio.get_running_loop()`` and sniffio work in
it); cancellation goes both ways; an exception comes back as the same object, with its
asyncio-side traceback.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Coroutine
from typing import Any, TypeVar, cast

from flowno_eventloop._aio_host import AsyncioHost, host_for
from flowno_eventloop._aio_iter import RemoteIterator
from flowno_eventloop._aio_thread import start_helper_thread
from flowno_eventloop._context import current_task_var
from flowno_eventloop._futures import wait_future

__all__ = ["call", "iterate"]

_T = TypeVar("_T")


async def call(awaitable: Awaitable[_T]) -> _T:
    """Await an asyncio awaitable from a Flowno task and return its result.

    The awaitable runs as an asyncio task on the asyncio loop hosting this Flowno loop (in
    guest mode, see :func:`run`), else on a helper-thread asyncio loop of this Flowno loop.
    Inside it ``asyncio.get_running_loop()`` works and ``sniffio`` says ``"asyncio"``. While it
    runs, the other Flowno tasks keep running and the loop reports no deadlock.

    Args:
        awaitable: An asyncio coroutine (``fetch(url)``), task or future, or any awaitable that
            asyncio can await.

    Returns:
        The awaitable's result.

    Raises:
        TypeError: ``awaitable`` is not awaitable.
        RuntimeError: Not awaited inside a task of a running Flowno loop.
        Exception: Whatever the asyncio side raised (the same object, with its traceback).

    Cancelling the Flowno task cancels the asyncio task; an asyncio task cancelled from the
    asyncio side raises ``CancelledError`` here.

    Example:
        >>> import asyncio
        >>> from flowno_eventloop import EventLoop
        >>> async def answer() -> int:          # plain asyncio code
        ...     await asyncio.sleep(0)
        ...     return 42
        >>> async def main() -> int:            # a Flowno task
        ...     return await call(answer())
        >>> EventLoop().run_until_complete(main(), join=True)
        42
    """
    coro = _as_coroutine(awaitable, "aio.call")
    host = _current_host("aio.call()", coro)
    result: _T = await wait_future(host.submit(coro))
    return result


def iterate(aiterable: AsyncIterable[_T]) -> AsyncGenerator[_T, None]:
    """Iterate an asyncio async iterable from a Flowno task, one item at a time.

    Each ``__anext__`` runs on the asyncio side like :func:`call`; the next one is asked only
    when the Flowno side wants the next item. When the Flowno side stops early (``break``,
    an exception, cancellation, ``aclose()``), the asyncio iterator is closed (its
    ``aclose()`` runs on the asyncio side) before the run ends.

    Args:
        aiterable: An asyncio async iterable (an async generator, a streaming response...).

    Returns:
        A Flowno async generator of the items.

    Raises:
        TypeError: ``aiterable`` is not an async iterable.

    Example:
        >>> import asyncio
        >>> from flowno_eventloop import EventLoop
        >>> async def ticks(n: int):            # an asyncio async generator
        ...     for i in range(n):
        ...         await asyncio.sleep(0)
        ...         yield i
        >>> async def main() -> list[int]:
        ...     return [i async for i in iterate(ticks(3))]
        >>> EventLoop().run_until_complete(main(), join=True)
        [0, 1, 2]
    """
    if not isinstance(aiterable, AsyncIterable):
        raise TypeError(
            f"aio.iterate(aiterable): expected an async iterable, got {type(aiterable).__name__}"
        )
    return _iterate(RemoteIterator(cast("AsyncIterable[_T]", aiterable)))


async def _iterate(remote: RemoteIterator[_T]) -> AsyncGenerator[_T, None]:
    host = _current_host("aio.iterate()", None)
    finished = False
    try:
        while True:
            more, item = await wait_future(host.submit(remote.step()))
            if not more:
                finished = True
                return
            yield cast("_T", item)
    finally:
        if not finished:  # stopped early, or the iterator failed: close it over there
            host.spawn_threadsafe(remote.close)


def _as_coroutine(awaitable: object, caller: str) -> Coroutine[Any, Any, Any]:
    if inspect.iscoroutine(awaitable):
        return awaitable
    if inspect.isawaitable(awaitable):
        return _await(awaitable)
    hint = " (call the async function first)" if inspect.iscoroutinefunction(awaitable) else ""
    raise TypeError(
        f"{caller}(awaitable): expected an awaitable (an asyncio coroutine, task or future), "
        f"got {type(awaitable).__name__}{hint}"
    )


async def _await(awaitable: Awaitable[_T]) -> _T:
    return await awaitable


def _current_host(caller: str, coro: Coroutine[Any, Any, Any] | None) -> AsyncioHost:
    handle = current_task_var.get()
    if handle is None:
        if coro is not None:
            coro.close()
        raise RuntimeError(f"{caller} must be awaited inside a task of a running flowno EventLoop")
    return host_for(handle.event_loop, start_helper_thread)
