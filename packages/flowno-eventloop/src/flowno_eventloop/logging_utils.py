"""``log_async``: log the life of a coroutine or async generator at DEBUG.

Rules: pure wrappers; they forward every operation unchanged and only add DEBUG logging to
``flowno.utilities.logging``, ``flowno.utilities.coroutine_wrapper`` and
``flowno.utilities.asyncgen_wrapper`` (the original's logger names, so existing logging
configuration keeps working). The meta package aliases this module as ``flowno.utilities.logging``.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, TypeVar, cast

__all__ = ["AsyncGeneratorWrapper", "CoroutineWrapper", "log_async"]

logger: logging.Logger = logging.getLogger("flowno.utilities.logging")
coro_logger: logging.Logger = logging.getLogger("flowno.utilities.coroutine_wrapper")
agen_logger: logging.Logger = logging.getLogger("flowno.utilities.asyncgen_wrapper")

_F = TypeVar("_F", bound=Callable[..., Any])


def _describe_call(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{getattr(func, '__name__', repr(func))}({', '.join(parts)})"


class CoroutineWrapper:
    """Wraps a coroutine; logs start, each send/throw/yield, the result and exceptions.

    Example:
        >>> async def one():
        ...     return 1
        >>> w = CoroutineWrapper(one(), "one()")
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     return await w
        >>> EventLoop().run_until_complete(main(), join=True)
        1
    """

    def __init__(self, coro: Any, label: str) -> None:
        self._coro = coro
        self._label = label
        self._started = False

    def __await__(self) -> Generator[Any, Any, Any]:
        label = self._label
        coro_logger.debug("Starting coroutine: %s via __await__", label)
        try:
            result = yield from self._drive()
        except BaseException as exc:
            coro_logger.debug("Coroutine %s raised %r via __await__", label, exc)
            raise
        coro_logger.debug("Coroutine %s completed via __await__ with result %r", label, result)
        return result

    def _drive(self) -> Generator[Any, Any, Any]:
        coro, label = self._coro, self._label
        value: Any = None
        exc: BaseException | None = None
        while True:
            try:
                yielded = coro.send(value) if exc is None else coro.throw(exc)
            except StopIteration as stop:
                return stop.value
            coro_logger.debug("Coroutine %s yielded %r", label, yielded)
            try:
                value, exc = (yield yielded), None
                coro_logger.debug("Coroutine %s sent %r", label, value)
            except BaseException as thrown:  # forwarded into the wrapped coroutine
                coro_logger.debug("Coroutine %s thrown %r", label, thrown)
                value, exc = None, thrown

    def send(self, value: Any) -> Any:
        """Forward ``send`` (so the wrapper can itself be a task)."""
        if not self._started:
            self._started = True
            coro_logger.debug("Starting coroutine: %s via send", self._label)
        coro_logger.debug("Coroutine %s sent %r", self._label, value)
        return self._coro.send(value)

    def throw(self, exc: BaseException) -> Any:
        """Forward ``throw``."""
        coro_logger.debug("Coroutine %s thrown %r", self._label, exc)
        return self._coro.throw(exc)

    def close(self) -> None:
        """Forward ``close``."""
        self._coro.close()

    def __repr__(self) -> str:
        return f"<CoroutineWrapper {self._label}>"


class AsyncGeneratorWrapper:
    """Wraps an async generator; logs each item, ``asend``/``athrow``/``aclose`` and the end.

    Example:
        >>> async def gen():
        ...     yield 1
        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     return [x async for x in AsyncGeneratorWrapper(gen(), "gen()")]
        >>> EventLoop().run_until_complete(main(), join=True)
        [1]
    """

    def __init__(self, agen: AsyncGenerator[Any, Any], label: str) -> None:
        self._agen = agen
        self._label = label

    def __aiter__(self) -> AsyncGeneratorWrapper:
        return self

    async def __anext__(self) -> Any:
        return await self.asend(None)

    async def asend(self, value: Any) -> Any:
        """Forward ``asend`` and log the item."""
        try:
            item = await self._agen.asend(value)
        except StopAsyncIteration:
            agen_logger.debug("Async generator %s finished", self._label)
            raise
        except BaseException as exc:
            agen_logger.debug("Async generator %s raised %r", self._label, exc)
            raise
        agen_logger.debug("Async generator %s yielded %r", self._label, item)
        return item

    async def athrow(self, exc: BaseException) -> Any:
        """Forward ``athrow``."""
        agen_logger.debug("Async generator %s thrown %r", self._label, exc)
        return await self._agen.athrow(exc)

    async def aclose(self) -> None:
        """Forward ``aclose``."""
        agen_logger.debug("Async generator %s closed", self._label)
        await self._agen.aclose()

    def __repr__(self) -> str:
        return f"<AsyncGeneratorWrapper {self._label}>"


def log_async(func: _F) -> _F:
    """Decorate an ``async def`` or async generator function to log its life at DEBUG.

    A call logs ``Calling function: f(args)`` and returns a :class:`CoroutineWrapper` or
    :class:`AsyncGeneratorWrapper`; a non-coroutine result is returned unchanged with a WARNING.

    Example:
        >>> from flowno_eventloop import EventLoop
        >>> @log_async
        ... async def double(x):
        ...     return 2 * x
        >>> async def main():
        ...     return await double(21)
        >>> EventLoop().run_until_complete(main(), join=True)
        42
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        label = _describe_call(func, args, kwargs)
        logger.debug("Calling function: %s", label)
        result = func(*args, **kwargs)
        if inspect.iscoroutine(result):
            logger.debug("%s is a coroutine", label)
            return CoroutineWrapper(result, label)
        if inspect.isasyncgen(result):
            logger.debug("%s is an async generator", label)
            return AsyncGeneratorWrapper(result, label)
        logger.warning("%s returned %r, not a coroutine or async generator", label, result)
        return result

    return cast(_F, wrapper)
