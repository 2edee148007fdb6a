"""``native_coroutine``: a generator function whose calls return native coroutine objects.

Rules: the one-yield awaitables of the hot path are written as generators (one frame, the
command yielded directly) but must behave like coroutines for their callers: a coroutine
that is never awaited warns ("coroutine ... was never awaited"), a ``types.coroutine``
generator does not. The code object is reused as is; only its flags say "coroutine".
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Generator
from typing import Any, TypeVar

from typing_extensions import ParamSpec

__all__ = ["native_coroutine"]

_P = ParamSpec("_P")
_T = TypeVar("_T")

_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_ITERABLE_COROUTINE


def native_coroutine(
    fn: Callable[_P, Generator[Any, Any, _T]],
) -> Callable[_P, Coroutine[Any, Any, _T]]:
    """Make the generator function ``fn`` return native coroutines (in place; returns it).

    Calling it creates a coroutine object running the same code: it yields its commands to
    the task that awaits it (one frame, like a ``types.coroutine`` generator), and warns
    "coroutine ... was never awaited" when it is dropped without being awaited.

    Example:
        >>> import inspect
        >>> @native_coroutine
        ... def ping():
        ...     yield "ping"
        ...     return "pong"
        >>> coro = ping()
        >>> inspect.iscoroutine(coro), coro.send(None)
        (True, 'ping')
        >>> try:
        ...     coro.send(None)
        ... except StopIteration as stop:
        ...     print(stop.value)
        pong
    """
    code = fn.__code__
    if not code.co_flags & inspect.CO_GENERATOR:
        raise TypeError(f"native_coroutine() needs a generator function, got {fn!r}")
    fn.__code__ = code.replace(co_flags=(code.co_flags & ~_GENERATOR_FLAGS) | inspect.CO_COROUTINE)
    native: Callable[_P, Coroutine[Any, Any, _T]] = fn  # type: ignore[assignment]
    return native
