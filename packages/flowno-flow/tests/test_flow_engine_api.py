# The engine's public surface: the documented Flow members, statuses,
# instrumentation (hooks, print/log instruments, Chrome trace), context, limits.
from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from flowno_eventloop import MockClock, sleep
from flowno_flow import (
    ChromeTraceInstrument,
    Executing,
    Flow,
    FlowHDL,
    FlowInstrument,
    LogInstrument,
    MinimalInstrument,
    PrintInstrument,
    Queued,
    Stalled,
    Stream,
    TerminateLimitReached,
    WaitingForStartNextGeneration,
    current_context,
    node,
)


@node
async def Inc(v: int = 0) -> int:
    return v + 1


def test_seed_members_after_a_run() -> None:
    with FlowHDL() as f:
        f.a = Inc(1)
        f.b = Inc(f.a)
    flow = f._flow
    assert isinstance(flow, Flow) and repr(flow).startswith("<Flow#")
    assert set(flow.unvisited) == set(flow.node_tasks)
    f.run_until_complete()
    assert f.b.get_data() == (3,)
    assert flow.unvisited == [] and {f.a, f.b} <= flow.visited
    assert flow.node_tasks[f.b].status == WaitingForStartNextGeneration(0)
    assert len(flow.resolution_queue) == 0


def test_status_changes_of_a_stream_consumer() -> None:
    changes: list[tuple[str, str]] = []

    class Statuses(FlowInstrument):
        def on_node_status_change(self, flow: Any, n: Any, old: Any, new: Any) -> None:
            changes.append((repr(n).split("#")[0], type(new).__name__))

    @node
    async def Gen():  # type: ignore[no-untyped-def]
        yield 1
        yield 2

    @node(stream_in=["s"])
    async def Sum(s: Stream[int]) -> int:
        return sum([v async for v in s])

    with FlowHDL() as f:
        f.g = Gen()
        f.s = Sum(f.g)
    with Statuses():
        f.run_until_complete()
    assert f.s.get_data() == (3,)
    sums = [status for name, status in changes if name == "Sum"]
    assert sums[:3] == ["Queued", "Executing", "Stalled"]
    assert sums[-1] == "WaitingForStartNextGeneration"
    assert "Stalled" in [s for n, s in changes if n == "Sum"]
    assert ("Gen", "WaitingForStartNextGeneration") in changes


def test_status_classes() -> None:
    assert Queued() == Queued() and Executing() != Queued()
    assert Stalled("x").stalling_input == "x"
    assert WaitingForStartNextGeneration().run_level == -1


def test_flow_driven_directly_and_defaulted_inputs() -> None:
    with FlowHDL() as f:
        f.loop = Inc(f.loop)
    flow = f._flow
    seen: list[bool] = []

    class Defaults(FlowInstrument):
        def on_defaulted_inputs_set(self, fl: Any, n: Any, defaulted: list[int]) -> None:
            seen.append(fl.is_input_defaulted(n, 0))

    with Defaults(), pytest.raises(TerminateLimitReached):
        flow.run_until_complete(stop_at_node_generation=(2,))
    assert seen == [True, False, False]
    assert f.loop._input_ports[0].stitch_level_0 == 1
    flow.set_defaulted_inputs(f.loop, [0])
    assert flow.is_input_defaulted(f.loop, 0) and f.loop._input_ports[0].stitch_level_0 == 2
    flow.clear_defaulted_inputs(f.loop)
    assert not flow.is_input_defaulted(f.loop, 0)


def test_print_log_and_minimal_instruments(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    with FlowHDL() as f:
        f.a = Inc(1)
    printer = PrintInstrument()
    lines: list[str] = []
    printer.print = lines.append
    with printer:
        f.run_until_complete()
    assert lines[0].startswith("[flow] start <Flow#") and any("emit Inc#" in x for x in lines)
    with caplog.at_level(logging.DEBUG, logger="flowno.flow"), LogInstrument():
        f.run_until_complete()
    assert any("[flow] start" in r.getMessage() for r in caplog.records)
    with MinimalInstrument():
        f.run_until_complete()
    assert "flow start <Flow#" in capsys.readouterr().out


def test_chrome_trace_has_node_slices_items_and_waits(clock: MockClock) -> None:
    @node
    async def Gen():  # type: ignore[no-untyped-def]
        for i in range(3):
            await sleep(0.01)
            yield i

    @node(stream_in=["s"])
    async def Sum(s: Stream[int]) -> int:
        return sum([v async for v in s])

    with FlowHDL() as f:
        f.g = Gen()
        f.s = Sum(f.g)
    trace = ChromeTraceInstrument(clock=clock.now)
    with trace:
        f.run_until_complete()
    buffer = io.StringIO()
    trace.write(buffer)
    events = json.loads(buffer.getvalue())["traceEvents"]
    slices = [e for e in events if e["ph"] == "X" and e["cat"] == "node"]
    assert sorted(e["name"].split("#")[0] for e in slices) == ["Gen", "Sum"]
    assert [e["args"]["generation"] for e in slices if e["name"].startswith("Gen")] == ["(0,)"]
    tracks = sorted(e["args"]["name"] for e in events if e["name"] == "thread_name")
    assert tracks == [f"f.g ({f.g!r})", f"f.s ({f.s!r})"]  # the FlowHDL attribute names
    assert len([e for e in events if e["ph"] == "i" and e["cat"] == "stream"]) == 3
    stalls = [e for e in events if e["name"] == "stalled"]
    assert stalls and all(e["dur"] == pytest.approx(10_000) for e in stalls[:2])


def test_context_factory_is_called_per_call_and_errors() -> None:
    made: list[str] = []

    @node
    async def Work(x: int) -> tuple[Any, Any]:
        return current_context(), current_context()

    with FlowHDL() as f:
        f.w = Work(1)
    f.run_until_complete(context_factory=lambda n: made.append(repr(n)) or len(made))
    assert f.w.get_data() == ((1, 2),)
    assert [m.split("#")[0] for m in made] == ["Work", "Work"]
    with pytest.raises(RuntimeError, match="No context factory provided"):
        f2 = FlowHDL()
        with f2:
            f2.w = Work(2)
        f2.run_until_complete()


def test_stop_at_none_value_in_dict_and_global_none() -> None:
    with FlowHDL() as f:
        f.loop = Inc(f.loop)
    with pytest.raises(TerminateLimitReached):
        f.run_until_complete(stop_at_node_generation={f.loop: None})
    assert f.loop.generation == (0,)
    with FlowHDL() as g:
        g.a = Inc(1)
    g.run_until_complete(stop_at_node_generation=None)  # None: no limit
    assert g.a.get_data() == (2,)
    with pytest.raises(KeyError, match="not a node"):
        g.run_until_complete(stop_at_node_generation={"nope": (1,)})


def test_limit_inside_a_stream_stops_after_that_chunk() -> None:
    @node
    async def Gen():  # type: ignore[no-untyped-def]
        for i in range(10):
            yield i

    with FlowHDL() as f:
        f.g = Gen()
    with pytest.raises(TerminateLimitReached):
        f.run_until_complete(stop_at_node_generation=(0, 1))
    assert f.g.generation == (0, 1) and f.g.get_data(1) == (1,)


def test_concurrency_inside_a_cycle(clock: MockClock) -> None:
    @node
    async def Hub(n: int = 0) -> int:
        return n + 1

    @node
    async def Nap(x: int, secs: float) -> int:
        await sleep(secs)
        return x

    @node
    async def Join(a: int, b: int) -> int:
        return a

    with FlowHDL() as f:
        f.hub = Hub(f.join)
        f.p = Nap(f.hub, 0.1)
        f.q = Nap(f.hub, 0.15)
        f.join = Join(f.p, f.q)
    start = clock.now()
    with pytest.raises(TerminateLimitReached):
        f.run_until_complete(stop_at_node_generation={f.hub: (3,)})
    assert clock.now() - start == pytest.approx(3 * 0.15)


def test_create_task_runs_with_the_flow() -> None:
    done: list[int] = []

    async def helper() -> None:
        done.append(1)

    with FlowHDL() as f:
        f.a = Inc(1)
    f.create_task(helper())
    f.run_until_complete()
    assert done == [1]
