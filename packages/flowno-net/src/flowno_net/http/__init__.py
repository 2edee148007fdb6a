"""flowno_net.http: an HTTP/1.1 client and Server-Sent Events on flowno-net sockets.

The client is built on h11 (installed by the ``http`` extra: ``pip install 'flowno-net[http]'``)
and follows httpx's names: :class:`Client`, :class:`Timeout`, :class:`Response`,
``client.stream()``, ``response.aiter_sse()``. :class:`SSEDecoder` is a sans-IO
``text/event-stream`` decoder usable on its own (no h11 needed).

>>> from flowno_net.http import SSEDecoder
>>> [event.data for event in SSEDecoder().feed(b"data: token\\n\\ndata: [DONE]\\n\\n")]
['token', '[DONE]']
"""

from ._client import Client
from ._config import Headers, Retries, Timeout
from ._errors import (
    ConnectError,
    ConnectTimeout,
    DecodingError,
    HTTPError,
    HTTPStatusError,
    ProxyError,
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    RequestError,
    StreamError,
    TimeoutException,
    TransportError,
    WriteError,
    WriteTimeout,
)
from ._models import Request, Response
from ._sse import ServerSentEvent, SSEDecoder

__all__ = [
    "Client",
    "ConnectError",
    "ConnectTimeout",
    "DecodingError",
    "HTTPError",
    "HTTPStatusError",
    "Headers",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "Request",
    "RequestError",
    "Response",
    "Retries",
    "SSEDecoder",
    "ServerSentEvent",
    "StreamError",
    "TimeoutException",
    "Timeout",
    "TransportError",
    "WriteError",
    "WriteTimeout",
]
