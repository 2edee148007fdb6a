# Routing by output type (node.on(T)) and runs that end by themselves at quiescence.
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Optional

import pytest

from flowno_flow import (
    ConnectionTypeError,
    FlowHDL,
    OutputPortError,
    Stream,
    StreamWiringError,
    node,
)


@dataclass
class ToolCall:
    name: str
    args: dict[str, str]


@dataclass
class Answer:
    text: str


log: list[tuple[str, object]] = []


@node
async def Agent(question: str, tool_result: str | None = None) -> ToolCall | Answer:
    log.append(("agent", tool_result))
    calls = sum(1 for kind, _ in log if kind == "tool")
    if calls < 3:
        return ToolCall("mul", {"a": "6", "b": str(calls + 5)})
    return Answer(f"{question} {tool_result}")


@node
async def RunTool(call: ToolCall) -> str:
    log.append(("tool", call.args["b"]))
    return str(int(call.args["a"]) * int(call.args["b"]))


@node
async def Show(answer: Answer) -> None:
    log.append(("show", answer.text))


def test_agent_loop_turns_while_it_calls_tools_and_ends_by_itself() -> None:
    log.clear()
    with FlowHDL() as f:
        f.agent = Agent("what is 6 x 7?", f.tool)
        f.tool = RunTool(f.agent.on(ToolCall))
        f.show = Show(f.agent.on(Answer))
    f.run_until_complete()
    assert log == [
        ("agent", None),
        ("tool", "5"),
        ("agent", "30"),
        ("tool", "6"),
        ("agent", "36"),
        ("tool", "7"),
        ("agent", "42"),
        ("show", "what is 6 x 7? 42"),
    ]
    assert f.agent.generation == (3,) and f.tool.generation == (2,) and f.show.generation == (0,)


@node
async def Newton(x: float = 1.0) -> float | str:
    better = (x + 2 / x) / 2
    return f"{better:.6f}" if abs(better - x) < 1e-12 else better


@node
async def Keep(text: str) -> str:
    return text


def test_iterate_until_converged_ends_without_a_generation_limit() -> None:
    with FlowHDL() as f:
        f.step = Newton(f.step.on(float))
        f.result = Keep(f.step.on(str))
    f.run_until_complete()
    assert f.result.get_data() == ("1.414214",)


@node
async def Parse(text: str) -> int | None:
    return int(text) if text.isdigit() else None


@node
async def Double(x: int) -> int:
    return 2 * x


def test_maybe_output_fires_only_for_a_value() -> None:
    with FlowHDL() as f:
        f.good = Parse("21")
        f.bad = Parse("x")
        f.d_good = Double(f.good.on(int))
        f.d_bad = Double(f.bad.on(int))
    f.run_until_complete()
    assert f.d_good.get_data() == (42,)
    assert f.d_bad.get_data() is None and f.d_bad.generation is None


@node
async def Flip(n: int = 0) -> int | str:
    return n + 1 if n < 4 else "done"


@node
async def Pair(number: int, label: str) -> str:
    return f"{label}{number}"


def test_a_routed_input_keeps_the_value_it_fired_with() -> None:
    with FlowHDL() as f:
        f.flip = Flip(f.flip.on(int))
        f.pair = Pair(f.flip.on(int), f.flip.on(str))
    f.run_until_complete()
    # the int port last fired with 4 (generation 3); "done" came at generation 4
    assert f.pair.get_data() == ("done4",)


def test_on_needs_a_member_of_the_return_union() -> None:
    with pytest.raises(OutputPortError, match=r"\.on\(str\): str is not one of the types"):
        with FlowHDL() as f:
            f.a = Parse("1")
            f.b = Double(f.a.on(str))


def test_on_needs_a_union_return() -> None:
    with pytest.raises(OutputPortError, match="not a union"):
        with FlowHDL() as f:
            f.a = Double(1)
            f.b = Double(f.a.on(int))


def test_on_needs_a_class() -> None:
    with pytest.raises(OutputPortError, match="on\\(\\) takes a class"):
        with FlowHDL() as f:
            f.a = Parse("1")
            f.b = Double(f.a.on("int"))  # type: ignore[arg-type]


@node
async def MaybeWords(text: str) -> list[str] | None:
    return text.split() or None


@node
async def Count(words: list[str]) -> int:
    return len(words)


@node
async def Missing(value: None) -> str:
    return "missing"


def test_a_generic_member_is_routed_on_by_its_class() -> None:
    with FlowHDL() as f:
        f.full = MaybeWords("a b c")
        f.empty = MaybeWords("")
        f.n = Count(f.full.on(list))
        f.none = Count(f.empty.on(list))
    f.run_until_complete()
    assert f.n.get_data() == (3,)
    assert f.none.get_data() is None


def test_a_generic_alias_is_refused_with_the_class_to_write() -> None:
    with pytest.raises(OutputPortError, match=r"takes a class .* \(write on\(list\)\)"):
        with FlowHDL() as f:
            f.a = MaybeWords("a")
            f.b = Count(f.a.on(list[str]))  # type: ignore[arg-type]


def test_on_none_is_the_none_member_as_the_error_messages_suggest() -> None:
    with pytest.raises(OutputPortError, match=r"use one of: int, None"):
        with FlowHDL() as f:
            f.a = Parse("1")
            f.b = Double(f.a.on(str))
    with FlowHDL() as f:
        f.digits = Parse("7")
        f.word = Parse("seven")
        f.d = Missing(f.digits.on(None))
        f.w = Missing(f.word.on(None))
        f.fwd = Missing(f.later.on(None))
        f.later = Parse("x")
    f.run_until_complete()
    assert f.d.get_data() is None
    assert f.w.get_data() == ("missing",)
    assert f.fwd.get_data() == ("missing",)


def test_an_optional_return_is_shown_as_its_members() -> None:
    @node
    async def Maybe(x: int) -> Optional[str]:  # noqa: UP045 (the spelling under test)
        return None

    with pytest.raises(OutputPortError, match=r"returns \(str \| None\); use one of: str, None"):
        with FlowHDL() as f:
            f.a = Maybe(1)
            f.b = Double(f.a.on(int))


def test_forward_reference_on_is_checked_at_finalization() -> None:
    with pytest.raises(OutputPortError, match=r"on\(Answer\): Answer is not one of the types"):
        with FlowHDL() as f:
            f.b = Show(f.a.on(Answer))
            f.a = Parse("1")


def test_routed_port_type_is_checked_against_the_consumer() -> None:
    with pytest.raises(ConnectionTypeError, match=r"Agent#\d+\.on\(Answer\)"):
        with FlowHDL() as f:
            f.agent = Agent("q", f.tool)
            f.tool = RunTool(f.agent.on(Answer))


@node
async def Words(n: int) -> AsyncIterator[str]:
    for i in range(n):
        yield str(i)


@node(stream_in=["words"])
async def Collect(words: Stream[str]) -> str:
    return "".join([w async for w in words])


@node
async def Either(n: int) -> int | str:
    return n


def test_stream_in_cannot_take_a_routed_port() -> None:
    with pytest.raises(StreamWiringError, match="routed port"):
        with FlowHDL() as f:
            f.e = Either(1)
            f.c = Collect(f.e.on(str))  # type: ignore[arg-type]


def test_pictures_draw_routed_edges_dashed_and_labelled() -> None:
    with FlowHDL() as f:
        f.agent = Agent("q", f.tool)
        f.tool = RunTool(f.agent.on(ToolCall))
        f.show = Show(f.agent.on(Answer))
    mermaid = f.to_mermaid()
    assert '-.->|"on ToolCall → call[0]"|' in mermaid
    assert '-.->|"on Answer → answer[0]"|' in mermaid
    dot = f.to_dot()
    assert 'label="on Answer → answer[0]", style="dashed"' in dot
    assert repr(f.show.input_ports[0].connected).endswith(".on(Answer)")
