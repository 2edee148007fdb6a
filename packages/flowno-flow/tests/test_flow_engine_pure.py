# The pure parts of the engine, tested without a loop: generation algebra,
# NodeState, freshness, the demand table, solve(),
# the stream decisions and the accumulator.
from __future__ import annotations

from typing import Any

import pytest

from flowno_flow import (
    NodeState,
    clip_generation,
    cmp_generation,
    inc_generation,
    main_generation,
    parent_generation,
    stitched_generation,
)
from flowno_flow._accumulate import Accumulator
from flowno_flow._scheduler import (
    DEMAND_TABLE,
    DemandAction,
    NodeActivity,
    Pick,
    SolveGraph,
    Unbootable,
    is_fresh,
    solve,
)
from flowno_flow._stream import Channel, PortCursor, ReadDecision, may_advance, read_decision

ORDERED = [None, (0, 0), (0, 1), (0,), (1, 0), (1, 5), (1,), (2,)]


@pytest.mark.parametrize("i", range(len(ORDERED)))
@pytest.mark.parametrize("j", range(len(ORDERED)))
def test_cmp_generation_total_order(i: int, j: int) -> None:
    assert cmp_generation(ORDERED[i], ORDERED[j]) == (i > j) - (i < j)


@pytest.mark.parametrize(
    ("gen", "level", "expected"),
    [
        (None, 0, (0,)),
        (None, 1, (0, 0)),
        ((0,), 0, (1,)),
        ((0,), 1, (1, 0)),
        ((0, 0), 1, (0, 1)),
        ((0, 2), 0, (0,)),
        ((1, 2, 3), 1, (1, 3)),
        ((1,), 2, (2, 0, 0)),
    ],
)
def test_inc_generation_table(gen: Any, level: int, expected: Any) -> None:
    assert inc_generation(gen, level) == expected
    assert cmp_generation(expected, gen) > 0


@pytest.mark.parametrize(
    ("gen", "level", "expected"),
    [
        ((0, 0), 0, None),
        ((1, 0), 0, (0,)),
        ((1, 0), 1, (1, 0)),
        ((1, 2, 3), 1, (1, 1)),
        ((1, 2, 3), 0, (0,)),
        (None, 0, None),
        (None, 3, None),
    ],
)
def test_clip_generation_table(gen: Any, level: int, expected: Any) -> None:
    assert clip_generation(gen, level) == expected


def test_main_parent_stitched() -> None:
    assert (
        main_generation((3, 7)) == (3,)
        and main_generation(None) is None
        and main_generation(()) == ()
    )
    assert parent_generation((1,)) == () and parent_generation(()) is None
    assert stitched_generation((0, 3), 2) == (2, 3)
    assert stitched_generation(None, 1) == (0,) and stitched_generation(None, 0) is None


@pytest.mark.parametrize(
    ("stream", "producer", "consumer", "fresh"),
    [
        (False, (1,), (0,), True),
        (False, (1, 0), (0,), False),
        (False, (0, 1), None, False),
        (True, (1, 0), (0,), True),
        (True, (0, 1), (0, 0), True),
        (True, (0,), (0, 1), True),
        (True, (0, 0), (0,), False),
    ],
)
def test_freshness_matrix(stream: bool, producer: Any, consumer: Any, fresh: bool) -> None:
    assert is_fresh(consumer, producer, 1 if stream else 0, 0) is fresh


def test_stitch_makes_the_cycle_turn() -> None:
    assert not is_fresh((0,), (0,), 0, 0)
    assert is_fresh((0,), (0,), 0, 1)


def test_node_state_keeps_one_slot_per_level() -> None:
    state = NodeState()
    assert state.get_data(0) is None and state.generation is None
    for i in range(1000):
        state.push_data((i,), 1)
    assert (
        state.generation == (0, 999) and state.get_data(1) == (999,) and state.get_data(0) is None
    )
    state.push_data(("final",), 0)
    assert state.get_data(0) == ("final",) and state.get_data(1) is None
    state.push_data(("c",), 1)
    assert state.generation == (1, 0) and state.get_data(0) == ("final",)
    assert len(state._slots) == 4  # never grows


def test_node_state_stitch_and_errors() -> None:
    state = NodeState()
    assert state.stitch_level(2) == 0 and state.raise_stitch(2) == 1
    state.set_stitch_level(2, 5)
    assert state.stitch_level(2) == 5
    with pytest.raises(ValueError, match="run_level"):
        state.push_data((1,), 4)
    with pytest.raises(ValueError, match="stitch"):
        state.set_stitch_level(0, -1)


def test_demand_table_is_complete_and_never_drops_busy_demands() -> None:
    assert len(DEMAND_TABLE) == 12
    for (activity, _, _), action in DEMAND_TABLE.items():
        if activity is NodeActivity.BUSY:
            assert action is DemandAction.RETAIN
        if activity is NodeActivity.DEAD:
            assert action is DemandAction.DISCARD
    assert DEMAND_TABLE[(NodeActivity.IDLE, False, False)] is DemandAction.DISCARD


def _graph(
    edges: dict[str, list[tuple[int, str]]],
    busy: set[str] = frozenset(),  # type: ignore[assignment]
    defaults: set[tuple[str, int]] = frozenset(),
) -> SolveGraph[str]:  # type: ignore[assignment]
    order = list(edges)
    return SolveGraph(
        lambda n: edges[n], lambda n: n in busy, order.index, lambda n, p: (n, p) in defaults
    )


def test_solve_chain_diamond_busy_and_cycles() -> None:
    diamond = {"d": [(0, "b"), (1, "c")], "b": [(0, "a")], "c": [(0, "a")], "a": []}
    assert solve("d", _graph(diamond)) == [Pick("a")]
    assert solve("d", _graph(diamond, busy={"a"})) == []
    cycle = {"x": [(0, "y")], "y": [(0, "x")], "src": []}
    cycle["x"].append((1, "src"))
    # y needs nothing from outside the cycle: it starts at once, alongside src
    assert solve("x", _graph(cycle, defaults={("x", 0), ("y", 0)})) == [
        Pick("y", (0,)),
        Pick("src"),
    ]
    assert solve("x", _graph(cycle, defaults={("x", 0)})) == [Pick("src")]
    cycle["x"].pop()
    assert solve("x", _graph(cycle, defaults={("x", 0), ("y", 0)})) == [Pick("x", (0,))]
    with pytest.raises(Unbootable) as info:
        solve("x", _graph(cycle))
    assert [m for m, _ in info.value.members] == ["x", "y"]


def test_solve_is_iterative() -> None:
    n = 20_000
    edges = {f"n{i}": [(0, f"n{i - 1}")] for i in range(1, n)}
    edges["n0"] = []
    reached: set[str] = set()
    assert solve(f"n{n - 1}", _graph(edges), reached) == [Pick("n0")]
    assert len(reached) == n


def _channel(index: int, ports: int) -> tuple[Channel, list[PortCursor]]:
    ch = Channel()
    ch.start_evaluation(0)
    ch.index = index
    cursors = [PortCursor(None, i, 0) for i in range(ports)]  # type: ignore[arg-type]
    ch.ports.extend(cursors)
    return ch, cursors


def test_stream_lockstep_decisions() -> None:
    ch, (p, q) = _channel(0, 2)
    assert read_decision(ch, p, 0, False) is ReadDecision.TAKE
    p.eval, p.taken, p.asking = 0, 0, True
    assert not may_advance(ch)  # q has not taken chunk 0
    q.eval, q.taken = 0, 0
    assert may_advance(ch)
    assert read_decision(ch, p, 0, False) is ReadDecision.WAIT
    ch.finished = True
    assert read_decision(ch, p, 0, False) is ReadDecision.END
    assert read_decision(ch, p, 0, True) is ReadDecision.END


def test_stream_released_and_cancelled_ports_do_not_hold_the_producer() -> None:
    ch, (p,) = _channel(0, 1)
    assert not may_advance(ch)
    p.released_eval = 0
    assert may_advance(ch)
    ch2, (q,) = _channel(0, 1)
    ch2.cancelled_eval = 0
    assert may_advance(ch2)
    assert read_decision(ch2, q, 0, False) is ReadDecision.TAKE
    q.eval, q.taken = 0, 0
    assert read_decision(ch2, q, 0, False) is ReadDecision.END


def test_accumulator_custom_and_empty() -> None:
    acc = Accumulator("N#0", lambda a, c: (a[0] * c[0],))
    for chunk in [(2,), (3,), (4,)]:
        acc.add(chunk)
    assert acc.result() == (24,)
    assert Accumulator("N#0").result() is None
