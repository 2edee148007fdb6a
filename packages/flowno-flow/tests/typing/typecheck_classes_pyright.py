"""Static type tests, pyright only: class-based nodes.

mypy does not apply the return type of a class decorator (python/mypy#3135), so under mypy a
``@node`` class keeps its own constructor; write ``TallyNode = node(Tally)`` there instead.
"""

from __future__ import annotations

from typing_extensions import assert_type

from flowno_flow import node
from flowno_flow._protocols import AnyNode


@node
class Tally:
    seen = 0

    async def call(self, step: int = 1) -> int:
        self.seen += step
        return self.seen


@node
async def Upper(text: str) -> str:
    return text.upper()


class Plain:
    async def call(self, x: int) -> int:
        return x


PlainNode = node(Plain)

assert_type(Tally(1), AnyNode)
assert_type(PlainNode(1), AnyNode)
Tally(Tally())
Tally(Upper("x"), extra=1)
Upper(Tally(1))
Upper(Tally(1).output(0))
Upper(1)  # expect-error
