"""The hot path: fds kept registered between waits, dropped on close; the request / response
hint (after a sendAll the next recv parks first) never loses or delays bytes that are there."""

from __future__ import annotations

import errno
import os
import socket as std_socket
import ssl
from collections.abc import Callable, Coroutine
from typing import Any

from flowno_eventloop import EventLoop, current_event_loop, sleep, spawn
from flowno_net import SocketHandle, socket

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


def _registered(fd: int) -> bool:
    loop = current_event_loop()
    assert loop is not None
    return fd in loop.selector.get_map()


def test_a_reply_already_there_after_send_all_is_read(run: Runner) -> None:
    async def main() -> tuple[bytes, bytes]:
        left, right = std_socket.socketpair()
        with SocketHandle(left) as a, SocketHandle(right) as b:
            await b.sendAll(b"early")  # the "reply" is there before the request goes out
            await a.sendAll(b"request")
            reply = await a.recv(100)  # parks first, then the poll reports it readable
            return reply, await b.recv(100)

    assert run(main()) == (b"early", b"request")


def test_recv_after_send_all_on_a_closed_handle_is_end_of_stream(run: Runner) -> None:
    async def main() -> bytes:
        left, right = std_socket.socketpair()
        with SocketHandle(right):
            a = SocketHandle(left)
            await a.sendAll(b"x")
            a.close()
            return await a.recv(10)

    assert run(main()) == b""


def test_closing_a_handle_drops_its_registration_and_a_reused_fd_works(run: Runner) -> None:
    async def main() -> tuple[bool, bool, bytes]:
        left, right = std_socket.socketpair()
        a, b = SocketHandle(left), SocketHandle(right)
        reader = await spawn(a.recv(1))
        await b.sendAll(b"1")
        await reader.join()
        fd = left.fileno()
        kept = _registered(fd)  # idle, still registered
        a.close()
        gone = not _registered(fd)
        left2, right2 = std_socket.socketpair()  # most likely gets fd back
        with SocketHandle(left2) as c, SocketHandle(right2) as d, b:
            reader = await spawn(c.recv(1))
            await d.sendAll(b"2")
            return kept, gone, await reader.join()

    assert run(main()) == (True, True, b"2")


def test_tls_bytes_buffered_after_a_send_all_are_read_without_waiting_for_the_fd(
    run: Runner, server_context: ssl.SSLContext, client_context: ssl.SSLContext
) -> None:
    """The hint is for plain sockets only: a TLS socket may hold decrypted bytes while its fd
    is not readable, so a recv after a sendAll must try first (else this would hang)."""

    async def main() -> bytes:
        with socket(use_tls=True, ssl_context=server_context) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()

            async def burst() -> None:
                conn, _ = await listener.accept()
                with conn:
                    await conn.recv(3)
                    await conn.sendAll(bytes(range(250)) * 40)
                    received = b""
                    while not received.endswith(b"done"):
                        received += await conn.recv(100)

            server = await spawn(burst())
            with socket(use_tls=True, ssl_context=client_context, server_hostname="localhost") as c:
                await c.aconnect(listener.getsockname())
                await c.sendAll(b"go!")
                got = b""
                while len(got) < 10_000:
                    got += await c.recv(1000)
                    await c.sendAll(b"k")  # a sendAll before each recv
                await c.sendAll(b"done")
            await server.join()
            return got

    assert run(main()) == bytes(range(250)) * 40


def test_a_socket_closed_behind_the_loops_back_while_a_task_waits_does_not_break_the_loop() -> None:
    """``handle.socket.close()`` (not ``handle.close()``) while a task waits in ``recv``: the
    fd number is reused by a new socket, which works; the old waiter gets EBADF; the loop
    ends normally and gives back every fd, its own wake-up channel included."""
    baseline = len(os.listdir("/proc/self/fd"))
    reused: list[bool] = []

    async def main() -> tuple[bytes, int]:
        left, right = std_socket.socketpair()
        a, b = SocketHandle(left), SocketHandle(right)
        waiter = await spawn(a.recv(10))
        await sleep(0)  # the waiter parks on left's fd
        old = left.fileno()
        left.close()  # behind the loop's back
        left2, right2 = std_socket.socketpair()
        reused.append(old in (left2.fileno(), right2.fileno()))
        with SocketHandle(left2) as c, SocketHandle(right2) as d, b:
            reader = await spawn(c.recv(10))
            await d.sendAll(b"new")
            got = await reader.join()
            try:
                await waiter.join()
            except OSError as exc:
                return got, exc.errno
        return got, 0

    loop = EventLoop()
    try:
        assert loop.run_until_complete(main(), join=True) == (b"new", errno.EBADF)
    finally:
        loop.close()
    assert reused == [True]  # the case that used to crash the loop did happen
    assert len(os.listdir("/proc/self/fd")) == baseline


def test_a_waiter_on_a_socket_closed_behind_the_loops_back_can_be_cancelled() -> None:
    """No fd reuse: the waiter is not woken (the kernel forgot the fd), but cancelling it
    works, the loop ends normally and every fd is given back."""
    baseline = len(os.listdir("/proc/self/fd"))

    async def main() -> tuple[bool, bool]:
        left, right = std_socket.socketpair()
        with SocketHandle(right):
            a = SocketHandle(left)
            waiter = await spawn(a.recv(10))
            await sleep(0)
            left.close()  # behind the loop's back
            await sleep(0)
            still_waiting = not waiter.done
            await waiter.cancel()
            return still_waiting, waiter.is_cancelled

    loop = EventLoop()
    try:
        assert loop.run_until_complete(main(), join=True) == (True, True)
    finally:
        loop.close()
    assert len(os.listdir("/proc/self/fd")) == baseline
