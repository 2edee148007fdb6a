"""Features users asked for: TaskGroup.start and cancel, to_thread without abandoning,
a thread-safe stop."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from flowno_eventloop import (
    EventLoop,
    MockClock,
    TaskCancelled,
    TaskGroup,
    TaskStatus,
    sleep,
    to_thread,
)


def run(coro: Any) -> Any:
    return EventLoop(clock=MockClock()).run_until_complete(coro, join=True)


def test_start_returns_when_the_child_is_ready_and_the_child_runs_on() -> None:
    log: list[str] = []

    async def server(task_status: TaskStatus) -> None:
        await sleep(1)
        task_status.started("ready")
        await sleep(1)
        log.append("served")

    async def main() -> str:
        async with TaskGroup() as tg:
            value = await tg.start(server)
            log.append("started")
        return value

    assert run(main()) == "ready"
    assert log == ["started", "served"]


def test_start_raises_if_the_child_ends_before_it_is_ready() -> None:
    async def lazy(task_status: TaskStatus) -> None:
        await sleep(1)

    async def main() -> str:
        async with TaskGroup() as tg:
            try:
                await tg.start(lazy)
            except RuntimeError as error:
                return str(error)
        return "no error"

    assert "ended before task_status.started()" in run(main())


def test_cancelling_a_group_cancels_children_and_body_quietly() -> None:
    cancelled: list[str] = []

    async def child() -> None:
        try:
            await sleep(100)
        except TaskCancelled:
            cancelled.append("child")
            raise

    async def main() -> float:
        async with TaskGroup() as tg:
            tg.spawn(child())
            await sleep(1)
            tg.cancel()
            await sleep(100)  # interrupted
        loop = tg._loop  # pyright: ignore[reportPrivateUsage]
        assert loop is not None
        return loop.clock.now()

    assert run(main()) == 1.0
    assert cancelled == ["child"]


def test_to_thread_without_abandoning_delivers_the_result_then_the_cancel() -> None:
    release = threading.Event()
    log: list[object] = []
    loop = EventLoop()

    async def worker() -> None:
        log.append(
            await to_thread(lambda: release.wait(10) and "thread result", abandon_on_cancel=False)
        )
        try:
            await sleep(0)
        except TaskCancelled:
            log.append("cancelled after the result")
            raise

    async def main() -> None:
        h = loop.create_task(worker())
        await sleep(0)
        h.cancel()  # refused while the thread runs
        release.set()
        with pytest.raises(TaskCancelled):
            await h.join()

    loop.run_until_complete(main(), join=True)
    assert log == ["thread result", "cancelled after the result"]


def test_stop_from_another_thread_ends_the_run_after_cleanup() -> None:
    loop = EventLoop()
    log: list[str] = []

    async def main() -> None:
        try:
            threading.Thread(target=loop.stop).start()
            await sleep(float("inf"))
        finally:
            await sleep(0)
            log.append("cleaned up")

    assert loop.run_until_complete(main()) is None
    assert log == ["cleaned up"]
