"""Node classes made by @node: ports, arguments, constants, naming, class nodes, FinalizedNode."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Coroutine
from typing import Any

import pytest

from flowno_flow import Constant, DraftNode, FinalizedNode, FlowHDL, FlowHDLView, NodePlaceholder
from flowno_flow._decorator import node
from flowno_flow._node_spec import EMPTY
from flowno_flow._stream import Stream


def run_coroutine(coro: Any) -> Any:
    """Run a coroutine that never suspends and return its value."""
    assert isinstance(coro, Coroutine)
    with pytest.raises(StopIteration) as stop:
        coro.send(None)
    return stop.value.value


def build(body: Any) -> dict[str, Any]:
    """Run ``body(view)`` in a root FlowHDLView; return its finalized names + registrations."""
    registered: list[Any] = []
    with FlowHDLView(registered.append) as view:
        body(view)
    return {"view": view, "registered": registered}


@node
async def Add(a: int, b: int = 10) -> int:
    return a + b


@node
async def Gen(n: int) -> AsyncGenerator[int, None]:
    for i in range(n):
        yield i


def test_function_node_class_and_instances() -> None:
    with FlowHDL():
        first, second = Add(1), Add(2)
    assert Add.__name__ == "Add" and issubclass(Add, DraftNode)
    assert isinstance(first, DraftNode) and isinstance(first, Add)
    number = int(repr(first).split("#")[1])
    assert repr(first) == f"Add#{number}" and repr(second) == f"Add#{number + 1}"


def test_finalized_twin_keeps_the_name_and_facts() -> None:
    with FlowHDL() as f:
        f.g = Gen(3)
        f.a = Add(f.g)
    g, a = f.g, f.a
    assert isinstance(g, FinalizedNode) and isinstance(a, FinalizedNode)
    assert repr(a) == a.name == repr(a.draft) and a.draft._finalized is a
    assert g.is_streaming and not a.is_streaming and g.output_annotation is int
    assert a.output_count == 1 and not a.multiple_outputs
    assert [
        (p.index, p.name, p.has_default, p.default, p.minimum_run_level) for p in a.input_ports
    ] == [
        (0, "a", False, EMPTY, 0),
        (1, "b", True, 10, 0),
    ]
    assert a.input_ports[0].connected is not None and a.input_ports[0].connected.node is g
    assert a.input_ports[1].connected is None
    assert g.consumers == [(a, 0, 0)]
    assert a.created_at.endswith(
        f"{__file__.rsplit('/', 1)[1]}:{test_finalized_twin_keeps_the_name_and_facts.__code__.co_firstlineno + 3}"
    )
    assert a.defined_at.startswith(__file__)
    assert a._input_ports is a.input_ports


def test_keyword_arguments_map_to_ports() -> None:
    @node
    async def Scale(x: int, *, factor: int = 2, offset: int) -> int:
        return x * factor + offset

    with FlowHDL() as f:
        f.s = Scale(offset=1, x=3)
    ports = f.s.input_ports
    assert [(p.name, p.kind, p.key) for p in ports] == [
        ("x", "positional", None),
        ("factor", "keyword", "factor"),
        ("offset", "keyword", "offset"),
    ]
    assert ports[1].connected is None and ports[2].connected is not None
    assert run_coroutine(f.s.invoke([3, 5, 1])) == 16


def test_var_positional_and_var_keyword_ports() -> None:
    @node
    async def Collect(first: int, *rest: int, **named: int) -> tuple[Any, ...]:
        return (first, rest, named)

    with FlowHDL() as f:
        f.c = Collect(1, 2, 3, k=4)
    assert [p.name for p in f.c.input_ports] == ["first", "rest[0]", "rest[1]", "named['k']"]
    assert run_coroutine(f.c.invoke([1, 2, 3, 4])) == (1, (2, 3), {"k": 4})


def test_literal_arguments_become_constants_even_none() -> None:
    @node
    async def Maybe(v: Any = "default") -> Any:
        return v

    with FlowHDL() as f:
        f.m = Maybe(None)
    producer = f.m.input_ports[0].connected.node
    assert isinstance(producer.draft, Constant) and producer.draft.value is None
    assert repr(producer).startswith("Constant#")
    assert run_coroutine(producer.invoke([])) is None


def test_node_registers_before_its_constants() -> None:
    result = build(lambda v: setattr(v, "a", Add(1, 2)))
    names = [repr(n).split("#")[0] for n in result["registered"]]
    assert names == ["Add", "Constant", "Constant"]


def test_stream_in_ports_have_minimum_run_level_one() -> None:
    @node(stream_in=["items"])
    async def Count(items: Stream[int], start: int = 0) -> int:
        return start

    with FlowHDL() as f:
        f.c = Count(f.g)
        f.g = Gen(2)
    assert [p.stream_in for p in f.c.input_ports] == [True, False]
    assert [p.minimum_run_level for p in f.c.input_ports] == [1, 0]


def test_multiple_outputs_count_from_annotation() -> None:
    @node(multiple_outputs=True)
    async def Split(x: int) -> tuple[int, str]:
        return x, str(x)

    @node(multiple_outputs=True)
    async def Loose(x: int):  # type: ignore[no-untyped-def]
        return x, x

    with FlowHDL() as f:
        f.s = Split(1)
        f.l = Loose(1)
        f.far = Add(f.l.output(5))  # unknown count: checked by the engine at run time
    assert f.s.output_count == 2 and f.s.multiple_outputs
    assert f.s.output_port_annotation(1) is str
    assert f.l.output_count is None
    assert f.far.input_ports[0].connected.port_index == 5


def test_explicit_connect_and_neighbour_lists() -> None:
    with FlowHDL() as f:
        f.src = Add(1)
        f.sink = Add()
        f.src.output(0).connect(f.sink.input(0))
        f.twice = Add(f.src, f.src)
        assert f.sink.get_input_nodes() == [f.src]
        assert f.src.get_output_nodes() == [f.sink, f.twice, f.twice]
    assert f.src.consumers == [(f.sink, 0, 0), (f.twice, 0, 0), (f.twice, 1, 0)]


def test_placeholder_output_connect() -> None:
    with FlowHDL() as f:
        f.sink = Add()
        f.later.output(0).connect(f.sink.input(0))
        f.later = Add(5)
    assert f.sink.input_ports[0].connected.node is f.later


class Tally:
    seen = 0
    history: list[int] = []

    async def call(self, step: int = 1) -> int:
        self.seen += step
        self.history.append(step)
        return self.seen


TallyNode = node(Tally)


def test_class_node_state_is_per_instance_and_deep_copied() -> None:
    with FlowHDL() as f:
        f.one = TallyNode()
        f.two = TallyNode()
    run_coroutine(f.one.invoke([5]))
    run_coroutine(f.one.invoke([1]))
    assert f.one.seen == 6 and f.one.history == [5, 1]
    assert f.two.seen == 0 and f.two.history == []
    assert Tally.history == [] and TallyNode.history == []
    f.two.seen = 100
    assert f.two.draft.seen == 100 and run_coroutine(f.two.invoke([1])) == 101


def test_class_node_methods_are_not_shadowed_by_draft_methods() -> None:
    @node
    class Shadow:
        def output(self, v: int) -> str:  # same name as DraftNode.output
            return f"user output {v}"

        async def call(self, v: int) -> str:
            return self.output(v)

    with FlowHDL() as f:
        f.s = Shadow(3)
    assert run_coroutine(f.s.invoke([3])) == "user output 3"
    assert repr(f.s.output(0)) == f"{f.s!r}.output(0)"


def test_class_node_init_runs_per_instance_and_accumulator_is_exposed() -> None:
    @node
    class Joiner:
        def __init__(self) -> None:
            self.parts: list[str] = []

        def accumulate_streamed_data(self, acc: object, chunk: object) -> object:
            return [acc, chunk]

        async def call(self, x: int) -> AsyncGenerator[int, None]:
            yield x

    with FlowHDL() as f:
        f.a = Joiner(1)
        f.b = Joiner(2)
    assert f.a.parts is not f.b.parts
    assert f.a.is_streaming and f.a.accumulator is not None and f.a.accumulator(1, 2) == [1, 2]
    assert f.b.accumulator is not None
    with FlowHDL() as g:
        g.plain = Add(1)
    assert g.plain.accumulator is None


def test_unknown_attributes_forward_to_the_draft() -> None:
    with FlowHDL() as f:
        f.a = Add(1)
    f.a.note = "hello"
    assert f.a.draft.note == "hello" and f.a.note == "hello"
    with pytest.raises(AttributeError):
        f.a.missing_attribute  # noqa: B018


def test_blank_finalized_and_runtime_view() -> None:
    with FlowHDL():
        draft = Add(1)
    blank = Add(2)._blank_finalized()
    assert all(p.connected is None for p in blank.input_ports)
    assert blank.generation is None and blank.get_data() is None
    assert (
        blank.push_data((5,), 1) == (0, 0)
        and blank.get_data(1) == (5,)
        and blank.get_data(0) is None
    )
    assert blank.push_data((6,)) == (0,) and blank.get_data() == (6,)
    port = blank.input_ports[0]
    assert port.stitch_level_0 == 0
    port.stitch_level_0 = 2
    assert port.stitch_level_0 == 2 and blank._state.stitch_level(0) == 2
    assert isinstance(draft, DraftNode)


def test_invoke_of_generator_returns_an_async_generator() -> None:
    with FlowHDL() as f:
        f.g = Gen(2)
    agen = f.g.invoke([2])
    assert isinstance(agen, AsyncGenerator)
    with pytest.raises(StopIteration) as first:
        agen.__anext__().send(None)
    assert first.value.value == 0
    run_coroutine(agen.aclose())


def test_placeholder_repr_and_output() -> None:
    with FlowHDL() as f:
        placeholder = f.not_yet
        ref = f.not_yet.output(2)
        f.not_yet = Add(1)
    assert (
        isinstance(placeholder, NodePlaceholder)
        and repr(placeholder) == "NodePlaceholder(name='not_yet')"
    )
    assert repr(ref) == "OutputPortRefPlaceholder(name='not_yet', port_index=2)"
