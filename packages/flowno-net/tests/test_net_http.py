"""flowno_net.http.Client against the fault-injecting loopback server."""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from flowno_eventloop import EventLoop, MockClock, sleep, spawn
from flowno_net import start_server
from flowno_net.http import (
    Client,
    ConnectError,
    ConnectTimeout,
    HTTPStatusError,
    ReadTimeout,
    RemoteProtocolError,
    Retries,
    ServerSentEvent,
    StreamError,
    Timeout,
    WriteTimeout,
)

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


def run_mock(coro: Coroutine[Any, Any, Any], clock: MockClock) -> Any:
    loop = EventLoop(clock=clock)
    try:
        return loop.run_until_complete(coro, join=True)
    finally:
        loop.close()


def test_get_with_params_headers_and_json_body(run: Runner, serve_http: Any) -> None:
    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        async with serve_http() as server, Client(base_url=server.url, headers={"X-App": "t"}) as c:
            r = await c.get("/echo", params={"q": "a b", "n": [1, 2]})
            p = await c.post("/echo?x=1", json={"msg": "héllo"}, headers={"X-Req": "1"})
            assert (r.status_code, r.reason_phrase, r.http_version) == (200, "OK", "HTTP/1.1")
            assert r.headers["content-type"] == "application/json"
            return r.json(), p.json()

    got, posted = run(main())
    assert got["method"] == "GET"
    assert got["target"] == "/echo?q=a+b&n=1&n=2"
    assert got["headers"]["x-app"] == "t"
    assert got["headers"]["accept-encoding"] == "gzip, deflate"
    assert posted["target"] == "/echo?x=1"
    assert json.loads(posted["body"]) == {"msg": "héllo"}
    assert posted["headers"]["content-type"] == "application/json"
    assert posted["headers"]["x-req"] == "1"


def test_form_data_and_raw_content(run: Runner, serve_http: Any) -> None:
    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        async with serve_http() as server, Client(base_url=server.url) as c:
            form = (await c.post("/echo", data={"a": "1", "b": "x y"})).json()
            raw = (await c.put("/echo", content=b"raw bytes")).json()
            return form, raw

    form, raw = run(main())
    assert form["body"] == "a=1&b=x+y"
    assert form["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert (raw["method"], raw["body"]) == ("PUT", "raw bytes")


def test_two_requests_in_a_row_use_one_connection(run: Runner, serve_http: Any) -> None:
    async def main() -> int:
        async with serve_http() as server, Client(base_url=server.url) as c:
            for _ in range(3):
                assert (await c.get("/echo")).status_code == 200
            return server.connections

    assert run(main()) == 1


def test_the_pool_keeps_one_connection_per_origin(run: Runner, serve_http: Any) -> None:
    async def main() -> tuple[int, int]:
        async with serve_http() as first, serve_http() as second, Client() as c:
            for _ in range(2):
                for server in (first, second):
                    assert (await c.get(f"{server.url}/echo")).status_code == 200
            return first.connections, second.connections

    assert run(main()) == (1, 1)


def test_an_unconsumed_stream_forces_a_new_connection(run: Runner, serve_http: Any) -> None:
    async def main() -> int:
        async with serve_http() as server, Client(base_url=server.url) as c:
            async with c.stream("GET", "/chunked") as r:
                assert r.status_code == 200  # body never read
            assert (await c.get("/echo")).status_code == 200
            return server.connections

    assert run(main()) == 2


def test_a_stale_idle_connection_is_not_reused(run: Runner, serve_http: Any) -> None:
    async def main() -> tuple[str, int]:
        async with serve_http() as server, Client(base_url=server.url) as c:
            assert (await c.get("/close")).text == "bye"  # server closes after answering
            r = await c.get("/echo")
            return r.json()["method"], server.connections

    assert run(main()) == ("GET", 2)


def test_chunked_and_compressed_bodies(run: Runner, serve_http: Any) -> None:
    async def main() -> list[bytes]:
        async with serve_http() as server, Client(base_url=server.url) as c:
            paths = ["/chunked", "/gzip", "/deflate", "/raw-deflate"]
            return [(await c.get(p)).content for p in paths]

    chunked, *compressed = run(main())
    assert chunked == b"hello chunked world"
    assert compressed == [b"compressed " * 100] * 3


def test_stream_aiter_sse_lines_and_bytes(run: Runner, serve_http: Any) -> None:
    async def main() -> tuple[list[ServerSentEvent], list[str], bytes]:
        async with serve_http() as server, Client(base_url=server.url) as c:
            async with c.stream("GET", "/sse") as r:
                events = [e async for e in r.aiter_sse()]
            async with c.stream("GET", "/sse") as r:
                lines = [line async for line in r.aiter_lines()]
            async with c.stream("GET", "/chunked") as r:
                body = b"".join([chunk async for chunk in r.aiter_bytes()])
                with pytest.raises(StreamError):
                    await r.aread()
            return events, lines, body

    events, lines, body = run(main())
    assert events == [
        ServerSentEvent("message", "Hello"),
        ServerSentEvent("token", "world"),
        ServerSentEvent("message", "[DONE]"),
    ]
    assert lines == ["data: Hello", "", "event: token", "data: world", "", "data: [DONE]", ""]
    assert body == b"hello chunked world"


def test_the_streaming_chat_call_as_users_write_it(run: Runner, serve_http: Any) -> None:
    """A JSON GET, ``raise_for_status``, then a POST stream with ``json=`` and ``headers=``
    read with ``aiter_sse`` until ``[DONE]``, all on one keep-alive connection."""

    async def main() -> tuple[str, list[tuple[str, str, str, int | None]], Any]:
        async with serve_http() as server:
            timeout = Timeout(connect=5, read=60)
            async with Client(base_url=server.url, timeout=timeout) as c:
                r = await c.get("/echo")
                r.raise_for_status()
                method = r.json()["method"]
                seen = []
                body, h = {"messages": [{"role": "user", "content": "hi"}]}, {"X-Key": "k"}
                async with c.stream("POST", "/sse", json=body, headers=h) as r:
                    async for event in r.aiter_sse():
                        if event.data == "[DONE]":
                            break
                        seen.append((event.event, event.data, event.id, event.retry))
            return method, seen, (server.requests[-1], server.connections)

    method, seen, ((verb, target, headers, sent), connections) = run(main())
    assert method == "GET"
    assert seen == [("message", "Hello", "", None), ("token", "world", "", None)]
    assert (verb, target, headers["x-key"], headers["content-type"]) == (
        "POST",
        "/sse",
        "k",
        "application/json",
    )
    assert json.loads(sent) == {"messages": [{"role": "user", "content": "hi"}]}
    assert connections == 1


def test_stopping_early_closes_the_response_and_its_connection(
    run: Runner, serve_http: Any
) -> None:
    async def main() -> tuple[list[str], bool, int]:
        async with serve_http() as server, Client(base_url=server.url) as c:
            seen = []
            async with c.stream("GET", "/sse-forever") as r:
                async for event in r.aiter_sse():
                    seen.append(event.data)
                    if len(seen) == 3:
                        break
            closed = r.is_closed
            assert (await c.get("/echo")).status_code == 200
            return seen, closed, server.connections

    assert run(main()) == (["0", "1", "2"], True, 2)


def test_an_error_in_the_stream_block_closes_the_response_and_its_connection(
    run: Runner, serve_http: Any
) -> None:
    async def main() -> tuple[bool, int, int]:
        async with serve_http() as server, Client(base_url=server.url) as c:
            with pytest.raises(KeyError):
                async with c.stream("GET", "/sse-forever") as r:
                    async for event in r.aiter_sse():
                        raise KeyError(event.data)
            status = (await c.get("/echo")).status_code
            return r.is_closed, status, server.connections

    assert run(main()) == (True, 200, 2)


def test_two_concurrent_streams_on_one_client(run: Runner, serve_http: Any) -> None:
    async def consume(c: Client) -> list[str]:
        async with c.stream("GET", "/sse") as r:
            return [e.data async for e in r.aiter_sse()]

    async def main() -> tuple[list[str], list[str], int]:
        async with serve_http() as server, Client(base_url=server.url) as c:
            a = await spawn(consume(c))
            b = await spawn(consume(c))
            return await a.join(), await b.join(), server.connections

    first, second, connections = run(main())
    assert first == second == ["Hello", "world", "[DONE]"]
    assert connections == 2


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/close-without-response", "closed the connection without sending a response (GET"),
        ("/cut", "peer closed connection without sending complete message body"),
        ("/malformed", "illegal status line"),
    ],
)
def test_broken_servers_give_clear_errors(
    run: Runner, path: str, message: str, serve_http: Any
) -> None:
    async def main() -> None:
        async with serve_http() as server, Client(base_url=server.url) as c:
            await c.get(path)

    with pytest.raises(RemoteProtocolError, match=message.replace("(", r"\(")) as info:
        run(main())
    assert path in str(info.value) or path == "/cut"


def test_connection_refused_is_a_connect_error(run: Runner) -> None:
    import socket as std_socket

    with std_socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

        async def main() -> None:
            async with Client() as c:
                await c.get(f"http://127.0.0.1:{port}/")

        with pytest.raises(ConnectError, match=f"cannot connect to http://127.0.0.1:{port}"):
            run(main())


def test_read_timeout_names_itself_under_a_mock_clock(serve_http: Any) -> None:
    clock = MockClock()

    async def main() -> str:
        async with (
            serve_http() as server,
            Client(base_url=server.url, timeout=Timeout(read=60)) as c,
        ):
            try:
                await c.get("/stall")
            except ReadTimeout as exc:
                return f"{exc} at t={clock.now()}"
        return "no timeout"

    message = run_mock(main(), clock)
    assert message.startswith("read timeout: no data from GET http://127.0.0.1:")
    assert message.endswith("/stall within 60.0s at t=60.0")


def test_write_timeout_names_itself_under_a_mock_clock() -> None:
    """The server accepts but never reads: a big request body fills the socket buffers."""
    clock = MockClock()

    async def deaf(conn: Any, address: Any) -> None:
        await sleep(3600)

    async def main() -> str:
        async with await start_server(deaf, "127.0.0.1", 0) as server:
            url = f"http://127.0.0.1:{server.port}/upload"
            async with Client(timeout=Timeout(connect=5, read=60, write=5)) as c:
                try:
                    await c.post(url, content=b"x" * 16_000_000)
                except WriteTimeout as exc:
                    return f"{exc} at t={clock.now()}"
        return "no timeout"

    message = run_mock(main(), clock)
    assert message.startswith("write timeout: sending POST http://127.0.0.1:")
    assert message.endswith("/upload took more than 5.0s at t=5.0")


def test_read_timeout_is_per_chunk_mid_body(serve_http: Any) -> None:
    clock = MockClock()

    async def main() -> tuple[bytes, float]:
        async with serve_http() as server, Client(base_url=server.url, timeout=5) as c:
            async with c.stream("GET", "/stall-mid-body") as r:
                received = b""
                with pytest.raises(ReadTimeout):
                    async for chunk in r.aiter_bytes():
                        received += chunk
                return received, clock.now()

    assert run_mock(main(), clock) == (b"abc", 5.0)


def test_429_retry_after_is_honoured_on_the_loop_clock(serve_http: Any) -> None:
    clock = MockClock()

    async def main() -> tuple[int, str, float, int]:
        async with serve_http() as server, Client(base_url=server.url, retries=Retries(3)) as c:
            r = await c.get("/busy?n=2&after=7")
            return r.status_code, r.text, clock.now(), server.hits["/busy?n=2&after=7"]

    assert run_mock(main(), clock) == (200, "finally", 14.0, 3)


def test_retries_back_off_and_cap_and_give_up(serve_http: Any) -> None:
    clock = MockClock()

    async def main() -> tuple[int, float]:
        retries = Retries(attempts=2, backoff=1, max_delay=10)
        async with serve_http() as server, Client(base_url=server.url, retries=retries) as c:
            capped = await c.get("/busy?n=1&after=3600")  # capped at 10
            t1 = clock.now()
            r = await c.get("/busy?n=5&after=-")  # backoff 1, 2, then gives up
            assert r.status_code == 429
            with pytest.raises(HTTPStatusError, match="429 Too Many Requests for GET"):
                r.raise_for_status()
            return capped.status_code, t1, clock.now() - t1

    assert run_mock(main(), clock) == (200, 10.0, 3.0)


@pytest.mark.parametrize("code", [502, 503, 504])
def test_502_503_and_504_are_retried_with_backoff_on_the_loop_clock(
    serve_http: Any, code: int
) -> None:
    clock = MockClock()
    target = f"/fail?code={code}&n=2"

    async def main() -> tuple[int, str, float, int]:
        retries = Retries(attempts=3, backoff=0.25)
        async with serve_http() as server, Client(base_url=server.url, retries=retries) as c:
            r = await c.get(target)
            return r.status_code, r.text, clock.now(), server.hits[target]

    assert run_mock(main(), clock) == (200, "finally", 0.75, 3)  # waited 0.25 then 0.5


def test_a_500_is_not_retried(serve_http: Any) -> None:
    clock = MockClock()

    async def main() -> tuple[int, float, int]:
        async with serve_http() as server, Client(base_url=server.url, retries=Retries(3)) as c:
            r = await c.get("/fail?code=500&n=1")
            return r.status_code, clock.now(), server.hits["/fail?code=500&n=1"]

    assert run_mock(main(), clock) == (500, 0.0, 1)


def test_redirects_are_not_followed(run: Runner, serve_http: Any) -> None:
    async def main() -> tuple[int, str, str, dict[str, int]]:
        async with serve_http() as server, Client(base_url=server.url) as c:
            r = await c.get("/redirect")
            return r.status_code, r.headers["location"], r.text, server.hits

    assert run(main()) == (302, "/echo", "moved", {"/redirect": 1})


def test_without_retries_a_429_is_returned(run: Runner, serve_http: Any) -> None:
    async def main() -> int:
        async with serve_http() as server, Client(base_url=server.url) as c:
            return (await c.get("/busy?n=1&after=1")).status_code

    assert run(main()) == 429


def test_tls_with_a_trusted_certificate(
    run: Runner, server_context: ssl.SSLContext, client_context: ssl.SSLContext, serve_http: Any
) -> None:
    async def main() -> tuple[str, int]:
        async with serve_http(server_context) as server:
            async with Client(
                base_url=f"https://localhost:{server.port}", verify=client_context
            ) as c:
                first = (await c.get("/echo")).json()["method"]
                await c.get("/echo")
                return first, server.connections

    assert run(main()) == ("GET", 1)


def test_tls_verification_is_on_by_default(
    run: Runner, server_context: ssl.SSLContext, serve_http: Any
) -> None:
    async def main() -> None:
        async with serve_http(server_context) as server:
            async with Client() as c:
                await c.get(f"https://localhost:{server.port}/echo")

    with pytest.raises(ConnectError, match="certificate") as info:
        run(main())
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)


def test_a_plain_http_server_on_an_https_url(run: Runner, serve_http: Any) -> None:
    async def main() -> None:
        async with serve_http() as server, Client() as c:
            await c.get(f"https://localhost:{server.port}/echo")

    with pytest.raises(ConnectError, match="does not speak TLS"):
        run(main())


def test_https_proxy_tunnel_from_the_environment(
    run: Runner,
    server_context: ssl.SSLContext,
    client_context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
    serve_http: Any,
    serve_proxy: Any,
) -> None:
    async def main() -> tuple[str, list[str]]:
        async with serve_http(server_context) as server, serve_proxy() as proxy:
            monkeypatch.setenv("HTTPS_PROXY", f"http://user:pw@127.0.0.1:{proxy.port}")
            monkeypatch.delenv("NO_PROXY", raising=False)
            monkeypatch.delenv("no_proxy", raising=False)
            async with Client(verify=client_context) as c:
                r = await c.get(f"https://localhost:{server.port}/echo")
            return r.json()["method"], proxy.requests

    method, requests = run(main())
    assert method == "GET"
    assert requests[0].startswith("CONNECT localhost:")
    assert "Proxy-Authorization: Basic dXNlcjpwdw==" in requests[0]


def test_a_proxy_that_refuses_the_tunnel(
    run: Runner, monkeypatch: pytest.MonkeyPatch, serve_proxy: Any
) -> None:
    from flowno_net.http import ProxyError

    async def main() -> None:
        async with (
            serve_proxy(refuse=True) as proxy,
            Client(proxy=f"http://127.0.0.1:{proxy.port}") as c,
        ):
            await c.get("https://localhost:1/")

    with pytest.raises(ProxyError, match="refused CONNECT localhost:1: 'HTTP/1.1 403 Forbidden'"):
        run(main())


def test_connect_timeout_under_a_mock_clock(
    monkeypatch: pytest.MonkeyPatch, serve_proxy: Any
) -> None:
    """The proxy accepts TCP but never answers CONNECT: the connect deadline covers it."""
    clock = MockClock()

    async def main() -> str:
        async with serve_proxy(stall=True) as proxy:
            client = Client(proxy=f"http://127.0.0.1:{proxy.port}", timeout=Timeout(connect=5))
            async with client as c:
                try:
                    await c.get("https://localhost:1/")
                except ConnectTimeout as exc:
                    return f"{exc} at t={clock.now()}"
        return "no timeout"

    assert run_mock(main(), clock) == (
        "connect timeout: no connection to https://localhost:1 within 5.0s at t=5.0"
    )


def test_bad_arguments(run: Runner) -> None:
    c = Client()
    with pytest.raises(ValueError, match="absolute http"):
        c.build_request("GET", "/relative")
    with pytest.raises(ValueError, match="ftp://x"):
        c.build_request("GET", "ftp://x/")
    with pytest.raises(ValueError, match="give one body argument, not data and json"):
        c.build_request("POST", "http://x.test/", data={"a": 1}, json={})
    with pytest.raises(ValueError, match="Timeout: read must be >= 0"):
        Timeout(read=-1)
    with pytest.raises(TypeError, match="Timeout: connect must be a number"):
        Timeout(connect="5")  # type: ignore[arg-type]
    run(c.aclose())
    with pytest.raises(RuntimeError, match="client is closed"):
        run(c.get("http://x.test/"))


def test_a_stream_cut_mid_body_raises_after_the_events_that_came(
    run: Runner, serve_http: Any
) -> None:
    async def main() -> tuple[list[str], str]:
        seen: list[str] = []
        async with serve_http() as server, Client(base_url=server.url) as c:
            async with c.stream("GET", "/sse-cut") as r:
                try:
                    async for event in r.aiter_sse():
                        seen.append(event.data)
                except RemoteProtocolError as exc:
                    return seen, str(exc)
        return seen, "no error"

    seen, message = run(main())
    assert seen == ["first"]
    assert "peer closed connection without sending complete message body" in message
    assert "GET http://127.0.0.1:" in message


def test_bad_compressed_data_is_a_decoding_error(run: Runner, serve_http: Any) -> None:
    from flowno_net.http import DecodingError

    async def main() -> None:
        async with serve_http() as server, Client(base_url=server.url) as c:
            await c.get("/bad-gzip")

    with pytest.raises(DecodingError, match="invalid gzip data"):
        run(main())


def test_without_h11_the_client_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "h11", None)
    with pytest.raises(ImportError, match=r"pip install 'flowno-net\[http\]'"):
        Client()


def test_a_request_timeout_overrides_the_clients_and_none_means_no_deadline(
    serve_http: Any,
) -> None:
    clock = MockClock()

    async def main() -> tuple[float, float]:
        async with serve_http() as server, Client(base_url=server.url, timeout=1) as c:
            with pytest.raises(ReadTimeout):
                await c.get("/stall-mid-body", timeout=Timeout(read=30))
            first = clock.now()
            with pytest.raises(RemoteProtocolError):  # the server gives up after an hour
                await c.get("/stall-mid-body", timeout=None)
            return first, clock.now() - first

    assert run_mock(main(), clock) == (30.0, 3600.0)


def test_no_proxy_bypasses_the_environment_proxy(
    run: Runner,
    server_context: ssl.SSLContext,
    client_context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
    serve_http: Any,
    serve_proxy: Any,
) -> None:
    async def main() -> tuple[int, list[str]]:
        async with serve_http(server_context) as server, serve_proxy() as proxy:
            monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
            monkeypatch.setenv("NO_PROXY", "localhost")
            async with Client(verify=client_context) as c:
                r = await c.get(f"https://localhost:{server.port}/echo")
            return r.status_code, proxy.requests

    assert run(main()) == (200, [])


def test_connection_failures_are_retried_with_backoff_then_raised() -> None:
    import socket as std_socket

    clock = MockClock()
    with std_socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

        async def main() -> float:
            retries = Retries(attempts=2, backoff=0.5)
            async with Client(retries=retries) as c:
                with pytest.raises(ConnectError):
                    await c.get(f"http://127.0.0.1:{port}/")
            return clock.now()

        assert run_mock(main(), clock) == 1.5  # waited 0.5 then 1.0


def test_a_response_read_after_the_client_closed_does_not_leak_its_connection(
    run: Runner, serve_http: Any
) -> None:
    async def main() -> bytes:
        async with serve_http() as server:
            client = Client(base_url=server.url)
            async with client.stream("GET", "/chunked") as r:
                await client.aclose()
                body = await r.aread()  # completes the exchange after the pool closed
            return body

    assert run(main()) == b"hello chunked world"  # -W error: a leaked socket would fail
