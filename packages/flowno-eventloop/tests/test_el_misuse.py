"""Misuse gets a clear error in the offending task; bad times are rejected at the call site;
the loop never spins, overflows or reports a deadlock it does not have."""

from __future__ import annotations

import math
import socket
import threading
from typing import Any

import pytest

from flowno_eventloop import EventLoop, MockClock, sleep, spawn
from flowno_eventloop.lowlevel import wait_readable


def run(coro: Any, clock: MockClock | None = None) -> Any:
    return EventLoop(clock=clock or MockClock()).run_until_complete(coro, join=True)


def test_spawning_the_coroutine_of_a_live_task_is_an_error_in_the_spawner() -> None:
    async def child() -> None:
        await sleep(1)

    async def main() -> str:
        coro = child()
        h = await spawn(coro)
        try:
            await spawn(coro)
        except RuntimeError as error:
            h.cancel()
            return str(error)
        return "no error"

    assert "runs as one task only" in run(main())


def test_spawning_a_finished_coroutine_is_an_error_in_the_spawner() -> None:
    async def child() -> int:
        return 1

    async def main() -> str:
        coro = child()
        await (await spawn(coro)).join()
        with pytest.raises(RuntimeError, match="already started or finished"):
            await spawn(coro)
        return "ok"

    assert run(main()) == "ok"


def test_a_refused_finished_coroutine_is_not_reported_as_an_unobserved_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def child() -> int:
        return 1

    async def main() -> str:
        coro = child()
        await (await spawn(coro)).join()
        try:
            await spawn(coro)
        except RuntimeError as error:
            return str(error)
        return "no error"

    with caplog.at_level("ERROR", logger="flowno.eventloop"):
        said = run(main())
    assert "already started or finished" in said
    assert caplog.records == []


def test_a_task_whose_own_first_step_reuses_a_coroutine_fails_as_itself() -> None:
    async def done() -> None:
        return None

    finished = done()
    with pytest.raises(StopIteration):
        finished.send(None)

    async def child() -> None:
        await finished  # the task's own code fails with CPython's "cannot reuse" error

    async def main() -> str:
        handle = await spawn(child())  # spawning it is fine: the child is fresh
        try:
            await handle.join()
        except RuntimeError as error:
            return str(error)
        return "no error"

    assert run(main()) == "cannot reuse already awaited coroutine"


def test_spawning_a_coroutine_started_by_hand_is_an_error_in_the_spawner() -> None:
    class Checkpoint:
        def __await__(self) -> Any:
            yield None

    async def child() -> None:
        await Checkpoint()

    async def main() -> str:
        coro = child()
        coro.send(None)  # suspended at its first await, outside any task
        try:
            with pytest.raises(RuntimeError, match="already started or finished"):
                await spawn(coro)
        finally:
            coro.close()
        return "ok"

    assert run(main()) == "ok"


def test_joining_a_handle_of_another_loop_is_an_error_in_the_joiner() -> None:
    other = EventLoop()

    async def elsewhere() -> None:
        await sleep(1)

    foreign = other.create_task(elsewhere())

    async def main() -> str:
        with pytest.raises(RuntimeError, match="another EventLoop"):
            await foreign.join()
        return "ok"

    assert run(main()) == "ok"
    other.close()


def test_cancel_of_something_that_is_not_a_task_raises_type_error() -> None:
    loop = EventLoop()
    with pytest.raises(TypeError, match="cancel"):
        loop.cancel(None)  # type: ignore[arg-type]


def test_a_refused_run_closes_its_coroutine() -> None:
    loop = EventLoop()

    async def inner() -> None:
        pass

    async def main() -> str:
        with pytest.raises(RuntimeError, match="already running"):
            loop.run_until_complete(inner())  # closed: no "never awaited" warning
        return "ok"

    assert loop.run_until_complete(main(), join=True) == "ok"


@pytest.mark.parametrize("bad", [math.nan])
def test_nan_times_are_rejected_at_the_call_site(bad: float) -> None:
    loop = EventLoop(clock=MockClock())

    async def main() -> list[str]:
        errors = []
        for call in (
            lambda: sleep(bad),
            lambda: loop.call_later(bad, print),
            lambda: loop.call_at(bad, print),
        ):
            try:
                result = call()
                if hasattr(result, "send"):
                    await result
            except ValueError as error:
                errors.append(str(error))
        return errors

    assert len(loop.run_until_complete(main(), join=True)) == 3


@pytest.mark.parametrize("bad", ["1", None])
def test_times_that_are_not_numbers_are_a_type_error_naming_the_argument(bad: Any) -> None:
    # Accepted before, they crashed the run later, in the timer heap, with a bare "'<=' not
    # supported between instances of 'NoneType' and 'float'".
    loop = EventLoop(clock=MockClock())

    async def main() -> list[str]:
        errors = []
        for call in (
            lambda: sleep(bad),
            lambda: loop.call_later(bad, print),
            lambda: loop.call_at(bad, print),
        ):
            with pytest.raises(TypeError) as info:
                call()
            errors.append(str(info.value))
        await sleep(1)  # the loop goes on: nothing bad was scheduled
        return errors

    shown = f"{type(bad).__name__} {bad!r}"
    assert loop.run_until_complete(main(), join=True) == [
        f"sleep() duration must be a number of seconds, got {shown}",
        f"call_later() needs a delay in seconds, got {shown}",
        f"call_at() needs a time on the loop's clock, got {shown}",
    ]


@pytest.mark.parametrize("far", [40 * 86400.0, math.inf])
def test_far_deadlines_do_not_overflow_the_selector(far: float) -> None:
    # The real clock: the loop blocks in its selector with the next timer "far" away (more
    # than 24.8 days overflowed select(), inf could not be converted) until a thread writes.
    loop = EventLoop()
    a, b = socket.socketpair()

    async def sleeper() -> None:
        await sleep(far)

    async def reader() -> bytes:
        await wait_readable(a)
        return a.recv(1)

    async def main() -> bytes:
        s = await spawn(sleeper())
        loop.call_later(far, print, "far away")
        writer = threading.Thread(target=b.send, args=(b"x",))
        writer.start()
        try:
            return await (await spawn(reader())).join()
        finally:
            writer.join()
            s.cancel()

    try:
        assert loop.run_until_complete(main(), join=True) == b"x"
    finally:
        a.close()
        b.close()
        loop.close()


def test_sleep_inf_parks_until_cancelled() -> None:
    async def sleeper() -> None:
        await sleep(math.inf)

    async def main() -> bool:
        h = await spawn(sleeper())
        await sleep(5)
        await h.cancel()
        return h.is_cancelled

    assert run(main()) is True


def test_a_call_soon_that_schedules_a_call_soon_is_not_a_deadlock() -> None:
    from flowno_eventloop import Event

    loop = EventLoop()

    async def main() -> str:
        ev = Event()
        loop.call_soon(lambda: loop.call_soon(ev.set_nowait))
        await ev.wait()
        return "woken"

    assert loop.run_until_complete(main(), join=True) == "woken"


@pytest.mark.parametrize("duration", [1, 0, -1])
def test_a_forgotten_sleep_warns_like_a_coroutine(duration: float) -> None:
    import gc

    async def main() -> None:
        sleep(duration)  # type: ignore[unused-awaitable]  # forgotten await
        await sleep(0)

    with pytest.warns(RuntimeWarning, match="coroutine 'sleep' was never awaited"):
        run(main())
        gc.collect()


def test_sleep_zero_is_a_native_coroutine_that_checkpoints() -> None:
    import inspect

    log: list[str] = []

    async def other() -> None:
        await sleep(0)
        log.append("other")

    async def main() -> float:
        pending = sleep(0)
        assert inspect.iscoroutine(pending)
        await spawn(other())
        log.append("before")
        result = await pending  # a turn at the tail: the spawned task runs first
        log.append("after")
        return result

    assert run(main()) == 0.0
    assert log == ["before", "other", "after"]


def test_sleep_zero_outside_a_loop_raises_when_awaited() -> None:
    pending = sleep(0)
    with pytest.raises(RuntimeError, match="sleep"):
        pending.send(None)


def test_an_escaping_exception_cancels_the_other_tasks_inside_the_loop() -> None:
    log: list[str] = []
    loop = EventLoop(clock=MockClock())

    async def worker() -> None:
        try:
            await sleep(100)
        finally:
            await sleep(1)  # awaiting in cleanup works: it runs inside the loop
            log.append("cleaned up")

    async def main() -> None:
        await spawn(worker())
        await sleep(1)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        loop.run_until_complete(main())
    assert log == ["cleaned up"]
    assert not loop.has_living_tasks()
    assert not loop.is_running()


def test_sigint_while_blocked_in_the_selector_interrupts_and_cleans_up() -> None:
    import os
    import signal

    log: list[str] = []
    loop = EventLoop()
    a, b = socket.socketpair()

    async def reader() -> None:
        try:
            await wait_readable(a)  # blocks in the selector: no timer, no other work
        finally:
            log.append("reader cleaned up")

    async def main() -> None:
        await spawn(reader())
        threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGINT)).start()
        await sleep(float("inf"))

    try:
        with pytest.raises(KeyboardInterrupt):
            loop.run_until_complete(main())
    finally:
        a.close()
        b.close()
    assert log == ["reader cleaned up"]
    assert not loop.is_running()


def test_a_hook_failing_while_the_root_is_spawned_leaves_no_unawaited_coroutine() -> None:
    from flowno_eventloop import EventLoopInstrument, InstrumentHookError

    class Refuses(EventLoopInstrument):
        def on_task_spawned(self, task: Any, parent: Any) -> None:
            raise RuntimeError("no")

    async def main() -> None:
        pass

    with Refuses(), pytest.raises(InstrumentHookError):
        EventLoop().run_until_complete(main())


@pytest.mark.parametrize("which", ["spawn", "join", "exit", "park", "wait_readable"])
def test_every_public_awaitable_warns_when_never_awaited(which: str) -> None:
    import gc

    from flowno_eventloop import exit as loop_exit
    from flowno_eventloop.lowlevel import park

    async def child() -> None:
        await sleep(0)

    async def main() -> None:
        h = await spawn(child())
        a, b = socket.socketpair()
        unstarted = child()
        try:
            forgotten = {
                "spawn": lambda: spawn(unstarted),
                "join": h.join,
                "exit": loop_exit,
                "park": lambda: park(reason="forgotten"),
                "wait_readable": lambda: wait_readable(a),
            }[which]
            forgotten()  # never awaited
        finally:
            unstarted.close()  # (only the forgotten awaitable itself is to warn)
            a.close()
            b.close()
        await h.join()

    with pytest.warns(RuntimeWarning, match=f"coroutine '[^']*{which}' was never awaited"):
        run(main())
        gc.collect()
