"""wait_future: results, errors, cancellation, no deadlock report, the loop keeps running."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import threading
from typing import Any

import pytest

from flowno_eventloop import (
    DeadlockError,
    EventLoop,
    MockClock,
    TaskCancelled,
    sleep,
    spawn,
    wait_future,
)
from flowno_eventloop.lowlevel import current_task_handle

pytestmark = pytest.mark.usefixtures("no_leaked_threads")


def run(main: Any, clock: MockClock | None = None) -> Any:
    return EventLoop(clock=clock).run_until_complete(main, join=True)


def complete_later(
    fut: concurrent.futures.Future[Any], gate: threading.Event, value: Any
) -> threading.Thread:
    """A thread that sets ``fut``'s result (or exception) once ``gate`` is set."""

    def work() -> None:
        assert gate.wait(10)
        if isinstance(value, BaseException):
            fut.set_exception(value)
        else:
            fut.set_result(value)

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_result_of_a_future_completed_by_another_thread() -> None:
    fut: concurrent.futures.Future[str] = concurrent.futures.Future()
    gate = threading.Event()
    thread = complete_later(fut, gate, "remote value")

    async def main() -> str:
        gate.set()
        return await wait_future(fut)

    assert run(main()) == "remote value"
    thread.join()


def test_already_done_future_returns_its_result() -> None:
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()
    fut.set_result(7)

    async def main() -> int:
        return await wait_future(fut)

    assert run(main()) == 7


def test_exception_is_raised_in_the_task() -> None:
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()
    error = KeyError("elsewhere")
    fut.set_exception(error)

    async def main() -> BaseException:
        with pytest.raises(KeyError) as info:
            await wait_future(fut)
        return info.value

    assert run(main()) is error


def test_a_ticker_keeps_ticking_and_no_deadlock_is_reported() -> None:
    """The only other task parks forever on a MockClock: without the hold the loop would
    report a deadlock (or autojump the clock) while the future is pending."""
    fut: concurrent.futures.Future[str] = concurrent.futures.Future()
    gate = threading.Event()
    thread = complete_later(fut, gate, "late")
    ticks: list[float] = []

    async def ticker() -> None:
        for _ in range(5):
            ticks.append(1.0)
            await sleep(0)
        gate.set()  # only now may the future complete

    async def main() -> str:
        await spawn(ticker())
        return await wait_future(fut)

    assert run(main(), clock=MockClock()) == "late"
    assert len(ticks) == 5
    thread.join()


def test_woken_exactly_once_even_if_several_callbacks_fire() -> None:
    """A second wait on the same future after the first one ended gets its own wake."""
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()

    async def main() -> tuple[int, int, dict[str, Any]]:
        loop = current_task_handle().event_loop
        fut.set_result(3)
        first = await wait_future(fut)
        second = await wait_future(fut)
        return first, second, loop.statistics()

    first, second, stats = run(main())
    assert (first, second) == (3, 3)
    assert stats["holds"] == 0


def test_cancelling_the_task_cancels_the_future() -> None:
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()

    async def waiter() -> int:
        return await wait_future(fut)

    async def main() -> tuple[bool, bool, int]:
        loop = current_task_handle().event_loop
        handle = await spawn(waiter())
        await sleep(0)
        await handle.cancel()
        with pytest.raises(TaskCancelled):
            await handle.join()
        return handle.is_cancelled, fut.cancelled(), loop.statistics()["holds"]

    cancelled, fut_cancelled, holds = run(main())
    assert cancelled and fut_cancelled
    assert holds == 0


def test_cancel_while_running_drops_the_late_result() -> None:
    """A future that cannot be cancelled any more: the task stops waiting at once, the result
    that arrives later is dropped and the loop is not held any longer."""
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()
    assert fut.set_running_or_notify_cancel()
    gate = threading.Event()
    thread = complete_later(fut, gate, 99)

    async def waiter() -> int:
        return await wait_future(fut)

    async def main() -> int:
        loop = current_task_handle().event_loop
        handle = await spawn(waiter())
        await sleep(0)
        await handle.cancel()
        with pytest.raises(TaskCancelled):
            await handle.join()
        holds: int = loop.statistics()["holds"]
        return holds

    assert run(main()) == 0
    gate.set()
    thread.join()
    assert fut.result() == 99


def test_future_cancelled_by_someone_else() -> None:
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()

    async def main() -> None:
        fut.cancel()
        with pytest.raises(concurrent.futures.CancelledError):
            await wait_future(fut)

    run(main())


def test_the_loop_is_held_exactly_while_a_wait_is_pending() -> None:
    """A held loop never reports a deadlock; the hold is let go when the wait is cancelled."""
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()

    async def waiter() -> int:
        return await wait_future(fut)

    async def main() -> list[int]:
        loop = current_task_handle().event_loop
        holds = [loop.statistics()["holds"]]
        handle = await spawn(waiter())
        for _ in range(3):
            await sleep(0)
            holds.append(loop.statistics()["holds"])
        await handle.cancel()
        holds.append(loop.statistics()["holds"])
        return holds

    assert run(main(), clock=MockClock()) == [0, 1, 1, 1, 0]


def test_without_a_wait_a_parked_root_is_a_deadlock() -> None:
    """Control for the hold: the same shape with no future pending is reported."""
    from flowno_eventloop import Event

    async def main() -> None:
        await Event().wait()

    with pytest.raises(DeadlockError):
        run(main())


def test_process_pool_exception_carries_the_remote_traceback_as_a_note() -> None:
    async def main() -> BaseException:
        context = multiprocessing.get_context("forkserver")
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
            with pytest.raises(ZeroDivisionError) as info:
                await wait_future(pool.submit(divmod, 1, 0))
        return info.value

    err = run(main())
    notes = getattr(err, "__notes__", [])
    assert len(notes) == 1
    assert notes[0].startswith("Remote traceback")
    assert "ZeroDivisionError" in notes[0]


def test_the_waiting_task_shows_its_future_as_park_reason() -> None:
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()

    async def waiter() -> int:
        return await wait_future(fut)

    async def main() -> str:
        handle = await spawn(waiter())
        await sleep(0)
        reason = repr(handle.park_reason)
        fut.set_result(1)
        await handle.join()
        return reason

    assert run(main()).startswith("wait_future(<Future")


def test_a_cancel_after_the_outcome_arrived_delivers_the_outcome_first() -> None:
    """The future completed (its wake is on its way) when the cancel comes: the task gets
    the result, and the cancel at its next park; the result is not lost."""
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()
    got: list[int] = []

    async def waiter() -> None:
        got.append(await wait_future(fut))
        await sleep(0)  # the cancel is thrown in here
        got.append(-1)

    async def main() -> bool:
        handle = await spawn(waiter())
        await sleep(0)
        fut.set_result(5)  # the done-callback queues the wake
        handle.cancel()
        with pytest.raises(TaskCancelled):
            await handle.join()
        return handle.is_cancelled

    assert run(main()) is True
    assert got == [5]
