"""Static type tests (pyright and mypy): @node(executor=...) on plain functions. Never run,
only type-checked.

Every line marked ``expect-error`` must be reported by both checkers; no other line may be.
"""

from __future__ import annotations

from typing_extensions import assert_type

from flowno_flow import Retry, node
from flowno_flow._protocols import MonoNode0_1, MonoNode1, MonoNode2


@node(executor="process")
def Simulate(steps: int, seed: int) -> float:
    return float(steps + seed)


@node(executor="thread", multiple_outputs=True)
def DivMod(a: int, b: int) -> tuple[int, int]:
    return divmod(a, b)


@node(executor="thread")
def Seed() -> int:
    return 1


@node(executor="process", retry=Retry(attempts=2), timeout=60.0)
def Patient(x: int) -> str:
    return str(x)


@node
async def Label(x: str) -> str:
    return x


assert_type(Simulate, type[MonoNode2[int, int, tuple[float]]])
assert_type(DivMod(7, 2), MonoNode2[int, int, tuple[int, int]])
assert_type(Seed(), MonoNode0_1[int])
assert_type(Patient, type[MonoNode1[int, tuple[str]]])

# Valid connections: executor nodes wire like any other node.
Simulate(Seed(), DivMod(7, 2).output(1))
Label(Patient(Seed()))

# Invalid connections
Label(Seed())  # expect-error
Simulate("many", 1)  # expect-error
