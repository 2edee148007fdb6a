"""The echo workloads of benchmarks/net/echo.py, one function per implementation.

Each runs C clients x M round trips of an S-byte message against per-connection echo servers,
all in one thread of this process, and returns ``{"cpu": seconds, "messages": C * M}`` (CPU
time of the whole run: connection setup, clients and servers).
"""

from __future__ import annotations

import socket as std_socket
import time
from typing import Any

# --------------------------------------------------------------------------- flowno


def run_flowno(clients: int, messages: int, size: int) -> dict[str, Any]:
    from flowno_eventloop import EventLoop, spawn
    from flowno_net import SocketHandle, socket

    async def recv_exact(conn: SocketHandle, n: int) -> bytes:
        data = await conn.recv(n)
        while len(data) < n:
            more = await conn.recv(n - len(data))
            if not more:
                raise ConnectionError("short read")
            data += more
        return data

    async def echo(conn: SocketHandle) -> None:
        with conn:
            while data := await conn.recv(65536):
                await conn.sendAll(data)

    async def client(port: int) -> None:
        message = b"x" * size
        with socket() as c:
            await c.aconnect(("127.0.0.1", port))
            for _ in range(messages):
                await c.sendAll(message)
                await recv_exact(c, size)

    async def main() -> float:
        with socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(clients)
            port = listener.getsockname()[1]
            start = time.process_time()
            tasks = [await spawn(client(port)) for _ in range(clients)]
            for _ in range(clients):
                conn, _ = await listener.accept()
                await spawn(echo(conn))
            for t in tasks:
                await t.join()
            return time.process_time() - start

    loop = EventLoop()
    cpu = loop.run_until_complete(main(), join=True)
    loop.close()
    return {"cpu": cpu, "messages": clients * messages}


# --------------------------------------------------------------------------- asyncio sock_*


def run_sock_api(clients: int, messages: int, size: int, use_uvloop: bool) -> dict[str, Any]:
    """asyncio's ``sock_recv`` / ``sock_sendall`` on the default loop or on uvloop."""
    import asyncio

    async def recv_exact(loop: asyncio.AbstractEventLoop, sock: std_socket.socket, n: int) -> bytes:
        data = await loop.sock_recv(sock, n)
        while len(data) < n:
            more = await loop.sock_recv(sock, n - len(data))
            if not more:
                raise ConnectionError("short read")
            data += more
        return data

    async def echo(loop: asyncio.AbstractEventLoop, conn: std_socket.socket) -> None:
        with conn:
            while data := await loop.sock_recv(conn, 65536):
                await loop.sock_sendall(conn, data)

    async def client(loop: asyncio.AbstractEventLoop, port: int) -> None:
        message = b"x" * size
        with std_socket.socket() as c:
            c.setblocking(False)
            await loop.sock_connect(c, ("127.0.0.1", port))
            for _ in range(messages):
                await loop.sock_sendall(c, message)
                await recv_exact(loop, c, size)

    async def main() -> float:
        loop = asyncio.get_running_loop()
        with std_socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(clients)
            listener.setblocking(False)
            port = listener.getsockname()[1]
            start = time.process_time()
            tasks = [asyncio.create_task(client(loop, port)) for _ in range(clients)]
            servers = []
            for _ in range(clients):
                conn, _ = await loop.sock_accept(listener)
                conn.setblocking(False)
                servers.append(asyncio.create_task(echo(loop, conn)))
            await asyncio.gather(*tasks)
            await asyncio.gather(*servers)
            return time.process_time() - start

    return {"cpu": _run_asyncio(main, use_uvloop), "messages": clients * messages}


def _run_asyncio(main: Any, use_uvloop: bool) -> float:
    import asyncio

    if not use_uvloop:
        return float(asyncio.run(main()))
    import uvloop

    loop = uvloop.new_event_loop()
    try:
        return float(loop.run_until_complete(main()))
    finally:
        loop.close()


# --------------------------------------------------------------------------- asyncio streams


def run_streams(clients: int, messages: int, size: int, use_uvloop: bool) -> dict[str, Any]:
    """asyncio streams (``StreamReader`` / ``StreamWriter``), on the default loop or uvloop."""
    import asyncio

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    async def client(port: int) -> None:
        message = b"x" * size
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(messages):
            writer.write(message)
            await writer.drain()
            await reader.readexactly(size)
        writer.close()
        await writer.wait_closed()

    async def main() -> float:
        server = await asyncio.start_server(echo, "127.0.0.1", 0, backlog=clients)
        port = server.sockets[0].getsockname()[1]
        start = time.process_time()
        await asyncio.gather(*(client(port) for _ in range(clients)))
        cpu = time.process_time() - start
        server.close()
        await server.wait_closed()
        return cpu

    return {"cpu": _run_asyncio(main, use_uvloop), "messages": clients * messages}


# --------------------------------------------------------------------------- plain selectors


def run_selectors(clients: int, messages: int, size: int) -> dict[str, Any]:
    """The bare limit: one ``selectors`` loop, callbacks only, every fd registered once."""
    import selectors

    sel = selectors.DefaultSelector()
    message = b"x" * size
    with std_socket.create_server(("127.0.0.1", 0), backlog=clients) as listener:
        port = listener.getsockname()[1]
        start = time.process_time()
        peers = [std_socket.create_connection(("127.0.0.1", port)) for _ in range(clients)]
        servers = [listener.accept()[0] for _ in range(clients)]
        for sock in peers + servers:
            sock.setblocking(False)
        for conn in servers:
            sel.register(conn, selectors.EVENT_READ, None)
        for c in peers:
            sel.register(c, selectors.EVENT_READ, [messages, 0])
            c.send(message)
        _selectors_loop(sel, clients, size, message)
        cpu = time.process_time() - start
        for sock in peers + servers:
            sock.close()
        sel.close()
    return {"cpu": cpu, "messages": clients * messages}


def _selectors_loop(sel: Any, clients: int, size: int, message: bytes) -> None:
    running = clients
    while running:
        for key, _ in sel.select():
            sock, state = key.fileobj, key.data
            data = sock.recv(65536)
            if state is None:  # an echo server
                if data:
                    sock.send(data)
                continue
            state[1] += len(data)
            if state[1] < size:
                continue
            state[1] -= size
            state[0] -= 1
            if state[0]:
                sock.send(message)
            else:
                sel.unregister(sock)
                running -= 1


IMPLEMENTATIONS = {
    "flowno": run_flowno,
    "asyncio-sock": lambda c, m, s: run_sock_api(c, m, s, use_uvloop=False),
    "uvloop-sock": lambda c, m, s: run_sock_api(c, m, s, use_uvloop=True),
    "uvloop-streams": lambda c, m, s: run_streams(c, m, s, use_uvloop=True),
    "selectors": run_selectors,
}
