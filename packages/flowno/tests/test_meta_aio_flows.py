"""Flows and asyncio: a flow with a cycle and a stream, whose nodes call httpx through aio.call,
run in guest mode under asyncio.run (an asyncio ticker keeps ticking) and natively (the
helper-thread asyncio loop); cancelling the host task cancels the node and its asyncio task."""

from __future__ import annotations

import asyncio
import http.server
import os
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import httpx
import pytest
import sniffio

from flowno import EventLoop, FlowHDL, Stream, TerminateLimitReached, aio, node
from flowno_eventloop import AsyncQueue, TaskCancelled, spawn


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        n = int(self.path.strip("/"))
        body = " ".join(f"w{n}.{i}" for i in range(n)).encode()
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


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Iterator[None]:
    before_threads = set(threading.enumerate())
    before_fds = len(os.listdir("/proc/self/fd"))
    yield
    leaked = [t for t in threading.enumerate() if t not in before_threads]
    assert leaked == [], f"threads left behind: {leaked}"
    assert len(os.listdir("/proc/self/fd")) == before_fds


Runner = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture(params=["guest", "native"])
def run(request: pytest.FixtureRequest) -> Runner:
    """Run a Flowno coroutine in guest mode (with an asyncio ticker) or natively."""
    if request.param == "native":
        return lambda main: EventLoop().run_until_complete(main, join=True)

    def guest(main: Coroutine[Any, Any, Any]) -> Any:
        ticks = [0]

        async def ticker() -> None:
            while True:
                ticks[0] += 1
                await asyncio.sleep(0)

        async def host() -> Any:
            task = asyncio.create_task(ticker())
            try:
                before = ticks[0]
                result = await aio.run(main)
                assert ticks[0] > before, "the asyncio ticker starved"
                return result
            finally:
                task.cancel()

        return asyncio.run(host())

    return guest


async def fetch(url: str) -> tuple[str, str]:
    async with httpx.AsyncClient() as client:
        return (await client.get(url)).text, sniffio.current_async_library()


def build_flow(base_url: str, libraries: list[str], sink: AsyncQueue[str]) -> FlowHDL:
    @node
    async def Count(joined: str = "") -> int:  # the cycle: Count -> Fetch -> Words -> Join
        return len(joined.split("+")) + 1 if joined else 1

    @node
    async def Fetch(n: int) -> str:
        text, library = await aio.call(fetch(f"{base_url}/{n}"))
        libraries.append(library)
        return text

    @node
    async def Words(text: str) -> AsyncIterator[str]:  # a streaming node
        for word in text.split():
            yield word

    @node(stream_in=["words"])
    async def Join(words: Stream[str]) -> str:
        return "+".join([w async for w in words])

    @node
    async def Emit(joined: str) -> None:  # the flow's output, handed out of the flow
        await sink.put(joined)

    with FlowHDL() as f:
        f.count = Count(f.joined)
        f.fetch = Fetch(f.count)
        f.words = Words(f.fetch)
        f.joined = Join(f.words)
        f.emit = Emit(f.joined)
    return f


def test_a_flow_with_a_cycle_a_stream_and_httpx(base_url: str, run: Runner) -> None:
    libraries: list[str] = []
    f = build_flow(base_url, libraries, AsyncQueue())

    async def main() -> None:
        with pytest.raises(TerminateLimitReached):
            await f.run_async(stop_at_node_generation={f.joined: (2,)})

    run(main())
    assert f.joined.get_data() == ("w3.0+w3.1+w3.2",)
    assert libraries == ["asyncio"] * 3


def test_a_flows_outputs_streamed_to_asyncio(base_url: str) -> None:
    libraries: list[str] = []
    outputs: AsyncQueue[str] = AsyncQueue()
    f = build_flow(base_url, libraries, outputs)

    async def flow_outputs() -> AsyncIterator[str]:  # Flowno side
        async def run_flow() -> None:
            try:
                await f.run_async(stop_at_node_generation={f.emit: (2,)})
            except TerminateLimitReached:
                pass  # the cycle ran its three turns
            finally:
                await outputs.close()

        await spawn(run_flow())
        async for value in outputs:
            yield value

    async def host() -> list[str]:  # asyncio side
        return [value async for value in aio.stream(flow_outputs())]

    assert asyncio.run(host()) == ["w1.0", "w2.0+w2.1", "w3.0+w3.1+w3.2"]


def test_cancelling_the_host_task_cancels_the_node_and_its_asyncio_task() -> None:
    log: list[str] = []
    started = asyncio.Event()

    async def slow_request() -> str:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            log.append("asyncio task cancelled")
            raise
        return "never"

    @node
    async def Slow(x: int) -> str:
        try:
            return await aio.call(slow_request())
        except TaskCancelled:
            log.append("TaskCancelled in the node")
            raise

    with FlowHDL() as f:
        f.slow = Slow(1)

    async def host() -> None:
        task = asyncio.create_task(aio.run(f.run_async()))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        log.append("aio.run raised CancelledError")

    asyncio.run(host())
    assert log[-1] == "aio.run raised CancelledError"  # only once both sides have ended
    assert sorted(log[:-1]) == ["TaskCancelled in the node", "asyncio task cancelled"]
