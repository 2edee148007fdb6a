"""A cycle bootstrapped by a default value, stopped after three generations.

Run: python examples/cycle.py

Prints:
    Halve(40)
    AddThree(20)
    Halve(23)
    AddThree(11)
    Halve(14)
    stopped at h=(7,) a=(14,)
"""

from flowno import FlowHDL, TerminateLimitReached, node


@node
async def Halve(n: int = 40) -> int:  # the default starts the cycle
    print(f"Halve({n})")
    return n // 2


@node
async def AddThree(n: int) -> int:
    print(f"AddThree({n})")
    return n + 3


with FlowHDL() as f:
    f.h = Halve(f.a)  # f.a is a forward reference
    f.a = AddThree(f.h)

try:
    f.run_until_complete(stop_at_node_generation=(2,))
except TerminateLimitReached:
    print(f"stopped at h={f.h.get_data()} a={f.a.get_data()}")
