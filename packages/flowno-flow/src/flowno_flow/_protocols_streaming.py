# Typing only: the draft node classes of streaming (async generator) nodes by arity,
# 0..6 inputs and ``*args``, single-output (StreamingNode*) and ``multiple_outputs``
# (StreamingTupleNode*). Never instantiated; in step with the overloads in _decorator.py.
# pyright: reportInvalidTypeVarUse=false, reportPrivateUsage=false
"""Typing-only draft node classes of streaming nodes: ``StreamingNode*``, ``StreamingTupleNode*``.

Example:
    >>> from flowno_flow import StreamingNode1
    >>> StreamingNode1[int, str].__origin__ is StreamingNode1
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic

from ._protocols_base import _S, T1, T2, T3, T4, T5, T6, StreamingDraftNode, StreamSource, _O_co

if TYPE_CHECKING:
    from ._protocols_base import _In
    from ._stream import Stream  # noqa: F401 - used in the string base "Stream[_S]"

__all__ = [
    "StreamingNode0",
    "StreamingNode1",
    "StreamingNode2",
    "StreamingNode3",
    "StreamingNode4",
    "StreamingNode5",
    "StreamingNode6",
    "StreamingNodeVar",
    "StreamingTupleNode0",
    "StreamingTupleNode1",
    "StreamingTupleNode2",
    "StreamingTupleNode3",
    "StreamingTupleNode4",
    "StreamingTupleNode5",
    "StreamingTupleNode6",
    "StreamingTupleNodeVar",
]


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


class StreamingNodeVar(StreamingDraftNode[tuple[_S]], StreamSource["Stream[_S]"], Generic[T1, _S]):
    """Draft node of an async generator ``f(*args: T1)`` yielding ``_S`` chunks."""

    if TYPE_CHECKING:

        def __init__(self, *args: _In[T1], **kwargs: object) -> None: ...


class StreamingTupleNodeVar(StreamingDraftNode[_O_co], StreamSource[Any], Generic[T1, _O_co]):
    """Draft node of a ``multiple_outputs`` async generator ``f(*args: T1)``."""

    if TYPE_CHECKING:

        def __init__(self, *args: _In[T1], **kwargs: object) -> None: ...
