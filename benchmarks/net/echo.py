"""Loopback echo benchmark: flowno_net vs asyncio, uvloop and a plain selectors loop.

C clients each do M round trips of an S-byte message against per-connection echo servers,
all in one loop (benchmarks/net/echo_impls.py). Four cells: 1 and 50 connections x 1- and
100-byte messages. Columns: flowno_net (``recv`` / ``sendAll``), asyncio and uvloop
``sock_recv`` / ``sock_sendall``, uvloop streams, and a callback-only echo on a plain
``selectors`` loop (the bare limit); ``--base [LABEL=]PATH`` (repeatable) adds flowno from
another source tree.
uvloop is a benchmark-only dependency: without it the uvloop columns are skipped. Each run is a
fresh subprocess, the implementations alternate; we report round trips per CPU-second
(process_time of the whole run), medians, and the ratios to uvloop sock_* and to selectors.

The stall check runs a ticker task (1 ms sleeps) on a flowno loop while a peer in another
thread drip-feeds its TLS handshake to a flowno TLS listener; it reports the largest gap
between ticks (goal < 50 ms).

Usage: python benchmarks/net/echo.py [--total N] [--repeat R] [--base [LABEL=]PATH] ...
           [--output FILE]
Writes the Markdown tables to docs/benchmarks-net.md (above the streams.py sections).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shlex
import socket as std_socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from echo_impls import IMPLEMENTATIONS

ROOT = Path(__file__).resolve().parents[2]


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

CELLS = [(1, 1), (1, 100), (50, 1), (50, 100)]  # (connections, message bytes)
REFERENCE, LIMIT = "uvloop-sock", "selectors"


def _child(args: list[str], tree: Path = ROOT) -> dict[str, Any]:
    """Run this script with ``args`` in a fresh process, with ``tree``'s flowno sources."""
    src = [str(tree / "packages" / p / "src") for p in ("flowno-eventloop", "flowno-net")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(src)}
    out = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        env=env,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _implementations(bases: list[str]) -> dict[str, tuple[str, Path]]:
    """Column name -> (implementation to run, source tree); a base is ``[LABEL=]PATH``."""
    columns = {"flowno": ("flowno", ROOT)}
    for base in bases:
        label, _, path = base.rpartition("=")
        columns[f"flowno ({label or path})"] = ("flowno", Path(path))
    columns["asyncio-sock"] = ("asyncio-sock", ROOT)
    if importlib.util.find_spec("uvloop") is None:
        print("uvloop is not importable here: skipping the uvloop columns", file=sys.stderr)
    else:
        columns["uvloop-sock"] = ("uvloop-sock", ROOT)
        columns["uvloop-streams"] = ("uvloop-streams", ROOT)
    columns["selectors"] = ("selectors", ROOT)
    return columns


def _measure(
    columns: dict[str, tuple[str, Path]], total: int, repeat: int
) -> dict[tuple[int, int], dict[str, list[float]]]:
    """Round trips per CPU-second, per cell and column; the columns alternate in each round."""
    results: dict[tuple[int, int], dict[str, list[float]]] = {}
    for clients, size in CELLS:
        shape = ["--clients", str(clients), "--messages", str(total // clients)]
        rates: dict[str, list[float]] = {name: [] for name in columns}
        for _ in range(repeat):
            for name, (impl, tree) in columns.items():
                r = _child(["--run", impl, *shape, "--size", str(size)], tree)
                rates[name].append(r["messages"] / r["cpu"])
        results[(clients, size)] = rates
        print(f"measured {clients} x {size} B", file=sys.stderr)
    return results


def _cell_table(clients: int, size: int, rates: dict[str, list[float]]) -> list[str]:
    medians = {name: statistics.median(values) for name, values in rates.items()}
    refs = [ref for ref in (REFERENCE, LIMIT) if ref in medians]
    lines = [
        f"### {clients} connection{'s' if clients > 1 else ''}, {size}-byte messages",
        "",
        "| implementation | median | min | max |" + "".join(f" ratio to {ref} |" for ref in refs),
        "|---|---:|---:|---:|" + "---:|" * len(refs),
    ]
    for name, values in rates.items():
        ratios = "".join(f" {medians[name] / medians[ref]:.2f} |" for ref in refs)
        lines.append(
            f"| {name} | {medians[name]:,.0f} | {min(values):,.0f} | {max(values):,.0f} |{ratios}"
        )
    return [*lines, ""]


def _summary(results: dict[tuple[int, int], dict[str, list[float]]]) -> list[str]:
    lines = [
        f"| cell | flowno | {REFERENCE} | {LIMIT} | flowno / {REFERENCE} (goal >= 1) |"
        f" flowno / {LIMIT} (goal >= 0.5) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for (clients, size), rates in results.items():
        med = {name: statistics.median(values) for name, values in rates.items()}
        ref = med.get(REFERENCE)
        vs_ref = "n/a" if ref is None else f"{med['flowno'] / ref:.2f}"
        ref_text = "n/a" if ref is None else f"{ref:,.0f}"
        lines.append(
            f"| {clients} x {size} B | {med['flowno']:,.0f} | {ref_text} | {med[LIMIT]:,.0f} |"
            f" {vs_ref} | {med['flowno'] / med[LIMIT]:.2f} |"
        )
    return [*lines, ""]


def _report(args: argparse.Namespace, columns: dict[str, tuple[str, Path]]) -> str:
    results = _measure(columns, args.total, args.repeat)
    stall = _child(["--run", "stall"])
    load = os.getloadavg()
    lines = [
        "# flowno-net benchmarks",
        "",
        f"Generated by `python benchmarks/net/echo.py --repeat {args.repeat}"
        + "".join(f" --base {shlex.quote(base)}" for base in args.base)
        + "` on "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.system()}"
        f" ({time.strftime('%Y-%m-%d')}); load average at the end {load[0]:.2f} (2 cores shared"
        " with other work: see the min-max columns).",
        "",
        f"## Loopback echo: {args.total:,} round trips per run, one loop",
        "",
        "C connections each do round trips of an S-byte message against per-connection echo"
        " servers in the same loop. Each run is a fresh process; the implementations alternate"
        f" in each of {args.repeat} rounds. Round trips per CPU-second of the whole process"
        " (client + server), median of the rounds. `selectors` is a callback-only echo on a"
        " plain `selectors` loop with every fd registered once: the bare limit.",
        "",
        *_summary(results),
    ]
    for (clients, size), rates in results.items():
        lines += _cell_table(clients, size, rates)
    lines += [
        "## Loop stall while a slow peer handshakes (TLS, 64-byte chunks every 20 ms)",
        "",
        "| handshake duration | ticker ticks | max gap between 1 ms ticks | goal |",
        "|---:|---:|---:|---|",
        f"| {stall['handshake_s'] * 1000:.0f} ms | {stall['ticks']} | "
        f"{stall['max_gap_ms']:.1f} ms | < 50 ms |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=20000, help="round trips per run")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--base",
        action="append",
        default=[],
        metavar="[LABEL=]PATH",
        help="also run flowno from this source tree, column LABEL (repeatable)",
    )
    parser.add_argument("--run", choices=[*IMPLEMENTATIONS, "stall"], help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=50, help=argparse.SUPPRESS)
    parser.add_argument("--messages", type=int, default=400, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks-net.md"))
    args = parser.parse_args()
    if args.run == "stall":
        print(json.dumps(run_stall()))
        return
    if args.run:
        print(json.dumps(IMPLEMENTATIONS[args.run](args.clients, args.messages, args.size)))
        return
    table = _report(args, _implementations(args.base))
    print(table)
    output = Path(args.output)
    # Keep the sections benchmarks/net/streams.py generated below its marker.
    previous = output.read_text() if output.exists() else ""
    marker = "<!-- streams.py:"
    kept = previous[previous.index(marker) :] if marker in previous else ""
    output.write_text(table + ("\n" + kept if kept else ""))


if __name__ == "__main__":
    main()
