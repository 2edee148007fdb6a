# Rules of this module: Request and Response, no socket code. A Response reads its body from a
# BodySource (the connection) lazily; whatever happens (end of body, error, early stop, aclose)
# the source is released exactly once. The body iterators' cleanup is synchronous, so an
# iterator abandoned mid-stream and collected later never needs the loop.
"""Request and Response."""

from __future__ import annotations

import json as std_json
from collections.abc import AsyncIterator
from typing import Any, Protocol

from ._config import Headers
from ._decode import ContentDecoder, LineDecoder
from ._errors import HTTPStatusError, StreamError
from ._sse import ServerSentEvent, SSEDecoder


class Request:
    """An HTTP request as sent: method, absolute URL, headers and body.

    Args:
        method: e.g. ``"GET"``.
        url: the absolute URL (query included).
        headers: the request headers.
        content: the body.

    >>> Request("GET", "http://example.test/a?b=1")
    <Request GET http://example.test/a?b=1>
    """

    def __init__(
        self, method: str, url: str, *, headers: Headers | None = None, content: bytes = b""
    ) -> None:
        self.method: str = method.upper()
        self.url: str = url
        self.headers: Headers = headers if headers is not None else Headers()
        self.content: bytes = content

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


class BodySource(Protocol):
    """Where a response body comes from (the connection that received the response head)."""

    async def receive(self) -> bytes:
        """The next bytes of the body as sent (chunked framing removed); ``b""`` at the end."""
        ...

    def release(self) -> None:
        """Give the connection back (to the pool if the exchange completed, else close it)."""
        ...


class Response:
    """An HTTP response; with ``Client.stream()`` its body is read while it arrives.

    Args:
        status_code: the status code.
        request: the request this answers.
        headers: the response headers.
        reason_phrase: the reason phrase of the status line.
        http_version: e.g. ``"HTTP/1.1"``.
        content: the whole body, for a response made by hand.
        source: where the body comes from, for a response read from a connection.

    >>> r = Response(200, Request("GET", "http://x.test/"), content=b'{"ok": true}')
    >>> r.status_code, r.json(), r.is_success, r.raise_for_status() is r
    (200, {'ok': True}, True, True)
    """

    def __init__(
        self,
        status_code: int,
        request: Request,
        *,
        headers: Headers | None = None,
        reason_phrase: str = "",
        http_version: str = "HTTP/1.1",
        content: bytes | None = None,
        source: BodySource | None = None,
    ) -> None:
        self.status_code: int = status_code
        self.request: Request = request
        self.headers: Headers = headers if headers is not None else Headers()
        self.reason_phrase: str = reason_phrase
        self.http_version: str = http_version
        self._content = content
        self._source = source
        self._consumed = content is not None
        self._closed = source is None

    def __repr__(self) -> str:
        return f"<Response [{self.status_code} {self.reason_phrase}]>"

    @property
    def url(self) -> str:
        """The URL of the request.

        >>> Response(204, Request("GET", "http://x.test/")).url
        'http://x.test/'
        """
        return self.request.url

    @property
    def is_success(self) -> bool:
        """True for a 2xx status.

        >>> Response(404, Request("GET", "http://x.test/")).is_success
        False
        """
        return 200 <= self.status_code < 300

    @property
    def is_closed(self) -> bool:
        """True once the connection behind the body was released.

        >>> Response(200, Request("GET", "http://x.test/"), content=b"").is_closed
        True
        """
        return self._closed

    @property
    def content(self) -> bytes:
        """The whole (decoded) body; for a streaming response only after :meth:`aread`.

        Raises:
            StreamError: the body of a streaming response has not been read.

        >>> Response(200, Request("GET", "http://x.test/"), content=b"hi").content
        b'hi'
        """
        if self._content is None:
            raise StreamError(
                "the body of this streaming response was not read: call `await response.aread()`"
            )
        return self._content

    @property
    def encoding(self) -> str:
        """The text encoding: the ``charset`` of ``Content-Type``, else UTF-8.

        >>> h = Headers({"Content-Type": "text/plain; charset=latin-1"})
        >>> Response(200, Request("GET", "http://x.test/"), headers=h).encoding
        'latin-1'
        """
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip('"')
        return "utf-8"

    @property
    def text(self) -> str:
        """The body as text (invalid bytes become U+FFFD).

        >>> Response(200, Request("GET", "http://x.test/"), content=b"caf\\xc3\\xa9").text
        'café'
        """
        return self.content.decode(self.encoding, errors="replace")

    def json(self, **kwargs: Any) -> Any:
        """Parse the body as JSON.

        Args:
            **kwargs: passed to ``json.loads``.

        Returns:
            The decoded value.

        >>> Response(200, Request("GET", "http://x.test/"), content=b"[1]").json()
        [1]
        """
        return std_json.loads(self.content, **kwargs)

    def raise_for_status(self) -> Response:
        """Raise :class:`HTTPStatusError` for a 4xx or 5xx status; return the response.

        Returns:
            This response, for chaining.

        Raises:
            HTTPStatusError: the status is 400 or more.

        >>> Response(429, Request("GET", "http://x.test/"), reason_phrase="Too Many Requests").raise_for_status()
        Traceback (most recent call last):
        ...
        flowno_net.http._errors.HTTPStatusError: 429 Too Many Requests for GET http://x.test/
        """
        if self.status_code >= 400:
            message = (
                f"{self.status_code} {self.reason_phrase} for {self.request.method} {self.url}"
            )
            raise HTTPStatusError(message.replace("  ", " "), request=self.request, response=self)
        return self

    async def aread(self) -> bytes:
        """Read the whole body (once) and return it decoded.

        Returns:
            The body.

        >>> from flowno_eventloop import EventLoop
        >>> r = Response(200, Request("GET", "http://x.test/"), content=b"body")
        >>> EventLoop().run_until_complete(r.aread(), join=True)
        b'body'
        """
        if self._content is None:
            self._content = b"".join([chunk async for chunk in self.aiter_bytes()])
        return self._content

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as sent (still compressed), chunk by chunk; the response is closed at the
        end, on error, and when the consumer stops early.

        >>> Response.aiter_raw.__doc__.splitlines()[0]
        'The body as sent (still compressed), chunk by chunk; the response is closed at the'
        """
        source = self._source
        if self._consumed or source is None:
            raise StreamError(f"the body of {self!r} was already read (or the response closed)")
        self._consumed = True
        try:
            while chunk := await source.receive():
                yield chunk
        finally:
            self.close()

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The decoded body (gzip / deflate undone), chunk by chunk.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     r = Response(200, Request("GET", "http://x.test/"), content=b"abc")
        ...     return [chunk async for chunk in r.aiter_bytes()]
        >>> EventLoop().run_until_complete(main(), join=True)
        [b'abc']
        """
        if self._content is not None:
            if self._content:
                yield self._content
            return
        decoder = ContentDecoder(self.headers.get("content-encoding", ""))
        async for chunk in self.aiter_raw():
            if data := decoder.decode(chunk):
                yield data
        if tail := decoder.flush():
            yield tail

    async def aiter_lines(self) -> AsyncIterator[str]:
        """The body as text lines (split at LF, CRLF and CR; terminators removed).

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     r = Response(200, Request("GET", "http://x.test/"), content=b"a\\r\\nb\\rc\\n")
        ...     return [line async for line in r.aiter_lines()]
        >>> EventLoop().run_until_complete(main(), join=True)
        ['a', 'b', 'c']
        """
        decoder = LineDecoder(self.encoding)
        async for chunk in self.aiter_bytes():
            for line in decoder.decode(chunk):
                yield line
        for line in decoder.flush():
            yield line

    async def aiter_sse(self) -> AsyncIterator[ServerSentEvent]:
        """The body as Server-Sent Events, each yielded as soon as its block is complete.

        >>> from flowno_eventloop import EventLoop
        >>> async def main():
        ...     r = Response(200, Request("GET", "http://x.test/"), content=b"event: t\\ndata: 1\\n\\n")
        ...     return [(e.event, e.data) async for e in r.aiter_sse()]
        >>> EventLoop().run_until_complete(main(), join=True)
        [('t', '1')]
        """
        decoder = SSEDecoder()
        async for chunk in self.aiter_bytes():
            for event in decoder.feed(chunk):
                yield event
        for event in decoder.finish():
            yield event

    def close(self) -> None:
        """Release the connection (closing it unless the body was read to the end).

        >>> r = Response(200, Request("GET", "http://x.test/"), content=b""); r.close(); r.is_closed
        True
        """
        if not self._closed:
            self._closed = True
            self._consumed = True
            if self._source is not None:
                self._source.release()

    async def aclose(self) -> None:
        """Like :meth:`close`, as an awaitable (``httpx`` spelling).

        >>> Response.aclose.__doc__.splitlines()[0]
        'Like :meth:`close`, as an awaitable (``httpx`` spelling).'
        """
        self.close()
