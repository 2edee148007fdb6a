"""Streams with one reader: the chunk handed over to a parked reader, lazy lockstep kept.

The same scenarios pass unchanged on the engine before the hand-over (these tests pin the
observable behaviour, not the mechanism).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from flowno_eventloop import MockClock, move_on_after, sleep
from flowno_flow import (
    FlowHDL,
    FlowInstrument,
    Stream,
    TerminateLimitReached,
    current_flow,
    node,
)


def _chain(log: list[str], n: int) -> FlowHDL:
    @node
    async def Source() -> AsyncIterator[int]:
        for i in range(n):
            log.append(f"make {i}")
            yield i

    @node(stream_in=["xs"])
    async def Double(xs: Stream[int]) -> AsyncIterator[int]:
        async for x in xs:
            log.append(f"double {x}")
            yield 2 * x

    @node(stream_in=["xs"])
    async def Total(xs: Stream[int]) -> int:
        total = 0
        async for x in xs:
            log.append(f"add {x}")
            total += x
        return total

    with FlowHDL() as f:
        f.src = Source()
        f.dbl = Double(f.src)
        f.total = Total(f.dbl)
    return f


def test_one_reader_chain_runs_in_lazy_lockstep() -> None:
    log: list[str] = []
    f = _chain(log, 3)
    f.run_until_complete()
    assert f.total.get_data() == (6,)  # type: ignore[attr-defined]
    assert f.src.get_data() == (3,) and f.dbl.get_data() == (6,)  # type: ignore[attr-defined]
    expected = [line for i in range(3) for line in (f"make {i}", f"double {i}", f"add {2 * i}")]
    assert log == expected  # a producer makes chunk k+1 only once its reader asks


def test_one_reader_chain_with_an_instrument_sees_every_chunk() -> None:
    seen: list[object] = []

    class Spy(FlowInstrument):
        def on_stream_next(self, stream: Stream[Any], data: Any) -> None:
            seen.append(data)

    log: list[str] = []
    f = _chain(log, 3)
    with Spy():
        f.run_until_complete()
    assert f.total.get_data() == (6,)  # type: ignore[attr-defined]
    assert seen == [0, 0, 1, 2, 2, 4]


def test_statuses_between_chunks_are_the_documented_ones() -> None:
    statuses: list[tuple[str, str]] = []

    @node
    async def Source() -> AsyncIterator[int]:
        for i in range(2):
            yield i

    @node(stream_in=["xs"])
    async def Look(xs: Stream[int]) -> int:
        flow = current_flow()
        assert flow is not None
        async for _ in xs:
            for key, run in flow.node_tasks.items():
                statuses.append((repr(key), type(run.status).__name__))
        return 0

    with FlowHDL() as f:
        f.src = Source()
        f.look = Look(f.src)
    f.run_until_complete()
    # the reader runs; its producer waits for the reader to ask for the next chunk
    assert statuses == [("Source#0", "WaitingForStartNextGeneration"), ("Look#0", "Executing")] * 2


@pytest.mark.parametrize("patience", [0.05, 0.1, 0.15])
def test_a_reader_that_times_out_while_stalled_loses_no_chunk(
    clock: MockClock, patience: float
) -> None:
    got: list[int] = []
    timeouts: list[int] = []

    @node
    async def Slow() -> AsyncIterator[int]:
        for i in range(4):
            await sleep(0.1)
            yield i

    @node(stream_in=["xs"])
    async def Impatient(xs: Stream[int]) -> int:
        while len(got) < 4:
            with move_on_after(patience) as scope:
                got.append(await xs.__anext__())
            if scope.cancelled_caught:
                timeouts.append(len(got))
        return len(got)

    with FlowHDL() as f:
        f.slow = Slow()
        f.reader = Impatient(f.slow)
    f.run_until_complete()
    assert got == [0, 1, 2, 3]
    assert f.slow.get_data() == (6,)  # type: ignore[attr-defined]
    if patience < 0.1:
        assert timeouts  # (and each retry read the chunk the timed-out wait did not)
    elif patience > 0.1:
        assert not timeouts


def test_a_reader_leaving_mid_stream_is_demanded_again() -> None:
    runs: list[list[int]] = []

    @node
    async def Source(n: int = 0) -> AsyncIterator[int]:
        for i in range(3):
            yield 10 * n + i

    @node(stream_in=["xs"])
    async def FirstTwo(xs: Stream[int]) -> int:
        taken: list[int] = []
        async for x in xs:
            taken.append(x)
            if len(taken) == 2:
                break
        runs.append(taken)
        return len(runs)

    with FlowHDL() as f:
        f.src = Source(f.first)
        f.first = FirstTwo(f.src)
    with pytest.raises(TerminateLimitReached):
        f.run_until_complete(stop_at_node_generation={f.first: (2,)})
    assert runs == [[0, 1], [10, 11], [20, 21]]
    assert f.src.generation == (2,)  # type: ignore[attr-defined]
