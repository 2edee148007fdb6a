"""aio.call / aio.iterate outside guest mode: the helper-thread asyncio loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import subprocess
import sys
import threading
import traceback
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sniffio

from flowno_eventloop import (
    EventLoop,
    TaskCancelled,
    aio,
    current_event_loop,
    current_task,
    sleep,
    spawn,
    wait_future,
)


def helper_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("flowno-aio")]


pytestmark = pytest.mark.usefixtures("no_leaks")


def run(main: Any) -> Any:
    return EventLoop().run_until_complete(main, join=True)


def test_call_runs_on_an_asyncio_loop_in_a_helper_thread() -> None:
    async def where() -> tuple[str, str, bool]:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(0)
        return sniffio.current_async_library(), threading.current_thread().name, loop.is_running()

    async def main() -> tuple[Any, Any, list[threading.Thread]]:
        first = await aio.call(where())
        second = await aio.call(where())
        return first, second, helper_threads()

    first, second, during = run(main())
    assert first == ("asyncio", first[1], True)
    assert first[1].startswith("flowno-aio") and first[1] != threading.current_thread().name
    assert second == first  # one helper loop per Flowno loop
    assert len(during) == 1
    assert helper_threads() == []  # closed when the run ended


def test_each_run_gets_a_fresh_helper_loop() -> None:
    loop = EventLoop()

    async def main() -> int:
        return id(await aio.call(_running_loop()))

    first = loop.run_until_complete(main(), join=True)
    assert helper_threads() == []
    second = loop.run_until_complete(main(), join=True)
    assert isinstance(first, int) and isinstance(second, int)
    assert helper_threads() == []


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_call_accepts_tasks_futures_and_other_awaitables() -> None:
    class Awaitable:
        def __await__(self) -> Any:
            return asyncio.sleep(0, result="custom").__await__()

    async def make_task() -> asyncio.Task[str]:
        return asyncio.ensure_future(asyncio.sleep(0, result="task"))

    async def main() -> list[str]:
        task = await aio.call(make_task())
        return [await aio.call(task), await aio.call(Awaitable())]

    assert run(main()) == ["task", "custom"]


def test_exception_comes_back_with_its_asyncio_traceback() -> None:
    async def failing_asyncio_code() -> None:
        await asyncio.sleep(0)
        raise KeyError("from asyncio")

    async def main() -> BaseException:
        try:
            await aio.call(failing_asyncio_code())
        except KeyError as error:
            return error
        raise AssertionError("no error")

    error = run(main())
    assert error.args == ("from asyncio",)
    frames = [frame.name for frame in traceback.extract_tb(error.__traceback__)]
    assert "failing_asyncio_code" in frames
    assert "main" in frames


def test_other_flowno_tasks_run_while_a_call_waits() -> None:
    gate: concurrent.futures.Future[str] = concurrent.futures.Future()
    ticks: list[int] = []

    async def ticker() -> None:
        for i in range(5):
            ticks.append(i)
            await sleep(0)
        gate.set_result("opened by the ticker")

    async def waits_for_gate() -> str:
        return await asyncio.wrap_future(gate)

    async def main() -> str:
        await spawn(ticker())
        return await aio.call(waits_for_gate())

    assert run(main()) == "opened by the ticker"
    assert ticks == [0, 1, 2, 3, 4]


def test_cancelling_the_flowno_task_cancels_the_asyncio_task() -> None:
    started: concurrent.futures.Future[None] = concurrent.futures.Future()
    seen: list[str] = []

    async def slow() -> None:
        started.set_result(None)
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            seen.append("asyncio task cancelled")
            raise

    async def node() -> None:
        try:
            await aio.call(slow())
        except TaskCancelled:
            seen.append("TaskCancelled in the flowno task")
            raise

    async def main() -> bool:
        handle = await spawn(node())
        await wait_future(started)
        await handle.cancel()
        return handle.is_cancelled

    assert run(main()) is True
    # two threads: either side may record first; both happened before the run ended
    assert sorted(seen) == ["TaskCancelled in the flowno task", "asyncio task cancelled"]


def test_cancellation_on_the_asyncio_side_raises_cancelled_error() -> None:
    async def cancels_itself() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await asyncio.sleep(0)

    async def main() -> str:
        try:
            await aio.call(cancels_itself())
        except concurrent.futures.CancelledError:
            return "cancelled"
        return "not cancelled"

    assert run(main()) == "cancelled"


def test_bad_arguments_and_calls_outside_a_task() -> None:
    async def coroutine_function() -> None:
        pass

    async def main() -> list[str]:
        messages = []
        for bad in (42, coroutine_function):
            try:
                await aio.call(bad)  # type: ignore[arg-type]
            except TypeError as error:
                messages.append(str(error))
        try:
            aio.iterate([1, 2])  # type: ignore[arg-type]
        except TypeError as error:
            messages.append(str(error))
        return messages

    assert run(main()) == [
        "aio.call(awaitable): expected an awaitable (an asyncio coroutine, task or future), "
        "got int",
        "aio.call(awaitable): expected an awaitable (an asyncio coroutine, task or future), "
        "got function (call the async function first)",
        "aio.iterate(aiterable): expected an async iterable, got list",
    ]
    outside = aio.call(coroutine_function())
    with pytest.raises(RuntimeError, match="inside a task of a running flowno EventLoop"):
        outside.send(None)  # the asyncio coroutine is closed: no never-awaited warning


async def numbers(n: int, log: list[str]) -> AsyncIterator[int]:
    try:
        for i in range(n):
            await asyncio.sleep(0)
            log.append(f"produce {i}")
            yield i
    finally:
        log.append("asyncio generator closed")


def test_iterate_steps_one_item_at_a_time() -> None:
    log: list[str] = []

    async def main() -> None:
        async for i in aio.iterate(numbers(3, log)):
            log.append(f"consume {i}")

    run(main())
    assert log == [
        "produce 0",
        "consume 0",
        "produce 1",
        "consume 1",
        "produce 2",
        "consume 2",
        "asyncio generator closed",
    ]


def test_iterate_closes_the_asyncio_iterator_when_the_flowno_side_stops_early() -> None:
    log: list[str] = []

    async def main() -> None:
        items = aio.iterate(numbers(10, log))
        async for i in items:
            if i == 1:
                break
        await items.aclose()

    run(main())
    assert log == ["produce 0", "produce 1", "asyncio generator closed"]


def test_iterate_cancelled_while_waiting_for_an_item_closes_the_iterator() -> None:
    log: list[str] = []
    started: concurrent.futures.Future[None] = concurrent.futures.Future()

    async def slow_items() -> AsyncIterator[int]:
        try:
            yield 1
            started.set_result(None)
            await asyncio.sleep(3600)
            yield 2
        finally:
            log.append("asyncio generator closed")

    async def consumer() -> None:
        async for i in aio.iterate(slow_items()):
            log.append(f"consume {i}")

    async def main() -> None:
        handle = await spawn(consumer())
        await wait_future(started)
        await handle.cancel()

    run(main())
    assert log == ["consume 1", "asyncio generator closed"]


def test_iterate_raises_what_the_iterator_raised() -> None:
    async def broken() -> AsyncIterator[int]:
        yield 1
        raise ValueError("broken stream")

    async def main() -> list[int]:
        got: list[int] = []
        with pytest.raises(ValueError, match="broken stream"):
            async for i in aio.iterate(broken()):
                got.append(i)
        return got

    assert run(main()) == [1]


request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")


async def seen_from_asyncio() -> tuple[str, object, object]:
    return request_id.get(), current_event_loop(), current_task()


def test_asyncio_side_sees_the_callers_context_but_no_flowno_task() -> None:
    async def main() -> tuple[str, object, object]:
        request_id.set("req-42")
        return await aio.call(seen_from_asyncio())

    assert run(main()) == ("req-42", None, None)


def test_awaiting_an_asyncio_future_directly_is_a_type_error_pointing_to_aio_call() -> None:
    other = asyncio.new_event_loop()

    async def main() -> str:
        try:
            await other.create_future()
        except TypeError as error:
            return str(error)
        return "no error"

    try:
        message = run(main())
    finally:
        other.close()
    assert "Future" in message
    assert "flowno_eventloop.aio.call(...)" in message


def test_awaiting_asyncio_sleep_in_guest_mode_is_a_type_error_pointing_to_aio_call() -> None:
    async def node() -> str:
        try:
            await asyncio.sleep(0.5)  # the host loop is running: its future reaches flowno
        except TypeError as error:
            return str(error)
        return "no error"

    async def host() -> str:
        return await aio.run(node())

    assert "flowno_eventloop.aio.call(...)" in asyncio.run(host())


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes are 3.11+")
def test_sniffio_failure_in_a_flowno_task_gets_a_note_pointing_to_aio_call() -> None:
    async def main() -> str:
        return sniffio.current_async_library()  # what httpx and SDK clients ask first

    with pytest.raises(sniffio.AsyncLibraryNotFoundError) as caught:
        run(main())
    assert any("aio.call" in note for note in getattr(caught.value, "__notes__", []))


def test_a_plain_import_does_not_load_the_asyncio_bridge() -> None:
    code = "import sys, flowno_eventloop; print('flowno_eventloop.aio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
