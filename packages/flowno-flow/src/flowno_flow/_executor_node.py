# Rules: ``@node(executor=...)`` on a plain (non-async) function. The function is wrapped,
# once, at decoration, in an ``async def`` that hands each evaluation to
# ``flowno_eventloop.run_in_executor``; the wrapper carries the function's name, signature
# and annotations (``functools.wraps``), so the node is built, wired, typed, checked and
# drawn by the ordinary ``make_node_class``. Only plain functions qualify: async functions
# already run on the loop, and streaming nodes (async generators, ``stream_in``) stay on
# the loop because their items flow through it. Arguments are sent by parameter name, so a
# value that does not pickle is reported with the node and the parameter.
"""``@node(executor=...)``: run a plain function node's body on an executor."""

from __future__ import annotations

import functools
import importlib
import inspect
import pickle
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from flowno_eventloop import ExecutorLike, run_in_executor

from ._build_errors import NodeDefinitionError
from ._callsite import user_callsite
from ._context import current_node
from ._factory import make_node_class
from ._protocols import (
    AnyNode,
    MonoNode0,
    MonoNode0_1,
    MonoNode1,
    MonoNode2,
    MonoNode3,
    MonoNode4,
    MonoNode5,
    MonoNode6,
)

__all__ = ["ExecutorNodeDecorator", "MultipleOutputsExecutorNodeDecorator", "executor_body"]

_R = TypeVar("_R")
T1 = TypeVar("T1")
T2 = TypeVar("T2")
T3 = TypeVar("T3")
T4 = TypeVar("T4")
T5 = TypeVar("T5")
T6 = TypeVar("T6")

_BY_NAME = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def _check_plain_function(fn: object, stream_in: Sequence[str], where: str) -> None:
    name = getattr(fn, "__qualname__", repr(fn))
    if inspect.isclass(fn) or not callable(fn):
        problem = "must be a plain function (class nodes run on the loop)"
    elif inspect.isasyncgenfunction(fn):
        problem = "is an async generator: streaming nodes run on the loop, not on an executor"
    elif inspect.iscoroutinefunction(fn):
        problem = "is async; executor= runs plain (non-async) functions: drop `async`"
    elif inspect.isgeneratorfunction(fn):
        problem = "is a generator; executor= runs plain functions that return their result"
    elif stream_in:
        problem = "takes stream_in parameters: streams are consumed on the loop"
    else:
        return
    raise NodeDefinitionError(f"@node(executor=...): {name} (decorated at {where}) {problem}")


def _check_executor(executor: object, fn: object, where: str) -> None:
    """Refuse, at decoration, what ``run_in_executor`` would refuse at every evaluation."""
    if executor in ("thread", "process") or callable(getattr(executor, "submit", None)):
        return
    name = getattr(fn, "__qualname__", repr(fn))
    raise NodeDefinitionError(
        f"@node(executor=...): {name} (decorated at {where}): executor must be 'thread', "
        f"'process' or a concurrent.futures.Executor, got {type(executor).__name__} {executor!r}"
    )


class _NodeFunction:
    """The plain function of an executor node, picklable although ``@node`` rebinds its
    module-level name to the node class: it pickles as (module, name) and is found again
    through the node class in the worker."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        module, qualname = self.fn.__module__, self.fn.__qualname__
        if "<locals>" in qualname or _node_function(module, qualname) is not self.fn:
            return (_NodeFunction, (self.fn,))  # pickled as the function itself
        return (_node_function_wrapper, (module, qualname))

    def __repr__(self) -> str:
        return f"<function {self.fn.__qualname__} of an executor node>"


def _node_function(module: str, qualname: str) -> Any:
    """The plain function behind the executor node class at ``module.qualname``, or None."""
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    spec = getattr(found, "_flowno_spec", None)
    return getattr(getattr(spec, "func", None), "__wrapped__", None)


def _node_function_wrapper(module: str, qualname: str) -> _NodeFunction:
    fn = _node_function(module, qualname)
    if fn is None:
        raise pickle.UnpicklingError(f"no executor node {qualname} in module {module}")
    return _NodeFunction(fn)


def executor_body(
    fn: Callable[..., Any], executor: ExecutorLike, stream_in: Sequence[str] = (), where: str = ""
) -> Callable[..., Any]:
    """The ``async def`` node body that runs the plain function ``fn`` on ``executor``.

    Args:
        fn: A plain function (not async, not a generator).
        executor: ``"thread"``, ``"process"`` or a ``concurrent.futures.Executor``.
        stream_in: The decorator's ``stream_in`` (must be empty).
        where: The decoration site, for errors.

    Returns:
        An async function with ``fn``'s name, signature and annotations.

    Raises:
        NodeDefinitionError: ``fn`` is not a plain function, ``stream_in`` is given, or
            ``executor`` is not an executor.
    """
    _check_plain_function(fn, stream_in, where)
    _check_executor(executor, fn, where)
    signature = inspect.signature(fn)
    by_name = all(p.kind in _BY_NAME for p in signature.parameters.values())
    function = _NodeFunction(fn)

    @functools.wraps(fn)
    async def run_on_executor(*args: Any, **kwargs: Any) -> Any:
        if by_name:  # send arguments by parameter name: errors can name the parameter
            kwargs = signature.bind(*args, **kwargs).arguments
            args = ()
        try:
            return await run_in_executor(executor, function, *args, **kwargs)
        except pickle.PicklingError as exc:
            node = current_node()
            label = repr(node) if node is not None else fn.__qualname__
            raise pickle.PicklingError(f"node {label}: {exc}") from exc

    return run_on_executor


class ExecutorNodeDecorator:
    """What ``@node(executor=...)`` returns: makes nodes whose plain-function body runs on
    the executor (typed like the ``async`` node of the same signature).

    Example:
        >>> from flowno_flow import node
        >>> @node(executor="thread")
        ... def Square(x: int) -> int:
        ...     return x * x
        >>> Square.__name__
        'Square'
    """

    def __init__(
        self,
        executor: ExecutorLike,
        multiple_outputs: bool,
        stream_in: Sequence[str] = (),
        *,
        finish: Callable[[Any, str], None] | None = None,
    ) -> None:
        self.executor: ExecutorLike = executor
        self.multiple_outputs: bool = multiple_outputs
        self.stream_in: tuple[str, ...] = tuple(stream_in)
        self._finish = finish  # attaches the node's other policies (retry=, timeout= ...)

    def _make(self, fn: Callable[..., Any]) -> Any:
        where = user_callsite()
        body = executor_body(fn, self.executor, self.stream_in, where)
        built = make_node_class(body, multiple_outputs=self.multiple_outputs, created_at=where)
        if self._finish is not None:
            self._finish(built, where)
        return built

    # fmt: off
    @overload
    def __call__(self, fn: Callable[[T1, T2, T3, T4, T5, T6], _R], /) -> type[MonoNode6[T1, T2, T3, T4, T5, T6, tuple[_R]]]: ...
    @overload
    def __call__(self, fn: Callable[[T1, T2, T3, T4, T5], _R], /) -> type[MonoNode5[T1, T2, T3, T4, T5, tuple[_R]]]: ...
    @overload
    def __call__(self, fn: Callable[[T1, T2, T3, T4], _R], /) -> type[MonoNode4[T1, T2, T3, T4, tuple[_R]]]: ...
    @overload
    def __call__(self, fn: Callable[[T1, T2, T3], _R], /) -> type[MonoNode3[T1, T2, T3, tuple[_R]]]: ...
    @overload
    def __call__(self, fn: Callable[[T1, T2], _R], /) -> type[MonoNode2[T1, T2, tuple[_R]]]: ...
    @overload
    def __call__(self, fn: Callable[[T1], _R], /) -> type[MonoNode1[T1, tuple[_R]]]: ...  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, fn: Callable[[], _R], /) -> type[MonoNode0_1[_R]]: ...
    @overload
    def __call__(self, fn: Callable[..., Any], /) -> type[AnyNode]: ...
    # fmt: on
    def __call__(self, fn: Callable[..., Any], /) -> Any:
        """Make the node class for the plain function ``fn``."""
        return self._make(fn)


class MultipleOutputsExecutorNodeDecorator(ExecutorNodeDecorator):
    """``@node(executor=..., multiple_outputs=True)``: the returned tuple is the outputs.

    Example:
        >>> from flowno_flow import node
        >>> @node(executor="thread", multiple_outputs=True)
        ... def DivMod(a: int, b: int) -> tuple[int, int]:
        ...     return divmod(a, b)
        >>> DivMod.__name__
        'DivMod'
    """

    # fmt: off
    @overload  # type: ignore[override]
    def __call__(self, fn: Callable[[T1, T2, T3, T4, T5, T6], _R], /) -> type[MonoNode6[T1, T2, T3, T4, T5, T6, _R]]: ...
    @overload
    def __call__(self, fn: Callable[[T1, T2, T3, T4, T5], _R], /) -> type[MonoNode5[T1, T2, T3, T4, T5, _R]]: ...
    @overload
    def __call__(self, fn: Callable[[T1, T2, T3, T4], _R], /) -> type[MonoNode4[T1, T2, T3, T4, _R]]: ...
    @overload
    def __call__(self, fn: Callable[[T1, T2, T3], _R], /) -> type[MonoNode3[T1, T2, T3, _R]]: ...
    @overload
    def __call__(self, fn: Callable[[T1, T2], _R], /) -> type[MonoNode2[T1, T2, _R]]: ...
    @overload
    def __call__(self, fn: Callable[[T1], _R], /) -> type[MonoNode1[T1, _R]]: ...  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, fn: Callable[[], _R], /) -> type[MonoNode0[_R]]: ...
    @overload
    def __call__(self, fn: Callable[..., Any], /) -> type[AnyNode]: ...
    # fmt: on
    def __call__(self, fn: Callable[..., Any], /) -> Any:  # pyright: ignore[reportIncompatibleMethodOverride]
        """Make the multiple-output node class for the plain function ``fn``."""
        return self._make(fn)
