# Rules of this module: opening the socket of a new HTTP connection, under the connect timeout:
# plain TCP, TLS (verification as the context says: on by default), or a TLS tunnel through an
# HTTP proxy's CONNECT. Name resolution and every wait stay off the loop's critical path (the
# socket layer's rules). Every failure becomes ConnectError / ConnectTimeout / ProxyError
# naming the target, chained to the socket or TLS error.
"""Connecting to an origin, directly or through an HTTPS proxy (CONNECT)."""

from __future__ import annotations

import base64
import os
import ssl
import urllib.parse

from .._errors import TLSHandshakeError, TLSPlainTextPeerError
from .._handle import SocketHandle
from .._kernel import fail_after
from .._stream import LimitOverrunError, SocketStream, connect_handle
from .._tls import TLSSocketHandle
from ._connection import Origin
from ._errors import ConnectError, ConnectTimeout, ProxyError

_HEAD_LIMIT = 1 << 16


def proxy_from_env(origin: Origin) -> str | None:
    """The ``HTTPS_PROXY`` URL for an https ``origin``, unless ``NO_PROXY`` excludes it.

    Args:
        origin: ``(scheme, host, port)``.

    Returns:
        The proxy URL, or ``None``.

    >>> proxy_from_env(("http", "x.test", 80)) is None
    True
    """
    scheme, host, port = origin
    if scheme != "https":
        return None
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
    if not proxy:
        return None
    import urllib.request  # only with a proxy configured: it imports http.client and email

    if urllib.request.proxy_bypass(f"{host}:{port}"):
        return None
    return proxy


async def open_socket(
    origin: Origin, *, ssl_context: ssl.SSLContext, proxy: str | None, timeout: float | None
) -> SocketHandle:
    """Connect to ``origin`` (TLS for https), through ``proxy`` when given, within ``timeout``.

    Args:
        origin: ``(scheme, host, port)``.
        ssl_context: the TLS context for https origins.
        proxy: an ``http://host:port`` proxy URL for https origins, or ``None``.
        timeout: the connect deadline in seconds (``None``: none).

    Returns:
        The connected handle.

    Raises:
        ConnectError: the connection or the TLS handshake failed.
        ConnectTimeout: it took longer than ``timeout``.
        ProxyError: the proxy refused the tunnel.
    """
    scheme, host, port = origin
    message = f"connect timeout: no connection to {scheme}://{host}:{port} within {timeout}s"
    handle: SocketHandle | None = None
    try:
        with fail_after(float("inf") if timeout is None else timeout):
            if scheme == "https" and proxy is not None:
                handle = await _tunnel(origin, proxy, ssl_context)
            else:
                handle = await _direct(origin, ssl_context)
    except TimeoutError as exc:
        raise ConnectTimeout(message) from exc
    if handle is None:  # the deadline passed
        raise ConnectTimeout(message)
    return handle


async def _direct(origin: Origin, ssl_context: ssl.SSLContext) -> SocketHandle:
    scheme, host, port = origin
    try:
        return await connect_handle(host, port, ssl_context if scheme == "https" else None)
    except OSError as exc:
        raise _connect_error(origin, exc) from exc


async def _tunnel(origin: Origin, proxy: str, ssl_context: ssl.SSLContext) -> SocketHandle:
    host = origin[1]
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
    if parts.scheme != "http" or not parts.hostname:
        raise ProxyError(f"unsupported proxy URL {proxy!r}: only http://host:port proxies")
    proxy_origin: Origin = ("http", parts.hostname, parts.port or 80)
    plain = await _direct(proxy_origin, ssl_context)
    try:
        await _connect_request(SocketStream(plain), origin, parts)
        tls = TLSSocketHandle(plain.socket, ssl_context, host)
        try:
            await tls.do_handshake()
        except TLSHandshakeError as exc:
            raise _connect_error(origin, exc) from exc
    except BaseException:
        plain.close()
        raise
    return tls


async def _connect_request(
    stream: SocketStream, origin: Origin, proxy: urllib.parse.SplitResult
) -> None:
    _, host, port = origin
    authority = f"{_bracket(host)}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    if proxy.username is not None:
        user = urllib.parse.unquote(proxy.username)
        password = urllib.parse.unquote(proxy.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        lines.append(f"Proxy-Authorization: Basic {token}")
    await stream.send_all(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    try:
        head = await stream.readuntil(b"\r\n\r\n")
    except (EOFError, LimitOverrunError, OSError) as exc:
        raise ProxyError(f"the proxy did not answer CONNECT {authority}: {exc!r}") from exc
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    fields = status_line.split(" ", 2)
    if len(fields) < 2 or not fields[1].isdigit() or not 200 <= int(fields[1]) < 300:
        raise ProxyError(f"the proxy refused CONNECT {authority}: {status_line!r}")
    if stream.buffered:
        raise ProxyError(f"the proxy sent bytes after its answer to CONNECT {authority}")


def _connect_error(origin: Origin, exc: OSError) -> ConnectError:
    scheme, host, port = origin
    target = f"{scheme}://{_bracket(host)}:{port}"
    if isinstance(exc, TLSPlainTextPeerError):
        return ConnectError(
            f"cannot connect to {target}: the server does not speak TLS (is it a plain-HTTP"
            f" server? use http://): {exc}"
        )
    return ConnectError(f"cannot connect to {target}: {exc}")


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host
