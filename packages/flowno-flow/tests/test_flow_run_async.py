# Running a flow as a coroutine on any loop, on a mock clock, and ending it with exit().
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from flowno_eventloop import EventLoop, MockClock, exit, sleep
from flowno_flow import FlowHDL, Stream, node


@node
async def Slow(x: int) -> int:
    await sleep(3600)
    return x * 2


@node
async def Count(previous: int = 0) -> int:
    if previous == 3:
        await exit()
    return previous + 1


@pytest.mark.flowno
async def test_run_async_uses_the_test_loop_and_its_mock_clock(mock_clock: MockClock) -> None:
    with FlowHDL() as f:
        f.slow = Slow(21)
    await f.run_async()
    assert f.slow.get_data() == (42,)
    assert mock_clock.now() == 3600.0


def test_run_until_complete_on_a_given_loop() -> None:
    with FlowHDL() as f:
        f.slow = Slow(1)
    clock = MockClock()
    f.run_until_complete(event_loop=EventLoop(clock=clock))
    assert f.slow.get_data() == (2,) and clock.now() == 3600.0


def test_run_async_outside_a_loop_is_a_clear_error() -> None:
    with FlowHDL() as f:
        f.slow = Slow(1)
    coro = f.run_async()
    with pytest.raises(RuntimeError, match="run_async\\(\\) must be awaited inside a task"):
        coro.send(None)
    coro.close()


def test_exit_ends_the_run_normally() -> None:
    with FlowHDL() as f:
        f.count = Count(f.count)
    f.run_until_complete()
    assert f.count.get_data() == (3,)


@pytest.mark.flowno
async def test_exit_in_run_async_ends_the_flow_not_the_loop() -> None:
    with FlowHDL() as f:
        f.count = Count(f.count)
    await f.run_async()
    assert f.count.get_data() == (3,)
    await sleep(0)  # the test's loop still runs


@node
async def ExitWith(x: int) -> int:
    await exit("a value is ignored")
    return x


def test_exit_with_a_value_ends_the_run_normally() -> None:
    with FlowHDL() as f:
        f.a = ExitWith(1)
    f.run_until_complete()
    assert f.a.get_data() is None


@node
async def Fail(x: int) -> int:
    await exit(exception=KeyError("stop here"))
    return x


def test_exit_with_an_exception_raises_it() -> None:
    with FlowHDL() as f:
        f.a = Fail(1)
    with pytest.raises(KeyError, match="stop here"):
        f.run_until_complete()


closed: list[str] = []


@node
async def Words(n: int) -> AsyncIterator[str]:
    try:
        for i in range(n):
            if i == 2:
                await exit()
            yield f"w{i}"
    finally:
        closed.append("words")


@node(stream_in=["words"])
async def Join(words: Stream[str]) -> str:
    return " ".join([w async for w in words])


@pytest.mark.flowno
async def test_exit_inside_a_streaming_node_closes_it() -> None:
    closed.clear()
    with FlowHDL() as f:
        f.words = Words(5)
        f.join = Join(f.words)
    await f.run_async()
    assert closed == ["words"] and f.join.get_data() is None


@node
async def Reenter(x: int) -> int:
    f.run_until_complete()
    return x


def test_running_a_flow_from_its_own_node_is_a_clear_error() -> None:
    global f
    with FlowHDL() as f:
        f.r = Reenter(1)
    with pytest.raises(RuntimeError, match="already running: .* from inside its own node"):
        f.run_until_complete()


@node
async def Spawner(x: int) -> int:
    flow = f._flow
    assert flow is not None
    handle = flow.create_task(sleep(10))
    return x + int(await handle.join())


@pytest.mark.flowno
async def test_create_task_during_run_async_uses_the_running_loop(mock_clock: MockClock) -> None:
    global f
    with FlowHDL() as f:
        f.s = Spawner(1)
    await f.run_async()
    assert f.s.get_data() == (11,) and mock_clock.now() == 10.0


def test_tasks_created_before_the_run_need_the_flows_loop() -> None:
    with FlowHDL() as g:
        g.a = ExitWith(1)
    g.create_task(sleep(0))
    with pytest.raises(RuntimeError, match="run it there"):
        g.run_until_complete(event_loop=EventLoop(clock=MockClock()))
    g.run_until_complete()


def test_exit_inside_a_streaming_node_on_the_flows_own_loop() -> None:
    closed.clear()
    with FlowHDL() as f:
        f.words = Words(5)
        f.join = Join(f.words)
    f.run_until_complete()
    assert closed == ["words"] and f.join.get_data() is None
