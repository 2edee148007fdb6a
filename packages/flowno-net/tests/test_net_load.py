"""Load: 1 000 concurrent connections against one serve() task, a share of them resetting."""

from __future__ import annotations

import hashlib
import os
import resource
import socket as std_socket
import struct
from typing import Any

from flowno_eventloop import EventLoop, sleep, spawn
from flowno_net import SocketHandle, serve, socket

CLIENTS = 1000
RESET_EVERY = 7  # about 14 % of the clients reset their connection half way


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _ensure_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def _payload(i: int) -> bytes:
    return hashlib.sha256(str(i).encode()).digest() * (1 + i % 64)


def test_thousand_connections_with_resets() -> None:
    _ensure_fd_limit(3 * CLIENTS + 100)
    baseline = open_fds()
    stats = {"resets_seen_by_server": 0, "handled": 0}

    async def handler(conn: SocketHandle, address: Any) -> None:
        try:
            while data := await conn.recv(65536):
                await conn.sendAll(data)
        except (ConnectionResetError, BrokenPipeError):
            stats["resets_seen_by_server"] += 1
        stats["handled"] += 1

    async def good_client(port: int, i: int) -> bool:
        payload = _payload(i)
        with socket() as c:
            await c.aconnect(("127.0.0.1", port))
            await c.sendAll(payload)
            c.shutdown(std_socket.SHUT_WR)
            received = bytearray()
            while chunk := await c.recv(65536):
                received += chunk
        return bytes(received) == payload

    async def resetting_client(port: int, i: int) -> bool:
        c = socket()
        await c.aconnect(("127.0.0.1", port))
        await c.sendAll(_payload(i))
        await c.recv(16)
        c.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
        return True

    async def main() -> tuple[int, int, int]:
        ports: list[int] = []
        server = await spawn(
            serve(
                handler,
                "127.0.0.1",
                0,
                backlog=CLIENTS,
                on_listening=lambda lst: ports.append(lst.getsockname()[1]),
            )
        )
        while not ports:
            await sleep(0)
        clients = []
        for i in range(CLIENTS):
            kind = resetting_client if i % RESET_EVERY == 0 else good_client
            clients.append(await spawn(kind(ports[0], i)))
        exact = sum([await c.join() for c in clients])
        while stats["handled"] < CLIENTS:
            await sleep(0)
        server.cancel()
        await sleep(0)
        return exact, stats["handled"], stats["resets_seen_by_server"]

    loop = EventLoop()
    try:
        exact, handled, resets = loop.run_until_complete(main(), join=True)
        assert loop.statistics()["io_waits"] == 0
    finally:
        loop.close()
    resetting = len(range(0, CLIENTS, RESET_EVERY))
    assert exact == CLIENTS  # every good client got its bytes back exactly (resetters count True)
    assert handled == CLIENTS
    assert 0 < resets <= resetting
    assert open_fds() == baseline
