# The public `node` decorator.
#
# Rules of this module:
# - Thin: all runtime work is the building half's (_factory.make_node_class for nodes,
#   _group.make_template_class for templates); this module only picks the options, captures
#   the decoration site (file:line) and carries the @overload set for type checkers.
# - Overloads start with functions taking only ``*args`` (one typed port per argument), then
#   go from 6 inputs down to 0, so a function with defaults matches its full arity (every typed input is optional in MonoNode*/StreamingNode*). Anything the
#   overloads cannot express (classes, keyword-only parameters, more than 6 inputs) falls back
#   to AnyNode: untyped, never a false error. Keep in step with _protocols.py.
# - `node` is an instance (not a function) so that `node.template` is visible to type checkers.
"""``@node``: turn async functions, async generators and classes into draft node classes."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar, cast, overload

from flowno_eventloop import ExecutorLike

from ._build_errors import NodeDefinitionError
from ._callsite import user_callsite
from ._executor_node import ExecutorNodeDecorator, MultipleOutputsExecutorNodeDecorator
from ._factory import make_node_class
from ._group import make_template_class
from ._policy import NodePolicy, Retry, Timeout, check_timeout
from ._protocols import (
    AnyNode,
    MonoNode0,
    MonoNode0_0,
    MonoNode0_1,
    MonoNode1,
    MonoNode2,
    MonoNode3,
    MonoNode4,
    MonoNode5,
    MonoNode6,
    MonoNodeVar,
    StarArgsCallable,
    StreamingNode0,
    StreamingNode1,
    StreamingNode2,
    StreamingNode3,
    StreamingNode4,
    StreamingNode5,
    StreamingNode6,
    StreamingNodeVar,
    StreamingTupleNode0,
    StreamingTupleNode1,
    StreamingTupleNode2,
    StreamingTupleNode3,
    StreamingTupleNode4,
    StreamingTupleNode5,
    StreamingTupleNode6,
    StreamingTupleNodeVar,
)

__all__ = [
    "AnyOutputsDecorator",
    "MultipleOutputsDecorator",
    "NodeDecorator",
    "SingleOutputDecorator",
    "node",
    "node_meta_multiple_dec",
    "node_meta_single_dec",
]

_R = TypeVar("_R")
_P = ParamSpec("_P")
T1 = TypeVar("T1")
T2 = TypeVar("T2")
T3 = TypeVar("T3")
T4 = TypeVar("T4")
T5 = TypeVar("T5")
T6 = TypeVar("T6")


def _build(
    target: object, *, multiple_outputs: bool, stream_in: Sequence[str], created_at: str
) -> Any:
    return make_node_class(
        target, multiple_outputs=multiple_outputs, stream_in=stream_in, created_at=created_at
    )


class AnyOutputsDecorator:
    """What ``@node(...)`` returns; the base of the two typed decorator objects below.

    A type checker sees this class when ``multiple_outputs`` is not a literal (then the nodes
    it makes are untyped :class:`AnyNode`).

    Example:
        >>> flag: bool = False
        >>> isinstance(node(multiple_outputs=flag), AnyOutputsDecorator)
        True
    """

    def __init__(
        self,
        multiple_outputs: bool,
        stream_in: Sequence[str] = (),
        *,
        retry: Retry | None = None,
        timeout: float | None = None,
        policies: Sequence[NodePolicy] = (),
    ) -> None:
        self.multiple_outputs: bool = multiple_outputs
        self.stream_in: tuple[str, ...] = _stream_in_tuple(stream_in)
        self.retry: Retry | None = retry
        self.timeout: float | None = timeout
        self.policies: tuple[NodePolicy, ...] = tuple(policies)

    def __call__(self, func_or_cls: Callable[..., Any], /) -> type[AnyNode]:
        """Make the node class for ``func_or_cls`` (see :data:`node`)."""
        where = user_callsite()
        built: type[AnyNode] = _build(
            func_or_cls,
            multiple_outputs=self.multiple_outputs,
            stream_in=self.stream_in,
            created_at=where,
        )
        attach_policies(built, self.retry, self.timeout, self.policies, where)
        return built


class SingleOutputDecorator(AnyOutputsDecorator):
    """What ``@node(...)`` returns for single-output nodes (also exported as ``node_meta_single_dec``).

    Example:
        >>> dec = node(stream_in=["xs"])
        >>> type(dec).__name__, dec.multiple_outputs, dec.stream_in
        ('SingleOutputDecorator', False, ('xs',))
    """

    # fmt: off
    @overload
    def __call__(self, func_or_cls: StarArgsCallable[T1, Coroutine[Any, Any, _R]], /) -> type[MonoNodeVar[T1, tuple[_R]]]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: StarArgsCallable[T1, AsyncIterator[_R]], /) -> type[StreamingNodeVar[T1, _R]]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5, T6], Coroutine[Any, Any, _R]], /) -> type[MonoNode6[T1, T2, T3, T4, T5, T6, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5], Coroutine[Any, Any, _R]], /) -> type[MonoNode5[T1, T2, T3, T4, T5, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4], Coroutine[Any, Any, _R]], /) -> type[MonoNode4[T1, T2, T3, T4, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3], Coroutine[Any, Any, _R]], /) -> type[MonoNode3[T1, T2, T3, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2], Coroutine[Any, Any, _R]], /) -> type[MonoNode2[T1, T2, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1], Coroutine[Any, Any, _R]], /) -> type[MonoNode1[T1, tuple[_R]]]: ...  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: Callable[[], Coroutine[Any, Any, None]], /) -> type[MonoNode0_0]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: Callable[[], Coroutine[Any, Any, _R]], /) -> type[MonoNode0_1[_R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5, T6], AsyncIterator[_R]], /) -> type[StreamingNode6[T1, T2, T3, T4, T5, T6, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5], AsyncIterator[_R]], /) -> type[StreamingNode5[T1, T2, T3, T4, T5, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4], AsyncIterator[_R]], /) -> type[StreamingNode4[T1, T2, T3, T4, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3], AsyncIterator[_R]], /) -> type[StreamingNode3[T1, T2, T3, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2], AsyncIterator[_R]], /) -> type[StreamingNode2[T1, T2, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1], AsyncIterator[_R]], /) -> type[StreamingNode1[T1, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[], AsyncIterator[_R]], /) -> type[StreamingNode0[_R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[..., Any], /) -> type[AnyNode]: ...
    # fmt: on
    def __call__(self, func_or_cls: Callable[..., Any], /) -> Any:
        """Make the node class for ``func_or_cls`` (see :data:`node`)."""
        return super().__call__(func_or_cls)


class MultipleOutputsDecorator(AnyOutputsDecorator):
    """What ``@node(multiple_outputs=True)`` returns: the result (or each chunk) is the tuple
    of outputs, one per output port.

    Example:
        >>> @node(multiple_outputs=True)
        ... async def DivMod(a: int, b: int) -> tuple[int, int]:
        ...     return a // b, a % b
        >>> DivMod.__name__
        'DivMod'
    """

    # fmt: off
    @overload
    def __call__(self, func_or_cls: StarArgsCallable[T1, Coroutine[Any, Any, _R]], /) -> type[MonoNodeVar[T1, _R]]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: StarArgsCallable[T1, AsyncIterator[_R]], /) -> type[StreamingTupleNodeVar[T1, _R]]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5, T6], Coroutine[Any, Any, _R]], /) -> type[MonoNode6[T1, T2, T3, T4, T5, T6, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5], Coroutine[Any, Any, _R]], /) -> type[MonoNode5[T1, T2, T3, T4, T5, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4], Coroutine[Any, Any, _R]], /) -> type[MonoNode4[T1, T2, T3, T4, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3], Coroutine[Any, Any, _R]], /) -> type[MonoNode3[T1, T2, T3, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2], Coroutine[Any, Any, _R]], /) -> type[MonoNode2[T1, T2, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1], Coroutine[Any, Any, _R]], /) -> type[MonoNode1[T1, _R]]: ...  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: Callable[[], Coroutine[Any, Any, _R]], /) -> type[MonoNode0[_R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5, T6], AsyncIterator[_R]], /) -> type[StreamingTupleNode6[T1, T2, T3, T4, T5, T6, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5], AsyncIterator[_R]], /) -> type[StreamingTupleNode5[T1, T2, T3, T4, T5, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4], AsyncIterator[_R]], /) -> type[StreamingTupleNode4[T1, T2, T3, T4, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3], AsyncIterator[_R]], /) -> type[StreamingTupleNode3[T1, T2, T3, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2], AsyncIterator[_R]], /) -> type[StreamingTupleNode2[T1, T2, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1], AsyncIterator[_R]], /) -> type[StreamingTupleNode1[T1, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[], AsyncIterator[_R]], /) -> type[StreamingTupleNode0[_R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[..., Any], /) -> type[AnyNode]: ...
    # fmt: on
    def __call__(self, func_or_cls: Callable[..., Any], /) -> Any:
        """Make the multiple-output node class for ``func_or_cls`` (see :data:`node`)."""
        return super().__call__(func_or_cls)


class NodeDecorator:
    """The type of :data:`node`. Use the instance, ``node``, not this class."""

    # fmt: off
    @overload
    def __call__(self, func_or_cls: StarArgsCallable[T1, Coroutine[Any, Any, _R]], /) -> type[MonoNodeVar[T1, tuple[_R]]]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: StarArgsCallable[T1, AsyncIterator[_R]], /) -> type[StreamingNodeVar[T1, _R]]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5, T6], Coroutine[Any, Any, _R]], /) -> type[MonoNode6[T1, T2, T3, T4, T5, T6, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5], Coroutine[Any, Any, _R]], /) -> type[MonoNode5[T1, T2, T3, T4, T5, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4], Coroutine[Any, Any, _R]], /) -> type[MonoNode4[T1, T2, T3, T4, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3], Coroutine[Any, Any, _R]], /) -> type[MonoNode3[T1, T2, T3, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2], Coroutine[Any, Any, _R]], /) -> type[MonoNode2[T1, T2, tuple[_R]]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1], Coroutine[Any, Any, _R]], /) -> type[MonoNode1[T1, tuple[_R]]]: ...  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: Callable[[], Coroutine[Any, Any, None]], /) -> type[MonoNode0_0]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: Callable[[], Coroutine[Any, Any, _R]], /) -> type[MonoNode0_1[_R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5, T6], AsyncIterator[_R]], /) -> type[StreamingNode6[T1, T2, T3, T4, T5, T6, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4, T5], AsyncIterator[_R]], /) -> type[StreamingNode5[T1, T2, T3, T4, T5, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3, T4], AsyncIterator[_R]], /) -> type[StreamingNode4[T1, T2, T3, T4, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2, T3], AsyncIterator[_R]], /) -> type[StreamingNode3[T1, T2, T3, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1, T2], AsyncIterator[_R]], /) -> type[StreamingNode2[T1, T2, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[T1], AsyncIterator[_R]], /) -> type[StreamingNode1[T1, _R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[[], AsyncIterator[_R]], /) -> type[StreamingNode0[_R]]: ...
    @overload
    def __call__(self, func_or_cls: Callable[..., Any], /) -> type[AnyNode]: ...
    @overload
    def __call__(self, func_or_cls: None = None, /, *, multiple_outputs: Literal[False] | None = None, stream_in: Sequence[str] = (), retry: Retry | None = None, timeout: float | None = None, policies: Sequence[NodePolicy] = (), executor: ExecutorLike) -> ExecutorNodeDecorator: ...  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: None = None, /, *, multiple_outputs: Literal[True], stream_in: Sequence[str] = (), retry: Retry | None = None, timeout: float | None = None, policies: Sequence[NodePolicy] = (), executor: ExecutorLike) -> MultipleOutputsExecutorNodeDecorator: ...  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: None = None, /, *, multiple_outputs: Literal[False] | None = None, stream_in: Sequence[str] = (), retry: Retry | None = None, timeout: float | None = None, policies: Sequence[NodePolicy] = ()) -> SingleOutputDecorator: ...  # pyright: ignore[reportOverlappingOverload]
    @overload
    def __call__(self, func_or_cls: None = None, /, *, multiple_outputs: Literal[True], stream_in: Sequence[str] = (), retry: Retry | None = None, timeout: float | None = None, policies: Sequence[NodePolicy] = ()) -> MultipleOutputsDecorator: ...
    @overload
    def __call__(self, func_or_cls: None = None, /, *, multiple_outputs: bool | None = None, stream_in: Sequence[str] = (), retry: Retry | None = None, timeout: float | None = None, policies: Sequence[NodePolicy] = ()) -> AnyOutputsDecorator: ...
    # fmt: on
    def __call__(
        self,
        func_or_cls: Callable[..., Any] | None = None,
        /,
        *,
        multiple_outputs: bool | None = None,
        stream_in: Sequence[str] = (),
        retry: Retry | None = None,
        timeout: float | None = None,
        policies: Sequence[NodePolicy] = (),
        executor: ExecutorLike | None = None,
    ) -> Any:
        """Turn an async function, async generator function or class into a node class.

        Forms:

        * ``@node`` on ``async def F(...)``: a single-output node; ``F(args...)`` builds a
          draft node (inside ``with FlowHDL() as f:``). An async generator gives a streaming
          node (each ``yield`` is a chunk).
        * ``@node`` on a class with ``async def call(self, ...)``: a stateful node; class
          attributes are copied (deep) onto each node.
        * ``@node(stream_in=["a"])``: parameter ``a`` receives a ``Stream`` of the producer's
          chunks; ``@node(multiple_outputs=True)``: the result (or each chunk) is the tuple of
          outputs, reachable as ``draft.output(k)``.
        * ``@node(retry=Retry(attempts=3), timeout=30.0)``: each evaluation is retried on
          failure (exponential backoff) and limited in time, on the loop's clock (a streaming
          node's timeout applies between items). ``policies=[...]`` adds any
          :class:`NodePolicy`; the chain is retry, timeout, then ``policies`` in order.
        * ``@node.template`` on ``def G(view, ...)``: a group, see :meth:`template`.
        * ``@node(executor="process")`` on a plain ``def F(...)``: each evaluation runs
          ``F`` on the executor (``"thread"``, ``"process"`` or a
          ``concurrent.futures.Executor``) while the loop goes on; arguments and results
          must pickle for processes and clusters.

        Type checkers see ``type[MonoNode2[int, int, tuple[int]]]`` for
        ``async def Add(a: int, b: int) -> int``; connecting a node whose output is an ``int``
        to a ``str`` parameter is a type error in the editor, and a ``ConnectionTypeError``
        when the ``FlowHDL`` block exits.

        Args:
            func_or_cls: the function or class (absent in the ``@node(...)`` form).
            multiple_outputs: the node's result is its tuple of outputs (functions only).
            stream_in: names of the parameters that receive a ``Stream``.
            retry: retry failed evaluations (coroutine nodes).
            timeout: seconds an evaluation (a streaming node: its next item) may take.
            policies: more policies wrapping each evaluation (coroutine nodes).
            executor: run the body, a plain function, on this executor (see above).

        Returns:
            A draft node class, or a decorator when called without ``func_or_cls``.

        Raises:
            NodeDefinitionError: the target cannot be a node (plain function, sync generator,
                class without async ``call``, unknown ``stream_in`` name ...).

        Examples:
            >>> from flowno_flow import node
            >>> @node
            ... async def Add(x: int, y: int) -> int:
            ...     return x + y
            >>> Add.__name__, repr(Add(1, 2))[:4]
            ('Add', 'Add#')
        """
        if executor is not None:
            maker = (
                MultipleOutputsExecutorNodeDecorator if multiple_outputs else ExecutorNodeDecorator
            )
            finish = functools.partial(
                _attach_policies_at, retry=retry, timeout=timeout, policies=policies
            )
            decorator = maker(executor, bool(multiple_outputs), stream_in, finish=finish)
            return decorator if func_or_cls is None else decorator(func_or_cls)
        if func_or_cls is not None:
            where = user_callsite()
            built = _build(
                func_or_cls,
                multiple_outputs=bool(multiple_outputs),
                stream_in=_stream_in_tuple(stream_in),
                created_at=where,
            )
            attach_policies(built, retry, timeout, policies, where)
            return built
        options: dict[str, Any] = {"retry": retry, "timeout": timeout, "policies": policies}
        if multiple_outputs:
            return MultipleOutputsDecorator(True, stream_in, **options)
        return SingleOutputDecorator(False, stream_in, **options)

    def template(self, func: Callable[Concatenate[Any, _P], _R]) -> Callable[..., _R]:
        """Turn ``def G(view, ...)`` into a group (template) factory.

        Calling ``G(args...)`` inside a ``FlowHDL`` block runs ``G`` with a child
        ``FlowHDLView`` and the raw arguments, and stands for whatever ``G`` returns (usually
        one of the nodes it built). The static type of ``G(...)`` is ``G``'s return type.

        Args:
            func: a plain function whose first parameter receives the view.

        Returns:
            The group class (a ``DraftGroupNode`` subclass named like ``func``).

        Raises:
            NodeDefinitionError: ``func`` is async, a generator, or takes no view parameter.

        Example:
            >>> from flowno_flow import node
            >>> @node.template
            ... def Twice(view, x):
            ...     return x
            >>> Twice.__name__
            'Twice'
        """
        template: Callable[..., _R] = make_template_class(func, created_at=user_callsite())
        return template


def _stream_in_tuple(stream_in: Sequence[str]) -> tuple[str, ...]:
    # A bare string is passed on untouched so that make_node_class can reject it clearly.
    return stream_in if isinstance(stream_in, str) else tuple(stream_in)  # type: ignore[return-value]


#: The node decorator (see :meth:`NodeDecorator.__call__`).
node: NodeDecorator = NodeDecorator()

#: Seed-compatible names of the decorator objects returned by ``node(...)``.
node_meta_single_dec = SingleOutputDecorator
node_meta_multiple_dec = MultipleOutputsDecorator


def _attach_policies_at(
    built: Any,
    where: str,
    *,
    retry: Retry | None,
    timeout: float | None,
    policies: Sequence[NodePolicy],
) -> None:
    attach_policies(built, retry, timeout, policies, where)


def attach_policies(
    built: Any,
    retry: Retry | None,
    timeout: float | None,
    policies: Sequence[NodePolicy],
    where: str,
) -> None:
    """Store the per-node policies on a node class (checked here, at decoration).

    Args:
        built: The node class.
        retry: ``retry=``.
        timeout: ``timeout=``.
        policies: ``policies=``.
        where: The decoration site, for errors.

    Raises:
        NodeDefinitionError: a bad ``retry``/``timeout``/``policies`` value, or a retry or
            policy on a streaming node.
    """
    if retry is None and timeout is None and not policies:
        return
    label = f"{built.__name__} (decorated at {where})"
    given = cast("object", retry)
    if given is not None and not isinstance(given, Retry):
        raise NodeDefinitionError(f"{label}: retry= takes a Retry(...), got {retry!r}")
    if not all(callable(p) for p in policies):
        raise NodeDefinitionError(
            f"{label}: policies= takes NodePolicy callables, got {policies!r}"
        )
    try:
        seconds = None if timeout is None else check_timeout(timeout)
    except (TypeError, ValueError) as exc:
        raise NodeDefinitionError(f"{label}: {exc}") from exc
    streaming = bool(built._flowno_spec.is_streaming)
    if streaming and (retry is not None or policies):
        raise NodeDefinitionError(
            f"{label}: retry= and policies= wrap a coroutine node's evaluation; a streaming "
            "node takes only timeout= (applied between items)"
        )
    chain: list[NodePolicy] = [] if retry is None else [retry]
    if seconds is not None and not streaming:
        chain.append(Timeout(seconds))
    built._flowno_policies = (*chain, *policies)
    built._flowno_item_timeout = seconds if streaming else None
