"""FlowHDL / FlowHDLView: the attribute protocol, finalization, nesting, groups, pictures."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from flowno_flow import DraftNode, FinalizedNode, FlowHDL, FlowHDLView, NodePlaceholder
from flowno_flow._decorator import node


@node
async def Add(a: int, b: int) -> int:
    return a + b


@node
async def Square(x: int) -> int:
    return x * x


@node
async def Source(v: int = 1) -> int:
    return v


def test_forward_references_resolve_regardless_of_order() -> None:
    with FlowHDL() as f:
        f.total = Add(f.x, f.y)
        f.y = Source(2)
        f.x = Source(1)
    assert [p.connected.node for p in f.total.input_ports] == [f.x, f.y]


def test_underscore_names_are_plain_attributes() -> None:
    with FlowHDL() as f:
        f._helper = [1, 2]
        f.n = Source()
    assert f._helper == [1, 2] and "_helper" not in f._nodes
    with pytest.raises(AttributeError):
        f._never_set  # noqa: B018


def test_names_inside_and_after_the_block() -> None:
    with FlowHDL() as f:
        f.n = Source()
        f.value = 42
        assert isinstance(f.n, DraftNode)
        assert isinstance(f.later, NodePlaceholder)
    assert isinstance(f.n, FinalizedNode) and f.value == 42


def test_keywords() -> None:
    assert FlowHDL.KEYWORDS[:4] == [
        "KEYWORDS",
        "run_until_complete",
        "create_task",
        "register_child_result",
    ]
    assert FlowHDLView.KEYWORDS == ["register_child_result"]


def test_anonymous_and_rebound_nodes_stay_in_the_graph() -> None:
    registered: list[Any] = []
    with FlowHDLView(registered.append) as v:
        v.out = Square(Square(2))
        v.out = Square(3)
    assert sorted(repr(n).split("#")[0] for n in registered) == [
        "Constant",
        "Constant",
        "Square",
        "Square",
        "Square",
    ]
    assert v.out.input_ports[0].connected.node.draft.value == 3


def test_registration_with_the_flow_in_order() -> None:
    from flowno_flow._instrumentation import FlowInstrument

    events: list[str] = []

    class Recorder(FlowInstrument):
        def on_node_registered(self, flow: Any, n: Any) -> None:
            events.append(repr(n).split("#")[0])

    with Recorder():
        with FlowHDL() as f:
            f.b = Add(f.a, 1)
            f.a = Source()
            assert events == []
    assert events == ["Add", "Constant", "Source"]
    assert [repr(n).split("#")[0] for n in f._all_finalized()] == events


def test_finalization_runs_when_the_block_raises() -> None:
    with pytest.raises(KeyError) as info:
        with FlowHDL() as f:
            f.a = Add(f.missing, 1)
            raise KeyError("user")
    assert info.value.args == ("user",)
    if sys.version_info >= (3, 11):
        assert any("Node missing is referenced" in note for note in info.value.__notes__)
    with FlowHDL() as g:
        g.a = Source()
        with pytest.raises(ValueError):
            raise ValueError
    assert isinstance(g.a, FinalizedNode)


def test_stray_draft_created_outside_is_adopted(caplog: pytest.LogCaptureFixture) -> None:
    stray = Source(7)
    assert "created outside of a FlowHDL context" in caplog.text
    with FlowHDL() as f:
        f.sq = Square(stray)
    producer = f.sq.input_ports[0].connected.node
    assert producer.draft is stray and producer in f._all_finalized()


def test_nested_flowhdl_is_a_view_of_the_outer_flow() -> None:
    with FlowHDL() as outer:
        outer.a = Source(2)
        with FlowHDL() as inner:
            inner.b = Square(outer.a)
        outer.c = Square(inner.b)
        assert isinstance(inner.b, DraftNode)
    assert "b" not in outer._nodes and "a" not in inner._nodes
    assert isinstance(inner.b, FinalizedNode) and inner._flow is outer._flow
    assert outer.c.input_ports[0].connected.node is inner.b
    assert [repr(n).split("#")[0] for n in outer._all_finalized()].count("Square") == 2
    outer.run_until_complete()
    assert outer.c.get_data() == (16,) and inner.b.get_data() == (4,)


@node.template
def SumOfSquares(g: FlowHDLView, x: int, y: int = 2) -> Any:
    g.sx = Square(x)
    g.sy = Square(y)
    g.total = Add(g.sx, g.sy)
    return g.total


@node.template
def Twice(g: FlowHDLView, x: int) -> Any:
    g.inner = SumOfSquares(x)
    return Add(g.inner, g.inner)


def test_groups_example_with_names_kept_private() -> None:
    with FlowHDL() as f:
        f.base = Add(1, 2)
        f.s = SumOfSquares(f.base, 4)
        f.t = Twice(1)
        f.after = Square(f.s)
    assert type(f.s).__name__ == "FinalizedNode" and repr(f.s).startswith("Add#")
    assert sorted(f._nodes) == ["after", "base", "s", "t"]
    f.run_until_complete()
    assert (f.s.get_data(), f.t.get_data(), f.after.get_data()) == ((25,), (10,), (625,))


def test_two_instances_of_a_template_do_not_collide() -> None:
    with FlowHDL() as f:
        f.one = SumOfSquares(1, 1)
        f.two = SumOfSquares(3, 4)
    f.run_until_complete()
    assert (f.one.get_data(), f.two.get_data()) == ((2,), (25,))


def test_forward_reference_into_and_to_a_template() -> None:
    with FlowHDL() as f:
        f.use = Square(f.g)
        f.g = SumOfSquares(f.later, 0)
        f.later = Source(3)
    f.run_until_complete()
    assert f.g.get_data() == (9,) and f.use.get_data() == (81,)


def test_template_can_return_a_passed_node_or_a_value() -> None:
    @node.template
    def Identity(g: FlowHDLView, x: Any) -> Any:
        return x

    @node.template
    def JustValue(g: FlowHDLView) -> Any:
        return "plain"

    with FlowHDL() as f:
        f.src = Source(5)
        f.same = Identity(f.src)
        f.v = JustValue()
        f.sq = Square(f.same)
    assert f.same is f.src and f.v == "plain"
    assert f.sq.input_ports[0].connected.node is f.src


def test_literal_template_arguments_leave_no_orphans() -> None:
    @node.template
    def Unused(g: FlowHDLView, x: int) -> Any:
        return Source(9)

    registered: list[Any] = []
    with FlowHDLView(registered.append) as v:
        v.u = Unused(123)
    assert [repr(n).split("#")[0] for n in registered] == ["Source", "Constant"]


def test_cycle_through_a_template_argument() -> None:
    from flowno_flow._run_errors import TerminateLimitReached

    @node.template
    def Step(g: FlowHDLView, prev: Any) -> Any:
        return Source(prev)

    with FlowHDL() as f:
        f.s = Step(f.s)
    with pytest.raises(TerminateLimitReached):
        f.run_until_complete(stop_at_node_generation=(2,))
    assert f.s.get_data() == (1,)


def test_register_child_result_with_a_hand_made_result() -> None:
    registered: list[Any] = []
    with FlowHDLView(registered.append) as root:
        with FlowHDLView() as child:
            child.x = Source(4)
        root.y = Square(child.x)
    assert root.y.input_ports[0].connected.node is child.x
    result = FlowHDLView.FinalizationResult({"x": 1}, {})
    assert result.drafts == [] and result.view is None


def test_run_limits_accept_draft_keys() -> None:
    from flowno_flow._run_errors import TerminateLimitReached

    @node
    async def Count(n: int = 0) -> int:
        return n + 1

    with FlowHDL() as f:
        f.c = Count(f.c)
        draft = f.c
    with pytest.raises(TerminateLimitReached):
        f.run_until_complete(stop_at_node_generation={draft: (2,)})
    assert f.c.generation == (2,) and f.c.get_data() == (3,)


def test_create_task_runs_with_the_flow() -> None:
    seen: list[str] = []

    async def helper() -> None:
        seen.append("helper ran")

    with FlowHDL() as f:
        f.s = Source()
    f.create_task(helper())
    f.run_until_complete()
    assert seen == ["helper ran"] and f.s.get_data() == (1,)


def test_pictures_name_every_node() -> None:
    with FlowHDL() as f:
        f.total = Add(f.x, 1)
        f.x = Source()
    mermaid, dot = f.to_mermaid(), f.to_dot()
    for text in (mermaid, dot):
        assert "total: Add#" in text and "x: Source#" in text and "Constant#" in text
