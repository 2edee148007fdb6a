# Rules of this module: the package's exception classes and the pure, table-driven mapping from
# an ``ssl`` failure to one of them. No I/O. Every raise of these classes chains the original
# error (``raise ... from exc``). Every TLS class is also the matching ``ssl`` exception
# (``ssl.SSLError``; ``ssl.SSLCertVerificationError`` for certificate failures) and a
# ``ConnectionError``, so code written against the standard library keeps catching them.
"""Exceptions raised by flowno_net, and the TLS failure classifier."""

from __future__ import annotations

import errno
import ssl


class SocketClosedError(OSError):
    """An operation was attempted on (or was waiting on) a closed socket.

    It is an ``OSError`` with ``errno.EBADF``, so ``except OSError`` code keeps working.

    >>> err = SocketClosedError("send")
    >>> err.errno == errno.EBADF, str(err)
    (True, '[Errno 9] send on a closed socket')
    """

    def __init__(self, operation: str) -> None:
        super().__init__(errno.EBADF, f"{operation} on a closed socket")


class TLSError(ssl.SSLError, ConnectionError):
    """Base class of the TLS failures raised by flowno_net.

    It is an ``ssl.SSLError`` and a ``ConnectionError`` (both ``OSError``), so ``except
    ssl.SSLError`` and ``except ConnectionError`` both catch it. ``reason`` and ``library``
    are copied from the ``ssl`` error it was raised from (``None`` when there was none).

    >>> err = TLSError("TLS handshake with 'example.test' failed: boom")
    >>> isinstance(err, ssl.SSLError), isinstance(err, ConnectionError), str(err)
    (True, True, "TLS handshake with 'example.test' failed: boom")
    """

    # The ssl module's own errors also leave these None when OpenSSL gives no reason.
    reason: str | None = None  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]
    library: str | None = None  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class TLSHandshakeError(TLSError):
    """The TLS handshake failed (protocol error, peer alert, or peer closed mid-handshake).

    >>> isinstance(TLSHandshakeError("x"), ConnectionError)
    True
    """


class TLSPlainTextPeerError(TLSHandshakeError):
    """The peer does not speak TLS: it sent plain text (or other garbage) instead of a handshake.

    >>> issubclass(TLSPlainTextPeerError, TLSHandshakeError)
    True
    """


class TLSCertificateError(TLSHandshakeError, ssl.SSLCertVerificationError):  # pyright: ignore[reportIncompatibleVariableOverride]
    """The peer's certificate failed verification.

    It is also an ``ssl.SSLCertVerificationError``; ``verify_code`` and ``verify_message`` are
    OpenSSL's (``None`` when unknown).

    >>> issubclass(TLSCertificateError, TLSHandshakeError)
    True
    >>> issubclass(TLSCertificateError, ssl.SSLCertVerificationError)
    True
    """

    verify_code: int | None = None  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]
    verify_message: str | None = None  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]


class TLSUntrustedCertificateError(TLSCertificateError):
    """The certificate chain does not lead to a trusted authority (e.g. self-signed).

    >>> issubclass(TLSUntrustedCertificateError, TLSCertificateError)
    True
    """


class TLSExpiredCertificateError(TLSCertificateError):
    """The certificate has expired (or is not yet valid).

    >>> issubclass(TLSExpiredCertificateError, TLSCertificateError)
    True
    """


class TLSHostnameMismatchError(TLSCertificateError):
    """The certificate is valid but was issued for another host name.

    >>> issubclass(TLSHostnameMismatchError, TLSCertificateError)
    True
    """


# OpenSSL X509_V_ERR_* codes (stable across OpenSSL 1.1 and 3.x).
_VERIFY_CODE_TABLE: dict[int, tuple[type[TLSCertificateError], str]] = {
    9: (TLSExpiredCertificateError, "certificate is not yet valid"),
    10: (TLSExpiredCertificateError, "certificate has expired"),
    18: (TLSUntrustedCertificateError, "self-signed certificate is not trusted"),
    19: (TLSUntrustedCertificateError, "self-signed certificate in chain is not trusted"),
    20: (TLSUntrustedCertificateError, "issuer certificate is unknown (untrusted authority)"),
    21: (TLSUntrustedCertificateError, "certificate chain cannot be verified (untrusted)"),
    62: (TLSHostnameMismatchError, "certificate does not match the host name"),
    64: (TLSHostnameMismatchError, "certificate does not match the IP address"),
}

# OpenSSL reason strings that mean "the bytes on the wire are not TLS".
_PLAIN_TEXT_REASONS = frozenset(
    {
        "WRONG_VERSION_NUMBER",
        "HTTP_REQUEST",
        "HTTPS_PROXY_REQUEST",
        "UNKNOWN_PROTOCOL",
        "PACKET_LENGTH_TOO_LONG",
        "RECORD_LAYER_FAILURE",
        "UNSUPPORTED_PROTOCOL",
        "WRONG_SSL_VERSION",
        "RECORD_LENGTH_MISMATCH",
        "BAD_PACKET_LENGTH",
    }
)


def classify_tls_failure(exc: BaseException, peer: str) -> TLSHandshakeError:
    """Turn an error raised during a TLS handshake into a flowno_net exception.

    The caller raises the result ``from exc``.

    Args:
        exc: what the handshake raised (an ``ssl`` error or a connection error).
        peer: a description of the peer for the message (host name or address).

    Returns:
        The most specific :class:`TLSHandshakeError` subclass for ``exc``.

    >>> bad = ssl.SSLCertVerificationError(1, "certificate verify failed")
    >>> bad.verify_code = 10
    >>> err = classify_tls_failure(bad, "example.test")
    >>> type(err).__name__, str(err)
    ('TLSExpiredCertificateError', 'TLS handshake with example.test failed: certificate has expired')
    """
    kind, detail = _classify(exc)
    error = kind(f"TLS handshake with {peer} failed: {detail}")
    error.reason = getattr(exc, "reason", None)
    error.library = getattr(exc, "library", None)
    if isinstance(error, TLSCertificateError):
        error.verify_code = getattr(exc, "verify_code", None)
        error.verify_message = getattr(exc, "verify_message", None)
    return error


def _classify(exc: BaseException) -> tuple[type[TLSHandshakeError], str]:
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = getattr(exc, "verify_code", None)
        if isinstance(code, int) and code in _VERIFY_CODE_TABLE:
            return _VERIFY_CODE_TABLE[code]
        message = getattr(exc, "verify_message", None) or str(exc)
        return TLSCertificateError, f"certificate verification failed: {message}"
    if isinstance(exc, ssl.SSLEOFError) or isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        return TLSHandshakeError, f"peer closed the connection during the handshake ({exc})"
    reason = getattr(exc, "reason", None)
    if reason in _PLAIN_TEXT_REASONS:
        return TLSPlainTextPeerError, f"peer does not speak TLS ({reason})"
    return TLSHandshakeError, str(exc) or type(exc).__name__
