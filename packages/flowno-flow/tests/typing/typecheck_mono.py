"""Static type tests (pyright and mypy): coroutine nodes. Never run, only type-checked.

Every line marked ``expect-error`` must be reported by both checkers; no other line may be.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import Unpack, assert_type

from flowno_flow import Constant, DraftNode, DraftOutputPortRef, NodePlaceholder, node
from flowno_flow._protocols import (
    AnyNode,
    MonoNode0_0,
    MonoNode0_1,
    MonoNode2,
    MonoNode6,
    MonoNodeVar,
)


@node
async def Add(a: int, b: int) -> int:
    return a + b


@node
async def Upper(text: str) -> str:
    return text.upper()


@node
async def Greet(name: str, punct: str = "!") -> str:
    return name + punct


@node
async def Tick() -> None:
    return None


@node
async def Source() -> int:
    return 1


@node
async def Half(x: float) -> float:
    return x / 2


@node
async def Six(a: int, b: int, c: int, d: int, e: int, f: str) -> float:
    return 0.0


@node
async def Seven(a: int, b: int, c: int, d: int, e: int, f: int, g: int) -> int:
    return a


@node
async def KwOnly(a: int, *, scale: int) -> int:
    return a * scale


@node
async def Maybe(x: int | None = None) -> int | None:
    return x


@node
async def Untyped(a, b):  # type: ignore[no-untyped-def]
    return a


# Inferred types
assert_type(Add, type[MonoNode2[int, int, tuple[int]]])
assert_type(Add(1, 2), MonoNode2[int, int, tuple[int]])
assert_type(Tick(), MonoNode0_0)
assert_type(Source(), MonoNode0_1[int])
assert_type(Six(1, 2, 3, 4, 5, "x"), MonoNode6[int, int, int, int, int, str, tuple[float]])
assert_type(Seven(1, 2, 3, 4, 5, 6, 7), AnyNode)
assert_type(KwOnly(1, scale=2), AnyNode)
assert_type(Add(1, 2).output(0), DraftOutputPortRef[int])

# Valid connections
Add(Add(1, 2), Source())
Add(Add(1, 2).output(0), 3)
Add(True, 2)
Half(Add(1, 2))
Half(Add(1, 2).output(0))
Maybe(Add(1, 2))
Maybe(None)
Maybe()
Greet("ada")
Greet("ada", "?")
Greet(Upper("x"), punct="?")
Greet(name="ada")
Add(NodePlaceholder("later"), NodePlaceholder("later").output(0))
Upper(Untyped(1, 2))
Untyped(Add(1, 2), "anything")
Seven(Upper("x"), 2, 3, 4, 5, 6, 7)
KwOnly(Upper("x"), scale=2)


def wire(any_node: Any, plain: DraftNode[Unpack[tuple[Any, ...]], Any]) -> None:
    Add(any_node, any_node.output(0))
    Add(plain, plain.output(0))
    Upper(Constant("x").output(0))
    ref: DraftOutputPortRef[object] = Add(1, 2).output(0)
    Upper(ref)  # expect-error


# Invalid connections
Upper(Add(1, 2))  # expect-error
Upper(Add(1, 2).output(0))  # expect-error
Upper(Source())  # expect-error
Add("x", 2)  # expect-error
Add(1, 2, 3)  # expect-error
Greet(Add(1, 2))  # expect-error
Add(Half(1.0), 1)  # expect-error
Add(Maybe(1), 1)  # expect-error
Six(1, 2, 3, 4, 5, Add(1, 2))  # expect-error
Tick(1)  # expect-error
Add(Tick(), 1)  # expect-error


# Templates: the call stands for what the template returns
@node.template
def SumOfTwo(view: Any, x: int, y: int = 2) -> MonoNode2[int, int, tuple[int]]:
    return Add(x, y)


assert_type(SumOfTwo(1), MonoNode2[int, int, tuple[int]])
Upper(SumOfTwo(1))  # expect-error


# *args: one typed input port per argument, any number of them
@node
async def Sum(*xs: int) -> int:
    return sum(xs)


assert_type(Sum(1, 2), MonoNodeVar[int, tuple[int]])
Sum(1, 2, 3, 4, 5, 6, 7, Add(1, 2), Sum())
Upper(Sum(1))  # expect-error
Sum(1, "x")  # expect-error


# Routing by output type: node.on(T) is a port of T
class Accept:
    pass


class Reject:
    pass


@node
async def Judge(text: str) -> Accept | Reject:
    return Accept()


@node
async def OnAccept(verdict: Accept) -> str:
    return "ok"


@node
async def MaybeText(text: str) -> str | None:
    return None


assert_type(Judge("x").on(Accept), DraftOutputPortRef[Accept])
OnAccept(Judge("x").on(Accept))
OnAccept(Judge("x").on(Reject))  # expect-error
Upper(MaybeText("x").on(str))
assert_type(MaybeText("x").on(None), DraftOutputPortRef[None])
Upper(MaybeText("x"))  # expect-error
