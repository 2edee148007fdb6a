"""Kernel tests: scheduling order, park/wake, cancellation, exit, deadlock, threads, fds."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from flowno_eventloop import (
    BusyResourceError,
    DeadlockError,
    EventLoop,
    MockClock,
    TaskCancelled,
    TaskHandle,
    current_event_loop,
    current_task,
    exit,
    sleep,
    spawn,
)
from flowno_eventloop.lowlevel import (
    current_task_handle,
    park,
    wait_readable,
    wait_writable,
    wake,
    wake_error,
)


def run(coro: Any, **kw: Any) -> Any:
    return EventLoop(clock=MockClock()).run_until_complete(coro, join=True, **kw)


def test_documented_spawn_order(capsys: pytest.CaptureFixture[str]) -> None:
    async def worker(tag: str, steps: int) -> str:
        for i in range(steps):
            print(f"{tag}{i}")
            await sleep(0)
        return tag

    async def main() -> None:
        a = await spawn(worker("a", 3))
        print("main: spawned a")
        b = await spawn(worker("b", 2))
        print("main: spawned b")
        print("main:", await a.join(), await b.join())

    EventLoop().run_until_complete(main())
    assert capsys.readouterr().out.split("\n") == [
        "a0",
        "main: spawned a",
        "a1",
        "b0",
        "main: spawned b",
        "a2",
        "b1",
        "main: a b",
        "",
    ]


def test_documented_sleep_order_with_mock_clock(capsys: pytest.CaptureFixture[str]) -> None:
    async def napper(name: str, secs: float) -> None:
        slept = await sleep(secs)
        print(f"{name} woke after >= {secs}s: {slept >= secs}")

    async def main() -> None:
        await spawn(napper("slow", 0.06))
        await spawn(napper("fast", 0.02))
        await spawn(napper("medium", 0.04))
        print("main done (spawned tasks keep the loop alive)")

    clock = MockClock()
    EventLoop(clock=clock).run_until_complete(main())
    assert capsys.readouterr().out == (
        "main done (spawned tasks keep the loop alive)\n"
        "fast woke after >= 0.02s: True\n"
        "medium woke after >= 0.04s: True\n"
        "slow woke after >= 0.06s: True\n"
    )
    assert clock.now() == pytest.approx(0.06)


def test_equal_deadlines_do_not_crash_and_keep_fifo() -> None:
    order: list[int] = []

    async def sleeper(i: int) -> None:
        await sleep(1.0)
        order.append(i)

    async def main() -> None:
        for i in range(5):
            await spawn(sleeper(i))

    run(main())
    assert order == [0, 1, 2, 3, 4]


def test_documented_cancel_sleeping_task(capsys: pytest.CaptureFixture[str]) -> None:
    async def poller() -> None:
        try:
            while True:
                await sleep(0.01)
        except TaskCancelled as e:
            print("poller: got", type(e).__name__, "-", e)
            raise

    async def main() -> None:
        h = await spawn(poller())
        await sleep(0.03)
        print("cancel() ->", h.cancel())
        try:
            await h.join()
        except TaskCancelled:
            print("join raised TaskCancelled; cancelled =", h.is_cancelled, "error =", h.is_error)
        print("cancel() again ->", h.cancel())
        await sleep(0.3)  # the stale timer must not resume the dead task

    loop = EventLoop(clock=MockClock())
    loop.run_until_complete(main())
    assert capsys.readouterr().out == (
        "cancel() -> True\n"
        "poller: got TaskCancelled - Task was cancelled\n"
        "join raised TaskCancelled; cancelled = True error = False\n"
        "cancel() again -> False\n"
    )
    assert loop.statistics()["timers"] == 0


def test_cancel_before_first_step_never_runs_body() -> None:
    ran: list[str] = []

    async def body() -> None:
        ran.append("body")

    async def main() -> tuple[bool, bool, bool]:
        loop = current_event_loop()
        assert loop is not None
        h = loop.create_task(body())
        requested = bool(h.cancel())
        await sleep(0)
        return requested, h.is_cancelled, h.is_finished

    assert run(main()) == (True, True, False)
    assert ran == []


def test_root_cancelling_itself_raises_task_cancelled() -> None:
    async def main() -> None:
        current_task_handle().cancel()
        await sleep(0)
        raise AssertionError("not reached")

    with pytest.raises(TaskCancelled):
        run(main())


def test_awaited_cancel_semantics() -> None:
    async def stubborn() -> str:
        try:
            await sleep(5)
        except TaskCancelled:
            return "cleaned"
        return "slept"

    async def plain() -> None:
        await sleep(5)

    async def failing() -> None:
        try:
            await sleep(5)
        except TaskCancelled:
            raise ValueError("cleanup failed") from None

    async def main() -> list[Any]:
        out: list[Any] = []
        h1 = await spawn(stubborn())
        out.append(await h1.cancel())
        h2 = await spawn(plain())
        out.append(await h2.cancel())
        h3 = await spawn(failing())
        with pytest.raises(ValueError):
            await h3.cancel()
        out.append(await h1.cancel())  # finished: its result
        with pytest.raises(TaskCancelled):
            await h2.cancel()  # already cancelled: stored exception
        return out

    assert run(main()) == ["cleaned", None, "cleaned"]


def test_task_handle_equality_and_hash() -> None:
    async def child() -> None:
        await sleep(0)

    async def main() -> None:
        h = await spawn(child())
        loop = current_event_loop()
        assert loop is not None
        other = TaskHandle(loop, h.raw_task)
        assert other == h and hash(other) == hash(h)
        assert len({h, other}) == 1
        assert other.state == "ready"
        await h.join()

    run(main())


def test_exit_value_and_cleanup_inside_loop(capsys: pytest.CaptureFixture[str]) -> None:
    inside: list[Any] = []

    async def long_job() -> None:
        try:
            await sleep(5)
        finally:
            inside.append(current_event_loop())

    async def stopper() -> None:
        await sleep(0.01)
        await exit("stopped early")

    async def main() -> str:
        await spawn(long_job())
        h = await spawn(stopper())
        await h.join()
        return "normal end"

    loop = EventLoop(clock=MockClock())
    assert loop.run_until_complete(main(), join=True) == "stopped early"
    assert inside == [loop]  # finally ran inside the loop


def test_exit_from_late_child_wins() -> None:
    async def child() -> None:
        await sleep(1)
        await exit("child value")

    async def main() -> str:
        await spawn(child())
        return "root value"

    assert run(main()) == "child value"


def test_exit_with_exception() -> None:
    async def fail_fast() -> None:
        await exit(exception=TimeoutError("gave up"))

    with pytest.raises(TimeoutError, match="gave up"):
        EventLoop().run_until_complete(fail_fast())


def test_exit_with_something_that_is_not_an_exception_is_a_type_error_at_the_await() -> None:
    async def confused() -> str:
        try:
            await exit(exception="gave up")  # type: ignore[arg-type]
        except TypeError as exc:
            return str(exc)
        return "exit() accepted it"

    message = EventLoop().run_until_complete(confused(), join=True)
    assert (
        message
        == "exit() exception must be an exception instance (or class) or None, got str 'gave up'"
    )

    async def with_a_class() -> None:
        await exit(exception=TimeoutError)  # type: ignore[arg-type]

    with pytest.raises(TimeoutError):
        EventLoop().run_until_complete(with_a_class())


def test_deadlock_names_blocked_tasks() -> None:
    async def waiter() -> None:
        await park(reason="never woken")

    async def main() -> None:
        h = await spawn(waiter())
        await h.join()

    with pytest.raises(DeadlockError) as info:
        EventLoop(deadlock_grace=0).run_until_complete(main())
    message = str(info.value)
    assert "never woken" in message and "waiter" in message and "main" in message
    assert len(info.value.blocked) == 2


def test_root_done_leftover_parked_tasks_are_cancelled() -> None:
    cleaned: list[str] = []

    async def forever() -> None:
        try:
            await park(reason="nothing")
        finally:
            cleaned.append("yes")

    async def main() -> str:
        await spawn(forever())
        return "done"

    loop = EventLoop(clock=MockClock())
    assert loop.run_until_complete(main(), join=True) == "done"
    assert cleaned == ["yes"]
    assert not loop.has_living_tasks()


def test_park_wake_and_on_cancel() -> None:
    waiters: list[TaskHandle[Any]] = []
    removed: list[bool] = []

    async def waiter() -> Any:
        waiters.append(current_task_handle())
        return await park(reason="demo", on_cancel=lambda: removed.append(True))

    async def main() -> None:
        h = await spawn(waiter())
        await sleep(0)
        assert wake(waiters[0], "v") is True
        assert wake(waiters[0], "again") is False  # woken at most once per park
        assert await h.join() == "v"
        h2 = await spawn(waiter())
        await sleep(0)
        assert h2.park_reason == "demo"
        h2.cancel()
        with pytest.raises(TaskCancelled):
            await h2.join()
        assert removed == [True]
        assert wake(waiters[1]) is False and wake_error(waiters[1], ValueError()) is False

    run(main())


def test_foreign_awaitable_gets_type_error() -> None:
    class Foreign:
        def __await__(self) -> Any:
            yield "not a command"

    async def main() -> str:
        try:
            await Foreign()
        except TypeError as e:
            return str(e)
        return "no error"

    assert "'not a command'" in run(main())


def test_deadlock_waits_grace_for_other_threads_then_raises() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:

        async def main() -> None:
            await park(reason="forever")

        loop = EventLoop(deadlock_grace=0.02)
        with pytest.raises(DeadlockError):
            loop.run_until_complete(main())
        assert loop.statistics()["polls"] >= 1  # it did wait for the other thread first
    finally:
        stop.set()
        other.join()


def test_bad_deadlock_grace() -> None:
    with pytest.raises(ValueError, match="deadlock_grace"):
        EventLoop(deadlock_grace=-1)


def test_create_task_from_thread_wakes_blocked_loop() -> None:
    loop = EventLoop()
    parked: list[TaskHandle[Any]] = []

    async def deliver(text: str) -> None:
        wake(parked[0], text)

    def other_thread() -> None:
        loop.create_task(deliver("from another thread"))

    async def main() -> str:
        parked.append(current_task_handle())
        t = threading.Thread(target=other_thread)
        t.start()
        got = await park(reason="inbox")
        t.join()
        return str(got)

    assert loop.run_until_complete(main(), join=True) == "from another thread"


def test_wait_readable_writable_and_busy() -> None:
    a, b = socket.socketpair()
    try:

        async def reader() -> bytes:
            await wait_readable(a)
            return a.recv(10)

        async def main() -> bytes:
            h1 = await spawn(reader())
            h2 = await spawn(reader())
            with pytest.raises(BusyResourceError):
                await h2.join()
            await wait_writable(b)
            b.send(b"hey")
            return await h1.join()

        loop = EventLoop()
        assert loop.run_until_complete(main(), join=True) == b"hey"
        assert loop.statistics()["io_waits"] == 0
    finally:
        a.close()
        b.close()


def test_cancel_io_wait_unregisters() -> None:
    a, b = socket.socketpair()
    try:

        async def reader() -> None:
            await wait_readable(a)

        async def main() -> None:
            h = await spawn(reader())
            await sleep(0)
            assert current_event_loop().statistics()["io_waits"] == 1  # type: ignore[union-attr]
            await h.cancel()
            assert current_event_loop().statistics()["io_waits"] == 0  # type: ignore[union-attr]
            h2 = await spawn(reader())  # a new reader is not "busy"
            b.send(b"x")
            await h2.join()

        EventLoop().run_until_complete(main())
    finally:
        a.close()
        b.close()


def test_wait_on_closed_socket_raises_in_task() -> None:
    s = socket.socket()
    s.close()

    async def main() -> str:
        try:
            await wait_readable(s)
        except ValueError as e:
            return "ValueError" + str(e)[:0]
        return "no error"

    assert run(main()) == "ValueError"


def test_loop_is_reusable_and_releases_fds() -> None:
    loop = EventLoop()

    async def job() -> int:
        await sleep(0.001)
        return 1

    assert loop.run_until_complete(job(), join=True) == 1
    assert loop.run_until_complete(job(), join=True) == 1
    assert loop._io.native._selector is None  # pyright: ignore[reportPrivateUsage]


def test_current_loop_and_task_are_context_local(capsys: pytest.CaptureFixture[str]) -> None:
    print("outside:", current_event_loop(), current_task())
    loop = EventLoop()

    async def main() -> None:
        print("inside: same loop?", current_event_loop() is loop)
        print("inside: current_task() is this coroutine?", current_task() is me)

    me = main()
    loop.run_until_complete(me)
    print("after:", current_event_loop())
    assert capsys.readouterr().out == (
        "outside: None None\n"
        "inside: same loop? True\n"
        "inside: current_task() is this coroutine? True\n"
        "after: None\n"
    )


def test_nested_run_restores_outer_loop() -> None:
    outer = EventLoop()

    async def inner() -> str:
        return "inner"

    async def main() -> tuple[str, bool]:
        value = EventLoop().run_until_complete(inner(), join=True)
        return value, current_event_loop() is outer

    assert outer.run_until_complete(main(), join=True) == ("inner", True)


def test_loops_in_two_threads_do_not_mix() -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        loop = EventLoop()

        async def main() -> None:
            a, b = socket.socketpair()
            try:
                for _ in range(20):
                    b.send(b"x")
                    await wait_readable(a)
                    a.recv(1)
                    assert current_event_loop() is loop
                    await sleep(0)
            finally:
                a.close()
                b.close()

        try:
            loop.run_until_complete(main(), join=True)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_timers_call_later_and_cancel() -> None:
    clock = MockClock()
    loop = EventLoop(clock=clock)
    fired: list[tuple[str, float]] = []

    async def main() -> None:
        loop.call_later(2, lambda: fired.append(("later", clock.now())))
        h = loop.call_at(1, lambda: fired.append(("cancelled", clock.now())))
        assert "pending" in repr(h)
        h.cancel()
        h.cancel()  # idempotent
        assert "cancelled" in repr(h)
        loop.call_soon(lambda: fired.append(("soon", clock.now())))
        await sleep(3)

    loop.run_until_complete(main())
    assert fired == [("soon", 0.0), ("later", 2.0)]


def test_many_cancelled_timers_are_compacted() -> None:
    loop = EventLoop(clock=MockClock())

    async def main() -> None:
        for i in range(1000):
            loop.call_at(10 + i, print).cancel()
        assert loop.statistics()["timers"] == 0
        assert len(loop._timers._heap) < 200  # pyright: ignore[reportPrivateUsage]

    loop.run_until_complete(main())


def test_manual_mock_clock_without_waker_is_a_deadlock() -> None:
    async def main() -> None:
        await sleep(1)

    with pytest.raises(DeadlockError, match="SleepCommand"):
        EventLoop(clock=MockClock(autojump_threshold=None), deadlock_grace=0).run_until_complete(
            main()
        )


def test_mock_clock_threshold_waits_real_time_first() -> None:
    clock = MockClock(autojump_threshold=0.001)

    async def main() -> float:
        return await sleep(5)

    assert EventLoop(clock=clock).run_until_complete(main(), join=True) == 5.0


def test_nested_run_on_same_loop_is_refused() -> None:
    loop = EventLoop()

    async def inner() -> None:
        pass

    async def main() -> str:
        coro = inner()
        try:
            loop.run_until_complete(coro)
        except RuntimeError as e:
            coro.close()
            return str(e).split(" (")[0]
        return "no error"

    assert loop.run_until_complete(main(), join=True) == "this EventLoop is already running"
    assert not loop.is_running()
    assert repr(loop) == "<EventLoop idle live=0 ready=0>"


def test_join_self_and_foreign_handles() -> None:
    async def main() -> list[str]:
        out = []
        me = current_task_handle()
        try:
            await me.join()
        except RuntimeError as e:
            out.append(str(e))
        stranger = EventLoop()

        async def other() -> None:
            pass

        coro = other()
        try:
            await TaskHandle(stranger, coro).join()
        except RuntimeError as e:
            out.append(str(e).split(":")[1].strip())
        coro.close()
        return out

    assert run(main()) == ["a task cannot join itself", "not a task of this loop"]


def test_root_error_with_and_without_join(caplog: pytest.LogCaptureFixture) -> None:
    async def boom() -> None:
        raise ValueError("bad")

    assert EventLoop().run_until_complete(boom()) is None
    assert "raised an exception: bad" in caplog.text
    with pytest.raises(ValueError, match="bad"):
        EventLoop().run_until_complete(boom(), join=True)


def test_wait_for_spawned_false_returns_at_root_end() -> None:
    async def slow() -> None:
        await sleep(100)

    async def main() -> str:
        await spawn(slow())
        return "root"

    loop = EventLoop(clock=MockClock())
    assert loop.run_until_complete(main(), join=True, wait_for_spawned_tasks=False) == "root"
    loop.close()


def test_exit_during_shutdown_finally_can_await() -> None:
    log: list[str] = []

    async def worker() -> None:
        try:
            await sleep(10)
        finally:
            await sleep(1)  # a finally block may still await during the shutdown
            log.append("cleaned")

    async def main() -> None:
        await spawn(worker())
        await sleep(0)
        await exit("bye")

    assert run(main()) == "bye"
    assert log == ["cleaned"]


def test_stubborn_task_is_closed_when_shutdown_blocks_again() -> None:
    log: list[str] = []

    async def stubborn() -> None:
        try:
            await park(reason="first")
        except TaskCancelled:
            try:
                await park(reason="again")  # ignores the cancellation and blocks again
            finally:
                log.append("closed")

    async def main() -> str:
        await spawn(stubborn())
        return "root"

    assert run(main()) == "root"
    assert log == ["closed"]


def test_foreign_wake_withdraws_kernel_waits() -> None:
    a, b = socket.socketpair()
    try:
        handles: list[TaskHandle[Any]] = []

        async def reader() -> str:
            handles.append(current_task_handle())
            try:
                await wait_readable(a)
            except OSError as e:
                return str(e)
            return "readable"

        async def sleeper() -> str:
            handles.append(current_task_handle())
            try:
                await sleep(5)
            except OSError:
                await park(reason="elsewhere")  # a stale timer must not wake this park
            return "woken by timer?"

        async def main() -> None:
            loop = current_event_loop()
            assert loop is not None
            r = await spawn(reader())
            s = await spawn(sleeper())
            await sleep(0)
            assert wake_error(handles[0], OSError("closed under you")) is True
            assert wake_error(handles[1], OSError("go elsewhere")) is True
            assert await r.join() == "closed under you"
            stats = loop.statistics()
            assert stats["io_waits"] == 0 and stats["timers"] == 0
            await sleep(10)
            assert s.park_reason == "elsewhere"
            s.cancel()

        EventLoop(clock=MockClock()).run_until_complete(main())
    finally:
        a.close()
        b.close()


def test_a_wakeup_landing_while_the_wakeup_channel_opens_is_not_lost() -> None:
    from flowno_eventloop._backend import SelectorBackend

    loop = EventLoop()
    woken: list[TaskHandle[Any]] = []

    class GapBackend(SelectorBackend):
        """Lets a thread call call_soon_threadsafe just before the channel opens."""

        __slots__ = ("injected",)

        def _open_wakeup(self) -> None:
            if woken and not getattr(self, "injected", False):
                self.injected = True
                t = threading.Thread(target=loop.call_soon_threadsafe, args=(wake_and_release,))
                t.start()
                t.join()
            super()._open_wakeup()

        def poll(self, timeout: float | None) -> list[Any]:
            if timeout is None and loop._inbox and not self._wake_requested:
                raise AssertionError("blocking poll while the inbox holds work")
            return super().poll(timeout)

    def wake_and_release() -> None:
        loop.release()
        wake(woken[0], "woken")

    backend = GapBackend()
    loop._io.native = loop._io.backend = backend  # pyright: ignore[reportPrivateUsage]

    async def main() -> Any:
        woken.append(current_task_handle())
        loop.hold()
        return await park(reason="a thread")

    assert loop.run_until_complete(main(), join=True) == "woken"
    loop.close()


def test_run_end_callbacks_run_once_when_the_run_returns() -> None:
    loop = EventLoop(clock=MockClock())
    log: list[str] = []

    async def main() -> str:
        loop.call_at_run_end(log.append, "first")
        cancelled = loop.call_at_run_end(log.append, "never")
        loop.call_at_run_end(log.append, "second")
        cancelled.cancel()
        log.append("body")
        return "done"

    assert loop.run_until_complete(main(), join=True) == "done"
    assert log == ["body", "first", "second"]

    async def nothing() -> None:
        pass

    loop.run_until_complete(nothing())
    assert log == ["body", "first", "second"]  # not kept for the next run


def test_run_end_callbacks_run_when_the_run_fails() -> None:
    loop = EventLoop(clock=MockClock())
    log: list[str] = []

    async def main() -> None:
        loop.call_at_run_end(log.append, "cleanup")
        raise KeyError("boom")

    with pytest.raises(KeyError):
        loop.run_until_complete(main(), join=True)
    assert log == ["cleanup"]


def test_a_spawned_task_inherits_the_spawners_context_variables() -> None:
    import contextvars

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    async def child() -> tuple[str, Any]:
        seen = var.get()
        var.set("child")  # stays in the child's own copy
        return seen, current_task()

    async def main() -> tuple[Any, ...]:
        var.set("parent")
        c = child()
        h = await spawn(c)
        seen, me = await h.join()
        return seen, me is c, var.get()

    assert run(main()) == ("parent", True, "parent")


def test_call_soon_runs_between_two_turns_of_a_busy_task() -> None:
    loop = EventLoop(clock=MockClock())
    log: list[str] = []

    async def spinner() -> None:
        for i in range(3):
            log.append(f"spin{i}")
            await sleep(0)

    async def main() -> None:
        h = await spawn(spinner())
        loop.call_soon(log.append, "soon")
        await sleep(0)
        log.append("main")
        await h.join()

    loop.run_until_complete(main())
    # the batch [spinner, main] ends before either runs again: the callback runs in between
    assert log == ["spin0", "soon", "spin1", "main", "spin2"]


def test_sleep_zero_is_one_turn_and_returns_zero() -> None:
    async def other(log: list[str]) -> None:
        log.append("other")

    async def main() -> tuple[float, list[str]]:
        log: list[str] = []
        await spawn(other(log))
        slept = await sleep(0)
        log.append("main")
        slept += await sleep(-1)
        return slept, log

    assert run(main()) == (0.0, ["other", "main"])


@pytest.mark.parametrize("wait", ["park", "sleep0", "join_done", "spawn"])
def test_a_task_that_cancelled_itself_gets_it_at_its_next_wait(wait: str) -> None:
    cleaned: list[str] = []

    async def done() -> None:
        pass

    async def victim(finished: TaskHandle[Any]) -> str:
        current_task_handle().cancel()
        try:
            if wait == "park":
                await park(reason="never", on_cancel=lambda: cleaned.append("on_cancel"))
            elif wait == "sleep0":
                await sleep(0)
            elif wait == "join_done":
                await finished.join()
            else:
                await spawn(done())
            await sleep(0)
        except TaskCancelled:
            return "cancelled"
        return "not cancelled"

    async def main() -> str:
        finished = await spawn(done())
        await finished.join()
        return await (await spawn(victim(finished))).join()

    assert run(main()) == "cancelled"
    assert cleaned == (["on_cancel"] if wait == "park" else [])
