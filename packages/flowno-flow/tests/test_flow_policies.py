# Per-node retry, timeout and custom policies, all on the loop's (mock) clock.
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from flowno_eventloop import MockClock, sleep
from flowno_flow import (
    FlowHDL,
    NodeCall,
    NodeDefinitionError,
    NodeTimeoutError,
    Retry,
    node,
)

calls: list[float] = []


def flaky(failures: int, kind: type[Exception] = ConnectionError) -> Any:
    @node(retry=Retry(attempts=3, backoff=2.0, delay=1.0, retry_on=(ConnectionError,)))
    async def Fetch(x: int) -> int:
        from flowno_eventloop import current_event_loop

        loop = current_event_loop()
        assert loop is not None
        calls.append(loop.clock.now())
        if len(calls) <= failures:
            raise kind(f"attempt {len(calls)} failed")
        return x * 10

    return Fetch


@pytest.mark.flowno
async def test_retry_backs_off_exponentially_on_the_mock_clock(mock_clock: MockClock) -> None:
    calls.clear()
    Fetch = flaky(2)
    with FlowHDL() as f:
        f.fetch = Fetch(4)
    await f.run_async()
    assert f.fetch.get_data() == (40,)
    assert calls == [0.0, 1.0, 3.0]


@pytest.mark.flowno
async def test_retry_gives_up_after_the_attempts_with_a_note(mock_clock: MockClock) -> None:
    calls.clear()
    Fetch = flaky(5)
    with FlowHDL() as f:
        f.fetch = Fetch(4)
    with pytest.raises(ConnectionError, match="attempt 3 failed") as info:
        await f.run_async()
    assert "f.fetch: failed after 3 attempt(s)" in info.value.__notes__
    assert len(calls) == 3


@pytest.mark.flowno
async def test_errors_outside_retry_on_are_not_retried(mock_clock: MockClock) -> None:
    calls.clear()
    Fetch = flaky(5, ValueError)
    with FlowHDL() as f:
        f.fetch = Fetch(4)
    with pytest.raises(ValueError, match="attempt 1 failed"):
        await f.run_async()
    assert calls == [0.0]


@node(timeout=30.0)
async def Slow(seconds: float) -> float:
    await sleep(seconds)
    return seconds


@pytest.mark.flowno
async def test_timeout_names_the_node(mock_clock: MockClock) -> None:
    with FlowHDL() as f:
        f.slow = Slow(3600.0)
    with pytest.raises(
        NodeTimeoutError, match="node f.slow: evaluation did not finish within 30.0 s"
    ):
        await f.run_async()
    assert mock_clock.now() == 30.0


@pytest.mark.flowno
async def test_a_fast_evaluation_is_not_affected_by_the_timeout(mock_clock: MockClock) -> None:
    with FlowHDL() as f:
        f.slow = Slow(29.0)
    await f.run_async()
    assert f.slow.get_data() == (29.0,)


@node(timeout=5.0)
async def Ticks(gaps: list[float]) -> AsyncIterator[float]:
    for gap in gaps:
        await sleep(gap)
        yield gap


@pytest.mark.flowno
async def test_a_streaming_node_timeout_applies_between_items(mock_clock: MockClock) -> None:
    with FlowHDL() as f:
        f.ok = Ticks([4.0, 4.0, 4.0])
    await f.run_async()
    assert mock_clock.now() == 12.0
    with FlowHDL() as g:
        g.late = Ticks([4.0, 6.0])
    with pytest.raises(
        NodeTimeoutError, match="node f.late: the next item did not finish within 5.0 s"
    ):
        await g.run_async()


class Count:
    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []

    async def __call__(self, call: NodeCall, proceed: Callable[[], Awaitable[Any]]) -> Any:
        self.seen.append((call.label, call.attempt))
        return await proceed()


def test_a_custom_policy_wraps_every_attempt_inside_retry() -> None:
    calls.clear()
    counter = Count()

    @node(retry=Retry(attempts=2, delay=0.0), policies=[counter])
    async def Once(x: int) -> int:
        calls.append(0.0)
        if len(calls) == 1:
            raise ConnectionError("first")
        return x

    with FlowHDL() as f:
        f.once = Once(7)
    f.run_until_complete()
    assert f.once.get_data() == (7,)
    assert counter.seen == [("f.once", 1), ("f.once", 2)]


def test_bad_policy_arguments_fail_at_decoration() -> None:
    with pytest.raises(NodeDefinitionError, match="timeout must be > 0"):

        @node(timeout=0)
        async def A(x: int) -> int:
            return x

    with pytest.raises(NodeDefinitionError, match="retry= takes a Retry"):

        @node(retry=3)  # type: ignore[call-overload]
        async def B(x: int) -> int:
            return x

    with pytest.raises(NodeDefinitionError, match="a streaming node takes only timeout="):

        @node(retry=Retry())
        async def C(x: int) -> AsyncIterator[int]:
            yield x

    with pytest.raises(ValueError, match="attempts=...\\) must be >= 1"):
        Retry(attempts=0)
    with pytest.raises(TypeError, match="retry_on"):
        Retry(retry_on=("x",))  # type: ignore[arg-type]
