"""Static type tests (pyright and mypy): ``multiple_outputs`` nodes and decorator objects."""

from __future__ import annotations

from collections.abc import AsyncIterator

from typing_extensions import assert_type

from flowno_flow import DraftOutputPortRef, node
from flowno_flow._decorator import (
    AnyOutputsDecorator,
    MultipleOutputsDecorator,
    SingleOutputDecorator,
)
from flowno_flow._protocols import (
    AnyNode,
    MonoNode2,
    StreamingOutputPortRef,
    StreamingTupleNode0,
)
from flowno_flow._stream import Stream


@node(multiple_outputs=True)
async def DivMod(a: int, b: int) -> tuple[int, str]:
    return a // b, str(a % b)


@node(multiple_outputs=True)
async def NameAndLen() -> AsyncIterator[tuple[str, int]]:
    yield ("ox", 2)


@node
async def Upper(text: str) -> str:
    return text.upper()


@node
async def Add(a: int, b: int) -> int:
    return a + b


@node(stream_in=["s"])
async def Total(s: Stream[int]) -> int:
    return 0


FLAG: bool = bool(len("x"))


@node(multiple_outputs=FLAG)
async def Either(a: int) -> int:
    return a


# Inferred types
assert_type(node(), SingleOutputDecorator)
assert_type(node(stream_in=["s"]), SingleOutputDecorator)
assert_type(node(multiple_outputs=False), SingleOutputDecorator)
assert_type(node(multiple_outputs=True), MultipleOutputsDecorator)
assert_type(node(multiple_outputs=FLAG), AnyOutputsDecorator)
assert_type(DivMod(1, 2), MonoNode2[int, int, tuple[int, str]])
assert_type(DivMod(1, 2).output(0), DraftOutputPortRef[int])
assert_type(DivMod(1, 2).output(1), DraftOutputPortRef[str])
assert_type(NameAndLen(), StreamingTupleNode0[tuple[str, int]])
assert_type(NameAndLen().output(1), StreamingOutputPortRef[int])
assert_type(Either(1), AnyNode)

# Valid connections
Upper(DivMod(1, 2).output(1))
Add(DivMod(1, 2), DivMod(3, 4).output(0))
Total(NameAndLen().output(1))
Upper(NameAndLen().output(0))
Upper(Either(1))

# Invalid connections
Upper(DivMod(1, 2).output(0))  # expect-error
Upper(DivMod(1, 2))  # expect-error
Add(DivMod(1, 2).output(1), 1)  # expect-error
Total(NameAndLen().output(0))  # expect-error
