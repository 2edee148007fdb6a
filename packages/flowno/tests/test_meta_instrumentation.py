"""flowno.core.event_loop.instrumentation: one Print/LogInstrument for tasks AND sockets."""

from __future__ import annotations

import logging
import re
import socket as std_socket

import pytest

import flowno_eventloop.instrumentation
import flowno_net
from flowno import EventLoop, SocketHandle, spawn
from flowno.core.event_loop.instrumentation import LogInstrument, PrintInstrument

LoopPrint = flowno_eventloop.instrumentation.PrintInstrument
LoopLog = flowno_eventloop.instrumentation.LogInstrument


async def _exchange() -> bytes:
    left, right = std_socket.socketpair()
    left.setblocking(False)
    right.setblocking(False)
    a, b = SocketHandle(left), SocketHandle(right)

    async def reader() -> bytes:
        return await b.recv(100)

    try:
        handle = await spawn(reader())
        await a.sendAll(b"hello")
        return await handle.join()
    finally:
        left.close()
        right.close()


def _lines(text: str) -> list[str]:
    return [re.sub(r"0x[0-9a-f]+", "0x?", line) for line in text.splitlines() if line]


def _run() -> bytes:
    return EventLoop().run_until_complete(_exchange(), join=True)


def test_print_instrument_is_both_libraries_instruments() -> None:
    assert issubclass(PrintInstrument, LoopPrint)
    assert issubclass(PrintInstrument, flowno_net.SocketInstrument)
    assert issubclass(LogInstrument, LoopLog)
    assert issubclass(LogInstrument, flowno_net.SocketInstrument)


def test_print_instrument_reports_socket_events(capsys: pytest.CaptureFixture[str]) -> None:
    with PrintInstrument():
        assert _run() == b"hello"
    lines = _lines(capsys.readouterr().out)
    for tag in ("[SEND]", "[SEND-DATA]", "[RECV]", "[RECV-DATA]"):
        assert any(line.startswith(tag) for line in lines), (tag, lines)


@pytest.mark.parametrize(
    ("combined", "socket_side", "loop_side"),
    [
        (PrintInstrument, flowno_net.SocketPrintInstrument, LoopPrint),
        (LogInstrument, flowno_net.SocketLogInstrument, LoopLog),
    ],
)
def test_each_hook_comes_from_the_library_that_owns_it(
    combined: type, socket_side: type, loop_side: type
) -> None:
    hooks = [name for name in dir(combined) if name.startswith("on_")]
    assert any(name.startswith("on_socket_") for name in hooks)
    for name in hooks:
        owner = socket_side if name.startswith(("on_socket_", "on_tls_")) else loop_side
        assert getattr(combined, name) is getattr(owner, name), name


def test_log_instrument_logs_socket_events(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="flowno"), LogInstrument():
        assert _run() == b"hello"
    messages = [record.getMessage() for record in caplog.records]
    assert any("[SEND" in m for m in messages)
    assert any("[RECV" in m for m in messages)
