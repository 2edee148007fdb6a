"""The documented examples: the 0.1.x echo server, echo over wrapped sockets, hook order."""

from __future__ import annotations

import doctest
import os
import socket as std_socket
import subprocess
import sys

import pytest

from flowno_eventloop import EventLoop, spawn
from flowno_net import SocketHandle, SocketInstrument, socket

# The 0.1.x documentation's echo example, imports moved to the split packages (flowno_net /
# flowno_eventloop; the meta package re-exports the same objects), and its documented output.
ECHO_EXAMPLE = """\
from flowno_net import socket
from flowno_eventloop import spawn, sleep, EventLoop

async def echo_server():
    server_sock = socket()
    server_sock.bind(('localhost', 8888))
    server_sock.listen(1)
    print("Server: Listening on port 8888")
    client_sock, addr = await server_sock.accept()
    print(f"Server: Client connected from {addr}")
    data = await client_sock.recv(1024)
    print(f"Server: Received: {data.decode()}")
    await client_sock.sendAll(b"Echo: " + data)
    print("Server: Response sent")

async def echo_client():
    await sleep(0.1)
    client_sock = socket()
    client_sock.connect(('localhost', 8888))
    print("Client: Connected to server")
    message = b"Hello, world!"
    await client_sock.sendAll(message)
    print(f"Client: Sent: {message.decode()}")
    response = await client_sock.recv(1024)
    print(f"Client: Received: {response.decode()}")

async def main():
    server_task = await spawn(echo_server())
    client_task = await spawn(echo_client())
    await server_task.join()
    await client_task.join()
    print("Main: All tasks completed")

event_loop = EventLoop()
event_loop.run_until_complete(main(), join=True)
"""
ECHO_OUTPUT = """\
Server: Listening on port 8888
Client: Connected to server
Client: Sent: Hello, world!
Server: Client connected from ('127.0.0.1', ...)
Server: Received: Hello, world!
Server: Response sent
Client: Received: Echo: Hello, world!
Main: All tasks completed
"""


def _port_8888_free() -> bool:
    with std_socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 8888))
        except OSError:
            return False
    return True


def test_documented_echo_example_prints_its_documented_output() -> None:
    if not _port_8888_free():
        pytest.skip("the documented example needs port 8888 on localhost")
    code, expected = ECHO_EXAMPLE, ECHO_OUTPUT
    # The example never closes its sockets; run it in its own interpreter so its leaks are its own.
    env = {**os.environ, "PYTHONWARNINGS": "ignore::ResourceWarning"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    checker = doctest.OutputChecker()
    assert checker.check_output(expected, done.stdout, doctest.ELLIPSIS), done.stdout
    assert "Client: Sent: Hello, world!\nServer: Client connected from ('127.0.0.1'," in done.stdout


def test_tcp_echo_example(capsys: pytest.CaptureFixture[str]) -> None:
    async def serve_once(listener: SocketHandle) -> str:
        conn, addr = await listener.accept()
        print("server: peer is", addr[0])
        while True:
            data = await conn.recv(64)
            if not data:
                break
            await conn.sendAll(data.upper())
        conn.socket.close()
        return "server finished"

    async def client(port: int) -> None:
        s = socket()
        s.connect(("127.0.0.1", port))
        for word in (b"ping", b"pong"):
            await s.sendAll(word)
            print("client:", await s.recv(64))
        s.socket.close()

    async def main() -> None:
        listener = socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.socket.getsockname()[1]
        srv = await spawn(serve_once(listener))
        await client(port)
        print(await srv.join())
        listener.socket.close()

    EventLoop().run_until_complete(main())
    assert capsys.readouterr().out == (
        "server: peer is 127.0.0.1\nclient: b'PING'\nclient: b'PONG'\nserver finished\n"
    )


def test_wrapped_sockets_send_and_recv_after_close(capsys: pytest.CaptureFixture[str]) -> None:
    async def main() -> None:
        left, right = std_socket.socketpair()
        left.setblocking(False)
        right.setblocking(False)
        a, b = SocketHandle(left), SocketHandle(right)

        async def reader() -> bytes:
            return await b.recv(100)

        h = await spawn(reader())
        sent = await a.send(b"hello")
        print("send returned", sent)
        print("reader got", await h.join())
        right.close()
        print("recv on a closed handle:", await b.recv(10))
        left.close()

    EventLoop().run_until_complete(main())
    assert capsys.readouterr().out == (
        "send returned 5\nreader got b'hello'\nrecv on a closed handle: b''\n"
    )


def test_socket_hook_order(capsys: pytest.CaptureFixture[str]) -> None:
    class Trace(SocketInstrument):
        def on_socket_send_start(self, m):  # type: ignore[no-untyped-def]
            print("send_start   immediate =", m.immediate)

        def on_socket_send_ready(self, m):  # type: ignore[no-untyped-def]
            print("send_ready   waited >= 0:", m.finish_time >= m.start_time)

        def on_socket_send_data(self, m):  # type: ignore[no-untyped-def]
            print("send_data   ", m.bytes_sent, "of", len(m.data))

        def on_socket_recv_start(self, m):  # type: ignore[no-untyped-def]
            print("recv_start")

        def on_socket_recv_ready(self, m):  # type: ignore[no-untyped-def]
            print("recv_ready")

        def on_socket_recv_data(self, m):  # type: ignore[no-untyped-def]
            print("recv_data   ", m.data)

    async def main() -> None:
        x, y = std_socket.socketpair()
        a, b = SocketHandle(x), SocketHandle(y)
        await a.sendAll(b"abc")
        await b.recv(10)
        x.close()
        y.close()

    with Trace():
        EventLoop().run_until_complete(main())
    assert capsys.readouterr().out == (
        "send_start   immediate = False\n"
        "send_ready   waited >= 0: True\n"
        "send_data    3 of 3\n"
        "recv_start\n"
        "recv_ready\n"
        "recv_data    b'abc'\n"
    )
