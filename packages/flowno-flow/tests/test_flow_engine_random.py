# Randomized topologies (Hypothesis) checked against a simple reference evaluator:
# acyclic graphs (random wiring, duplicate connections, random declaration order)
# and rings (cycles started by one defaulted member, fed by sources, read by
# downstream consumers) stopped at a random generation. Every run must terminate.
from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowno_flow import FlowHDL, Stream, TerminateLimitReached, node

MOD = 1_000_003
HEAD_DEFAULT = 7


def mix(*values: int, c: int = 0) -> int:
    return (sum(values) * 3 + c) % MOD


RUNS: Counter[str] = Counter()


@node
async def Node0(c: int) -> int:
    RUNS["n"] += 1
    return mix(c=c)


@node
async def Node1(c: int, a: int) -> int:
    RUNS["n"] += 1
    return mix(a, c=c)


@node
async def Node2(c: int, a: int, b: int) -> int:
    RUNS["n"] += 1
    return mix(a, b, c=c)


@node
async def Node3(c: int, a: int, b: int, d: int) -> int:
    RUNS["n"] += 1
    return mix(a, b, d, c=c)


FACTORIES = [Node0, Node1, Node2, Node3]


@st.composite
def dags(draw: Any) -> tuple[list[list[int]], list[int]]:
    size = draw(st.integers(1, 12))
    inputs = [draw(st.lists(st.integers(0, i - 1), max_size=3)) if i else [] for i in range(size)]
    order = draw(st.permutations(range(size)))
    return inputs, list(order)


@settings(max_examples=60, deadline=None)
@given(dags())
def test_random_acyclic_graphs_match_the_reference(
    graph: tuple[list[list[int]], list[int]],
) -> None:
    inputs, order = graph
    reference: list[int] = []
    for i, ins in enumerate(inputs):
        reference.append(mix(*(reference[j] for j in ins), c=i))
    RUNS.clear()
    with FlowHDL() as f:
        for i in order:
            args = [getattr(f, f"n{j}") for j in inputs[i]]
            setattr(f, f"n{i}", FACTORIES[len(args)](i, *args))
    f.run_until_complete()
    assert RUNS["n"] == len(inputs)  # each node exactly once
    for i, expected in enumerate(reference):
        n = getattr(f, f"n{i}")
        assert n.get_data() == (expected,)
        assert n.generation == (0,)


@node
async def Head(prev: int = HEAD_DEFAULT, side: int = 0) -> int:
    return mix(prev, side, c=1)


@node
async def Member(prev: int, side: int) -> int:
    return mix(prev, side, c=2)


@node
async def Src(c: int) -> int:
    return c


@node
async def Down(x: int) -> int:
    return mix(x, c=3)


@st.composite
def rings(draw: Any) -> dict[str, Any]:
    k = draw(st.integers(1, 4))
    sides = [draw(st.one_of(st.none(), st.integers(0, 50))) for _ in range(k)]
    downs = draw(st.lists(st.integers(0, k - 1), max_size=3))
    limit = draw(st.integers(1, 6))
    names = (
        [f"r{i}" for i in range(k)]
        + [f"s{i}" for i in range(k)]
        + [f"d{j}" for j in range(len(downs))]
    )
    order = draw(st.permutations(names))
    return {"k": k, "sides": sides, "downs": downs, "limit": limit, "order": list(order)}


def ring_reference(k: int, sides: list[int | None], generations: int) -> list[list[int]]:
    values = [[0] * (generations + 1) for _ in range(k)]
    for g in range(generations + 1):
        for i in range(k):
            side = sides[i] or 0
            if i == 0:
                prev = HEAD_DEFAULT if g == 0 else values[k - 1][g - 1]
                values[0][g] = mix(prev, side, c=1)
            else:
                values[i][g] = mix(values[i - 1][g], side, c=2)
    return values


@settings(max_examples=60, deadline=None)
@given(rings())
def test_random_rings_match_the_reference(ring: dict[str, Any]) -> None:
    k, sides, downs, limit = ring["k"], ring["sides"], ring["downs"], ring["limit"]
    with FlowHDL() as f:
        for name in ring["order"]:
            kind, index = name[0], int(name[1:])
            if kind == "r":
                prev = getattr(f, f"r{(index - 1) % k}")
                side = getattr(f, f"s{index}") if sides[index] is not None else 0
                setattr(f, name, (Head if index == 0 else Member)(prev, side))
            elif kind == "s":
                if sides[index] is not None:
                    setattr(f, name, Src(sides[index]))
            else:
                setattr(f, name, Down(getattr(f, f"r{downs[index]}")))
    try:
        f.run_until_complete(stop_at_node_generation={f.r0: (limit,)})
    except TerminateLimitReached:
        pass
    reference = ring_reference(k, sides, limit)
    assert f.r0.generation == (limit,)
    for i in range(k):
        n = getattr(f, f"r{i}")
        gen = n.generation[0]
        assert gen in (limit - 1, limit)
        assert n.get_data() == (reference[i][gen],)
    for j, target in enumerate(downs):
        d = getattr(f, f"d{j}")
        if d.generation is not None:
            assert d.get_data() == (mix(reference[target][d.generation[0]], c=3),)


@node
async def Emit(n: int):  # type: ignore[no-untyped-def]
    for i in range(n):
        yield i


@node(stream_in=["xs"])
async def Stage(xs: Stream[int], k: int):  # type: ignore[no-untyped-def]
    async for x in xs:
        yield x * 2 + k


@node(stream_in=["xs"])
async def Collect(xs: Stream[int]) -> list[int]:
    return [x async for x in xs]


@node(stream_in=["xs"])
async def Prefix(xs: Stream[int], take: int) -> list[int]:
    out: list[int] = []
    async for x in xs:
        if len(out) == take:
            break
        out.append(x)
    return out


@node
async def Final(total: int = -1) -> int:
    return total


@st.composite
def pipelines(draw: Any) -> dict[str, Any]:
    return {
        "n": draw(st.integers(0, 12)),
        "stages": draw(st.lists(st.integers(0, 5), max_size=3)),
        "sinks": draw(
            st.lists(st.sampled_from(["collect", "head", "final"]), min_size=1, max_size=4)
        ),
        "take": draw(st.integers(0, 5)),
        "order": draw(st.randoms()),
    }


@settings(max_examples=60, deadline=None)
@given(pipelines())
def test_random_stream_pipelines_lose_nothing(p: dict[str, Any]) -> None:
    items = list(range(p["n"]))
    for k in p["stages"]:
        items = [x * 2 + k for x in items]
    names = (
        ["src"]
        + [f"st{i}" for i in range(len(p["stages"]))]
        + [f"sink{j}" for j in range(len(p["sinks"]))]
    )
    p["order"].shuffle(names)
    last = f"st{len(p['stages']) - 1}" if p["stages"] else "src"
    with FlowHDL() as f:
        for name in names:
            if name == "src":
                f.src = Emit(p["n"])
            elif name.startswith("st"):
                i = int(name[2:])
                setattr(f, name, Stage(getattr(f, f"st{i - 1}") if i else f.src, p["stages"][i]))
            else:
                j = int(name[4:])
                kind = p["sinks"][j]
                upstream = getattr(f, last)
                sink = (
                    Collect(upstream)
                    if kind == "collect"
                    else Prefix(upstream, p["take"])
                    if kind == "head"
                    else Final(upstream)
                )
                setattr(f, name, sink)
    f.run_until_complete()
    total = sum(items) if items else None
    for j, kind in enumerate(p["sinks"]):
        got = getattr(f, f"sink{j}").get_data()
        if kind == "collect":
            assert got == (items,)
        elif kind == "head":
            assert got == (items[: p["take"]],)
        else:
            assert got == ((total if total is not None else -1),)
