# Each test here fails on 0.1.19's behaviour (engine and stream fixes). Time is virtual (MockClock) where nodes sleep.
from __future__ import annotations

import sys
import tracemalloc
from collections import Counter
from typing import Any

import pytest

import flowno_flow._node_run as node_run_module
import flowno_flow._scheduler as scheduler_module
from flowno_eventloop import MockClock, sleep, spawn
from flowno_flow import (
    FlowDeadlockError,
    FlowHDL,
    FlowInstrument,
    Stream,
    TerminateLimitReached,
    current_flow,
    current_node,
    node,
)


def _run(f: FlowHDL, **kwargs: Any) -> None:
    try:
        f.run_until_complete(**kwargs)
    except TerminateLimitReached:
        pass


# ---------------------------------------------------------------------------
def _freshness_checks_per_generation(monkeypatch: pytest.MonkeyPatch, generations: int) -> float:
    calls = Counter[str]()
    original = scheduler_module.is_fresh

    def counting(*args: Any) -> bool:
        calls["is_fresh"] += 1
        return original(*args)

    monkeypatch.setattr(node_run_module, "is_fresh", counting)

    @node
    async def Count(n: int = 0) -> int:
        return n + 1

    with FlowHDL() as f:
        f.c = Count(f.c)
    _run(f, stop_at_node_generation=(generations,))
    assert f.c.get_data() == (generations + 1,)
    return calls["is_fresh"] / generations


def test_work_per_generation_does_not_grow_with_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    short = _freshness_checks_per_generation(monkeypatch, 200)
    long = _freshness_checks_per_generation(monkeypatch, 1600)
    assert 0 < long <= short * 1.01


def test_memory_does_not_keep_every_output() -> None:
    @node
    async def Fresh(n: int = 0) -> int:
        return n + 1

    @node
    async def Blob(n: int) -> bytes:
        return bytes(10_000) + str(n).encode()

    with FlowHDL() as f:
        f.n = Fresh(f.n)
        f.blob = Blob(f.n)
    tracemalloc.start()
    try:
        _run(f, stop_at_node_generation={f.n: (300,)})
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f.blob.get_data() is not None
    assert current < 500_000  # 0.1.19 kept all 300 x 10 kB = 3 MB


# ---------------------------------------------------------------------------
def test_back_pressure_gives_lockstep(clock: MockClock) -> None:
    seen: list[int] = []

    @node
    async def Tick(n: int = -1) -> int:
        await sleep(0.01)
        return n + 1

    @node
    async def Slow(v: int) -> None:
        seen.append(v)
        await sleep(0.035)

    with FlowHDL() as f:
        f.tick = Tick(f.tick)
        f.slow = Slow(f.tick)
    _run(f, stop_at_node_generation={f.tick: (8,)})
    assert seen == list(range(len(seen)))
    assert len(seen) >= 7


# ---------------------------------------------------------------------------
def test_acyclic_graph_with_duplicate_demands_finishes() -> None:
    runs = Counter[str]()

    @node(multiple_outputs=True)
    async def Split(x: int) -> tuple[int, int]:
        runs["Split"] += 1
        return x, x + 1

    @node
    async def Add(a: int, b: int) -> int:
        runs["Add"] += 1
        return a + b

    with FlowHDL() as f:
        f.sp = Split(1)
        f.both = Add(f.sp.output(0), f.sp.output(1))
        f.one = Add(f.sp, 100)
    f.run_until_complete()
    assert dict(runs) == {"Split": 1, "Add": 2}
    assert (f.both.get_data(), f.one.get_data()) == ((3,), (101,))


def test_ladder_of_diamonds_runs_each_node_once() -> None:
    runs = Counter[str]()

    @node
    async def Src(name: str) -> int:
        runs[name] += 1
        return 1

    @node
    async def Sum2(name: str, a: int, b: int) -> int:
        runs[name] += 1
        return a + b

    with FlowHDL() as f:
        f.a0 = Src("a0")
        f.b0 = Src("b0")
        f.a1 = Sum2("a1", f.a0, f.b0)
        f.b1 = Sum2("b1", f.a0, f.b0)
        f.a2 = Sum2("a2", f.a1, f.b1)
        f.b2 = Sum2("b2", f.a1, f.b1)
        f.sink = Sum2("sink", f.a2, f.b2)
    f.run_until_complete()
    assert set(runs.values()) == {1} and len(runs) == 7
    assert f.sink.get_data() == (8,)


# ---------------------------------------------------------------------------
def test_hook_error_terminates_instead_of_hanging() -> None:
    class Broken(FlowInstrument):
        def on_node_emitted_data(self, flow: Any, n: Any, data: Any, run_level: int) -> None:
            raise LookupError("hook failed")

    @node
    async def One() -> int:
        return 1

    with FlowHDL() as f:
        f.one = One()
    with Broken(), pytest.raises(LookupError, match="hook failed") as info:
        f.run_until_complete()
    assert any("f.one (One#" in note for note in getattr(info.value, "__notes__", []))


def test_multi_output_non_tuple_is_a_clear_error() -> None:
    @node(multiple_outputs=True)
    async def Pair():  # type: ignore[no-untyped-def]
        return 5

    @node
    async def Use(v: int) -> int:
        return v

    with FlowHDL() as f:
        f.p = Pair()
        f.u = Use(f.p.output(0))
    with pytest.raises(TypeError, match=r"Pair#\d+ has multiple_outputs=True but returned int"):
        f.run_until_complete()


# ---------------------------------------------------------------------------
def test_late_stream_consumer_reads_the_whole_stream(clock: MockClock) -> None:
    @node
    async def Burst():  # type: ignore[no-untyped-def]
        for i in range(3):
            yield i

    @node(stream_in=["s"])
    async def Eager(s: Stream[int]) -> list[int]:
        return [v async for v in s]

    @node
    async def Gate() -> str:
        await sleep(0.05)
        return "open"

    @node(stream_in=["s"])
    async def Tardy(s: Stream[int], gate: str) -> list[int]:
        return [v async for v in s]

    with FlowHDL() as f:
        f.burst = Burst()
        f.eager = Eager(f.burst)
        f.gate = Gate()
        f.tardy = Tardy(f.burst, f.gate)
    f.run_until_complete()
    assert f.eager.get_data() == f.tardy.get_data() == ([0, 1, 2],)


# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("chunks", "final"),
    [
        (["a", "b"], "ab"),
        ([b"a", b"b"], b"ab"),
        ([1, 2.5], 3.5),
        ([[1], [2]], [1, 2]),
        ([(1,), (2,)], (1, 2)),
        ([{"k": 1}, {"j": 2}], {"k": 1, "j": 2}),
        ([object, int], [object, int]),
    ],
)
def test_accumulation(chunks: list[Any], final: Any) -> None:
    @node
    async def Src():  # type: ignore[no-untyped-def]
        for c in chunks:
            yield c

    @node
    async def Sink(v: Any = "<default>") -> Any:
        return v

    with FlowHDL() as f:
        f.src = Src()
        f.sink = Sink(f.src)
    f.run_until_complete()
    assert f.src.get_data() == (final,) == f.sink.get_data()


def test_mixed_chunk_kinds_are_an_error_naming_the_node() -> None:
    @node
    async def Mixed():  # type: ignore[no-untyped-def]
        yield "a"
        yield 1

    with FlowHDL() as f:
        f.m = Mixed()
    with pytest.raises(TypeError, match=r"Mixed#\d+ output 0: cannot accumulate a int chunk"):
        f.run_until_complete()


# ---------------------------------------------------------------------------
def test_each_output_of_a_multi_output_stream_on_its_own_port() -> None:
    @node(multiple_outputs=True)
    async def NameAndLen():  # type: ignore[no-untyped-def]
        for w in ("ox", "yak"):
            yield (w, len(w))

    @node(stream_in=["s"])
    async def Collect(s: Stream[Any]) -> list[Any]:
        return [v async for v in s]

    with FlowHDL() as f:
        f.src = NameAndLen()
        f.names = Collect(f.src.output(0))
        f.lens = Collect(f.src.output(1))
    f.run_until_complete()
    assert f.names.get_data() == (["ox", "yak"],)
    assert f.lens.get_data() == ([2, 3],)


# ---------------------------------------------------------------------------
@pytest.mark.parametrize("sink_first", [False, True])
def test_sources_and_components_run_concurrently(clock: MockClock, sink_first: bool) -> None:
    @node
    async def Wait(secs: float) -> float:
        await sleep(secs)
        return secs

    @node
    async def Both(a: float, b: float) -> float:
        return a + b

    with FlowHDL() as f:
        if sink_first:
            f.ab = Both(f.a, f.b)
        f.a = Wait(0.2)
        f.b = Wait(0.2)
        if not sink_first:
            f.ab = Both(f.a, f.b)
        f.lonely = Wait(0.2)  # a disconnected component
    start = clock.now()
    f.run_until_complete()
    assert clock.now() - start == pytest.approx(0.2)


def test_cycle_starts_at_first_registered_member_with_defaults() -> None:
    starts: list[str] = []

    @node
    async def Ping(x: int = 0) -> int:
        starts.append("ping")
        return x + 1

    @node
    async def Pong(y: int = 100) -> int:
        starts.append("pong")
        return y + 1

    for first in ("pong", "ping"):
        starts.clear()
        with FlowHDL() as f:
            if first == "pong":
                f.pong = Pong(f.ping)
                f.ping = Ping(f.pong)
            else:
                f.ping = Ping(f.pong)
                f.pong = Pong(f.ping)
        _run(f, stop_at_node_generation=(1,))
        assert starts[0] == first


# ---------------------------------------------------------------------------
class Budget(Exception):
    pass


def test_terminate_on_node_error_false_finishes_the_rest() -> None:
    ran: list[str] = []

    @node
    async def Spend(amount: int) -> int:
        if amount > 10:
            raise Budget(f"too much: {amount}")
        return amount

    @node
    async def Log(v: int) -> None:
        ran.append(f"log {v}")

    with FlowHDL() as f:
        f.bad = Spend(25)
        f.after_bad = Log(f.bad)
        f.good = Spend(5)
        f.after_good = Log(f.good)
    with pytest.raises(Budget, match="too much: 25"):
        f.run_until_complete(terminate_on_node_error=False)
    assert ran == ["log 5"]


def test_on_flow_end_and_current_flow_after_failure_and_limit() -> None:
    ends: list[str] = []

    class Ends(FlowInstrument):
        def on_flow_end(self, flow: Any) -> None:
            ends.append("end")

    @node
    async def Fail() -> int:
        raise Budget("x")

    @node
    async def Loop(n: int = 0) -> int:
        assert current_flow() is not None
        return n + 1

    with FlowHDL() as f:
        f.fail = Fail()
    with FlowHDL() as g:
        g.loop = Loop(g.loop)
    with Ends():
        with pytest.raises(Budget):
            f.run_until_complete()
        with pytest.raises(TerminateLimitReached):
            g.run_until_complete(stop_at_node_generation=(2,))
    assert ends == ["end", "end"]
    assert current_flow() is None


def test_a_flow_can_run_twice_and_resume() -> None:
    @node
    async def Loop(n: int = 0) -> int:
        return n + 1

    with FlowHDL() as f:
        f.loop = Loop(f.loop)
    _run(f, stop_at_node_generation=(2,))
    assert f.loop.generation == (2,)
    _run(f, stop_at_node_generation=(5,))
    assert f.loop.generation == (5,)
    assert f.loop.get_data() == (6,)


def test_draft_keys_in_stop_at_node_generation() -> None:
    @node
    async def Loop(n: int = 0) -> int:
        return n + 1

    with FlowHDL() as f:
        draft = f.loop = Loop(f.loop)
    _run(f, stop_at_node_generation={draft: (3,)})
    assert f.loop.generation == (3,)


# ---------------------------------------------------------------------------
def test_long_chain_declared_sink_first_no_recursion_error() -> None:
    @node
    async def Inc(v: int) -> int:
        return v + 1

    @node
    async def Zero() -> int:
        return 0

    length = max(3 * sys.getrecursionlimit(), 3000)
    with FlowHDL() as f:
        for i in range(length, 0, -1):
            setattr(f, f"n{i}", Inc(getattr(f, f"n{i - 1}")))
        f.n0 = Zero()
    f.run_until_complete()
    assert getattr(f, f"n{length}").get_data() == (length,)


# --------------------------------------------------------------------------- cleanup
def test_abandoned_generators_are_closed_by_the_engine() -> None:
    events: list[str] = []

    @node
    async def Endless(seed: int = 0):  # type: ignore[no-untyped-def]
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            events.append("closed")

    @node(stream_in=["s"])
    async def Take(s: Stream[int]) -> int:
        total = 0
        async for v in s:
            total += v
        return total

    with FlowHDL() as f:
        f.e = Endless()
        f.t = Take(f.e)
    with pytest.raises(TerminateLimitReached):
        f.run_until_complete(stop_at_node_generation={f.e: (0, 5)})
    assert events == ["closed"]


def test_stream_cancel_reaches_a_producer_that_keeps_yielding() -> None:
    @node
    async def Stubborn():  # type: ignore[no-untyped-def]
        for i in range(5):
            try:
                yield i
            except Exception:  # noqa: BLE001 - ignores StreamCancelled on purpose
                pass

    @node(stream_in=["s"])
    async def Two(s: Stream[int]) -> list[int]:
        got: list[int] = []
        async for v in s:
            got.append(v)
            if len(got) == 2:
                await s.cancel()
        return got

    with FlowHDL() as f:
        f.s = Stubborn()
        f.two = Two(f.s)
    f.run_until_complete()
    assert f.two.get_data() == ([0, 1],)
    assert f.s.generation == (0,)


# --------------------------------------------------------------------------- beyond
def test_deadlock_is_reported_with_each_waiting_node() -> None:
    @node
    async def Gen():  # type: ignore[no-untyped-def]
        yield 1
        yield 2

    @node
    async def Total(v: int) -> int:
        return v

    @node(stream_in=["s"])
    async def Needs(s: Stream[int], total: int) -> list[int]:
        return [v async for v in s]

    with FlowHDL() as f:
        f.g = Gen()
        f.t = Total(f.g)
        f.n = Needs(f.g, f.t)
    with pytest.raises(FlowDeadlockError) as info:
        f.run_until_complete()
    text = str(info.value)
    assert text.startswith("Flow deadlock: no node can make progress.")
    assert "Gen#" in text and "Needs#" in text and "chunk (0, 0)" in text


def test_node_error_keeps_type_and_traceback_and_names_the_node() -> None:
    @node
    async def Boom(x: int) -> int:
        raise Budget(f"bad {x}")

    @node
    async def Feed(n: int = 0) -> int:
        return n + 1

    with FlowHDL() as f:
        f.feed = Feed(f.feed)
        f.boom = Boom(f.feed)
    with pytest.raises(Budget) as info:
        f.run_until_complete()
    notes = getattr(info.value, "__notes__", [])
    assert notes and "Boom#" in notes[0] and "generation None" in notes[0]
    assert info.value.__traceback__ is not None
    assert any(tb.name == "Boom" for tb in _frames(info.value.__traceback__))


def _frames(tb: Any) -> list[Any]:
    out = []
    while tb is not None:
        out.append(tb.tb_frame.f_code.co_name and tb.tb_frame.f_code)
        tb = tb.tb_next
    return [type("F", (), {"name": c.co_name}) for c in out]


def test_current_node_is_none_in_a_helper_task() -> None:
    seen: dict[str, Any] = {}

    async def helper() -> None:
        seen["helper"] = current_node()
        seen["helper_flow"] = current_flow()

    @node
    async def Spawner() -> int:
        seen["node"] = current_node()
        await spawn(helper())
        return 1

    with FlowHDL() as f:
        f.s = Spawner()
    f.run_until_complete()
    assert seen["node"] is f.s
    assert seen["helper"] is None
    assert seen["helper_flow"] is f._flow


def test_several_failures_with_terminate_false_raise_a_group() -> None:
    @node
    async def Bad(tag: str) -> int:
        raise Budget(tag)

    with FlowHDL() as f:
        f.x = Bad("x")
        f.y = Bad("y")
    with pytest.raises(Exception) as info:
        f.run_until_complete(terminate_on_node_error=False)
    group = info.value
    assert type(group).__name__ == "ExceptionGroup"
    assert sorted(str(e) for e in group.exceptions) == ["x", "y"]  # type: ignore[attr-defined]


def test_empty_stream_missing_default_is_raised_not_hung() -> None:
    from flowno_flow import MissingDefaultError

    @node
    async def Nothing():  # type: ignore[no-untyped-def]
        for _ in range(0):
            yield 0

    @node(stream_in=["s"])
    async def Count(s: Stream[int]) -> int:
        return len([v async for v in s])

    @node
    async def Needs(v: int) -> int:
        return v

    with FlowHDL() as f:
        f.n = Nothing()
        f.c = Count(f.n)
        f.m = Needs(f.n)
    with pytest.raises(MissingDefaultError, match="Needs#"):
        f.run_until_complete()
    assert f.c.get_data() == (0,)  # the stream consumer saw an empty stream


@pytest.mark.parametrize(
    "hook", ["on_resolution_queue_get", "on_node_status_change", "on_node_pause"]
)
def test_any_failing_hook_terminates_the_run(hook: str) -> None:
    def boom(self: Any, *args: Any) -> None:
        raise LookupError(hook)

    Broken = type("Broken", (FlowInstrument,), {hook: boom})

    @node
    async def One() -> int:
        return 1

    @node
    async def Two(v: int) -> int:
        return v

    with FlowHDL() as f:
        f.one = One()
        f.two = Two(f.one)
    with Broken(), pytest.raises(LookupError, match=hook):
        f.run_until_complete()


def test_increment_double_cycle(capsys: pytest.CaptureFixture[str]) -> None:
    @node
    async def Increment(x: int = 0) -> int:
        print("increment", x)
        return x + 1

    @node
    async def Double(x: int) -> int:
        print("double", x)
        return 2 * x

    with FlowHDL() as f:
        f.inc = Increment(f.dbl)
        f.dbl = Double(f.inc)
    with pytest.raises(TerminateLimitReached):
        f.run_until_complete(stop_at_node_generation=(2,), _debug_max_wait_time=0.01)
    assert capsys.readouterr().out.split("\n") == [
        "increment 0",
        "double 1",
        "increment 2",
        "double 3",
        "increment 6",
        "",
    ]
    assert (f.inc.get_data(), f.dbl.get_data()) == ((7,), (6,))
