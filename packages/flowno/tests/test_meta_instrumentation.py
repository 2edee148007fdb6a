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
    assert issubclass(PrintInstrument, flowno_eventloop.instrumentation.PrintInstrument)
    assert issubclass(PrintInstrument, flowno_net.SocketInstrument)
    assert issubclass(LogInstrument, flowno_eventloop.instrumentation.LogInstrument)
    assert issubclass(LogInstrument, flowno_net.SocketInstrument)


def test_print_instrument_reports_socket_events_and_the_loop_events(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with flowno_eventloop.instrumentation.PrintInstrument():
        assert _run() == b"hello"
    loop_only = _lines(capsys.readouterr().out)

    with PrintInstrument():
        assert _run() == b"hello"
    combined = _lines(capsys.readouterr().out)

    assert any("[SEND" in line for line in combined)
    assert any("[RECV" in line for line in combined)
    missing = [line for line in loop_only if line not in combined]
    assert missing == []


def test_log_instrument_logs_socket_events(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="flowno"), LogInstrument():
        assert _run() == b"hello"
    messages = [record.getMessage() for record in caplog.records]
    assert any("[SEND" in m for m in messages)
    assert any("[RECV" in m for m in messages)
