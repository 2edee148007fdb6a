"""Loopback echo benchmark: flowno_net vs asyncio (sock_recv / sock_sendall), plus a stall check.

C clients each do M round trips of an S-byte message against per-connection echo tasks, all in
one event loop. Each implementation runs in a fresh subprocess; we report round-trip messages
per CPU-second (process_time of the whole run) and the flowno / asyncio ratio (goal >= 1).

The stall check runs a ticker task (1 ms sleeps) on a flowno loop while a peer in another
thread drip-feeds its TLS handshake to a flowno TLS listener; it reports the largest gap
between ticks (goal < 50 ms).

Usage: python benchmarks/net/echo.py [--clients C] [--messages M] [--size S] [--repeat R]
Writes the Markdown table to docs/benchmarks-net.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import socket as std_socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


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


# --------------------------------------------------------------------------- asyncio


def run_asyncio(clients: int, messages: int, size: int) -> dict[str, Any]:
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

    cpu = asyncio.run(main())
    return {"cpu": cpu, "messages": clients * messages}


# --------------------------------------------------------------------------- stall check


def _slow_tls_peer(port: int, ctx: ssl.SSLContext, chunk: int, pause: float) -> None:
    """A client that drip-feeds its side of the handshake (chunk bytes every pause seconds)."""
    with std_socket.create_connection(("127.0.0.1", port)) as sock:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")

        def flush() -> None:
            data = outgoing.read()
            for i in range(0, len(data), chunk):
                sock.sendall(data[i : i + chunk])
                time.sleep(pause)

        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                flush()
                incoming.write(sock.recv(65536))
        flush()
        tls.write(b"ping")
        flush()
        while True:
            try:
                reply = tls.read(4)
                break
            except ssl.SSLWantReadError:
                incoming.write(sock.recv(65536))
        assert reply == b"ping", reply


def run_stall() -> dict[str, Any]:
    import trustme

    from flowno_eventloop import EventLoop, sleep, spawn
    from flowno_net import socket

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)

    async def main() -> dict[str, Any]:
        with socket(use_tls=True, ssl_context=server_ctx) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = listener.getsockname()[1]
            done = [False]
            gaps: list[float] = []

            async def ticker() -> None:
                last = time.perf_counter()
                while not done[0]:
                    await sleep(0.001)
                    now = time.perf_counter()
                    gaps.append(now - last)
                    last = now

            async def serve_one() -> float:
                start = time.perf_counter()
                conn, _ = await listener.accept()
                took = time.perf_counter() - start
                with conn:
                    await conn.sendAll(await conn.recv(4))
                return took

            tick = await spawn(ticker())
            server = await spawn(serve_one())
            peer = threading.Thread(target=_slow_tls_peer, args=(port, client_ctx, 64, 0.02))
            peer.start()
            handshake = await server.join()
            done[0] = True
            await tick.join()
            peer.join()
            return {"handshake_s": handshake, "max_gap_ms": max(gaps) * 1000, "ticks": len(gaps)}

    loop = EventLoop()
    result = loop.run_until_complete(main(), join=True)
    loop.close()
    return result


# --------------------------------------------------------------------------- driver


def _child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, timeout=600
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--run", choices=["flowno", "asyncio", "stall"])
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks-net.md"))
    args = parser.parse_args()
    shape = [str(args.clients), str(args.messages), str(args.size)]
    if args.run == "flowno":
        print(json.dumps(run_flowno(args.clients, args.messages, args.size)))
        return
    if args.run == "asyncio":
        print(json.dumps(run_asyncio(args.clients, args.messages, args.size)))
        return
    if args.run == "stall":
        print(json.dumps(run_stall()))
        return

    samples: dict[str, list[float]] = {"flowno": [], "asyncio": []}
    for _ in range(args.repeat):  # interleaved, so load drift on the machine hits both alike
        for impl in samples:
            r = _child(
                ["--run", impl, "--clients", shape[0], "--messages", shape[1], "--size", shape[2]]
            )
            samples[impl].append(r["messages"] / r["cpu"])
    rates = {impl: max(values) for impl, values in samples.items()}
    medians = {impl: statistics.median(values) for impl, values in samples.items()}
    stall = _child(["--run", "stall"])
    ratio = rates["flowno"] / rates["asyncio"]
    median_ratio = medians["flowno"] / medians["asyncio"]
    lines = [
        "# flowno-net benchmarks",
        "",
        f"Generated by `python benchmarks/net/echo.py` on {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} ({time.strftime('%Y-%m-%d')}).",
        "",
        f"## Loopback echo: {args.clients} clients x {args.messages} round trips of "
        f"{args.size} bytes, one loop",
        "",
        f"{args.repeat} fresh subprocesses each, interleaved; CPU time of the whole process"
        " (client + server). Round trips per CPU-second, best and median.",
        "",
        "| implementation | best | median | ratio to asyncio (best / median) |",
        "|---|---:|---:|---:|",
        f"| flowno_net (`recv` / `sendAll`) | {rates['flowno']:,.0f} | {medians['flowno']:,.0f} |"
        f" {ratio:.2f} / {median_ratio:.2f} |",
        f"| asyncio (`sock_recv` / `sock_sendall`) | {rates['asyncio']:,.0f} |"
        f" {medians['asyncio']:,.0f} | 1.00 / 1.00 |",
        "",
        "## Loop stall while a slow peer handshakes (TLS, 64-byte chunks every 20 ms)",
        "",
        "| handshake duration | ticker ticks | max gap between 1 ms ticks | goal |",
        "|---:|---:|---:|---|",
        f"| {stall['handshake_s'] * 1000:.0f} ms | {stall['ticks']} | "
        f"{stall['max_gap_ms']:.1f} ms | < 50 ms |",
        "",
    ]
    table = "\n".join(lines)
    print(table)
    output = Path(args.output)
    # Keep the sections benchmarks/net/streams.py generated below its marker.
    previous = output.read_text() if output.exists() else ""
    marker = "<!-- streams.py:"
    kept = previous[previous.index(marker) :] if marker in previous else ""
    output.write_text(table + ("\n" + kept if kept else ""))


if __name__ == "__main__":
    main()
