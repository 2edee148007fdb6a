"""TLS on both sides: handshakes off the loop, verification by default, precise failures."""

from __future__ import annotations

import socket as std_socket
import ssl
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from flowno_eventloop import sleep, spawn
from flowno_net import (
    SocketHandle,
    SocketInstrument,
    TLSExpiredCertificateError,
    TLSHandshakeError,
    TLSHandshakeMetadata,
    TLSHostnameMismatchError,
    TLSSocketHandle,
    TLSUntrustedCertificateError,
    socket,
)

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


def _tls_listener(server_context: ssl.SSLContext) -> SocketHandle:
    listener = socket(use_tls=True, ssl_context=server_context)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


async def _handshake_outcomes(
    server_context: ssl.SSLContext, client: SocketHandle
) -> tuple[BaseException | None, BaseException | None]:
    """Connect ``client`` to a TLS listener in the same loop; return (client error, server error)."""
    with _tls_listener(server_context) as listener:

        async def server_side() -> BaseException | None:
            try:
                conn, _ = await listener.accept()
            except TLSHandshakeError as exc:
                return exc
            with conn:
                await conn.sendAll(b"hello")
            return None

        server = await spawn(server_side())
        client_error: BaseException | None = None
        with client:
            try:
                await client.aconnect(listener.getsockname())
                await client.recv(10)
            except TLSHandshakeError as exc:
                client_error = exc
        return client_error, await server.join()


def test_tls_both_sides_echo_and_handshake_hook(
    run: Runner, server_context: ssl.SSLContext, client_context: ssl.SSLContext
) -> None:
    seen: list[TLSHandshakeMetadata] = []

    class Watch(SocketInstrument):
        def on_tls_handshake_complete(self, metadata: TLSHandshakeMetadata) -> None:
            seen.append(metadata)

    async def main() -> tuple[str, bytes, bool]:
        with _tls_listener(server_context) as listener:

            async def echo() -> None:
                conn, _ = await listener.accept()
                with conn:
                    while data := await conn.recv(1024):
                        await conn.sendAll(data[::-1])

            server = await spawn(echo())
            with socket(use_tls=True, ssl_context=client_context, server_hostname="localhost") as c:
                await c.aconnect(listener.getsockname())
                await c.sendAll(b"stressed")
                reply = await c.recv(100)
                kind = type(c).__name__
                is_ssl = isinstance(c.socket, ssl.SSLSocket)
            await server.join()
            return kind, reply, is_ssl

    with Watch():
        assert run(main()) == ("TLSSocketHandle", b"desserts", True)
    assert sorted(m.server_hostname or "server" for m in seen) == ["localhost", "server"]
    assert all(m.version == "TLSv1.3" and m.finish_time >= m.start_time for m in seen)


def test_tls_blocking_connect_against_a_threaded_server(
    run: Runner, server_context: ssl.SSLContext, client_context: ssl.SSLContext
) -> None:
    raw_listener = std_socket.create_server(("127.0.0.1", 0))
    port = raw_listener.getsockname()[1]

    def server() -> None:
        with raw_listener:
            conn, _ = raw_listener.accept()
            with server_context.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(tls.recv(100)[::-1])

    thread = threading.Thread(target=server)
    thread.start()

    async def main() -> tuple[str, bytes]:
        with socket(use_tls=True, ssl_context=client_context, server_hostname="localhost") as s:
            s.connect(("127.0.0.1", port))
            await s.sendAll(b"stressed")
            reply = await s.recv(100)
            return type(s.socket).__name__, reply

    try:
        assert run(main()) == ("SSLSocket", b"desserts")
    finally:
        thread.join(10)


def test_default_context_refuses_a_self_signed_server(
    run: Runner, server_context: ssl.SSLContext
) -> None:
    client = socket(use_tls=True, server_hostname="localhost")  # default, verifying context
    client_error, server_error = run(_handshake_outcomes(server_context, client))
    assert type(client_error) is TLSUntrustedCertificateError
    assert isinstance(client_error.__cause__, ssl.SSLCertVerificationError)
    assert "issuer certificate is unknown" in str(client_error)
    assert type(server_error) is TLSHandshakeError
    assert isinstance(server_error.__cause__, ssl.SSLError)


def test_expired_certificate(
    run: Runner, expired_pair: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    server_context, client_context = expired_pair
    client = socket(use_tls=True, ssl_context=client_context, server_hostname="localhost")
    client_error, _ = run(_handshake_outcomes(server_context, client))
    assert type(client_error) is TLSExpiredCertificateError
    assert str(client_error) == "TLS handshake with 'localhost' failed: certificate has expired"


def test_wrong_hostname(
    run: Runner, server_context: ssl.SSLContext, client_context: ssl.SSLContext
) -> None:
    client = socket(use_tls=True, ssl_context=client_context, server_hostname="example.org")
    client_error, _ = run(_handshake_outcomes(server_context, client))
    assert type(client_error) is TLSHostnameMismatchError
    assert str(client_error).startswith("TLS handshake with 'example.org' failed: certificate does")


def test_client_facing_a_plain_text_server(run: Runner, client_context: ssl.SSLContext) -> None:
    async def main() -> tuple[str, str]:
        with socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()

            async def plain_server() -> None:
                conn, _ = await listener.accept()
                with conn:
                    await conn.recv(4096)  # the ClientHello, ignored
                    await conn.sendAll(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

            server = await spawn(plain_server())
            with socket(use_tls=True, ssl_context=client_context, server_hostname="localhost") as c:
                try:
                    await c.aconnect(listener.getsockname())
                except TLSHandshakeError as exc:
                    outcome = (type(exc).__name__, str(exc))
            await server.join()
            return outcome

    kind, message = run(main())
    assert kind == "TLSPlainTextPeerError"
    assert (
        message
        == "TLS handshake with 'localhost' failed: peer does not speak TLS (WRONG_VERSION_NUMBER)"
    )


@pytest.mark.parametrize(
    "garbage",
    [b"GET / HTTP/1.0\r\n\r\n", b"\x00\x01garbage that is not a ClientHello" * 4],
)
def test_server_facing_garbage_instead_of_a_handshake(
    run: Runner, server_context: ssl.SSLContext, garbage: bytes
) -> None:
    async def main() -> tuple[str, bytes, int]:
        with _tls_listener(server_context) as listener:

            async def serve_one() -> str:
                try:
                    await listener.accept()
                except TLSHandshakeError as exc:
                    return type(exc).__name__
                return "accepted?"

            server = await spawn(serve_one())
            with socket() as c:
                await c.aconnect(listener.getsockname())
                await c.sendAll(garbage)
                outcome = await server.join()
                tail = b""
                try:
                    while chunk := await c.recv(4096):
                        tail += chunk
                except ConnectionResetError:
                    pass
                return outcome, tail[:1], len(listener.socket.getsockname())

    outcome, _, _ = run(main())
    assert outcome == "TLSPlainTextPeerError"


def test_buffered_tls_bytes_are_read_without_waiting_for_the_fd(
    run: Runner, server_context: ssl.SSLContext, client_context: ssl.SSLContext
) -> None:
    """TLS bytes already decrypted are returned first: 10 000 bytes in one burst, read 1 000 at a time while the server keeps the
    connection open (if buffered bytes were ignored, the client would wait forever)."""

    async def main() -> tuple[int, int]:
        with _tls_listener(server_context) as listener:

            async def burst() -> bytes:
                conn, _ = await listener.accept()
                with conn:
                    await conn.sendAll(bytes(range(250)) * 40)
                    return await conn.recv(10)  # stays open until the client says "done"

            server = await spawn(burst())
            with socket(use_tls=True, ssl_context=client_context, server_hostname="localhost") as c:
                await c.aconnect(listener.getsockname())
                got = b""
                reads = 0
                while len(got) < 10_000:
                    got += await c.recv(1000)
                    reads += 1
                await c.sendAll(b"done")
            assert await server.join() == b"done"
            assert got == bytes(range(250)) * 40
            return len(got), reads

    assert run(main()) == (10_000, 10)


def test_missing_server_hostname_is_refused_before_connecting(run: Runner) -> None:
    async def main() -> str:
        with socket(use_tls=True) as c:
            try:
                await c.aconnect(("127.0.0.1", 9))
            except ValueError as exc:
                return str(exc)
        return "connected?"

    assert "no server_hostname was given" in run(main())


def test_tls_handshake_does_not_block_other_tasks(
    run: Runner, server_context: ssl.SSLContext, client_context: ssl.SSLContext
) -> None:
    """A peer that opens TCP and stays silent: accept() waits in its own task, others run."""

    async def main() -> tuple[int, str]:
        with _tls_listener(server_context) as listener:
            ticks = [0]

            async def ticker() -> None:
                for _ in range(50):
                    ticks[0] += 1
                    await sleep(0)

            async def accept_one() -> str:
                conn, _ = await listener.accept()
                with conn:
                    return type(conn).__name__

            server = await spawn(accept_one())
            with socket() as silent:
                await silent.aconnect(listener.getsockname())
                await (await spawn(ticker())).join()
                ticks_while_handshaking = ticks[0]
            try:  # the silent peer went away mid-handshake
                kind = await server.join()
            except TLSHandshakeError as exc:
                kind = f"{type(exc).__name__}: {exc}"
            return ticks_while_handshaking, kind

    ticks, kind = run(main())
    assert ticks == 50
    assert kind.startswith("TLSHandshakeError: TLS handshake with ('127.0.0.1', ")
    assert "peer closed the connection during the handshake" in kind


def test_tls_handle_is_a_socket_handle() -> None:
    with socket(use_tls=True, server_hostname="h") as t:
        assert isinstance(t, TLSSocketHandle) and isinstance(t, SocketHandle)
        assert t.ssl_context.verify_mode == ssl.CERT_REQUIRED
        assert t.ssl_context.check_hostname is True


def test_tls_multi_megabyte_echo_is_byte_exact(
    run: Runner, server_context: ssl.SSLContext, client_context: ssl.SSLContext
) -> None:
    size = 4 * 1024 * 1024
    payload = bytes(range(256)) * (size // 256)

    async def main() -> bool:
        with _tls_listener(server_context) as listener:

            async def echo() -> None:
                conn, _ = await listener.accept()
                with conn:
                    while data := await conn.recv(65536):
                        await conn.sendAll(data)

            server = await spawn(echo())
            with socket(use_tls=True, ssl_context=client_context, server_hostname="localhost") as c:
                await c.aconnect(listener.getsockname())

                async def reader() -> bytes:
                    got = bytearray()
                    while len(got) < size:
                        got += await c.recv(65536)
                    return bytes(got)

                received = await spawn(reader())  # reads while this task writes: full duplex
                await c.sendAll(payload)
                echoed = await received.join()
            await server.join()
            return echoed == payload

    assert run(main()) is True
