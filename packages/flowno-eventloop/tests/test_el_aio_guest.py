"""Guest mode: aio.run drives a Flowno loop from the running asyncio loop, same thread."""

from __future__ import annotations

import asyncio
import contextvars
import socket
import threading
from typing import Any

import pytest
import sniffio

from flowno_eventloop import (
    DeadlockError,
    Event,
    EventLoop,
    MockClock,
    TaskCancelled,
    aio,
    current_event_loop,
    current_task,
    sleep,
    spawn,
    to_thread,
)
from flowno_eventloop.lowlevel import wait_readable

pytestmark = pytest.mark.usefixtures("no_leaks")


def test_run_returns_the_result_and_raises_the_error() -> None:
    async def ok() -> str:
        await sleep(0)
        return "ok"

    async def broken() -> None:
        await sleep(0)
        raise KeyError("flowno side")

    async def host() -> tuple[str, BaseException]:
        result = await aio.run(ok())
        try:
            await aio.run(broken())
        except KeyError as error:
            return result, error
        raise AssertionError("no error")

    result, error = asyncio.run(host())
    assert result == "ok"
    assert error.args == ("flowno side",)


def test_neither_loop_starves_the_other() -> None:
    counts = {"asyncio": 0, "flowno": 0}

    async def flowno_busy() -> int:  # only sleep(0): never idle, yields to the host by slices
        while counts["asyncio"] < 50:
            counts["flowno"] += 1
            await sleep(0)
        return counts["flowno"]

    async def asyncio_busy() -> None:
        while counts["flowno"] < 50 or counts["asyncio"] < 50:
            counts["asyncio"] += 1
            await asyncio.sleep(0)

    async def host() -> int:
        ticker = asyncio.create_task(asyncio_busy())
        result = await aio.run(flowno_busy(), time_slice=0.0005)
        await ticker
        return result

    assert asyncio.run(host()) >= 50


def test_a_tick_with_a_budget_returns_while_tasks_only_switch() -> None:
    async def busy() -> None:
        while True:
            await sleep(0)

    run = EventLoop().begin_run(busy())
    assert run.tick(budget=0.001) == 0.0  # work left: the driver calls again later
    assert not run.done
    run.cancel()
    while not run.done:
        run.tick(budget=0.001)
    run.finish()


def test_flowno_timers_run_on_the_flowno_clock() -> None:
    clock = MockClock()

    async def sleeper() -> float:
        await sleep(3600)  # a virtual hour: no real time
        return clock.now()

    async def host() -> float:
        return await aio.run(sleeper(), loop=EventLoop(clock=clock))

    assert asyncio.run(host()) == 3600


def test_call_in_guest_mode_runs_on_the_host_loop() -> None:
    async def asyncio_side() -> tuple[asyncio.AbstractEventLoop, str, str]:
        await asyncio.sleep(0)
        return (
            asyncio.get_running_loop(),
            sniffio.current_async_library(),
            threading.current_thread().name,
        )

    async def node() -> Any:
        return await aio.call(asyncio_side())

    async def host() -> tuple[Any, asyncio.AbstractEventLoop]:
        return await aio.run(node()), asyncio.get_running_loop()

    (loop, library, thread), host_loop = asyncio.run(host())
    assert loop is host_loop
    assert library == "asyncio"
    assert thread == threading.current_thread().name


def test_guest_call_sees_the_callers_context_but_no_flowno_task() -> None:
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

    async def asyncio_side() -> tuple[str, object, object]:
        return request_id.get(), current_event_loop(), current_task()

    async def node() -> tuple[str, object, object]:
        request_id.set("req-7")
        return await aio.call(asyncio_side())

    async def host() -> tuple[str, object, object]:
        return await aio.run(node())

    assert asyncio.run(host()) == ("req-7", None, None)


def test_cancelling_the_host_task_cancels_the_flowno_tree_first() -> None:
    log: list[str] = []

    async def asyncio_side() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            log.append("asyncio task cancelled")
            raise

    async def node(started: Event) -> None:
        await started.set()
        try:
            await aio.call(asyncio_side())
        except TaskCancelled:
            log.append("TaskCancelled in the node")
            raise

    async def other_task() -> None:
        try:
            await sleep(3600)
        finally:
            log.append("other flowno task ended")

    async def root(started: Event) -> None:
        await spawn(other_task())
        await node(started)

    async def host() -> None:
        started = Event()
        task = asyncio.create_task(aio.run(root(started)))
        while not started.is_set():
            await asyncio.sleep(0)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            log.append("aio.run raised CancelledError")

    asyncio.run(host())
    assert log[-1] == "aio.run raised CancelledError"
    assert sorted(log[:-1]) == [
        "TaskCancelled in the node",
        "asyncio task cancelled",
        "other flowno task ended",
    ]


def test_fd_waits_go_to_the_host_loop() -> None:
    a, b = socket.socketpair()

    async def reader() -> bytes:
        await wait_readable(a)
        return a.recv(10)

    async def host() -> tuple[bytes, bool]:
        loop = asyncio.get_running_loop()
        loop.call_later(0.001, b.send, b"ping")
        data = await aio.run(reader())
        return data, loop.remove_reader(a.fileno())  # False: the registration is gone

    try:
        assert asyncio.run(host()) == (b"ping", False)
    finally:
        a.close()
        b.close()


def test_threads_wake_a_guest_loop() -> None:
    async def node() -> str:
        return await to_thread(str.upper, "from a thread")

    async def host() -> str:
        return await aio.run(node())

    assert asyncio.run(host()) == "FROM A THREAD"


def test_deadlock_is_reported_from_guest_mode() -> None:
    async def stuck() -> None:
        await Event().wait()

    async def host() -> None:
        await aio.run(stuck())

    with pytest.raises(DeadlockError):
        asyncio.run(host())


def test_bad_calls_to_run() -> None:
    async def flowno_side() -> None:
        pass

    with pytest.raises(RuntimeError, match="no running event loop"):
        _outside_asyncio(flowno_side())

    async def host() -> None:
        await aio.run(flowno_side(), time_slice=0)

    with pytest.raises(ValueError, match="time_slice"):
        asyncio.run(host())

    async def host_passing_the_function() -> None:
        await aio.run(flowno_side)  # type: ignore[arg-type]  # not called

    with pytest.raises(TypeError) as info:  # was AttributeError: 'function' ... 'close'
        asyncio.run(host_passing_the_function())
    assert str(info.value) == (
        "aio.run(coro): expected a Flowno coroutine, got function (call the async function first)"
    )


def _outside_asyncio(coro: Any) -> None:
    runner = aio.run(coro)
    try:
        runner.send(None)
    finally:
        runner.close()
