# Static typing of draft nodes: the shared part (type variables, what a port accepts,
# the typed draft bases). The arity classes are in _protocols_mono / _protocols_streaming.
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
"""Typing-only bases of the draft node classes: typed ``output(k)``, port argument types.

Example:
    >>> TypedDraftNode[tuple[int]].__origin__ is TypedDraftNode
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
    "StarArgsCallable",
    "StreamSource",
    "StreamingDraftNode",
    "StreamingOutputPortRef",
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


class StarArgsCallable(Protocol[_T_contra, _R_co]):
    """Typing: a function taking only ``*args: _T_contra`` (for ``@node`` overload matching).

    Example:
        >>> StarArgsCallable[int, str].__origin__ is StarArgsCallable
        True
    """

    def __call__(self, *args: _T_contra) -> _R_co:
        """Call with any number of positional arguments."""
        ...
