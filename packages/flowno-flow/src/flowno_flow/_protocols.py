# Static typing of draft nodes: MonoNode*/StreamingNode*, gathered from _protocols_base
# (shared bases), _protocols_mono and _protocols_streaming (the arity classes).
#
# Rules of these modules:
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

from ._protocols_base import (
    AnyNode,
    StarArgsCallable,
    StreamingDraftNode,
    StreamingOutputPortRef,
    StreamSource,
    TypedDraftNode,
)
from ._protocols_mono import (
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
)
from ._protocols_streaming import (
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
