"""flowno_net: non-blocking sockets and TLS on the flowno event loop.

Everything waits through the loop's generic ``wait_readable`` / ``wait_writable``; the loop
knows nothing of sockets. Each operation is tried first and parks only when it would block.

>>> from flowno_eventloop import EventLoop, spawn
>>> from flowno_net import socket
>>> async def main():
...     with socket() as listener, socket() as client:
...         listener.bind(("127.0.0.1", 0)); listener.listen()
...         await client.aconnect(listener.getsockname())
...         conn, _ = await listener.accept()
...         with conn:
...             await client.sendAll(b"ping")
...             return await conn.recv(10)
>>> EventLoop().run_until_complete(main(), join=True)
b'ping'
"""

from . import http
from ._commands import SocketAcceptCommand, SocketCommand, SocketRecvCommand, SocketSendCommand
from ._decide import Step
from ._errors import (
    SocketClosedError,
    TLSCertificateError,
    TLSError,
    TLSExpiredCertificateError,
    TLSHandshakeError,
    TLSHostnameMismatchError,
    TLSPlainTextPeerError,
    TLSUntrustedCertificateError,
)
from ._factory import socket
from ._handle import SocketHandle
from ._instrument import SocketInstrument, SocketLogInstrument, SocketPrintInstrument
from ._kernel import BusyResourceError
from ._metadata import (
    InstrumentationMetadata,
    ReadySocketInstrumentationMetadata,
    SocketConnectReadyMetadata,
    SocketConnectStartMetadata,
    SocketRecvDataMetadata,
    SocketSendDataMetadata,
    TLSHandshakeMetadata,
)
from ._selector import LoopSelectorAccessor, sel
from ._serve import Server, open_listener, serve, serve_listener, start_server
from ._stream import IncompleteReadError, LimitOverrunError, SocketStream, open_connection
from ._tls import TLSSocketHandle

__all__ = [
    "BusyResourceError",
    "IncompleteReadError",
    "InstrumentationMetadata",
    "LimitOverrunError",
    "LoopSelectorAccessor",
    "ReadySocketInstrumentationMetadata",
    "SocketAcceptCommand",
    "SocketClosedError",
    "SocketCommand",
    "SocketConnectReadyMetadata",
    "SocketConnectStartMetadata",
    "SocketHandle",
    "SocketInstrument",
    "SocketLogInstrument",
    "SocketPrintInstrument",
    "SocketRecvCommand",
    "SocketRecvDataMetadata",
    "SocketSendCommand",
    "SocketSendDataMetadata",
    "Server",
    "Step",
    "SocketStream",
    "TLSCertificateError",
    "TLSError",
    "TLSExpiredCertificateError",
    "TLSHandshakeError",
    "TLSHandshakeMetadata",
    "TLSHostnameMismatchError",
    "TLSPlainTextPeerError",
    "TLSSocketHandle",
    "TLSUntrustedCertificateError",
    "http",
    "open_connection",
    "open_listener",
    "sel",
    "serve",
    "serve_listener",
    "socket",
    "start_server",
]
