"""Shared fixtures for the flowno-net tests: loops, certificates made at test time, fd counts, a
fault-injecting loopback HTTP/1.1 server (each path is a behaviour) and a CONNECT proxy."""

from __future__ import annotations

import datetime
import gzip
import json
import os
import ssl
import zlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from flowno_eventloop import Event, EventLoop, TaskGroup, sleep
from flowno_net import (
    IncompleteReadError,
    SocketHandle,
    SocketStream,
    open_connection,
    start_server,
)

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


def open_fd_count() -> int:
    """The number of file descriptors this process has open."""
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def run() -> Iterator[Runner]:
    """Run a coroutine to completion on a fresh loop (closed afterwards); returns its result."""
    loops: list[EventLoop] = []

    def runner(coro: Coroutine[Any, Any, Any]) -> Any:
        loop = EventLoop()
        loops.append(loop)
        return loop.run_until_complete(coro, join=True)

    yield runner
    for loop in loops:
        loop.close()


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def server_context(ca: trustme.CA) -> ssl.SSLContext:
    """A server context whose certificate is for localhost / 127.0.0.1, issued by ``ca``."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(ctx)
    return ctx


@pytest.fixture(scope="session")
def client_context(ca: trustme.CA) -> ssl.SSLContext:
    """A default (verifying) client context that trusts ``ca``."""
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


@pytest.fixture(scope="session")
def expired_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context with an expired localhost certificate, client context trusting its CA)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "flowno test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=10))
        .not_valid_after(now - datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("expired")
    cert_file, key_file = folder / "leaf.pem", folder / "leaf.key"
    cert_file.write_bytes(leaf_cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(
        cadata=ca_cert.public_bytes(serialization.Encoding.PEM).decode()
    )
    return server, client


# --- a fault-injecting HTTP/1.1 server -------------------------------------------------


class FaultServer:
    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.port = 0
        self.scheme = "http"
        self.hits: dict[str, int] = {}
        self.release = Event()  # lets a streaming path finish

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    async def handle(self, conn: SocketHandle, address: Any) -> None:
        self.connections += 1
        stream = SocketStream(conn)
        while True:
            try:
                first = await stream.readexactly(1)
                if first == b"\x16":  # a TLS ClientHello: answer like a plain HTTP server
                    await stream.send_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    return
                head = first + await stream.readuntil(b"\r\n\r\n")
            except IncompleteReadError:
                return
            method, target, headers = _parse_head(head)
            body = await stream.readexactly(int(headers.get("content-length", "0")))
            self.requests.append((method, target, headers, body))
            self.hits[target] = self.hits.get(target, 0) + 1
            if not await self.respond(stream, method, target, headers, body):
                return

    async def respond(
        self, s: SocketStream, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> bool:
        """Answer one request; False closes the connection."""
        path = target.split("?", 1)[0]
        if path == "/echo":
            info = {"method": method, "target": target, "headers": headers, "body": body.decode()}
            await s.send_all(_response(200, json.dumps(info).encode(), "application/json"))
        elif path == "/chunked":
            await s.send_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for piece in (b"hello ", b"chunked ", b"world"):
                await s.send_all(b"%x\r\n%s\r\n" % (len(piece), piece))
            await s.send_all(b"0\r\n\r\n")
        elif path in ("/gzip", "/deflate", "/raw-deflate"):
            data = b"compressed " * 100
            packed = {
                "/gzip": gzip.compress(data),
                "/deflate": zlib.compress(data),
                "/raw-deflate": zlib.compress(data)[2:-4],
            }[path]
            coding = path.strip("/").replace("raw-", "")
            await s.send_all(_response(200, packed, extra=f"Content-Encoding: {coding}\r\n"))
        elif path == "/sse":
            await self._sse(s)
        elif path == "/sse-forever":
            await s.send_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
            for n in range(1000):
                await s.send_all(b"data: %d\n\n" % n)
                await sleep(0)
            return False
        elif path == "/sse-cut":
            await s.send_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            await s.send_all(b"d\r\ndata: first\n\n\r\n")
            return False  # closes without the last chunk
        elif path == "/bad-gzip":
            await s.send_all(_response(200, b"not gzip at all", extra="Content-Encoding: gzip\r\n"))
        elif path == "/close-without-response":
            return False
        elif path == "/cut":
            await s.send_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
            return False
        elif path == "/malformed":
            await s.send_all(b"HTTX/1.1 200 OK\r\n\r\n")
            return False
        elif path == "/stall":
            await sleep(3600)
            return False
        elif path == "/stall-mid-body":
            await s.send_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
            await sleep(3600)
            return False
        elif path == "/busy":
            await self._busy(s, target)
        elif path == "/fail":
            await self._fail(s, target)
        elif path == "/redirect":
            await s.send_all(_response(302, b"moved", extra="Location: /echo\r\n"))
        elif path == "/close":
            await s.send_all(_response(200, b"bye", extra="Connection: close\r\n"))
            return False
        else:
            await s.send_all(_response(404, b"not found"))
        return True

    async def _sse(self, s: SocketStream) -> None:
        await s.send_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        events = [
            b"data: Hel",
            b"lo\n\nevent: tok",
            b"en\r\ndata: wor",
            b"ld\r\n\r\n",
            b"data: [DONE]\n\n",
        ]
        for piece in events:
            await s.send_all(b"%x\r\n%s\r\n" % (len(piece), piece))
            await sleep(0)
        await s.send_all(b"0\r\n\r\n")

    async def _busy(self, s: SocketStream, target: str) -> None:
        # "/busy?n=K&after=V": K answers 429 with Retry-After V, then 200
        query = dict(p.split("=") for p in target.split("?", 1)[1].split("&"))
        if self.hits[target] <= int(query["n"]):
            extra = f"Retry-After: {query['after']}\r\n" if query["after"] != "-" else ""
            await s.send_all(_response(429, b"slow down", extra=extra))
        else:
            await s.send_all(_response(200, b"finally"))

    async def _fail(self, s: SocketStream, target: str) -> None:
        # "/fail?code=C&n=K": K answers with status C (no Retry-After), then 200
        query = dict(p.split("=") for p in target.split("?", 1)[1].split("&"))
        if self.hits[target] <= int(query["n"]):
            await s.send_all(_response(int(query["code"]), b"failing"))
        else:
            await s.send_all(_response(200, b"finally"))


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


def _response(status: int, body: bytes, content_type: str = "text/plain", extra: str = "") -> bytes:
    reason = {
        200: "OK",
        302: "Found",
        404: "Not Found",
        429: "Too Many Requests",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    )
    return head.encode("latin-1") + body


@asynccontextmanager
async def running(ssl_context: Any = None) -> AsyncIterator[FaultServer]:
    fault = FaultServer()
    server = await start_server(fault.handle, "127.0.0.1", 0, ssl_context=ssl_context)
    fault.port = server.port
    fault.scheme = "https" if ssl_context is not None else "http"
    async with server:
        yield fault


# --- a CONNECT proxy ---------------------------------------------------------------------


class Proxy:
    def __init__(self, *, refuse: bool, stall: bool) -> None:
        self.refuse = refuse
        self.stall = stall
        self.port = 0
        self.requests: list[str] = []

    async def handle(self, conn: SocketHandle, address: Any) -> None:
        client = SocketStream(conn)
        try:
            head = (await client.readuntil(b"\r\n\r\n")).decode("latin-1")
        except IncompleteReadError:
            return
        self.requests.append(head)
        if self.stall:
            await sleep(3600)
        if self.refuse:
            await client.send_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        host, _, port = head.split(" ")[1].rpartition(":")
        async with await open_connection(
            "127.0.0.1" if host == "localhost" else host, int(port)
        ) as up:
            await client.send_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            async with TaskGroup() as group:
                group.spawn(_pipe(client, up))
                group.spawn(_pipe(up, client))


async def _pipe(source: SocketStream, sink: SocketStream) -> None:
    """Copy until either side ends (a reset of either side ends both directions)."""
    try:
        while data := await source.read(65536):
            await sink.send_all(data)
    except OSError:
        pass
    for end in (source, sink):
        try:
            end.handle.shutdown(2)
        except OSError:
            pass  # already closed or never connected


@asynccontextmanager
async def running_proxy(*, refuse: bool = False, stall: bool = False) -> AsyncIterator[Proxy]:
    proxy = Proxy(refuse=refuse, stall=stall)
    server = await start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = server.port
    async with server:
        yield proxy


@pytest.fixture
def serve_http() -> Callable[..., Any]:
    """``async with serve_http(ssl_context=None) as server``: a running FaultServer."""
    return running


@pytest.fixture
def serve_proxy() -> Callable[..., Any]:
    """``async with serve_proxy(refuse=False, stall=False) as proxy``: a CONNECT proxy."""
    return running_proxy
