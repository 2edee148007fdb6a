# Errors of a running flow name the node (its FlowHDL attribute) and keep the real cause.
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from flowno_eventloop import DeadlockError, Event, TaskCancelled, sleep, spawn
from flowno_flow import FlowHDL, NodeExecutionError, Stream, node


@node
async def WaitForever(x: int) -> int:
    await Event().wait()
    return x


def test_a_deadlock_names_the_node_and_what_it_waits_on() -> None:
    with FlowHDL() as f:
        f.b0 = WaitForever(1)
    with pytest.raises(DeadlockError) as info:
        f.run_until_complete()
    text = str(info.value)
    assert "<TaskHandle f.b0 parked> parked on Event(not set)" in text
    assert "evaluate_node" not in text


async def _helper() -> None:
    await sleep(0)


@node
async def CancelsHelper(x: int) -> int:
    helper = await spawn(_helper())
    helper.cancel()
    await helper.join()
    return x


def test_a_task_cancelled_escaping_a_node_is_a_node_error() -> None:
    with FlowHDL() as f:
        f.c = CancelsHelper(1)
        f.d = CancelsHelper(f.c)
    with pytest.raises(NodeExecutionError, match="f.c .*TaskCancelled escaped") as info:
        f.run_until_complete()
    assert isinstance(info.value.__cause__, TaskCancelled)


@node
async def Boom(x: int) -> int:
    await sleep(0)
    raise ValueError("the real error")


@node
async def Stubborn(x: int) -> int:
    event = Event()
    for _ in range(100):
        try:
            await event.wait()
        except Exception:  # noqa: BLE001, S110 - the bug under test: swallows TaskCancelled
            pass
    return x


def test_a_node_that_swallows_cancellation_does_not_hide_the_real_error() -> None:
    with FlowHDL() as f:
        f.stubborn = Stubborn(1)
        f.boom = Boom(1)
    with pytest.raises(ValueError, match="the real error") as info:
        f.run_until_complete()
    notes = "\n".join(info.value.__notes__)
    assert "nodes that did not stop when cancelled: f.stubborn" in notes


@node
async def Inc(x: int = 0) -> int:
    return x + 1


@pytest.mark.parametrize("bad", ["abc", 5, {"n": "x"}, (1, "2")])
def test_bad_generation_limits_are_a_type_error_showing_the_forms(bad: object) -> None:
    with FlowHDL() as f:
        f.n = Inc(f.n)
    limits = {f.n: "x"} if isinstance(bad, dict) else bad
    with pytest.raises(TypeError, match="accepted forms: \\(\\) or None"):
        f.run_until_complete(stop_at_node_generation=limits)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [(-1,), (0, -2)])
def test_negative_generation_limits_are_a_value_error_showing_the_forms(bad: object) -> None:
    with FlowHDL() as f:
        f.n = Inc(f.n)
    with pytest.raises(ValueError, match="non-negative ints"):
        f.run_until_complete(stop_at_node_generation=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative ints"):
        f.run_until_complete(stop_at_node_generation={f.n: bad})  # type: ignore[dict-item]


closed: list[str] = []


@node
async def Words(n: int) -> AsyncIterator[str]:
    try:
        for i in range(n):
            yield str(i)
            await sleep(0)
    finally:
        closed.append("words")


@node(stream_in=["words"])
async def Interrupt(words: Stream[str]) -> str:
    seen = [w async for w in words if w != "2" or _interrupt()]
    return "".join(seen)


def _interrupt() -> bool:
    raise KeyboardInterrupt


def test_keyboard_interrupt_closes_every_stream_first() -> None:
    closed.clear()
    with FlowHDL() as f:
        f.words = Words(10)
        f.stop = Interrupt(f.words)
    with pytest.raises(KeyboardInterrupt):
        f.run_until_complete()
    assert closed == ["words"]
