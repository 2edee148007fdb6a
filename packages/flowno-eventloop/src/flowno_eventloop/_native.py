"""``native_coroutine``: a generator function whose calls return native coroutine objects.

Rules: the one-yield awaitables of the hot path are written as generators (one frame, the
command yielded directly) but must behave like coroutines for their callers: a coroutine
that is never awaited warns ("coroutine ... was never awaited"), a ``types.coroutine``
generator does not. The function is rebuilt around a copy of its code object whose flags
say "coroutine" (the bytecode is unchanged: a coroutine frame runs ``yield`` as a generator
frame does, on every CPython this package supports; a self-check at import falls back to
``types.coroutine``, which only loses the warning, where that would not hold).
"""

from __future__ import annotations

import inspect
import types
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
    """Make the generator function ``fn`` return native coroutines (returns a new function).

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
    if not fn.__code__.co_flags & inspect.CO_GENERATOR:
        raise TypeError(f"native_coroutine() needs a generator function, got {fn!r}")
    if not _NATIVE_WORKS:
        fallback: Any = types.coroutine(fn)
        return fallback  # type: ignore[no-any-return]
    return _rebuilt(fn)


def _rebuilt(fn: Callable[_P, Generator[Any, Any, _T]]) -> Callable[_P, Coroutine[Any, Any, _T]]:
    code = fn.__code__
    flags = (code.co_flags & ~_GENERATOR_FLAGS) | inspect.CO_COROUTINE
    native = types.FunctionType(
        code.replace(co_flags=flags), fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
    )
    for attribute in ("__module__", "__qualname__", "__doc__", "__kwdefaults__"):
        setattr(native, attribute, getattr(fn, attribute))
    native.__annotations__ = fn.__annotations__
    native.__dict__.update(fn.__dict__)
    result: Callable[_P, Coroutine[Any, Any, _T]] = native
    return result


def _self_check() -> bool:
    """True if a rebuilt generator runs as a coroutine here (send, yield, return)."""

    def probe() -> Generator[int, int, int]:
        received = yield 1
        return received + 1

    coro = _rebuilt(probe)()
    first = 0
    try:
        first = coro.send(None)
        coro.send(41)
    except StopIteration as stop:
        return inspect.iscoroutine(coro) and first == 1 and stop.value == 42
    except Exception:  # noqa: BLE001 - any failure means: use the fallback
        return False
    finally:
        coro.close()
    return False


_NATIVE_WORKS = _self_check()
