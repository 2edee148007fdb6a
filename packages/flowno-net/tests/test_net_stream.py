"""SocketStream: every read method, limits, end of stream, writes, TLS, and serve() handlers."""

from __future__ import annotations

import socket as std_socket
import ssl
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowno_eventloop import EventLoop, spawn
from flowno_net import (
    IncompleteReadError,
    LimitOverrunError,
    SocketHandle,
    SocketStream,
    open_connection,
    start_server,
)

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


@asynccontextmanager
async def pair(limit: int = 1 << 16) -> AsyncIterator[tuple[SocketStream, SocketStream]]:
    left, right = std_socket.socketpair()
    async with (
        SocketStream(SocketHandle(left)) as a,
        SocketStream(SocketHandle(right), limit=limit) as b,
    ):
        yield a, b


async def _feed_in_pieces(a: SocketStream, pieces: list[bytes]) -> None:
    for piece in pieces:
        await a.send_all(piece)
    a.handle.shutdown(std_socket.SHUT_WR)


def test_readline_across_chunk_boundaries_and_iteration(run: Runner) -> None:
    async def main() -> list[bytes]:
        async with pair() as (a, b):
            await spawn(_feed_in_pieces(a, [b"al", b"pha\nbe", b"ta\n\ngam", b"ma"]))
            return [line async for line in b]

    assert run(main()) == [b"alpha\n", b"beta\n", b"\n", b"gamma"]


def test_readuntil_with_a_separator_split_across_receives(run: Runner) -> None:
    async def main() -> tuple[bytes, bytes, bytes]:
        async with pair() as (a, b):
            await spawn(_feed_in_pieces(a, [b"one\r", b"\ntwo\r", b"\n", b"rest"]))
            first = await b.readuntil(b"\r\n")
            second = await b.readuntil(b"\r\n")
            with pytest.raises(IncompleteReadError) as info:
                await b.readuntil(b"\r\n")
            assert info.value.expected is None
            return first, second, info.value.partial

    assert run(main()) == (b"one\r\n", b"two\r\n", b"rest")


def test_read_and_readexactly(run: Runner) -> None:
    async def main() -> tuple[bytes, bytes, bytes, bytes, bool]:
        async with pair() as (a, b):
            await spawn(_feed_in_pieces(a, [b"0123", b"456789", b"abc"]))
            exact = await b.readexactly(6)
            some = await b.read(2)
            zero = await b.read(0)
            rest = await b.read()
            return exact, some, zero, rest, b.at_eof()

    assert run(main()) == (b"012345", b"67", b"", b"89abc", True)


def test_readexactly_at_the_end_raises_with_the_partial_bytes(run: Runner) -> None:
    async def main() -> IncompleteReadError:
        async with pair() as (a, b):
            await spawn(_feed_in_pieces(a, [b"abc"]))
            try:
                await b.readexactly(4)
            except IncompleteReadError as exc:
                return exc
            raise AssertionError("no error")

    error = run(main())
    assert (error.partial, error.expected) == (b"abc", 4)
    assert isinstance(error, EOFError)


def test_an_overlong_line_raises_and_keeps_the_bytes(run: Runner) -> None:
    async def main() -> tuple[str, int, bytes]:
        async with pair(limit=8) as (a, b):
            await spawn(_feed_in_pieces(a, [b"x" * 20 + b"\nok\n"]))
            with pytest.raises(LimitOverrunError) as info:
                await b.readline()
            kept = await b.readexactly(21)
            assert await b.readline() == b"ok\n"
            return str(info.value), info.value.consumed, kept

    message, consumed, kept = run(main())
    assert message == "readuntil: separator b'\\n' not found within the stream's limit of 8 bytes"
    assert consumed > 8
    assert kept == b"x" * 20 + b"\n"


def test_bad_arguments_are_refused(run: Runner) -> None:
    async def main() -> None:
        async with pair() as (_, b):
            with pytest.raises(ValueError, match="separator must not be empty"):
                await b.readuntil(b"")
            with pytest.raises(ValueError, match="n must be >= 0"):
                await b.readexactly(-1)

    run(main())
    a, b = std_socket.socketpair()
    with a, b, pytest.raises(ValueError, match="limit must be a positive number of bytes"):
        SocketStream(SocketHandle(a), limit=0)


def test_write_drain_and_send_all_keep_order(run: Runner) -> None:
    async def main() -> bytes:
        async with pair() as (a, b):
            a.write(b"1")
            a.write(b"2")
            await a.send_all(b"3")
            a.write(b"4")
            await a.drain()
            await a.drain()  # nothing queued: nothing sent
            await a.aclose()
            assert a.handle.closed
            return await b.read()

    assert run(main()) == b"1234"


def test_open_connection_and_a_serve_handler_using_streams(run: Runner) -> None:
    async def upper_lines(conn: SocketHandle, address: Any) -> None:
        stream = SocketStream(conn)
        async for line in stream:
            await stream.send_all(line.upper())

    async def main() -> list[bytes]:
        async with await start_server(upper_lines, "127.0.0.1", 0) as server:
            async with await open_connection("127.0.0.1", server.port) as client:
                replies = []
                for word in (b"hello\n", b"world\n"):
                    await client.send_all(word)
                    replies.append(await client.readline())
                return replies

    assert run(main()) == [b"HELLO\n", b"WORLD\n"]


def test_open_connection_over_tls(
    run: Runner, server_context: ssl.SSLContext, client_context: ssl.SSLContext
) -> None:
    async def greet(conn: SocketHandle, address: Any) -> None:
        await conn.sendAll(b"secure hello\n")

    async def main() -> bytes:
        server = await start_server(greet, "127.0.0.1", 0, ssl_context=server_context)
        async with server:
            stream = await open_connection(
                "127.0.0.1", server.port, ssl=client_context, server_hostname="localhost"
            )
            async with stream:
                return await stream.readline()

    assert run(main()) == b"secure hello\n"


def test_open_connection_refused_leaks_nothing(run: Runner) -> None:
    with std_socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connections are refused
        with pytest.raises(ConnectionRefusedError):
            run(open_connection("127.0.0.1", port))


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=20),
    cuts=st.lists(st.integers(0, 1000), max_size=8),
    separator=st.sampled_from([b"\n", b"\r\n", b"||"]),
)
def test_readuntil_returns_the_records_whatever_the_pieces(
    lines: list[bytes], cuts: list[int], separator: bytes
) -> None:
    expected = [line.replace(separator[:1], b"") + separator for line in lines]
    payload = b"".join(expected)
    points = sorted({0, len(payload), *(c % (len(payload) + 1) for c in cuts)})
    pieces = [payload[a:b] for a, b in zip(points, points[1:], strict=False)]

    async def main() -> list[bytes]:
        async with pair() as (a, b):
            await spawn(_feed_in_pieces(a, pieces))
            records = []
            while not b.at_eof():
                try:
                    records.append(await b.readuntil(separator))
                except IncompleteReadError as exc:
                    assert exc.partial == b""
                    break
            return records

    loop = EventLoop()
    try:
        records = loop.run_until_complete(main(), join=True)
    finally:
        loop.close()
    assert records == expected
