# Typing only: the draft node classes of mono (coroutine) nodes by arity, 0..6 inputs and
# ``*args``. Never instantiated; regular (written by a generator), in step with the
# overloads in _decorator.py.
# pyright: reportInvalidTypeVarUse=false, reportPrivateUsage=false
"""Typing-only draft node classes of mono nodes: ``MonoNode0`` .. ``MonoNode6``, ``MonoNodeVar``.

Example:
    >>> from flowno_flow import MonoNode1
    >>> MonoNode1[int, tuple[int]].__origin__ is MonoNode1
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic

from ._protocols_base import T1, T2, T3, T4, T5, T6, TypedDraftNode, _O_co, _R_co

if TYPE_CHECKING:
    from ._protocols_base import _In

__all__ = [
    "MonoNode0",
    "MonoNode1",
    "MonoNode2",
    "MonoNode3",
    "MonoNode4",
    "MonoNode5",
    "MonoNode6",
    "MonoNode0_0",
    "MonoNode0_1",
    "MonoNodeVar",
]


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


class MonoNodeVar(TypedDraftNode[_O_co], Generic[T1, _O_co]):
    """Draft node of an ``async def f(*args: T1)``: one input port per argument."""

    if TYPE_CHECKING:

        def __init__(self, *args: _In[T1], **kwargs: object) -> None: ...
