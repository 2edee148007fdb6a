"""Regression tests for misuse and misbehaving peers: whole writes, stdlib-compatible TLS errors,
bad addresses, client resets, stalled TLS handshakes and the readiness handshake."""

from __future__ import annotations

import logging
import os
import socket as std_socket
import ssl
import struct
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from flowno_eventloop import EventLoop, MockClock, spawn
from flowno_net import (
    BusyResourceError,
    SocketHandle,
    TLSCertificateError,
    TLSError,
    TLSExpiredCertificateError,
    TLSHandshakeError,
    TLSHostnameMismatchError,
    TLSPlainTextPeerError,
    TLSUntrustedCertificateError,
    socket,
    start_server,
)

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def _recv_all(conn: SocketHandle) -> bytes:
    chunks = []
    while chunk := await conn.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def test_two_concurrent_sendalls_never_interleave(run: Runner) -> None:
    big, small = b"A" * 3_000_000, b"B" * 1_000

    async def main() -> bytes:
        left, right = std_socket.socketpair()
        with SocketHandle(left) as a, SocketHandle(right) as b:
            reader = await spawn(_recv_all(b))
            first = await spawn(a.sendAll(big))
            second = await spawn(a.sendAll(small))
            await first.join()
            await second.join()
            a.shutdown(std_socket.SHUT_WR)
            return await reader.join()

    received = run(main())
    assert received == big + small


def test_a_plain_send_during_another_tasks_sendall_is_refused(run: Runner) -> None:
    async def main() -> str:
        left, right = std_socket.socketpair()
        with SocketHandle(left) as a, SocketHandle(right) as b:
            reader = await spawn(_recv_all(b))
            writer = await spawn(a.sendAll(b"A" * 3_000_000))
            try:
                await a.send(b"B")
            except BusyResourceError as exc:
                outcome = str(exc)
            else:
                outcome = "sent"
            await writer.join()
            a.shutdown(std_socket.SHUT_WR)
            assert await reader.join() == b"A" * 3_000_000
            return outcome

    assert "sendAll is in progress" in run(main())


@pytest.mark.parametrize(
    ("error", "stdlib"),
    [
        (TLSError, ssl.SSLError),
        (TLSHandshakeError, ssl.SSLError),
        (TLSPlainTextPeerError, ssl.SSLError),
        (TLSCertificateError, ssl.SSLCertVerificationError),
        (TLSUntrustedCertificateError, ssl.SSLCertVerificationError),
        (TLSExpiredCertificateError, ssl.SSLCertVerificationError),
        (TLSHostnameMismatchError, ssl.SSLCertVerificationError),
    ],
)
def test_tls_errors_are_the_standard_library_exceptions(
    error: type[TLSError], stdlib: type[ssl.SSLError]
) -> None:
    assert issubclass(error, stdlib)
    assert issubclass(error, ConnectionError)
    assert issubclass(error, TLSError)


def test_an_untrusted_certificate_is_caught_as_ssl_cert_verification_error(
    run: Runner, server_context: ssl.SSLContext
) -> None:
    async def shake(conn: SocketHandle, address: Any) -> None:
        await conn.recv(1)

    async def main() -> ssl.SSLCertVerificationError:
        async with await start_server(shake, "127.0.0.1", 0, ssl_context=server_context) as srv:
            with socket(use_tls=True, server_hostname="localhost") as client:
                try:
                    await client.aconnect(srv.address)
                except ssl.SSLCertVerificationError as exc:
                    return exc
        raise AssertionError("the handshake succeeded")

    error = run(main())
    assert isinstance(error, TLSUntrustedCertificateError)
    assert error.verify_code == 20
    assert error.reason == "CERTIFICATE_VERIFY_FAILED"
    assert "issuer certificate is unknown" in str(error)


@pytest.mark.parametrize("address", [("127.0.0.1",), ("127.0.0.1", "80"), "127.0.0.1:80"])
def test_aconnect_with_a_malformed_address_names_the_problem(run: Runner, address: Any) -> None:
    async def main() -> None:
        with socket() as s:
            await s.aconnect(address)

    with pytest.raises(TypeError, match=r"address must be \(host, port\) for an AF_INET socket"):
        run(main())


def _reset(sock: std_socket.socket) -> None:
    """Close ``sock`` so that the peer gets a TCP reset (RST) instead of an orderly FIN."""
    sock.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


async def _echo(conn: SocketHandle, address: Any) -> None:
    while data := await conn.recv(1024):
        await conn.sendAll(data)


def test_serve_survives_a_client_that_resets_its_connection(
    run: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    async def sender(conn: SocketHandle, address: Any) -> None:
        await conn.recv(10)
        for _ in range(100):  # the peer resets: a send fails with ConnectionResetError/EPIPE
            await conn.sendAll(b"x" * 65536)

    async def main() -> bytes:
        async with await start_server(sender, "127.0.0.1", 0) as server:
            rude = socket()
            await rude.aconnect(server.address)
            await rude.sendAll(b"go")
            _reset(rude.socket)
            assert not server.task.done
            for _ in range(3):  # later clients are still served
                with socket() as polite:
                    await polite.aconnect(server.address)
                    await polite.sendAll(b"hi")
                    got = await polite.recv(5)
            return got

    with caplog.at_level(logging.INFO, logger="flowno.net"):
        assert run(main()) == b"xxxxx"
    assert any("ended" in r.getMessage() for r in caplog.records)


def test_the_readme_echo_server_survives_a_reset(run: Runner) -> None:
    async def main() -> bytes:
        async with await start_server(_echo, "127.0.0.1", 0) as server:
            rude = socket()
            await rude.aconnect(server.address)
            await rude.sendAll(b"abc")
            _reset(rude.socket)
            with socket() as client:
                await client.aconnect(server.address)
                await client.sendAll(b"hello")
                return await client.recv(100)

    assert run(main()) == b"hello"


def test_serve_drops_a_client_that_stalls_its_tls_handshake(
    server_context: ssl.SSLContext, caplog: pytest.LogCaptureFixture
) -> None:
    """The stalled client never sends a byte; virtual time runs past the handshake deadline."""
    clock = MockClock()
    baseline = open_fds()

    async def main() -> tuple[bytes, float]:
        server = await start_server(
            _echo, "127.0.0.1", 0, ssl_context=server_context, handshake_timeout=5
        )
        async with server:
            with socket() as stalled:
                await stalled.aconnect(server.address)  # TCP only, never a ClientHello
                eof = await stalled.recv(10)  # the server closes it at the deadline
                return eof, clock.now()

    loop = EventLoop(clock=clock)
    try:
        with caplog.at_level(logging.WARNING, logger="flowno.net"):
            assert loop.run_until_complete(main(), join=True) == (b"", 5.0)
    finally:
        loop.close()
    assert open_fds() == baseline
    assert any("took longer than 5s" in r.getMessage() for r in caplog.records)


def test_start_server_returns_once_listening_and_aclose_releases_everything() -> None:
    baseline = open_fds()

    async def main() -> tuple[bytes, bool]:
        server = await start_server(_echo, "127.0.0.1", 0)
        assert server.port == server.address[1] != 0
        assert "listening on" in repr(server)
        with socket() as client:
            await client.aconnect(server.address)  # no polling: it listens already
            await client.sendAll(b"ready")
            reply = await client.recv(100)
        await server.aclose()
        return reply, server.listener.closed

    loop = EventLoop()
    try:
        assert loop.run_until_complete(main(), join=True) == (b"ready", True)
    finally:
        loop.close()
    assert open_fds() == baseline


def test_start_server_aclose_raises_a_handler_error(run: Runner) -> None:
    async def broken(conn: SocketHandle, address: Any) -> None:
        raise ValueError("handler bug")

    async def main() -> None:
        server = await start_server(broken, "127.0.0.1", 0)
        with socket() as client:
            await client.aconnect(server.address)
            await client.recv(10)
        await server.aclose()

    with pytest.raises(BaseException) as info:
        run(main())
    group: Any = info.value
    assert [repr(e) for e in group.exceptions] == ["ValueError('handler bug')"]
