# Static typing of draft nodes: MonoNode*/StreamingNode*.
#
# Rules of this module:
# - Typing only. These classes are never instantiated: ``@node`` returns the building half's DraftNode
#   subclasses at run time. Everything that only a type checker needs (typed __init__, typed
#   ``output``) sits under ``if TYPE_CHECKING`` so it can never shadow runtime behaviour; the
#   class names stay importable and subscriptable at run time (flowno.core.mono_node,
#   flowno.core.streaming_node re-export them).
# - One input port of type T accepts ``_In[T]``: a plain T, a draft node whose output 0 is a T,
#   an output reference ``DraftOutputPortRef[T]``, a streaming source when T is ``Stream[X]``, or a forward
#   reference (NodePlaceholder / OutputPortRefPlaceholder, whose type is not known yet).
# - Every input parameter has a default in the typed __init__ (a function's own defaults are
#   invisible to ``Callable[[...], ...]`` matching), and keywords are accepted unchecked: missing
#   arguments are reported at the FlowHDL exit instead. No false errors on valid code.
# - The arity-dependent classes (0..6 inputs) are regular; they were written by a generator and
#   must stay in step with the overloads in _decorator.py.
# pyright: reportInvalidTypeVarUse=false
"""Typing-only draft node classes, so that pyright and mypy infer input and output types.

``@node`` on ``async def Add(a: int, b: int) -> int`` is seen by a type checker as
``type[MonoNode2[int, int, tuple[int]]]``: ``Add(1, 2)`` is a ``MonoNode2[int, int, tuple[int]]``
whose constructor accepts, for ``a``, an ``int``, a draft node producing an ``int``, or
``node.output(k)`` of an ``int`` output. Async generators give ``StreamingNode*`` types whose
drafts also feed ``stream_in`` parameters annotated ``Stream[T]``.

Example:
    >>> from flowno_flow import MonoNode2, StreamingNode1
    >>> MonoNode2[int, int, tuple[int]].__origin__ is MonoNode2
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeAlias, TypeVar, overload

from typing_extensions import Unpack

from ._draft import DraftNode, DraftOutputPortRef, NodePlaceholder, OutputPortRefPlaceholder

if TYPE_CHECKING:
    from ._stream import Stream  # noqa: F401 - used in the string base "Stream[_S]"

__all__ = [
    "AnyNode",
    "MonoNodeVar",
    "StarArgsCallable",
    "StreamingNodeVar",
    "StreamingTupleNodeVar",
    "MonoNode0",
    "MonoNode1",
    "MonoNode2",
    "MonoNode3",
    "MonoNode4",
    "MonoNode5",
    "MonoNode6",
    "MonoNode0_0",
    "MonoNode0_1",
    "StreamSource",
    "StreamingNode0",
    "StreamingNode1",
    "StreamingNode2",
    "StreamingNode3",
    "StreamingNode4",
    "StreamingNode5",
    "StreamingNode6",
    "StreamingDraftNode",
    "StreamingOutputPortRef",
    "StreamingTupleNode0",
    "StreamingTupleNode1",
    "StreamingTupleNode2",
    "StreamingTupleNode3",
    "StreamingTupleNode4",
    "StreamingTupleNode5",
    "StreamingTupleNode6",
    "TypedDraftNode",
]

_T_co = TypeVar("_T_co", covariant=True)
_O_co = TypeVar("_O_co", covariant=True)
_R_co = TypeVar("_R_co", covariant=True)
_S = TypeVar("_S")  # invariant, like Stream
_A = TypeVar("_A")
_T_contra = TypeVar("_T_contra", contravariant=True)
_I = TypeVar("_I")
T1 = TypeVar("T1")
T2 = TypeVar("T2")
T3 = TypeVar("T3")
T4 = TypeVar("T4")
T5 = TypeVar("T5")
T6 = TypeVar("T6")


class StreamSource(Generic[_T_co]):
    """Typing marker: this draft (or output reference) can feed a port annotated ``_T_co``.

    Streaming drafts producing ``X`` are ``StreamSource[Stream[X]]``, so they are accepted by
    ``stream_in`` parameters annotated ``Stream[X]`` (or ``Stream[X] | None``).

    Example:
        >>> StreamSource[int].__origin__ is StreamSource
        True
    """


class StreamingOutputPortRef(DraftOutputPortRef[_S], StreamSource["Stream[_S]"]):
    """Typing view of an output reference of a streaming node (chunks of ``_S``).

    Example:
        >>> issubclass(StreamingOutputPortRef, DraftOutputPortRef)
        True
    """


if TYPE_CHECKING:
    #: What an input port of type ``_I`` accepts as an argument.
    _In: TypeAlias = (
        _I
        | DraftNode[Unpack[tuple[Any, ...]], tuple[_I, Unpack[tuple[object, ...]]]]
        | DraftOutputPortRef[_I]
        | StreamSource[_I]
        | NodePlaceholder
        | OutputPortRefPlaceholder
    )


class TypedDraftNode(DraftNode[Unpack[tuple[Any, ...]], _O_co], Generic[_O_co]):
    """A draft node whose output tuple type is ``_O_co``; ``output(k)`` is typed.

    Example:
        >>> issubclass(TypedDraftNode, DraftNode)
        True
    """

    if TYPE_CHECKING:

        @overload
        def output(
            self: TypedDraftNode[tuple[_A, Unpack[tuple[object, ...]]]], port_index: Literal[0]
        ) -> DraftOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[tuple[object, _A, Unpack[tuple[object, ...]]]],
            port_index: Literal[1],
        ) -> DraftOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[tuple[object, object, _A, Unpack[tuple[object, ...]]]],
            port_index: Literal[2],
        ) -> DraftOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[tuple[object, object, object, _A, Unpack[tuple[object, ...]]]],
            port_index: Literal[3],
        ) -> DraftOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[
                tuple[object, object, object, object, _A, Unpack[tuple[object, ...]]]
            ],
            port_index: Literal[4],
        ) -> DraftOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[
                tuple[object, object, object, object, object, _A, Unpack[tuple[object, ...]]]
            ],
            port_index: Literal[5],
        ) -> DraftOutputPortRef[_A]: ...
        @overload
        def output(self, port_index: int) -> DraftOutputPortRef[Any]: ...
        def output(self, port_index: int) -> DraftOutputPortRef[Any]:
            """Reference output ``port_index``; typed by the node's output tuple."""
            ...


class StreamingDraftNode(TypedDraftNode[_O_co], Generic[_O_co]):
    """A draft of a streaming node; ``output(k)`` gives streaming output references.

    Example:
        >>> issubclass(StreamingDraftNode, TypedDraftNode)
        True
    """

    if TYPE_CHECKING:

        @overload
        def output(
            self: TypedDraftNode[tuple[_A, Unpack[tuple[object, ...]]]], port_index: Literal[0]
        ) -> StreamingOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[tuple[object, _A, Unpack[tuple[object, ...]]]],
            port_index: Literal[1],
        ) -> StreamingOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[tuple[object, object, _A, Unpack[tuple[object, ...]]]],
            port_index: Literal[2],
        ) -> StreamingOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[tuple[object, object, object, _A, Unpack[tuple[object, ...]]]],
            port_index: Literal[3],
        ) -> StreamingOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[
                tuple[object, object, object, object, _A, Unpack[tuple[object, ...]]]
            ],
            port_index: Literal[4],
        ) -> StreamingOutputPortRef[_A]: ...
        @overload
        def output(
            self: TypedDraftNode[
                tuple[object, object, object, object, object, _A, Unpack[tuple[object, ...]]]
            ],
            port_index: Literal[5],
        ) -> StreamingOutputPortRef[_A]: ...
        @overload
        def output(self, port_index: int) -> StreamingOutputPortRef[Any]: ...
        def output(self, port_index: int) -> StreamingOutputPortRef[Any]:  # pyright: ignore[reportIncompatibleMethodOverride]  # same order, narrower results
            """Reference output ``port_index``; typed by the node's output tuple."""
            ...


class AnyNode(StreamingDraftNode[tuple[Any, ...]], StreamSource[Any]):
    """The type of nodes whose signature cannot be expressed (class nodes, keyword-only
    parameters, more than six inputs): any arguments, outputs of unknown type.

    Example:
        >>> issubclass(AnyNode, DraftNode)
        True
    """

    if TYPE_CHECKING:

        def __init__(self, *args: object, **kwargs: object) -> None: ...


class MonoNode0(TypedDraftNode[_O_co], Generic[_O_co]):
    """Draft node of an ``async def`` with 0 input(s); output tuple type ``_O_co``."""

    if TYPE_CHECKING:

        def __init__(self, **kwargs: object) -> None: ...


class MonoNode1(TypedDraftNode[_O_co], Generic[T1, _O_co]):
    """Draft node of an ``async def`` with 1 input(s); output tuple type ``_O_co``."""

    if TYPE_CHECKING:

        def __init__(self, a1: _In[T1] = ..., /, **kwargs: object) -> None: ...


class MonoNode2(TypedDraftNode[_O_co], Generic[T1, T2, _O_co]):
    """Draft node of an ``async def`` with 2 input(s); output tuple type ``_O_co``."""

    if TYPE_CHECKING:

        def __init__(self, a1: _In[T1] = ..., a2: _In[T2] = ..., /, **kwargs: object) -> None: ...


class MonoNode3(TypedDraftNode[_O_co], Generic[T1, T2, T3, _O_co]):
    """Draft node of an ``async def`` with 3 input(s); output tuple type ``_O_co``."""

    if TYPE_CHECKING:

        def __init__(
            self, a1: _In[T1] = ..., a2: _In[T2] = ..., a3: _In[T3] = ..., /, **kwargs: object
        ) -> None: ...


class MonoNode4(TypedDraftNode[_O_co], Generic[T1, T2, T3, T4, _O_co]):
    """Draft node of an ``async def`` with 4 input(s); output tuple type ``_O_co``."""

    if TYPE_CHECKING:

        def __init__(
            self,
            a1: _In[T1] = ...,
            a2: _In[T2] = ...,
            a3: _In[T3] = ...,
            a4: _In[T4] = ...,
            /,
            **kwargs: object,
        ) -> None: ...


class MonoNode5(TypedDraftNode[_O_co], Generic[T1, T2, T3, T4, T5, _O_co]):
    """Draft node of an ``async def`` with 5 input(s); output tuple type ``_O_co``."""

    if TYPE_CHECKING:

        def __init__(
            self,
            a1: _In[T1] = ...,
            a2: _In[T2] = ...,
            a3: _In[T3] = ...,
            a4: _In[T4] = ...,
            a5: _In[T5] = ...,
            /,
            **kwargs: object,
        ) -> None: ...


class MonoNode6(TypedDraftNode[_O_co], Generic[T1, T2, T3, T4, T5, T6, _O_co]):
    """Draft node of an ``async def`` with 6 input(s); output tuple type ``_O_co``."""

    if TYPE_CHECKING:

        def __init__(
            self,
            a1: _In[T1] = ...,
            a2: _In[T2] = ...,
            a3: _In[T3] = ...,
            a4: _In[T4] = ...,
            a5: _In[T5] = ...,
            a6: _In[T6] = ...,
            /,
            **kwargs: object,
        ) -> None: ...


class MonoNode0_0(MonoNode0[tuple[None]]):
    """Draft node of an ``async def`` without inputs that returns ``None``."""


class MonoNode0_1(MonoNode0[tuple[_R_co]], Generic[_R_co]):
    """Draft node of an ``async def`` without inputs returning ``_R_co``."""


class StreamingNode0(StreamingDraftNode[tuple[_S]], StreamSource["Stream[_S]"], Generic[_S]):
    """Draft node of an async generator with 0 input(s) yielding ``_S`` chunks."""

    if TYPE_CHECKING:

        def __init__(self, **kwargs: object) -> None: ...


class StreamingNode1(StreamingDraftNode[tuple[_S]], StreamSource["Stream[_S]"], Generic[T1, _S]):
    """Draft node of an async generator with 1 input(s) yielding ``_S`` chunks."""

    if TYPE_CHECKING:

        def __init__(self, a1: _In[T1] = ..., /, **kwargs: object) -> None: ...


class StreamingNode2(
    StreamingDraftNode[tuple[_S]], StreamSource["Stream[_S]"], Generic[T1, T2, _S]
):
    """Draft node of an async generator with 2 input(s) yielding ``_S`` chunks."""

    if TYPE_CHECKING:

        def __init__(self, a1: _In[T1] = ..., a2: _In[T2] = ..., /, **kwargs: object) -> None: ...


class StreamingNode3(
    StreamingDraftNode[tuple[_S]], StreamSource["Stream[_S]"], Generic[T1, T2, T3, _S]
):
    """Draft node of an async generator with 3 input(s) yielding ``_S`` chunks."""

    if TYPE_CHECKING:

        def __init__(
            self, a1: _In[T1] = ..., a2: _In[T2] = ..., a3: _In[T3] = ..., /, **kwargs: object
        ) -> None: ...


class StreamingNode4(
    StreamingDraftNode[tuple[_S]], StreamSource["Stream[_S]"], Generic[T1, T2, T3, T4, _S]
):
    """Draft node of an async generator with 4 input(s) yielding ``_S`` chunks."""

    if TYPE_CHECKING:

        def __init__(
            self,
            a1: _In[T1] = ...,
            a2: _In[T2] = ...,
            a3: _In[T3] = ...,
            a4: _In[T4] = ...,
            /,
            **kwargs: object,
        ) -> None: ...


class StreamingNode5(
    StreamingDraftNode[tuple[_S]], StreamSource["Stream[_S]"], Generic[T1, T2, T3, T4, T5, _S]
):
    """Draft node of an async generator with 5 input(s) yielding ``_S`` chunks."""

    if TYPE_CHECKING:

        def __init__(
            self,
            a1: _In[T1] = ...,
            a2: _In[T2] = ...,
            a3: _In[T3] = ...,
            a4: _In[T4] = ...,
            a5: _In[T5] = ...,
            /,
            **kwargs: object,
        ) -> None: ...


class StreamingNode6(
    StreamingDraftNode[tuple[_S]], StreamSource["Stream[_S]"], Generic[T1, T2, T3, T4, T5, T6, _S]
):
    """Draft node of an async generator with 6 input(s) yielding ``_S`` chunks."""

    if TYPE_CHECKING:

        def __init__(
            self,
            a1: _In[T1] = ...,
            a2: _In[T2] = ...,
            a3: _In[T3] = ...,
            a4: _In[T4] = ...,
            a5: _In[T5] = ...,
            a6: _In[T6] = ...,
            /,
            **kwargs: object,
        ) -> None: ...


class StreamingTupleNode0(StreamingDraftNode[_O_co], StreamSource[Any], Generic[_O_co]):
    """Draft node of a ``multiple_outputs`` async generator with 0 input(s)."""

    if TYPE_CHECKING:

        def __init__(self, **kwargs: object) -> None: ...


class StreamingTupleNode1(StreamingDraftNode[_O_co], StreamSource[Any], Generic[T1, _O_co]):
    """Draft node of a ``multiple_outputs`` async generator with 1 input(s)."""

    if TYPE_CHECKING:

        def __init__(self, a1: _In[T1] = ..., /, **kwargs: object) -> None: ...


class StreamingTupleNode2(StreamingDraftNode[_O_co], StreamSource[Any], Generic[T1, T2, _O_co]):
    """Draft node of a ``multiple_outputs`` async generator with 2 input(s)."""

    if TYPE_CHECKING:

        def __init__(self, a1: _In[T1] = ..., a2: _In[T2] = ..., /, **kwargs: object) -> None: ...


class StreamingTupleNode3(StreamingDraftNode[_O_co], StreamSource[Any], Generic[T1, T2, T3, _O_co]):
    """Draft node of a ``multiple_outputs`` async generator with 3 input(s)."""

    if TYPE_CHECKING:

        def __init__(
            self, a1: _In[T1] = ..., a2: _In[T2] = ..., a3: _In[T3] = ..., /, **kwargs: object
        ) -> None: ...


class StreamingTupleNode4(
    StreamingDraftNode[_O_co], StreamSource[Any], Generic[T1, T2, T3, T4, _O_co]
):
    """Draft node of a ``multiple_outputs`` async generator with 4 input(s)."""

    if TYPE_CHECKING:

        def __init__(
            self,
            a1: _In[T1] = ...,
            a2: _In[T2] = ...,
            a3: _In[T3] = ...,
            a4: _In[T4] = ...,
            /,
            **kwargs: object,
        ) -> None: ...


class StreamingTupleNode5(
    StreamingDraftNode[_O_co], StreamSource[Any], Generic[T1, T2, T3, T4, T5, _O_co]
):
    """Draft node of a ``multiple_outputs`` async generator with 5 input(s)."""

    if TYPE_CHECKING:

        def __init__(
            self,
            a1: _In[T1] = ...,
            a2: _In[T2] = ...,
            a3: _In[T3] = ...,
            a4: _In[T4] = ...,
            a5: _In[T5] = ...,
            /,
            **kwargs: object,
        ) -> None: ...


class StreamingTupleNode6(
    StreamingDraftNode[_O_co], StreamSource[Any], Generic[T1, T2, T3, T4, T5, T6, _O_co]
):
    """Draft node of a ``multiple_outputs`` async generator with 6 input(s)."""

    if TYPE_CHECKING:

        def __init__(
            self,
            a1: _In[T1] = ...,
            a2: _In[T2] = ...,
            a3: _In[T3] = ...,
            a4: _In[T4] = ...,
            a5: _In[T5] = ...,
            a6: _In[T6] = ...,
            /,
            **kwargs: object,
        ) -> None: ...


class StarArgsCallable(Protocol[_T_contra, _R_co]):
    """Typing: a function taking only ``*args: _T_contra`` (for ``@node`` overload matching).

    Example:
        >>> StarArgsCallable[int, str].__origin__ is StarArgsCallable
        True
    """

    def __call__(self, *args: _T_contra) -> _R_co:
        """Call with any number of positional arguments."""
        ...


class MonoNodeVar(TypedDraftNode[_O_co], Generic[T1, _O_co]):
    """Draft node of an ``async def f(*args: T1)``: one input port per argument."""

    if TYPE_CHECKING:

        def __init__(self, *args: _In[T1], **kwargs: object) -> None: ...


class StreamingNodeVar(StreamingDraftNode[tuple[_S]], StreamSource["Stream[_S]"], Generic[T1, _S]):
    """Draft node of an async generator ``f(*args: T1)`` yielding ``_S`` chunks."""

    if TYPE_CHECKING:

        def __init__(self, *args: _In[T1], **kwargs: object) -> None: ...


class StreamingTupleNodeVar(StreamingDraftNode[_O_co], StreamSource[Any], Generic[T1, _O_co]):
    """Draft node of a ``multiple_outputs`` async generator ``f(*args: T1)``."""

    if TYPE_CHECKING:

        def __init__(self, *args: _In[T1], **kwargs: object) -> None: ...
