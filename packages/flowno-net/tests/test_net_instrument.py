"""Socket instrumentation: hook order and metadata, binary-safe printing, logging, `sel`."""

from __future__ import annotations

import logging
import re
import socket as std_socket
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from flowno_eventloop import EventLoop, spawn
from flowno_net import (
    InstrumentationMetadata,
    ReadySocketInstrumentationMetadata,
    SocketAcceptCommand,
    SocketHandle,
    SocketInstrument,
    SocketLogInstrument,
    SocketPrintInstrument,
    SocketRecvCommand,
    sel,
    socket,
)

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


class Recorder(SocketInstrument):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("on_socket") or name == "on_tls_handshake_complete":
            events = object.__getattribute__(self, "events")
            return lambda metadata: events.append((name, metadata))
        return object.__getattribute__(self, name)


def test_accept_recv_and_close_hooks_with_metadata() -> None:
    recorder = Recorder()

    async def main() -> None:
        with socket() as listener, socket() as client:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            await client.aconnect(listener.getsockname())
            conn, _ = await listener.accept()
            with conn:
                reader = await spawn(conn.recv(10))
                await client.sendAll(b"\xff\xfe")
                assert await reader.join() == b"\xff\xfe"

    with recorder:
        EventLoop().run_until_complete(main())
    names = [name for name, _ in recorder.events]
    assert names == [
        "on_socket_connect_start",
        "on_socket_connect_ready",
        "on_socket_accept_start",
        "on_socket_accept_ready",
        "on_socket_recv_start",
        "on_socket_send_start",
        "on_socket_send_ready",
        "on_socket_send_data",
        "on_socket_recv_ready",
        "on_socket_recv_data",
        "on_socket_close",  # conn
        "on_socket_close",  # client
        "on_socket_close",  # listener
    ]
    by_name = dict(recorder.events)
    accept_ready = by_name["on_socket_accept_ready"]
    assert isinstance(accept_ready, ReadySocketInstrumentationMetadata)
    assert isinstance(accept_ready._command, SocketAcceptCommand)
    assert accept_ready.immediate is True  # the client had connected already
    recv_ready = by_name["on_socket_recv_ready"]
    assert isinstance(recv_ready._command, SocketRecvCommand)
    assert recv_ready.immediate is False  # the reader parked until the bytes came
    assert recv_ready.finish_time >= recv_ready.start_time
    assert recv_ready._task is not None
    assert isinstance(by_name["on_socket_close"], InstrumentationMetadata)


def test_print_instrument_is_binary_safe(capsys: pytest.CaptureFixture[str]) -> None:
    async def main() -> bytes:
        left, right = std_socket.socketpair()
        with SocketHandle(left) as a, SocketHandle(right) as b:
            await a.sendAll(b"\xff\xfe")
            return await b.recv(10)

    with SocketPrintInstrument():
        assert EventLoop().run_until_complete(main(), join=True) == b"\xff\xfe"
    out = re.sub(r"\d+\.\d{4}s", "<s>", capsys.readouterr().out)
    out = re.sub(r"fd=\d+", "fd=N", out)
    assert out.splitlines() == [
        "[SEND] Starting send to ",
        "[SEND] Completed send to  in <s>",
        "[SEND-DATA] Sent 2 bytes: b'\\xff\\xfe'",
        "[RECV] Waiting for data from ",
        "[RECV] Ready to receive data from  in <s>",
        "[RECV-DATA] Got 2 bytes: b'\\xff\\xfe'",
        "[CLOSE] Closed <SocketHandle fd=N>",
        "[CLOSE] Closed <SocketHandle fd=N>",
    ]


def test_log_instrument_logs_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        with socket() as s:
            s.bind(("127.0.0.1", 0))

    with caplog.at_level(logging.DEBUG, logger="flowno.net"), SocketLogInstrument():
        EventLoop().run_until_complete(main())
    lines = [r.getMessage() for r in caplog.records if r.name == "flowno.net"]
    assert [re.sub(r"fd=\d+", "fd=N", line) for line in lines] == [
        "[CLOSE] Closed <SocketHandle fd=N>"
    ]


def test_two_instruments_both_see_socket_hooks() -> None:
    outer, inner = Recorder(), Recorder()

    async def main() -> None:
        left, right = std_socket.socketpair()
        with SocketHandle(left) as a, SocketHandle(right) as b:
            await a.sendAll(b"x")
            await b.recv(1)

    with outer, inner:
        EventLoop().run_until_complete(main())
    assert [n for n, _ in outer.events] == [n for n, _ in inner.events]
    assert ("on_socket_recv_data") in [n for n, _ in inner.events]


def test_hook_error_is_not_swallowed(run: Runner) -> None:
    class Broken(SocketInstrument):
        def on_socket_recv_data(self, metadata: Any) -> None:  # type: ignore[override]
            raise ValueError("bug in instrument")

    async def main() -> None:
        left, right = std_socket.socketpair()
        with SocketHandle(left) as a, SocketHandle(right) as b:
            await a.sendAll(b"x")
            await b.recv(1)

    with Broken(), pytest.raises(ValueError, match="bug in instrument"):
        run(main())


def test_sel_is_a_read_only_per_loop_accessor(run: Runner) -> None:
    with pytest.raises(RuntimeError, match="no EventLoop is running in this thread"):
        sel.get_map()
    with pytest.raises(RuntimeError, match="sel is no longer a shared selector"):
        sel.register(0, 1)
    assert repr(sel) == "<flowno_net.sel: the running EventLoop's own selector (read-only)>"


def test_sel_inspects_the_running_loops_selector(run: Runner) -> None:
    import selectors

    async def main() -> tuple[bool, int, bool, bool]:
        left, right = std_socket.socketpair()
        with SocketHandle(left) as a, SocketHandle(right) as b:
            reader = await spawn(b.recv(1))  # parks: nothing to read yet
            fd = right.fileno()
            watched = fd in sel.get_map()
            events = sel.get_key(fd).events
            await a.sendAll(b"x")
            await reader.join()
            kept = fd in sel.get_map()  # registered between waits
        return watched, events, kept, fd in sel.get_map()  # closing the handle drops it

    watched, events, kept, after_close = run(main())
    assert watched and events == selectors.EVENT_READ and kept and not after_close
