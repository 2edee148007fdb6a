# Rules of this module:
# - Client builds requests (base_url, params, headers, json / data / content) and runs them over
#   pooled keep-alive connections. Redirects are never followed (a 3xx is returned as is).
# - A streaming response is always closed when its ``stream()`` block ends, whether the body was
#   read, abandoned early, or an error happened; a complete exchange returns its connection to
#   the pool, an incomplete one closes it.
# - A request that fails on a reused idle connection before any response byte arrived (the
#   server closed it as we sent) is sent once more on a new connection.
# - Retries are opt-in (``retries=``) and wait on the loop's clock.
"""Client: an HTTP/1.1 client on flowno-net sockets, with httpx's names."""

from __future__ import annotations

import json as std_json
import ssl
import urllib.parse
from collections.abc import AsyncGenerator, Iterable, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, cast

from .._kernel import sleep
from ._config import (
    Headers,
    HeaderTypes,
    Retries,
    Timeout,
    TimeoutTypes,
    _Unset,  # pyright: ignore[reportPrivateUsage]
    as_timeout,
)
from ._connection import ConnectionPool, HTTPConnection, Origin, load_h11
from ._errors import ConnectError, ReadError, RemoteProtocolError, WriteError
from ._models import Request, Response
from ._transport import open_socket, proxy_from_env

ParamTypes = Mapping[str, Any] | Iterable[tuple[str, Any]] | str | None
_DEFAULT_PORTS = {"http": 80, "https": 443}
_USER_AGENT = "flowno-net"
_CLIENT_DEFAULT = _Unset.UNSET  # a request without timeout= uses the client's


class Client:
    """An HTTP/1.1 client with a keep-alive connection pool; use it with ``async with``.

    Args:
        base_url: prefix of relative URLs (``"https://api.example.test/v1"``).
        headers: headers sent with every request.
        params: query parameters added to every request.
        timeout: a :class:`Timeout`, a number of seconds for all of them, or ``None``.
        verify: ``True`` (default) verifies certificates with the system's CAs; an
            ``ssl.SSLContext`` is used as is; ``False`` disables verification.
        proxy: ``http://host:port`` to tunnel https requests through (``CONNECT``).
        trust_env: read ``HTTPS_PROXY`` / ``NO_PROXY`` when ``proxy`` is not given.
        retries: opt-in retries: a number of retries or a :class:`Retries`.

    Raises:
        ImportError: h11 is missing (install ``flowno-net[http]``).

    >>> from flowno_eventloop import EventLoop
    >>> from flowno_net import start_server
    >>> async def hello(conn, address):
    ...     await conn.recv(65536)
    ...     await conn.sendAll(b"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello")
    >>> async def main():
    ...     async with await start_server(hello, "127.0.0.1", 0) as server:
    ...         async with Client(base_url=f"http://127.0.0.1:{server.port}") as client:
    ...             response = await client.get("/greeting", params={"lang": "en"})
    ...             return response.status_code, response.text
    >>> EventLoop().run_until_complete(main(), join=True)
    (200, 'hello')
    """

    def __init__(
        self,
        *,
        base_url: str = "",
        headers: HeaderTypes = None,
        params: ParamTypes = None,
        timeout: TimeoutTypes = Timeout(5.0),  # noqa: B008 (immutable)
        verify: ssl.SSLContext | bool = True,
        proxy: str | None = None,
        trust_env: bool = True,
        retries: Retries | int | None = None,
    ) -> None:
        load_h11()
        self.base_url: str = base_url
        self.headers: Headers = Headers(headers)
        self.params: ParamTypes = params
        self.timeout: Timeout = as_timeout(timeout)
        self.retries: Retries | None = Retries(retries) if isinstance(retries, int) else retries
        self._ssl_context = _ssl_context(verify)
        self._proxy = proxy
        self._trust_env = trust_env
        self._pool = ConnectionPool()
        self._closed = False

    def __repr__(self) -> str:
        return f"<Client base_url={self.base_url!r} idle={self._pool.idle_count()}>"

    # -- building requests --------------------------------------------------------------------

    def build_request(
        self,
        method: str,
        url: str,
        *,
        params: ParamTypes = None,
        headers: HeaderTypes = None,
        content: bytes | str | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Request:
        """Build the request ``send`` would send (URL, headers and body), without sending it.

        Args:
            method: the HTTP method.
            url: an absolute URL, or one relative to ``base_url``.
            params: query parameters (added to the URL's own).
            headers: headers for this request (over the client's).
            content: the raw body.
            data: a form, sent ``application/x-www-form-urlencoded``.
            json: a value sent as JSON.

        Returns:
            The request.

        Raises:
            ValueError: the URL is not http(s) or has no host, or more than one body is given.

        >>> c = Client(base_url="http://api.test/v1", headers={"X-Key": "k"})
        >>> r = c.build_request("POST", "chat", params={"stream": "1"}, json={"q": "hi"})
        >>> r.url, r.headers["content-type"], r.content, r.headers["host"]
        ('http://api.test/v1/chat?stream=1', 'application/json', b'{"q":"hi"}', 'api.test')
        """
        full = _with_params(_with_params(self._absolute(url), self.params), params)
        body, content_type = _body(content, data, json)
        merged = Headers(_defaults(full))
        for source in (self.headers, Headers(headers)):
            for name in source:
                merged.set(name, source[name])
        if content_type is not None:
            merged.setdefault_value("Content-Type", content_type)
        if body or method.upper() in ("POST", "PUT", "PATCH"):
            merged.set("Content-Length", str(len(body)))
        return Request(method, full, headers=merged, content=body)

    def _absolute(self, url: str) -> str:
        if "://" in url or not self.base_url:
            result = url
        else:
            result = self.base_url.rstrip("/") + "/" + url.lstrip("/")
        parts = urllib.parse.urlsplit(result)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError(
                f"Client: url must be an absolute http(s) URL (or set base_url), got {result!r}"
            )
        return result

    # -- sending ------------------------------------------------------------------------------

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        *,
        params: ParamTypes = None,
        headers: HeaderTypes = None,
        content: bytes | str | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        timeout: TimeoutTypes | _Unset = _CLIENT_DEFAULT,
    ) -> AsyncGenerator[Response, None]:
        """Send a request and give its response while the body is still arriving.

        Read the body with ``aiter_bytes()``, ``aiter_lines()``, ``aiter_sse()`` or
        ``aread()`` inside the block; the response is closed when the block ends (early
        exits included). The arguments are :meth:`build_request`'s; ``timeout`` overrides the
        client's for this request (``None``: no deadlines).

        Yields:
            The response, body unread.

        >>> from flowno_eventloop import EventLoop
        >>> from flowno_net import start_server
        >>> async def events(conn, address):
        ...     await conn.recv(65536)
        ...     await conn.sendAll(b"HTTP/1.1 200 OK\\r\\nContent-Type: text/event-stream\\r\\n"
        ...                        b"Content-Length: 24\\r\\n\\r\\ndata: Hi\\n\\ndata: [DONE]\\n\\n")
        >>> async def main():
        ...     async with await start_server(events, "127.0.0.1", 0) as server:
        ...         async with Client() as client:
        ...             url = f"http://127.0.0.1:{server.port}/v1/chat"
        ...             async with client.stream("POST", url, json={"q": "hi"}) as response:
        ...                 return [event.data async for event in response.aiter_sse()]
        >>> EventLoop().run_until_complete(main(), join=True)
        ['Hi', '[DONE]']
        """
        request = self.build_request(
            method, url, params=params, headers=headers, content=content, data=data, json=json
        )
        response = await self.send(request, timeout=timeout)
        try:
            yield response
        finally:
            response.close()

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: ParamTypes = None,
        headers: HeaderTypes = None,
        content: bytes | str | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        timeout: TimeoutTypes | _Unset = _CLIENT_DEFAULT,
    ) -> Response:
        """Send a request and read the whole response body.

        The arguments are :meth:`build_request`'s; ``timeout`` overrides the client's
        (``None``: no deadlines).

        Returns:
            The response, body read (``response.content``).

        Raises:
            ConnectError, ConnectTimeout, ReadTimeout, WriteTimeout, RemoteProtocolError,
                ProxyError, DecodingError: see :mod:`flowno_net.http`.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     async with Client() as client:
        ...         await client.request("GET", "http://127.0.0.1:1/")
        >>> EventLoop().run_until_complete(main(), join=True)
        Traceback (most recent call last):
        ...
        flowno_net.http._errors.ConnectError: cannot connect to http://127.0.0.1:1: [Errno 111] Connection refused (connecting to ('127.0.0.1', 1))
        """
        async with self.stream(
            method,
            url,
            params=params,
            headers=headers,
            content=content,
            data=data,
            json=json,
            timeout=timeout,
        ) as response:
            await response.aread()
        return response

    async def get(self, url: str, **kwargs: Any) -> Response:
        """``request("GET", url, ...)``.

        >>> Client.get.__doc__.splitlines()[0]
        '``request("GET", url, ...)``.'
        """
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> Response:
        """``request("POST", url, ...)``.

        >>> Client.post.__doc__.splitlines()[0]
        '``request("POST", url, ...)``.'
        """
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> Response:
        """``request("PUT", url, ...)``.

        >>> Client.put.__doc__.splitlines()[0]
        '``request("PUT", url, ...)``.'
        """
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> Response:
        """``request("PATCH", url, ...)``.

        >>> Client.patch.__doc__.splitlines()[0]
        '``request("PATCH", url, ...)``.'
        """
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> Response:
        """``request("DELETE", url, ...)``.

        >>> Client.delete.__doc__.splitlines()[0]
        '``request("DELETE", url, ...)``.'
        """
        return await self.request("DELETE", url, **kwargs)

    async def send(
        self, request: Request, *, timeout: TimeoutTypes | _Unset = _CLIENT_DEFAULT
    ) -> Response:
        """Send ``request`` (with the client's retries) and return once the head arrived.

        The caller must close the response (``Client.stream`` does).

        Args:
            request: a request from :meth:`build_request`.
            timeout: overrides the client's timeout.

        Returns:
            The response, body unread.

        >>> from flowno_eventloop import EventLoop
        >>> from flowno_net import start_server
        >>> async def teapot(conn, address):
        ...     await conn.recv(65536)
        ...     await conn.sendAll(b"HTTP/1.1 418 I'm a teapot\\r\\nContent-Length: 0\\r\\n\\r\\n")
        >>> async def main():
        ...     async with await start_server(teapot, "127.0.0.1", 0) as server:
        ...         async with Client() as client:
        ...             request = client.build_request("GET", f"http://127.0.0.1:{server.port}/")
        ...             response = await client.send(request, timeout=2)
        ...             response.close()
        ...             return response.status_code, response.reason_phrase
        >>> EventLoop().run_until_complete(main(), join=True)
        (418, "I'm a teapot")
        """
        if self._closed:
            raise RuntimeError("Client: the client is closed")
        limits = self.timeout if isinstance(timeout, _Unset) else as_timeout(timeout)
        retries, attempt = self.retries, 0
        while True:
            try:
                response = await self._send_once(request, limits)
            except ConnectError:
                if retries is None or attempt >= retries.attempts:
                    raise
                await sleep(retries.delay(attempt, None))
                attempt += 1
                continue
            if retries is None or response.status_code not in retries.statuses:
                return response
            if attempt >= retries.attempts:
                return response
            response.close()
            await sleep(retries.delay(attempt, response.headers.get("retry-after")))
            attempt += 1

    async def _send_once(self, request: Request, limits: Timeout) -> Response:
        origin = _origin(request.url)
        connection = self._pool.take(origin)
        if connection is not None:
            try:
                return await connection.exchange(request, limits.read, limits.write)
            except (RemoteProtocolError, ReadError, WriteError):
                if connection.received_any:
                    raise
                # the server closed the idle connection as we reused it: try a new one
        connection = await self._connect(origin, limits)
        return await connection.exchange(request, limits.read, limits.write)

    async def _connect(self, origin: Origin, limits: Timeout) -> HTTPConnection:
        proxy = self._proxy
        if proxy is None and self._trust_env:
            proxy = proxy_from_env(origin)
        handle = await open_socket(
            origin, ssl_context=self._ssl_context, proxy=proxy, timeout=limits.connect
        )
        return HTTPConnection(handle, origin, self._pool)

    # -- lifetime -----------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close every idle connection; the client cannot be used afterwards.

        >>> Client.aclose.__doc__.splitlines()[0]
        'Close every idle connection; the client cannot be used afterwards.'
        """
        self._closed = True
        self._pool.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _ssl_context(verify: ssl.SSLContext | bool) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        return verify
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _origin(url: str) -> Origin:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    return parts.scheme, host, parts.port or _DEFAULT_PORTS[parts.scheme]


def _defaults(url: str) -> list[tuple[str, str]]:
    scheme, host, port = _origin(url)
    authority = f"[{host}]" if ":" in host else host
    if port != _DEFAULT_PORTS[scheme]:
        authority += f":{port}"
    return [
        ("Host", authority),
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip, deflate"),
        ("User-Agent", _USER_AGENT),
    ]


def _with_params(url: str, params: ParamTypes) -> str:
    if not params:
        return url
    query = (
        params if isinstance(params, str) else urllib.parse.urlencode(_pairs(params), doseq=True)
    )
    parts = urllib.parse.urlsplit(url)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urllib.parse.urlunsplit(parts._replace(query=joined))


def _pairs(params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    if isinstance(params, Mapping):
        mapping = cast("Mapping[str, Any]", params)
        return [(str(key), mapping[key]) for key in mapping]
    return [(str(key), value) for key, value in params]


def _body(
    content: bytes | str | None, data: Mapping[str, Any] | None, json: Any
) -> tuple[bytes, str | None]:
    given = [
        name
        for name, value in (("content", content), ("data", data), ("json", json))
        if value is not None
    ]
    if len(given) > 1:
        raise ValueError(f"Client: give one body argument, not {' and '.join(given)}")
    if json is not None:
        text = std_json.dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8"), "application/json"
    if data is not None:
        return urllib.parse.urlencode(_pairs(data), doseq=True).encode("ascii"), (
            "application/x-www-form-urlencoded"
        )
    if isinstance(content, str):
        return content.encode("utf-8"), None
    return (content or b""), None
