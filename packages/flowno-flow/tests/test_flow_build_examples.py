"""The documented building examples print their documented output.

Those that run a flow need the engine's Flow; they are facts about the whole package.
"""

from __future__ import annotations

from typing import Any

import pytest

from flowno_flow import DraftNode, FlowHDL
from flowno_flow._decorator import node
from flowno_flow._run_errors import TerminateLimitReached
from flowno_flow._stream import Stream


def test_seed_node_docstring_examples(capsys: pytest.CaptureFixture[str]) -> None:
    @node
    async def Add(x: int, y: int) -> int:
        return x + y

    add_node = Add(1, 2)
    print(add_node)

    @node(stream_in=["a"])
    async def SumStream(x: int, a: Stream[int]) -> int:
        total = x
        async for value in a:
            total += value
        return total

    sum_stream_node = SumStream(1)
    print(sum_stream_node)

    @node(multiple_outputs=True)
    async def SumAndDiff(x: int, y: int) -> tuple[int, int]:
        return x + y, x - y

    sum_and_diff_node = SumAndDiff(3, 1)
    print(sum_and_diff_node)
    assert capsys.readouterr().out == "Add#0\nSumStream#0\nSumAndDiff#0\n"
    assert all(isinstance(n, DraftNode) for n in (add_node, sum_stream_node, sum_and_diff_node))
    assert sum_and_diff_node.output(1).port_index == 1


def test_seed_draftnode_example_builds() -> None:
    @node
    async def add(a: int, b: int) -> int:
        return a + b

    with FlowHDL() as f:
        f.result = add(1, f.result)
    assert f.result.input_ports[1].connected.node is f.result


def test_seed_flowhdl_forward_reference_example() -> None:
    @node
    async def Add(a: int, b: int) -> int:
        return a + b

    @node
    async def Source(v: int) -> int:
        return v

    with FlowHDL() as f:
        f.result = Add(f.a, f.b)
        f.a = Source(1)
        f.b = Source(2)
    f.run_until_complete()
    assert f.result.get_data() == (3,)


def test_spec_quick_example(capsys: pytest.CaptureFixture[str]) -> None:
    @node
    async def Mul(a: int, b: int) -> int:
        return a * b

    @node
    async def Neg(v: int) -> int:
        return -v

    with FlowHDL() as f:
        f.prod = Mul(3, 4)
        f.neg = Neg(f.prod)
        print("inside :", type(f.prod).__name__, f.prod)

    print("outside:", type(f.prod).__name__, f.prod, f.prod.generation, f.prod.get_data())
    f.run_until_complete()
    print("after  :", f.prod.get_data(), f.neg.get_data(), f.neg.generation)
    print("level 1:", f.neg.get_data(run_level=1))
    assert capsys.readouterr().out == (
        "inside : Mul Mul#0\n"
        "outside: FinalizedNode Mul#0 None None\n"
        "after  : (12,) (-12,) (0,)\n"
        "level 1: None\n"
    )


def test_spec_class_node_example_without_shared_state(capsys: pytest.CaptureFixture[str]) -> None:
    @node
    class Tally:
        seen = 0
        history: list[int] = []

        async def call(self, step: int = 1) -> int:
            self.seen += step
            self.history.append(step)
            return self.seen

    with FlowHDL() as f:
        f.t = Tally(f.t)
    try:
        f.run_until_complete(stop_at_node_generation=(3,))
    except TerminateLimitReached:
        pass
    print(f.t.get_data(), f.t.seen, f.t.history, Tally.history)
    # The original printed Tally.history as [1, 1, 2, 4] (a shared list); ours is per node.
    assert capsys.readouterr().out == "(8,) 8 [1, 1, 2, 4] []\n"


def test_spec_multiple_outputs_example(capsys: pytest.CaptureFixture[str]) -> None:
    @node(multiple_outputs=True)
    async def DivMod(a: int, b: int):  # type: ignore[no-untyped-def]
        return a // b, a % b

    @node
    async def Show(label: str, v: Any) -> Any:
        print(label, v)
        return v

    with FlowHDL() as f:
        f.dm = DivMod(17, 5)
        f.q = Show("quotient", f.dm.output(0))
        f.r = Show("remainder", f.dm.output(1))
        f.first = Show("node passed directly ->", f.dm)
    f.run_until_complete()
    print(f.dm.get_data(), f.q.get_data(), f.r.get_data())
    out = capsys.readouterr().out.splitlines()
    assert sorted(out[:3]) == ["node passed directly -> 3", "quotient 3", "remainder 2"]
    assert out[3] == "(3, 2) (3,) (2,)"


def test_spec_attribute_protocol_example(capsys: pytest.CaptureFixture[str]) -> None:
    @node
    async def Greet(name: str, punct: str = "!") -> str:
        return f"hello {name}{punct}"

    @node
    async def Shout(text: str) -> str:
        return text.upper()

    with FlowHDL() as f:
        f.loud = Shout(f.msg)
        print("placeholder:", f.later_thing)
        f.msg = Greet("ada")

    f.run_until_complete()
    print(f.loud.get_data(), f.msg.get_data())
    assert capsys.readouterr().out == (
        "placeholder: NodePlaceholder(name='later_thing')\n('HELLO ADA!',) ('hello ada!',)\n"
    )


def test_spec_keyword_arguments_run(capsys: pytest.CaptureFixture[str]) -> None:
    @node
    async def Scale(x: int, *, factor: int = 2) -> int:
        return x * factor

    with FlowHDL() as f:
        f.a = Scale(x=3)
        f.b = Scale(f.a, factor=10)
    f.run_until_complete()
    assert (f.a.get_data(), f.b.get_data()) == ((6,), (60,))
