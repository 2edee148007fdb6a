"""Instrumentation: hook order and arguments, nesting, forwarding of any on_* hook, failing
hooks, the legacy ``_on_task_*`` subclass hooks, Print/LogInstrument."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest

from flowno_eventloop import (
    AsyncQueue,
    EventLoop,
    InstrumentHookError,
    MockClock,
    TaskCancelled,
    sleep,
    spawn,
)
from flowno_eventloop.instrumentation import (
    EMPTY_INSTRUMENT,
    EventLoopInstrument,
    LogInstrument,
    PrintInstrument,
    TaskSendMetadata,
    TaskThrowMetadata,
    _stack,
    get_current_instrument,
)
from flowno_eventloop.lowlevel import wait_readable

TASK_HOOKS = [
    "on_task_spawned",
    "on_task_before_send",
    "on_task_after_send",
    "on_task_before_throw",
    "on_task_after_throw",
    "on_task_completed",
    "on_task_error",
    "on_task_cancelled",
    "on_io_wait_start",
    "on_io_wait_ready",
]


class Recorder(EventLoopInstrument):
    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def __getattribute__(self, name: str) -> Any:
        if name in TASK_HOOKS:
            events = object.__getattribute__(self, "events")

            def record(*args: Any) -> None:
                events.append((name, *args))

            return record
        return object.__getattribute__(self, name)


def scenario() -> Any:
    async def child() -> str:
        await sleep(1)
        return "c"

    async def failing() -> None:
        await sleep(0)  # still running when joined: join() of a finished task does not yield
        raise ValueError("x")

    async def victim() -> None:
        await sleep(5)

    async def main() -> None:
        h = await spawn(child())
        await h.join()
        f = await spawn(failing())
        with pytest.raises(ValueError):
            await f.join()
        v = await spawn(victim())
        await sleep(0)
        v.cancel()
        with pytest.raises(TaskCancelled):
            await v.join()
        a, b = socket.socketpair()
        try:
            b.send(b"x")
            await wait_readable(a)
        finally:
            a.close()
            b.close()

    return main()


def test_hooks_fire_with_documented_arguments() -> None:
    rec = Recorder()
    with rec:
        EventLoop(clock=MockClock()).run_until_complete(scenario())
    names = [e[0] for e in rec.events]
    for hook in TASK_HOOKS:
        assert hook in names, hook
    first = rec.events[0]
    assert first[0] == "on_task_spawned" and first[2] is None  # root has no parent
    before = next(e for e in rec.events if e[0] == "on_task_before_send")
    assert isinstance(before[1], TaskSendMetadata) and before[1].send_value is None
    throws = [e[1] for e in rec.events if e[0] == "on_task_before_throw"]
    assert all(isinstance(m, TaskThrowMetadata) for m in throws)
    assert [type(m.exception).__name__ for m in throws] == [
        "ValueError",
        "TaskCancelled",
        "TaskCancelled",
    ]
    completed = [e for e in rec.events if e[0] == "on_task_completed"]
    assert [e[2] for e in completed] == ["c", None]
    error = next(e for e in rec.events if e[0] == "on_task_error")
    assert isinstance(error[2], ValueError)
    io = [e for e in rec.events if e[0].startswith("on_io")]
    assert [(e[0], e[3]) for e in io] == [("on_io_wait_start", True), ("on_io_wait_ready", True)]


@pytest.mark.parametrize("hook", TASK_HOOKS)
def test_failing_hook_is_not_blamed_on_the_task(hook: str) -> None:
    class Broken(EventLoopInstrument):
        pass

    def boom(*args: Any) -> None:
        raise ValueError("bug in instrument")

    inst = Broken()
    setattr(inst, hook, boom)
    loop = EventLoop(clock=MockClock())
    with inst, pytest.raises(InstrumentHookError, match=hook) as info:
        loop.run_until_complete(scenario())
    assert isinstance(info.value.__cause__, ValueError)
    loop.close()


def test_stack_default_and_nesting() -> None:
    assert _stack.get() == () and len(_stack.get()) == 0
    assert get_current_instrument() is EMPTY_INSTRUMENT
    a, b = EventLoopInstrument(), EventLoopInstrument()
    with a:
        assert get_current_instrument() is a
        with b as entered:
            assert entered is b
            assert get_current_instrument() is not a
        assert get_current_instrument() is a
    assert _stack.get() == ()


def test_composite_forwards_any_on_hook_innermost_first() -> None:
    calls: list[str] = []

    class NetInstrument(EventLoopInstrument):
        def __init__(self, tag: str) -> None:
            self.tag = tag

        def on_socket_custom(self, x: int) -> None:
            calls.append(f"{self.tag}{x}")

    with NetInstrument("outer"), EventLoopInstrument(), NetInstrument("inner"):
        get_current_instrument().on_socket_custom(1)  # type: ignore[attr-defined]
        get_current_instrument().on_not_defined_anywhere(2)  # type: ignore[attr-defined]
    assert calls == ["inner1", "outer1"]


def test_legacy_subclass_hooks_run_without_instrument() -> None:
    seen: list[str] = []

    class FlowLike(EventLoop):
        def _on_task_before_send(self, task: Any, value: Any) -> None:
            seen.append(task.__name__)
            super()._on_task_before_send(task, value)

    async def main() -> None:
        await sleep(0)

    FlowLike().run_until_complete(main())
    assert seen == ["main", "main"]


def test_print_and_log_instruments_report_queue_events(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        q: AsyncQueue[bytes] = AsyncQueue(maxsize=1)

        async def consumer() -> None:
            await q.get()  # waits: the queue is empty

        h = await spawn(consumer())
        await q.put(b"\xff\xfe")  # binary items print as repr
        await h.join()

    with PrintInstrument():
        EventLoop().run_until_complete(main())
    assert capsys.readouterr().out.splitlines() == [
        "[QUEUE-PUT] b'\\xff\\xfe' (immediate)",
        "[QUEUE-GET] b'\\xff\\xfe' (immediate)",  # handed over by put()
    ]
    with caplog.at_level(logging.DEBUG, logger="flowno.eventloop.instrumentation"):
        with LogInstrument():
            EventLoop().run_until_complete(main())
    assert "[QUEUE-PUT] b'\\xff\\xfe'" in caplog.text
    assert capsys.readouterr().out == ""


def test_no_socket_names_in_the_loop_instrumentation() -> None:
    import flowno_eventloop.instrumentation as inst

    assert not [n for n in dir(inst) if "Socket" in n or "TLS" in n]
    assert not [n for n in dir(EventLoopInstrument) if n.startswith(("on_socket", "on_tls"))]
