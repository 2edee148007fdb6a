"""serve(): one task per connection, clean stop on cancel, TLS handshakes per connection."""

from __future__ import annotations

import logging
import os
import socket as std_socket
import ssl
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from flowno_eventloop import EventLoop, sleep, spawn
from flowno_net import SocketHandle, TLSHandshakeError, serve, socket

if sys.version_info < (3, 11):  # pragma: no cover - 3.10 only
    from exceptiongroup import ExceptionGroup

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def _started(handler: Any, **kwargs: Any) -> tuple[Any, int]:
    """Spawn serve(handler) on 127.0.0.1:0 and return (task handle, port) once it listens."""
    ports: list[int] = []
    task = await spawn(
        serve(
            handler,
            "127.0.0.1",
            0,
            on_listening=lambda lst: ports.append(lst.getsockname()[1]),
            **kwargs,
        )
    )
    while not ports:
        await sleep(0)
    return task, ports[0]


async def _echo(conn: SocketHandle, address: Any) -> None:
    while data := await conn.recv(65536):
        await conn.sendAll(data)


def test_serve_echoes_and_cancel_closes_everything() -> None:
    baseline = open_fds()
    loop = EventLoop()

    async def main() -> tuple[list[bytes], bool, int]:
        server, port = await _started(_echo)
        replies = []
        idle = socket()  # stays connected (and idle) while the server is cancelled
        await idle.aconnect(("127.0.0.1", port))
        for word in (b"one", b"two"):
            with socket() as c:
                await c.aconnect(("127.0.0.1", port))
                await c.sendAll(word)
                replies.append(await c.recv(100))
        await server.cancel()  # waits until serve() has ended
        cancelled = server.is_cancelled
        # the server closed its side of the idle connection: we read EOF
        eof = await idle.recv(10)
        idle.close()
        return replies, cancelled, len(eof)

    try:
        assert loop.run_until_complete(main(), join=True) == ([b"one", b"two"], True, 0)
        assert loop.statistics()["io_waits"] == 0
    finally:
        loop.close()
    assert open_fds() == baseline


def test_tls_serve_survives_a_garbage_client(
    run: Runner,
    server_context: ssl.SSLContext,
    client_context: ssl.SSLContext,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> bytes:
        server, port = await _started(_echo, ssl_context=server_context)
        try:
            with socket() as garbage:
                await garbage.aconnect(("127.0.0.1", port))
                await garbage.sendAll(b"GET / HTTP/1.0\r\n\r\n")
                try:
                    while await garbage.recv(4096):
                        pass
                except ConnectionResetError:
                    pass  # the server closed on unread bytes: a reset is fine here
            with socket(use_tls=True, ssl_context=client_context, server_hostname="localhost") as c:
                await c.aconnect(("127.0.0.1", port))
                await c.sendAll(b"still serving")
                return await c.recv(100)
        finally:
            server.cancel()

    with caplog.at_level(logging.WARNING, logger="flowno.net"):
        assert run(main()) == b"still serving"
    warnings = [r.getMessage() for r in caplog.records if r.name == "flowno.net"]
    assert len(warnings) == 1
    assert warnings[0].startswith("serve: TLS handshake with ('127.0.0.1', ")
    assert "peer does not speak TLS (HTTP_REQUEST)" in warnings[0]


def test_tls_serve_handshake_error_type(run: Runner, server_context: ssl.SSLContext) -> None:
    """A client that refuses our certificate ends only its own connection."""

    async def main() -> str:
        server, port = await _started(_echo, ssl_context=server_context)
        try:
            with socket(use_tls=True, server_hostname="localhost") as c:  # does not trust our CA
                try:
                    await c.aconnect(("127.0.0.1", port))
                    outcome = "connected?"
                except TLSHandshakeError as exc:
                    outcome = type(exc).__name__
            await sleep(0)
            return f"{outcome} alive={not server.is_finished}"
        finally:
            server.cancel()

    assert run(main()) == "TLSUntrustedCertificateError alive=True"


@pytest.mark.parametrize(
    ("host", "expected"),
    [("localhost", "AF_INET 127.0.0.1"), ("", "AF_INET 0.0.0.0"), ("::1", "AF_INET6 ::1")],
)
def test_open_listener_hosts(run: Runner, host: str, expected: str) -> None:
    from flowno_net import open_listener

    async def main() -> str:
        with await open_listener(host, 0) as listener:
            family: int = listener.socket.family
            return f"{std_socket.AddressFamily(family).name} {listener.getsockname()[0]}"

    assert run(main()) == expected


def test_a_handler_error_stops_the_server_and_is_raised() -> None:
    baseline = open_fds()

    async def broken(conn: SocketHandle, address: Any) -> None:
        raise ValueError(f"handler bug for {await conn.recv(10)!r}")

    async def main() -> str:
        server, port = await _started(broken)
        with socket() as c:
            await c.aconnect(("127.0.0.1", port))
            await c.sendAll(b"boom")
            try:
                await server.join()
            except ExceptionGroup as group:
                return " / ".join(str(e) for e in group.exceptions)
        return "server still running?"

    loop = EventLoop()
    try:
        assert loop.run_until_complete(main(), join=True) == "handler bug for b'boom'"
    finally:
        loop.close()
    assert open_fds() == baseline
