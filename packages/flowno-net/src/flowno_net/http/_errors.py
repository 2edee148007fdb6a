# Rules of this module: the HTTP client's exception classes, named like httpx's so code written
# for it reads the same. Every error names the request (method and URL) it happened in; the
# transport error underneath is chained (``raise ... from exc``).
"""Errors raised by flowno_net.http."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._models import Request, Response


class HTTPError(Exception):
    """Base class of every error raised by :mod:`flowno_net.http`.

    >>> issubclass(ReadTimeout, HTTPError)
    True
    """


class RequestError(HTTPError):
    """The request could not be completed (no usable response).

    Attributes:
        request: the request, when known.

    >>> str(RequestError("no route"))
    'no route'
    """

    def __init__(self, message: str, *, request: Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class TransportError(RequestError):
    """A failure of the connection underneath the request.

    >>> issubclass(ConnectError, TransportError)
    True
    """


class ConnectError(TransportError):
    """No connection could be made (refused, name not resolved, TLS handshake failed).

    >>> issubclass(ConnectError, RequestError)
    True
    """


class ProxyError(TransportError):
    """The proxy refused to open a tunnel (``CONNECT`` answered with a non-2xx status).

    >>> issubclass(ProxyError, TransportError)
    True
    """


class ReadError(TransportError):
    """Receiving the response failed (the connection was reset ...).

    >>> issubclass(ReadError, TransportError)
    True
    """


class WriteError(TransportError):
    """Sending the request failed (the connection was reset, the pipe broke ...).

    >>> issubclass(WriteError, TransportError)
    True
    """


class RemoteProtocolError(TransportError):
    """The server broke HTTP/1.1: it closed without a response, cut a body short, or sent
    something that is not HTTP (a malformed status line ...).

    >>> issubclass(RemoteProtocolError, TransportError)
    True
    """


class TimeoutException(TransportError):
    """Base class of the timeouts; the subclass says which timeout expired.

    >>> issubclass(ReadTimeout, TimeoutException) and issubclass(ReadTimeout, TimeoutError)
    True
    """


class ConnectTimeout(TimeoutException, TimeoutError):
    """The connection (TCP, proxy tunnel and TLS handshake) took longer than ``connect``.

    >>> issubclass(ConnectTimeout, TimeoutException)
    True
    """


class ReadTimeout(TimeoutException, TimeoutError):
    """No byte of the response arrived within ``read`` seconds (per chunk, not in total).

    >>> issubclass(ReadTimeout, TimeoutException)
    True
    """


class WriteTimeout(TimeoutException, TimeoutError):
    """Sending the request took longer than ``write`` seconds.

    >>> issubclass(WriteTimeout, TimeoutException)
    True
    """


class DecodingError(RequestError):
    """The body could not be decoded (bad gzip / deflate data).

    >>> issubclass(DecodingError, RequestError)
    True
    """


class StreamError(RuntimeError):
    """A streaming response was used wrongly (read twice, or read after it was closed).

    >>> issubclass(StreamError, RuntimeError)
    True
    """


class HTTPStatusError(HTTPError):
    """Raised by ``Response.raise_for_status()`` for a 4xx or 5xx response.

    Attributes:
        request: the request.
        response: the response (its body is not read by ``raise_for_status``).

    >>> issubclass(HTTPStatusError, HTTPError)
    True
    """

    def __init__(self, message: str, *, request: Request, response: Response) -> None:
        super().__init__(message)
        self.request = request
        self.response = response
