"""asyncio interop: await asyncio libraries from Flowno tasks, run Flowno inside asyncio.

- :func:`call` / :func:`iterate`: inside a Flowno task, await an asyncio coroutine or iterate
  an asyncio async iterator (httpx, SDK clients, database drivers...). They run on the asyncio
  loop that hosts the Flowno loop (guest mode), else on one asyncio loop per Flowno loop in a
  helper thread, started on first use and closed when the Flowno loop's run ends.
- :func:`run` / :func:`stream`: inside asyncio code, run a Flowno coroutine (a flow's
  ``run_async()``...) or iterate a Flowno async iterable, on a Flowno loop that the running
  asyncio loop drives in the same thread (guest mode).

Rules of this module: nothing here imports a third-party package; the asyncio side of every
call runs as an ordinary asyncio task (so ``asyncio.get_running_loop()`` and sniffio work in
it); cancellation goes both ways; an exception comes back as the same object, with its
asyncio-side traceback.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Coroutine
from typing import Any, TypeVar, cast

from flowno_eventloop._aio_guest import GuestRun
from flowno_eventloop._aio_host import AsyncioHost, host_for, install_host, remove_host
from flowno_eventloop._aio_iter import RemoteIterator
from flowno_eventloop._aio_thread import start_helper_thread
from flowno_eventloop._context import current_task_var
from flowno_eventloop._loop import EventLoop
from flowno_eventloop._queues import AsyncQueue

__all__ = ["call", "iterate", "run", "stream"]

DEFAULT_TIME_SLICE = 0.005
"""Seconds of Flowno work per host callback in guest mode before the host gets a turn."""

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
    asyncio side raises ``concurrent.futures.CancelledError`` here (an ``Exception``, unlike
    asyncio's).

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
    return await host.call(coro)


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
    if not _is_async_iterable(aiterable):
        raise TypeError(
            f"aio.iterate(aiterable): expected an async iterable, got {type(aiterable).__name__}"
        )
    return _iterate(RemoteIterator(aiterable))


async def _iterate(remote: RemoteIterator[_T]) -> AsyncGenerator[_T, None]:
    host = _current_host("aio.iterate()", None)
    finished = False
    try:
        while True:
            more, item = await host.call(remote.step())
            if not more:
                finished = True
                return
            yield cast("_T", item)
    finally:
        if not finished:  # stopped early, or the iterator failed: close it over there
            host.spawn_threadsafe(remote.close)


def _is_async_iterable(candidate: object) -> bool:
    return isinstance(candidate, AsyncIterable)


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


async def run(
    coro: Coroutine[Any, Any, _T],
    *,
    loop: EventLoop | None = None,
    time_slice: float = DEFAULT_TIME_SLICE,
) -> _T:
    """Run a Flowno coroutine from asyncio code, in the same thread (guest mode).

    The Flowno loop is driven by the running asyncio loop: its ready work runs in host
    callbacks, at most ``time_slice`` seconds at a time, its timers are host timers and its
    fd waits are host ``add_reader`` / ``add_writer`` registrations. :func:`call` inside it
    runs on this asyncio loop. Like ``run_until_complete``, it returns once every Flowno task
    of the run has ended.

    Args:
        coro: The root Flowno coroutine (e.g. ``flow.run_async()``).
        loop: The Flowno loop to run it on (a fresh ``EventLoop()`` by default); it must not
            be running already.
        time_slice: Seconds of Flowno work per host callback before asyncio gets a turn.

    Returns:
        The coroutine's result.

    Raises:
        TypeError: ``coro`` is not a coroutine (an async function not called, say).
        Exception: Whatever the Flowno run raised (the root's exception, ``DeadlockError``).
        asyncio.CancelledError: The asyncio task was cancelled: every Flowno task was
            cancelled first (``TaskCancelled`` thrown into each) and has ended.

    Example:
        >>> import asyncio
        >>> from flowno_eventloop import sleep, spawn
        >>> async def flowno_work() -> str:       # a Flowno coroutine
        ...     child = await spawn(sleep(0.01))
        ...     await child.join()
        ...     return "done in guest mode"
        >>> async def handler() -> str:           # asyncio code (a web handler...)
        ...     return await run(flowno_work())
        >>> asyncio.run(handler())
        'done in guest mode'
    """
    if not isinstance(coro, Coroutine):  # pyright: ignore[reportUnnecessaryIsInstance]
        hint = " (call the async function first)" if inspect.iscoroutinefunction(coro) else ""
        raise TypeError(
            f"aio.run(coro): expected a Flowno coroutine, got {type(coro).__name__}{hint}"
        )
    try:
        host = asyncio.get_running_loop()
        if time_slice <= 0:
            raise ValueError(f"aio.run(time_slice=...): must be > 0 seconds, got {time_slice!r}")
        guest = GuestRun(host, EventLoop() if loop is None else loop, coro, time_slice)
    except BaseException:
        coro.close()
        raise
    install_host(guest.loop, guest.asyncio_host)
    try:
        return cast("_T", await _guest_outcome(guest))
    finally:
        remove_host(guest.loop, guest.asyncio_host)


async def _guest_outcome(guest: GuestRun) -> Any:
    """Wait for the guest run; a cancellation cancels the Flowno tasks and waits for them."""
    outcome = guest.outcome
    cancelled = False
    while not outcome.done():
        try:
            await asyncio.wait([outcome])
        except asyncio.CancelledError:
            cancelled = True
            guest.cancel()
    drained = asyncio.ensure_future(guest.asyncio_host.drain_background())
    while not drained.done():
        try:
            await asyncio.wait([drained])
        except asyncio.CancelledError:
            cancelled = True
    drained.result()
    if cancelled:
        error = outcome.exception()
        raise asyncio.CancelledError("aio.run: cancelled; every Flowno task has ended") from error
    return outcome.result()


async def stream(
    source: AsyncIterable[_T], *, loop: EventLoop | None = None
) -> AsyncGenerator[_T, None]:
    """Iterate a Flowno async iterable from asyncio code (guest mode), one item at a time.

    The source is iterated by a Flowno task on a guest Flowno loop (see :func:`run`); each
    item is handed over when the asyncio side asks for it. When the asyncio side stops early
    (``break``, ``aclose()``, cancellation, a client that disconnects), the Flowno side is
    cancelled and has ended before the generator finishes closing. This is how a web handler
    streams a flow's outputs (a ``StreamingResponse`` of a Flowno async generator).

    Args:
        source: A Flowno async iterable: an async generator running Flowno code (e.g. one
            that runs a flow and yields its tokens), an ``AsyncQueue``...
        loop: The Flowno loop to run it on (a fresh ``EventLoop()`` by default).

    Returns:
        An asyncio async generator of the items.

    Raises:
        TypeError: ``source`` is not an async iterable.
        Exception: Whatever the Flowno side raised.

    Example:
        >>> import asyncio
        >>> from flowno_eventloop import sleep
        >>> async def tokens():                  # Flowno code
        ...     for word in ["streamed", "from", "flowno"]:
        ...         await sleep(0.001)
        ...         yield word
        >>> async def handler() -> list[str]:    # asyncio code
        ...     return [word async for word in stream(tokens())]
        >>> asyncio.run(handler())
        ['streamed', 'from', 'flowno']
    """
    if not _is_async_iterable(source):
        raise TypeError(
            f"aio.stream(source): expected an async iterable, got {type(source).__name__}"
        )
    flowno_loop = EventLoop() if loop is None else loop
    requests: AsyncQueue[asyncio.Future[tuple[bool, Any]]] = AsyncQueue()
    pump = _pump(source, requests)
    runner = asyncio.ensure_future(run(pump, loop=flowno_loop))
    request: asyncio.Future[tuple[bool, Any]] | None = None
    try:
        while True:
            request = asyncio.get_running_loop().create_future()
            flowno_loop.call_soon_threadsafe(requests.put_nowait, request)
            either: list[asyncio.Future[Any]] = [request, runner]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if not request.done():
                runner.result()  # the Flowno side failed: its error
                return
            more, item = request.result()
            if not more:
                return
            yield cast("_T", item)
    finally:
        if request is not None:
            request.cancel()
        if not runner.done():
            runner.cancel()
        await asyncio.wait([runner])
        if not runner.cancelled():
            runner.result()


async def _pump(
    source: AsyncIterable[_T], requests: AsyncQueue[asyncio.Future[tuple[bool, Any]]]
) -> None:
    """Flowno side of :func:`stream`: one item per request (same thread as the host).

    The loop is held while it waits for the asyncio side's next request (no deadlock), and
    only then (a virtual clock still jumps while the source sleeps).
    """
    loop = current_task_var.get().event_loop  # type: ignore[union-attr]  # a task runs this
    iterator = source.__aiter__()
    try:
        while True:
            loop.hold()
            try:
                request = await requests.get()
            finally:
                loop.release()
            try:
                item = await iterator.__anext__()
            except StopAsyncIteration:
                _answer(request, (False, None))
                return
            _answer(request, (True, item))
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


def _answer(request: asyncio.Future[tuple[bool, Any]], answer: tuple[bool, Any]) -> None:
    if not request.done():  # not cancelled by a consumer that stopped meanwhile
        request.set_result(answer)
