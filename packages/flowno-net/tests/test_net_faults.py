"""Fault cases on plain sockets, each with its exact outcome."""

from __future__ import annotations

import hashlib
import socket as std_socket
import struct
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from flowno_eventloop import EventLoop, current_event_loop, sleep, spawn
from flowno_net import BusyResourceError, SocketClosedError, SocketHandle, socket

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


def _pair() -> tuple[SocketHandle, SocketHandle]:
    left, right = std_socket.socketpair()
    return SocketHandle(left), SocketHandle(right)


async def _tcp_pair() -> tuple[SocketHandle, SocketHandle]:
    """A connected loopback TCP pair (client, server side)."""
    with socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = socket()
        await client.aconnect(listener.getsockname())
        conn, _ = await listener.accept()
    return client, conn


def _reset(handle: SocketHandle) -> None:
    """Close with SO_LINGER 0: the peer gets a TCP RST."""
    handle.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_LINGER, struct.pack("ii", 1, 0))
    handle.close()


def _io_waits() -> int:
    loop = current_event_loop()
    assert loop is not None
    waits: int = loop.statistics()["io_waits"]
    return waits


def test_peer_reset_during_recv(run: Runner) -> None:
    async def main() -> str:
        client, conn = await _tcp_pair()
        with client, conn:
            reader = await spawn(conn.recv(100))
            await sleep(0)
            _reset(client)
            try:
                await reader.join()
            except ConnectionResetError as exc:
                return f"{type(exc).__name__} errno={exc.errno}"
            return "no error"

    assert run(main()) == "ConnectionResetError errno=104"


def test_peer_reset_during_sendall(run: Runner) -> None:
    async def main() -> tuple[str, int]:
        client, conn = await _tcp_pair()
        with client, conn:
            payload = bytes(32 * 1024 * 1024)
            sender = await spawn(client.sendAll(payload))
            first = await conn.recv(1000)
            _reset(conn)
            try:
                await sender.join()
            except (ConnectionResetError, BrokenPipeError) as exc:
                return type(exc).__name__, len(first)
            return "no error", len(first)

    kind, got = run(main())
    assert kind == "ConnectionResetError"
    assert got > 0


def test_half_close_reply_after_eof(run: Runner) -> None:
    async def main() -> tuple[bytes, bytes, bytes]:
        client, conn = await _tcp_pair()
        with client, conn:
            await client.sendAll(b"request")
            client.shutdown(std_socket.SHUT_WR)
            request = await conn.recv(100)
            eof = await conn.recv(100)
            await conn.sendAll(b"reply after your EOF")
            conn.shutdown(std_socket.SHUT_WR)
            reply = await client.recv(100)
            assert await client.recv(100) == b""
            return request, eof, reply

    assert run(main()) == (b"request", b"", b"reply after your EOF")


def test_slow_reader_multi_megabyte_sendall_keeps_loop_running(run: Runner) -> None:
    size = 8 * 1024 * 1024
    payload = bytes(range(256)) * (size // 256)

    async def main() -> tuple[bool, int, int, int]:
        client, conn = await _tcp_pair()
        ticks = [0]
        sending = [True]
        ticks_during_send = [0]

        async def counter() -> None:
            while sending[0]:
                ticks[0] += 1
                await sleep(0)

        async def slow_reader() -> bytes:
            chunks: list[bytes] = []
            while True:
                chunk = await conn.recv(16 * 1024)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)
                await sleep(0)

        with client, conn:
            ticker = await spawn(counter())
            reader = await spawn(slow_reader())
            await client.sendAll(payload)
            ticks_during_send[0] = ticks[0]
            sending[0] = False
            client.shutdown(std_socket.SHUT_WR)
            received = await reader.join()
            await ticker.join()
        same = hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()
        return same, len(received), ticks_during_send[0], _io_waits()

    same, length, ticks, waits = run(main())
    assert same and length == size
    assert ticks > 100  # the counter task ran many times while sendAll was in progress
    assert waits == 0


def test_closed_handle_used_again(run: Runner) -> None:
    async def main() -> list[str]:
        a, b = _pair()
        b.close()
        a.close()
        a.close()  # idempotent
        outcomes = [repr(await a.recv(10)), repr(await a.recv_into(bytearray(4)))]
        for name, op in (
            ("send", lambda: a.send(b"x")),
            ("sendAll", lambda: a.sendAll(b"x")),
            ("accept", a.accept),
            ("recvfrom", lambda: a.recvfrom(10)),
            ("aconnect", lambda: a.aconnect(("127.0.0.1", 9))),
        ):
            try:
                await op()
            except SocketClosedError as exc:
                outcomes.append(f"{name}: {exc}")
        try:
            a.shutdown(std_socket.SHUT_RDWR)
        except SocketClosedError as exc:
            outcomes.append(f"shutdown: {exc}")
        return outcomes

    assert run(main()) == [
        "b''",
        "0",
        "send: [Errno 9] send on a closed socket",
        "sendAll: [Errno 9] send on a closed socket",
        "accept: [Errno 9] accept on a closed socket",
        "recvfrom: [Errno 9] recv on a closed socket",
        "aconnect: [Errno 9] connect on a closed socket",
        "shutdown: [Errno 9] shutdown on a closed socket",
    ]


def test_two_readers_second_is_refused_in_its_task(run: Runner) -> None:
    async def main() -> tuple[str, bytes]:
        a, b = _pair()
        with a, b:
            first = await spawn(b.recv(10))
            await sleep(0)
            second = await spawn(b.recv(10))
            try:
                await second.join()
                outcome = "second got data"
            except BusyResourceError as exc:
                outcome = type(exc).__name__
            await a.sendAll(b"data")
            return outcome, await first.join()

    assert run(main()) == ("BusyResourceError", b"data")


def test_full_duplex_reader_and_writer_on_one_socket(run: Runner) -> None:
    size = 4 * 1024 * 1024

    async def main() -> tuple[int, int]:
        a, b = _pair()

        async def drain(h: SocketHandle) -> int:
            total = 0
            while chunk := await h.recv(65536):
                total += len(chunk)
            return total

        async def pump(h: SocketHandle) -> None:
            await h.sendAll(bytes(size))
            h.shutdown(std_socket.SHUT_WR)

        with a, b:
            # a reads while another task writes on a, and the same for b: all four at once.
            readers = [await spawn(drain(a)), await spawn(drain(b))]
            writers = [await spawn(pump(a)), await spawn(pump(b))]
            for w in writers:
                await w.join()
            return await readers[0].join(), await readers[1].join()

    assert run(main()) == (size, size)


def test_connect_refused_is_raised_in_the_task(run: Runner) -> None:
    with std_socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def main() -> str:
        with socket() as s:
            try:
                await s.aconnect(("127.0.0.1", port))
            except ConnectionRefusedError as exc:
                return f"{type(exc).__name__}: {exc.strerror}"
        return "connected?"

    assert (
        run(main())
        == f"ConnectionRefusedError: Connection refused (connecting to ('127.0.0.1', {port}))"
    )


def test_aconnect_resolves_names_off_the_loop(run: Runner) -> None:
    async def main() -> tuple[str, bool]:
        with socket() as listener, socket() as client:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            await client.aconnect(("localhost", listener.getsockname()[1]))
            conn, _ = await listener.accept()
            with conn:
                return client.getpeername()[
                    0
                ], threading.current_thread() is threading.main_thread()

    assert run(main()) == ("127.0.0.1", True)


def test_unresolvable_name_raises_gaierror(run: Runner) -> None:
    async def main() -> str:
        with socket() as s:
            try:
                await s.aconnect(("name.invalid", 80))
            except std_socket.gaierror as exc:
                return type(exc).__name__
        return "resolved?"

    assert run(main()) == "gaierror"


def test_udp_sendto_recvfrom(run: Runner) -> None:
    async def main() -> tuple[bytes, int, int]:
        kind = std_socket.SOCK_DGRAM
        with socket(type=kind) as a, socket(type=kind) as b:
            b.bind(("127.0.0.1", 0))
            a.bind(("127.0.0.1", 0))
            reader = await spawn(b.recvfrom(100))
            await sleep(0)
            await a.sendto(b"datagram", b.getsockname())
            data, sender = await reader.join()
            return data, sender[1], a.getsockname()[1]

    data, sender_port, a_port = run(main())
    assert data == b"datagram" and sender_port == a_port


def test_recv_deadline_via_cancel_of_the_waiting_task_unregisters(run: Runner) -> None:
    async def main() -> tuple[bool, int, bytes]:
        a, b = _pair()
        with a, b:
            waiter = await spawn(b.recv(10))
            await sleep(0)
            waiter.cancel()
            await sleep(0)
            cancelled = waiter.is_cancelled
            waits = _io_waits()
            await a.sendAll(b"later")
            return cancelled, waits, await b.recv(10)

    assert run(main()) == (True, 0, b"later")


def test_each_loop_has_its_own_selector_two_threads(run: Runner) -> None:
    results: dict[str, Any] = {}

    def worker(name: str) -> None:
        async def echo() -> bytes:
            client, conn = await _tcp_pair()
            with client, conn:
                total = b""
                for i in range(200):
                    await client.sendAll(f"{name}{i};".encode())
                    total += await conn.recv(100)
                return total

        loop = EventLoop()
        try:
            results[name] = loop.run_until_complete(echo(), join=True)
        except BaseException as exc:  # reported below
            results[name] = exc
        finally:
            loop.close()

    threads = [threading.Thread(target=worker, args=(f"T{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for i in range(2):
        expected = "".join(f"T{i}{n};" for n in range(200)).encode()
        assert results[f"T{i}"] == expected


def test_close_wakes_a_waiting_reader_with_eof(run: Runner) -> None:
    async def main() -> bytes:
        a, b = _pair()
        with a:
            reader = await spawn(b.recv(10))
            await sleep(0)
            b.close()
            return await reader.join()

    assert run(main()) == b""


def test_close_while_waiting_leaves_no_registration(run: Runner) -> None:
    async def main() -> int:
        a, b = _pair()
        with a:
            reader = await spawn(b.recv(10))
            await sleep(0)
            b.close()
            await reader.join()
            return _io_waits()

    assert run(main()) == 0


def test_deadline_on_recv_with_fail_after_and_move_on_after() -> None:
    from flowno_eventloop import MockClock, fail_after, move_on_after

    clock = MockClock()
    loop = EventLoop(clock=clock)

    async def main() -> tuple[str, bool, int, bytes]:
        a, b = _pair()
        with a, b:
            try:
                with fail_after(5):
                    await b.recv(10)  # the peer stays silent
                outcome = "received?"
            except TimeoutError as exc:
                outcome = f"TimeoutError: {exc}"
            with move_on_after(2) as scope:
                await b.recv(10)
            waits = _io_waits()
            await a.sendAll(b"after")
            return outcome, scope.cancelled_caught, waits, await b.recv(10)

    try:
        result = loop.run_until_complete(main(), join=True)
    finally:
        loop.close()
    assert result == ("TimeoutError: deadline 5 exceeded", True, 0, b"after")
    assert clock.now() == 7
