"""Golden-text tests of the flow pictures (flowno_flow._render)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowno_flow._render import (
    GraphPicture,
    PictureEdge,
    PictureNode,
    picture_of,
    to_dot,
    to_mermaid,
)

# A cycle (count feeds itself through an input with a default), a streaming edge into a
# stream_in port, and a multi-output producer feeding two ports of one consumer.
CYCLE = GraphPicture(
    nodes=(
        PictureNode("n0", "count: Count#0", "Count"),
        PictureNode("n1", "words: Words#0", "Words", streaming=True),
        PictureNode("n2", "join: Join#0", "Join"),
    ),
    edges=(
        PictureEdge("n0", "n0", 0, 0, "prev", defaulted_input=True),
        PictureEdge("n0", "n1", 0, 0, "n"),
        PictureEdge("n1", "n2", 0, 0, "parts", streaming=True),
    ),
)

MERMAID_CYCLE = """\
flowchart LR
    n0["count: Count#0"]
    n1(["words: Words#0"])
    n2["join: Join#0"]
    n0 -.->|"↺ 0 → prev[0]"| n0
    n0 -->|"0 → n[0]"| n1
    n1 ==>|"0 → parts[0]"| n2
    linkStyle 0 stroke:#c0392b,color:#c0392b
"""

DOT_CYCLE = """\
digraph "flow" {
    rankdir=LR;
    node [shape=box, fontname="Helvetica"];
    edge [fontname="Helvetica", fontsize=10];
    n0 [label="count: Count#0"];
    n1 [label="words: Words#0", style="rounded", peripheries=2];
    n2 [label="join: Join#0"];
    n0 -> n0 [label="↺ 0 → prev[0]", style="dashed", color="#c0392b", constraint=false];
    n0 -> n1 [label="0 → n[0]"];
    n1 -> n2 [label="0 → parts[0]", style="bold", penwidth=2.5];
}
"""


def test_mermaid_golden_cycle_and_stream() -> None:
    assert to_mermaid(CYCLE) == MERMAID_CYCLE


def test_dot_golden_cycle_and_stream() -> None:
    assert to_dot(CYCLE) == DOT_CYCLE


def test_mermaid_escapes_quotes_and_angle_brackets_and_direction() -> None:
    pic = GraphPicture(nodes=(PictureNode("n0", 'say "<hi>"', "Say"),))
    assert to_mermaid(pic, direction="TD") == 'flowchart TD\n    n0["say #quot;#lt;hi#gt;#quot;"]\n'


def test_dot_escapes_quotes_and_backslashes() -> None:
    pic = GraphPicture(nodes=(PictureNode("n0", 'a"b\\c', "A"),))
    assert '    n0 [label="a\\"b\\\\c"];\n' in to_dot(pic, name="g")
    assert to_dot(pic, name="g").startswith('digraph "g" {\n')


def test_streaming_edge_into_defaulted_input_is_dashed_and_thick() -> None:
    pic = GraphPicture(
        nodes=(PictureNode("n0", "A#0", "A", streaming=True), PictureNode("n1", "B#0", "B")),
        edges=(PictureEdge("n0", "n1", 0, 0, "s", streaming=True, defaulted_input=True),),
    )
    assert to_mermaid(pic).splitlines()[3:] == [
        '    n0 -.->|"0 → s[0]"| n1',
        "    linkStyle 0 stroke-width:3px",
    ]
    assert '[label="0 → s[0]", style="dashed,bold", penwidth=2.5];' in to_dot(pic)


# Back edges: DFS from nodes in declaration order; edges followed in edge order.
BACK_EDGE_CASES: list[tuple[str, list[str], list[tuple[str, str]], set[int]]] = [
    ("chain", ["a", "b", "c"], [("a", "b"), ("b", "c")], set()),
    ("self loop", ["a"], [("a", "a")], {0}),
    ("two-cycle declared forward", ["a", "b"], [("a", "b"), ("b", "a")], {1}),
    ("two-cycle declared backward", ["b", "a"], [("a", "b"), ("b", "a")], {0}),
    (
        "diamond is acyclic",
        ["a", "b", "c", "d"],
        [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")],
        set(),
    ),
    (
        "three-cycle with tail",
        ["s", "x", "y", "z"],
        [("s", "x"), ("x", "y"), ("y", "z"), ("z", "x")],
        {3},
    ),
    (
        "two cycles share a node",
        ["a", "b", "c"],
        [("a", "b"), ("b", "a"), ("a", "c"), ("c", "a")],
        {1, 3},
    ),
    ("parallel edges both back", ["a", "b"], [("a", "b"), ("b", "a"), ("b", "a")], {1, 2}),
]


@pytest.mark.parametrize(
    ("case", "order", "arcs", "expected"), BACK_EDGE_CASES, ids=[c[0] for c in BACK_EDGE_CASES]
)
def test_back_edges(
    case: str, order: list[str], arcs: list[tuple[str, str]], expected: set[int]
) -> None:
    pic = GraphPicture(
        nodes=tuple(PictureNode(n, n, n) for n in order),
        edges=tuple(PictureEdge(s, d, 0, i, f"p{i}") for i, (s, d) in enumerate(arcs)),
    )
    assert pic.back_edges() == expected


def test_back_edges_leave_an_acyclic_rest_on_a_long_chain() -> None:
    # iterative DFS: no recursion limit on a 5000-node cycle
    n = 5000
    order = [f"v{i}" for i in range(n)]
    pic = GraphPicture(
        nodes=tuple(PictureNode(v, v, "V") for v in order),
        edges=tuple(PictureEdge(order[i], order[(i + 1) % n], 0, 0, "x") for i in range(n)),
    )
    assert pic.back_edges() == {n - 1}


# --- picture_of over objects shaped like FinalizedNode -------------------------------------


@dataclass
class FakeRef:
    node: FakeNode
    port_index: int


@dataclass
class FakePort:
    index: int
    name: str
    has_default: bool = False
    stream_in: bool = False
    connected: FakeRef | None = None


@dataclass(eq=False)
class FakeNode:
    text: str
    is_streaming: bool = False
    input_ports: list[FakePort] = field(default_factory=list)

    def __repr__(self) -> str:
        return self.text


def test_picture_of_finalized_like_nodes_golden() -> None:
    split = FakeNode("Split#0")
    add = FakeNode("Add#0")
    add.input_ports = [
        FakePort(0, "a", connected=FakeRef(split, 0)),
        FakePort(1, "b", connected=FakeRef(split, 1)),
        FakePort(2, "c", has_default=True, connected=FakeRef(add, 0)),
        FakePort(3, "d", has_default=True),  # unconnected: no edge
    ]
    gen = FakeNode("Gen#0", is_streaming=True)
    total = FakeNode(
        "Total#0", input_ports=[FakePort(0, "s", stream_in=True, connected=FakeRef(gen, 0))]
    )
    names = {"sum": add, "total": total, "alias": add, "number": 5}

    pic = picture_of([add, total], names=names)

    assert to_mermaid(pic) == (
        "flowchart LR\n"
        '    n0["sum: Add#0"]\n'
        '    n1["total: Total#0"]\n'
        '    n2["Split#0"]\n'
        '    n3(["Gen#0"])\n'
        '    n2 -->|"0 → a[0]"| n0\n'
        '    n2 -->|"1 → b[1]"| n0\n'
        '    n0 -.->|"↺ 0 → c[2]"| n0\n'
        '    n3 ==>|"0 → s[0]"| n1\n'
        "    linkStyle 2 stroke:#c0392b,color:#c0392b\n"
    )
    assert [n.type_name for n in pic.nodes] == ["Add", "Total", "Split", "Gen"]


def test_picture_of_empty() -> None:
    assert picture_of([]) == GraphPicture(nodes=(), edges=())
    assert to_mermaid(picture_of([])) == "flowchart LR\n"


# --- picture_of over a real FlowHDL ---------------------------------------------------------


def test_picture_of_a_finalized_flow_golden() -> None:
    from flowno_flow import FlowHDL, node
    from flowno_flow._stream import Stream

    @node
    async def Count(prev: int = 0) -> int:
        return prev + 1

    @node
    async def Words(n: int, sep: str) -> AsyncIterator[str]:
        for i in range(n):
            yield f"w{i}{sep}"

    @node(stream_in=["parts"])
    async def Join(parts: Stream[str]) -> str:
        return "".join([p async for p in parts])

    with FlowHDL() as f:
        f.count = Count(f.count)
        f.words = Words(f.count, "," * 30)
        f.join = Join(f.words)

    nodes = [f.count, f.words, f.join]
    constant = next(n for n in f.words.input_ports if n.index == 1).connected
    assert constant is not None
    text = to_mermaid(picture_of(nodes, names=f._nodes))
    count, words, join, const = (repr(n) for n in (f.count, f.words, f.join, constant.node))
    assert text == (
        "flowchart LR\n"
        f'    n0["count: {count}"]\n'
        f'    n1(["words: {words}"])\n'
        f'    n2["join: {join}"]\n'
        f'    n3["{const} = \'{"," * 22}…"]\n'
        f'    n0 -.->|"↺ 0 → prev[0]"| n0\n'
        f'    n0 -->|"0 → n[0]"| n1\n'
        f'    n3 -->|"0 → sep[1]"| n1\n'
        f'    n1 ==>|"0 → parts[0]"| n2\n'
        "    linkStyle 0 stroke:#c0392b,color:#c0392b\n"
    )


# --- back edges on random graphs (property) --------------------------------------------------


def _is_acyclic(nodes: list[str], arcs: list[tuple[str, str]]) -> bool:
    indegree = dict.fromkeys(nodes, 0)
    for _, dst in arcs:
        indegree[dst] += 1
    ready = [n for n in nodes if indegree[n] == 0]
    seen = 0
    while ready:
        node_id = ready.pop()
        seen += 1
        for src, dst in arcs:
            if src == node_id:
                indegree[dst] -= 1
                if indegree[dst] == 0:
                    ready.append(dst)
    return seen == len(nodes)


def _reaches(arcs: list[tuple[str, str]], start: str, goal: str) -> bool:
    stack, seen = [start], {start}
    while stack:
        here = stack.pop()
        if here == goal:
            return True
        for src, dst in arcs:
            if src == here and dst not in seen:
                seen.add(dst)
                stack.append(dst)
    return False


graphs = st.integers(min_value=1, max_value=8).flatmap(
    lambda n: st.tuples(
        st.just([f"v{i}" for i in range(n)]),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20),
    )
)


@settings(max_examples=200, deadline=None)
@given(graphs)
def test_removing_back_edges_leaves_an_acyclic_graph_and_each_closes_a_cycle(
    graph: tuple[list[str], list[tuple[int, int]]],
) -> None:
    nodes, index_arcs = graph
    arcs = [(nodes[s], nodes[d]) for s, d in index_arcs]
    pic = GraphPicture(
        nodes=tuple(PictureNode(n, n, "N") for n in nodes),
        edges=tuple(PictureEdge(s, d, 0, i, "x") for i, (s, d) in enumerate(arcs)),
    )
    back = pic.back_edges()
    kept = [arc for i, arc in enumerate(arcs) if i not in back]
    assert _is_acyclic(nodes, kept)
    for i in back:
        src, dst = arcs[i]
        assert _reaches(arcs, dst, src)  # the back edge lies on a cycle
    assert _is_acyclic(nodes, arcs) == (not back)
