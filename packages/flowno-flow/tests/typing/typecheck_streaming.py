"""Static type tests (pyright and mypy): streaming nodes and ``stream_in`` ports."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from typing_extensions import assert_type

from flowno_flow import node
from flowno_flow._protocols import (
    StreamingNode0,
    StreamingNode1,
    StreamingNodeVar,
    StreamingOutputPortRef,
)
from flowno_flow._stream import Stream


@node
async def Letters(word: str) -> AsyncIterator[str]:
    for ch in word:
        yield ch


@node
async def Count() -> AsyncGenerator[int, None]:
    yield 1


@node(stream_in=["chars"])
async def Codes(chars: Stream[str]) -> AsyncIterator[int]:
    async for ch in chars:
        yield ord(ch)


@node(stream_in=["codes"])
async def Total(codes: Stream[int]) -> int:
    return 0


@node(stream_in=["parts"])
async def Reader(parts: Stream[str] | None = None) -> int:
    return 0


@node(stream_in=["a", "b"])
async def Zip(a: Stream[int], b: Stream[str]) -> list[tuple[int, str]]:
    return []


@node
async def Upper(text: str) -> str:
    return text.upper()


@node
async def Beats(prev: str = ""):  # type: ignore[no-untyped-def]
    yield prev


# Inferred types
assert_type(Letters("abc"), StreamingNode1[str, str])
assert_type(Count(), StreamingNode0[int])
assert_type(Letters("abc").output(0), StreamingOutputPortRef[str])

# Valid connections
Codes(Letters("abc"))
Total(Codes(Letters("abc")))
Total(Count())
Total(Count().output(0))
Reader(Letters("x"))
Reader(Letters("x").output(0))
Reader()
Zip(Count(), Letters("x"))
Upper(Letters("abc"))
Upper(Beats())
Reader(Beats(Upper("x")))

# Invalid connections
Total(Letters("abc"))  # expect-error
Total(Letters("a").output(0))  # expect-error
Codes(Upper("x"))  # expect-error
Zip(Letters("x"), Count())  # expect-error
Upper(Count())  # expect-error
Letters(Count())  # expect-error


@node
async def Each(*xs: str) -> AsyncIterator[str]:
    for x in xs:
        yield x


assert_type(Each("a"), StreamingNodeVar[str, str])
Codes(Each("a", "b", "c", "d", "e", "f", "g"))
Total(Each("a"))  # expect-error
