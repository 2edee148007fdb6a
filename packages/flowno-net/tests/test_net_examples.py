"""The documented examples: seed 002's echo server and the spec's nx01 / nx02 / nx04 outputs."""

from __future__ import annotations

import doctest
import os
import re
import socket as std_socket
import subprocess
import sys
from pathlib import Path

import pytest

from flowno_eventloop import EventLoop, spawn
from flowno_net import SocketHandle, SocketInstrument, socket

SEED = Path("/work/shared/seeds/002_1f310d9db81657f8.txt")


def _seed_echo_example() -> tuple[str, str]:
    """The seed's echo example as (source, documented output), imports moved to the split
    packages (flowno_net / flowno_eventloop; the meta package re-exports the same objects)."""
    text = SEED.read_text()
    start = text.index(">>> from flowno import socket")
    end = text.index("class flowno.core.event_loop.selectors.SocketHandle")
    lines = text[start:end].splitlines()
    source = [ln[4:] for ln in lines if ln.startswith((">>> ", "... ")) or ln in (">>>", "...")]
    output = [ln for ln in lines if ln and not ln.startswith((">>>", "..."))]
    code = "\n".join(source).replace(
        "from flowno import socket, spawn, sleep, EventLoop",
        "from flowno_net import socket\nfrom flowno_eventloop import spawn, sleep, EventLoop",
    )
    return code, "\n".join(output) + "\n"


def _port_8888_free() -> bool:
    with std_socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 8888))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not SEED.exists(), reason="seed file not available")
def test_seed_002_echo_prints_its_documented_output() -> None:
    if not _port_8888_free():
        pytest.skip("the seed example needs port 8888 on localhost")
    code, expected = _seed_echo_example()
    # The seed never closes its sockets; run it in its own interpreter so its leaks are its own.
    env = {**os.environ, "PYTHONWARNINGS": "ignore::ResourceWarning"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    checker = doctest.OutputChecker()
    assert checker.check_output(expected, done.stdout, doctest.ELLIPSIS), done.stdout
    assert "Client: Sent: Hello, world!\nServer: Client connected from ('127.0.0.1'," in done.stdout


def test_nx01_tcp_echo(capsys: pytest.CaptureFixture[str]) -> None:
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


def test_nx02_wrapped_sockets_send_and_recv_after_close(capsys: pytest.CaptureFixture[str]) -> None:
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


def test_nx04_hook_order(capsys: pytest.CaptureFixture[str]) -> None:
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


def test_seed_example_source_was_found() -> None:
    if not SEED.exists():
        pytest.skip("seed file not available")
    code, expected = _seed_echo_example()
    assert "await client_sock.sendAll(message)" in code
    assert re.search(r"Server: Client connected from \('127\.0\.0\.1', \.\.\.\)", expected)
