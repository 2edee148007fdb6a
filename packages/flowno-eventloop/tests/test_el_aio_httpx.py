"""httpx from Flowno tasks through aio.call / aio.iterate, against a loopback HTTP server.

Every test runs twice: natively (``run_until_complete``: the helper-thread asyncio loop) and in
guest mode (``asyncio.run`` + ``aio.run``, with an asyncio ticker that must keep ticking).
"""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import httpx
import pytest
import sniffio

from flowno_eventloop import EventLoop, aio, spawn

pytestmark = pytest.mark.usefixtures("no_leaks")


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        body = f"hello {self.path}".encode()
        if self.path == "/lines":
            body = b"".join(f"line {i}\n".encode() for i in range(3))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass


class _Server(http.server.HTTPServer):
    """One request at a time, each on its own connection (HTTP/1.0): no request threads.

    The client can read a whole response before this thread closes its end of the connection,
    so ``wait_closed`` waits for every accepted connection to be closed before the test checks
    that no file descriptor is left open.
    """

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._open = 0
        self._changed = threading.Condition()

    def get_request(self) -> tuple[Any, Any]:
        accepted = super().get_request()
        with self._changed:
            self._open += 1
        return accepted

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        with self._changed:
            self._open -= 1
            self._changed.notify_all()

    def wait_closed(self) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self._open == 0, timeout=30)


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, name="loopback-http")
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def base_url(server: _Server) -> Iterator[str]:
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.wait_closed()


Runner = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture(params=["native", "guest"])
def run(request: pytest.FixtureRequest) -> Runner:
    """Run a Flowno root coroutine natively or as a guest of asyncio.run."""
    if request.param == "native":
        return lambda main: EventLoop().run_until_complete(main, join=True)

    def guest(main: Coroutine[Any, Any, Any]) -> Any:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        async def host() -> Any:
            task = asyncio.create_task(ticker())
            try:
                return await aio.run(main)
            finally:
                task.cancel()
                assert ticks > 0, "the asyncio ticker starved"

        return asyncio.run(host())

    return guest


async def fetch(url: str) -> tuple[str, str]:
    """Plain asyncio code: an httpx client (it asks sniffio which library runs it)."""
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
        return response.text, sniffio.current_async_library()


def test_nodes_fetch_with_httpx_concurrently(base_url: str, run: Runner) -> None:
    async def node(path: str) -> tuple[str, str]:
        return await aio.call(fetch(base_url + path))

    async def main() -> list[tuple[str, str]]:
        handles = [await spawn(node(f"/{i}")) for i in range(3)]
        return [await h.join() for h in handles]

    results = run(main())
    assert results == [(f"hello /{i}", "asyncio") for i in range(3)]


def test_streaming_response_lines_through_iterate(base_url: str, run: Runner) -> None:
    async def lines(url: str) -> Any:
        async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
            async for line in response.aiter_lines():
                yield line

    async def main() -> list[str]:
        return [line async for line in aio.iterate(lines(base_url + "/lines"))]

    assert run(main()) == ["line 0", "line 1", "line 2"]
